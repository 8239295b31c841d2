//===- ir/ReaderBlock.h - What every block reader of the IR shares -*- C++ -*-===//
//
// Internal to the IR reader (ir/Reader.h): blocks, declared names,
// dimensions and expression lines kept as syntax until their block closes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "ir/Reader.h"
#include "ir/ReaderExpr.h"
#include "ir/ReaderLexer.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace snn::ir::reader {

/// An expression line of a model, kept as syntax until the block closes.
struct Pending {
  std::string target; ///< the state, parameter or shared name it defines, if any
  SourceLocation target_loc;
  SourceLocation loc; ///< where the expression starts
  std::unique_ptr<Syntax> syntax;
};

/// The helpers of a block reader, over one token stream.
class BlockReader {
protected:
  explicit BlockReader(TokenStream &in) : in_(in) {}

  void open_block() {
    in_.expect("{");
    in_.end_statement();
  }

  /// Skips blank lines; takes the block's `}` (and its line end) if it is next.
  bool close_block() {
    in_.skip_newlines();
    if (!in_.accept("}"))
      return false;
    in_.end_statement();
    return true;
  }

  /// The dimension glued together up to `stop` (e.g. `V/s`, `kg*m^2`).
  Dimension dimension(const std::string &stop) {
    if (in_.peek().kind == TokenKind::Newline || in_.peek().kind == TokenKind::End)
      in_.fail_expected("a dimension");
    Token unit = in_.take_glued(stop);
    std::optional<Dimension> d = parse_dimension(unit.text);
    if (!d)
      in_.fail(diag::DiagKind::unknown_unit, unit.loc, unit.text);
    return *d;
  }

  bool boolean() {
    Token b = in_.expect(TokenKind::Ident, "true or false");
    if (b.text != "true" && b.text != "false")
      in_.fail(diag::DiagKind::ir_expected, b.loc, "true or false", describe(b));
    return b.text == "true";
  }

  /// `unless refractory`, if it is next.
  bool unless_refractory() {
    if (!in_.accept("unless"))
      return false;
    in_.expect("refractory");
    return true;
  }

  /// A declared name, unique among the model's states, parameters and inputs.
  Token declared(std::map<std::string, SourceLocation> &names) {
    Token name = in_.expect(TokenKind::Ident, "a name");
    define(names, name, "name");
    return name;
  }

  void define(std::map<std::string, SourceLocation> &seen, const Token &name, const std::string &what) {
    if (!in_.diagnostics().define_once(seen, name.text, name.loc, what))
      throw ReadFailure{};
  }

  /// `dX/dt = EXPR` after `ode`: the pending right side, its target the
  /// state X (the token's text without its `d`).
  Pending ode_line() {
    Token d = in_.expect(TokenKind::Ident, "dSTATE/dt");
    if (d.text.size() < 2 || d.text[0] != 'd')
      in_.fail(diag::DiagKind::ir_expected, d.loc, "dSTATE/dt", describe(d));
    in_.expect("/");
    in_.expect("dt");
    d.text.erase(0, 1);
    return value_of(d);
  }

  /// An expression, as syntax.
  Pending expression() {
    SourceLocation start = in_.peek().loc;
    return {"", SourceLocation(), start, parse_expr(in_)};
  }

  /// `= EXPR` after `target`, as syntax.
  Pending value_of(const Token &target) {
    in_.expect("=");
    Pending p = expression();
    p.target = target.text;
    p.target_loc = target.loc;
    return p;
  }

  const StateVar &state(const NeuronModel &m, const Pending &line) {
    const StateVar *s = m.find_state(line.target);
    if (!s)
      in_.fail(diag::DiagKind::unknown_variable, line.target_loc, m.name, "state", line.target);
    return *s;
  }

  Expr typed(const Pending &line, const NameScope &scope, ScalarType type, Dimension dim, const std::string &what) {
    Expr e = build_expr(*line.syntax, scope, type, in_);
    expect_type(e, type, dim, what, line.loc, in_);
    return e;
  }

  TokenStream &in_;
};

} // namespace snn::ir::reader
