//===- ir/ReaderExpr.h - Expressions of the printed model IR ---*- C++ -*-===//
//
// Internal to the IR reader (ir/Reader.h). An expression is read in two
// steps: parsing gives its syntax (the printer's precedences, in reverse),
// then building gives the typed Expr. The split exists because a bare
// number's type comes from its context: `1` is an integer in
// `refractory_steps > 1` and a real in `v * 1`, as the printer writes both
// the same way.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "ir/ReaderLexer.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace snn::ir::reader {

/// An expression as written, before names and types are known.
struct Syntax {
  enum class Kind : uint8_t { Number, Bool, Name, Shared, Neg, Not, Binary, Select, Call, Random, Stimulus, LastSpike };
  Kind kind;
  SourceLocation loc;
  unsigned depth = 1;                          ///< of the tree below and including this node
  double value = 0;                            ///< Number, Bool
  std::optional<Dimension> dim;                ///< Number: the `[unit]` written after it
  std::string name;                            ///< Name, Shared
  BinaryOp op = BinaryOp::Add;                 ///< Binary
  Function fn = Function::Exp;                 ///< Call
  Distribution dist = Distribution::Uniform01; ///< Random
  uint32_t site = 0;                           ///< Random
  std::vector<std::unique_ptr<Syntax>> args;
};

/// Parses one expression at the cursor; stops before the first token that
/// cannot continue it (a newline, `unless`, a `,` outside parentheses).
std::unique_ptr<Syntax> parse_expr(TokenStream &in);

/// Reads a real written by format_real (`-0.5`, `1e-04`, `nan`, `-inf`).
double parse_real(TokenStream &in);

/// Reads an unsigned integer in [min, max]; `what` names it in errors.
uint64_t parse_integer(TokenStream &in, const std::string &what, uint64_t min, uint64_t max);

/// A real followed by `[unit]`, e.g. `10 [Hz]`.
double parse_quantity(TokenStream &in, const std::string &unit);

/// `true` or `false`.
bool parse_bool(TokenStream &in);

/// `NAME:` before a named argument.
void expect_label(TokenStream &in, const std::string &name);

/// What the names of an expression refer to: the model's states, parameters
/// and inputs, `t` and `dt`, and the shared subexpressions defined so far.
struct NameScope {
  const NeuronModel *model = nullptr;
  const std::map<std::string, Expr> *shared = nullptr;
};

/// Builds the typed Expr of `syntax`. A bare number becomes an integer when
/// its context is one (`expected` at the top, the other operand inside);
/// anything `make` rejects is reported as ill-typed at the node. Throws
/// ReadFailure after reporting.
Expr build_expr(const Syntax &syntax, const NameScope &scope, std::optional<ScalarType> expected, TokenStream &in);

/// Reports that `e` (the value of `what`) is not of `type` and `dim`.
void expect_type(const Expr &e, ScalarType type, Dimension dim, const std::string &what, const SourceLocation &loc,
                 TokenStream &in);

} // namespace snn::ir::reader
