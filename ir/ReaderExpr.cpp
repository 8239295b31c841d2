//===- ir/ReaderExpr.cpp - Expressions of the printed model IR ------------===//
#include "ir/ReaderExpr.h"

#include "ir/Reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace snn::ir::reader {

using diag::DiagKind;

namespace {

using SyntaxPtr = std::unique_ptr<Syntax>;

SyntaxPtr make_syntax(Syntax::Kind kind, const SourceLocation &loc) {
  auto s = std::make_unique<Syntax>();
  s->kind = kind;
  s->loc = loc;
  return s;
}

/// Adds `arg` below `s`; a tree deeper than the reader nests (a long
/// chain such as `a + a + ... + a` is deep too) is an error.
void add_arg(Syntax &s, SyntaxPtr arg, TokenStream &in) {
  s.depth = std::max(s.depth, arg->depth + 1);
  if (s.depth > TokenStream::kMaxNesting)
    in.fail(DiagKind::nesting_too_deep, s.loc, TokenStream::kMaxNesting);
  s.args.push_back(std::move(arg));
}

SyntaxPtr make_binary(BinaryOp op, const SourceLocation &loc, SyntaxPtr a, SyntaxPtr b, TokenStream &in) {
  SyntaxPtr s = make_syntax(Syntax::Kind::Binary, loc);
  s->op = op;
  add_arg(*s, std::move(a), in);
  add_arg(*s, std::move(b), in);
  return s;
}

/// One level of the parsers' recursion (parentheses, `not`, `**`).
class Nesting {
public:
  explicit Nesting(TokenStream &in) : in_(in) { in_.enter(in_.peek().loc); }
  ~Nesting() { in_.leave(); }
  Nesting(const Nesting &) = delete;
  Nesting &operator=(const Nesting &) = delete;

private:
  TokenStream &in_;
};

bool is_real_word(const Token &t) { return t.kind == TokenKind::Ident && (t.text == "nan" || t.text == "inf"); }

/// The value of a Number token, or of `nan` / `inf`.
double real_value(const Token &t, TokenStream &in) {
  if (t.text == "nan")
    return std::numeric_limits<double>::quiet_NaN();
  if (t.text == "inf")
    return std::numeric_limits<double>::infinity();
  double value = 0;
  auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
  // format_real never writes a number out of a double's range; a hand-edited one may.
  if (ec != std::errc() || end != t.text.data() + t.text.size())
    in.fail(DiagKind::number_out_of_range, t.loc, t.text);
  return value;
}

// The printer's precedences (ir/Printer.cpp), loosest first: or, and, not,
// comparisons (non-associative), + -, * /, unary minus, ** (right), atoms.
SyntaxPtr parse_or(TokenStream &in);

SyntaxPtr parse_atom(TokenStream &in);

SyntaxPtr parse_pow(TokenStream &in) {
  Nesting level(in);
  SyntaxPtr base = parse_atom(in);
  if (!in.at("**"))
    return base;
  Token op = in.take();
  return make_binary(BinaryOp::Pow, op.loc, std::move(base), parse_pow(in), in);
}

SyntaxPtr parse_unary(TokenStream &in) {
  if (!in.at("-"))
    return parse_pow(in);
  Token minus = in.take();
  const Token &next = in.peek();
  bool literal = (next.kind == TokenKind::Number || is_real_word(next)) && in.adjacent();
  SyntaxPtr operand = parse_pow(in);
  // `-0.5[V]` is how a negative constant prints: read it back as one, so
  // that printing it again (and folding it) gives the same text.
  if (literal && operand->kind == Syntax::Kind::Number) {
    operand->value = -operand->value;
    operand->loc = minus.loc;
    return operand;
  }
  SyntaxPtr neg = make_syntax(Syntax::Kind::Neg, minus.loc);
  add_arg(*neg, std::move(operand), in);
  return neg;
}

SyntaxPtr parse_mul(TokenStream &in) {
  SyntaxPtr a = parse_unary(in);
  while (in.at("*") || in.at("/")) {
    Token op = in.take();
    a = make_binary(op.text == "*" ? BinaryOp::Mul : BinaryOp::Div, op.loc, std::move(a), parse_unary(in), in);
  }
  return a;
}

SyntaxPtr parse_add(TokenStream &in) {
  SyntaxPtr a = parse_mul(in);
  while (in.at("+") || in.at("-")) {
    Token op = in.take();
    a = make_binary(op.text == "+" ? BinaryOp::Add : BinaryOp::Sub, op.loc, std::move(a), parse_mul(in), in);
  }
  return a;
}

SyntaxPtr parse_comparison(TokenStream &in) {
  SyntaxPtr a = parse_add(in);
  static const std::pair<const char *, BinaryOp> ops[] = {{"<", BinaryOp::Lt},  {"<=", BinaryOp::Le},
                                                          {">", BinaryOp::Gt},  {">=", BinaryOp::Ge},
                                                          {"==", BinaryOp::Eq}, {"!=", BinaryOp::Ne}};
  for (const auto &[text, op] : ops)
    if (in.at(text)) {
      Token t = in.take();
      return make_binary(op, t.loc, std::move(a), parse_add(in), in);
    }
  return a;
}

SyntaxPtr parse_not(TokenStream &in) {
  if (!in.at("not"))
    return parse_comparison(in);
  Nesting level(in);
  Token t = in.take();
  SyntaxPtr s = make_syntax(Syntax::Kind::Not, t.loc);
  add_arg(*s, parse_not(in), in);
  return s;
}

SyntaxPtr parse_and(TokenStream &in) {
  SyntaxPtr a = parse_not(in);
  while (in.at("and")) {
    Token op = in.take();
    a = make_binary(BinaryOp::And, op.loc, std::move(a), parse_not(in), in);
  }
  return a;
}

SyntaxPtr parse_or(TokenStream &in) {
  Nesting level(in);
  SyntaxPtr a = parse_and(in);
  while (in.at("or")) {
    Token op = in.take();
    a = make_binary(BinaryOp::Or, op.loc, std::move(a), parse_and(in), in);
  }
  return a;
}

/// `name(args...)` after the name: arguments separated by commas.
std::vector<SyntaxPtr> parse_arguments(TokenStream &in, const Token &name, size_t count) {
  in.expect("(");
  std::vector<SyntaxPtr> args;
  while (!in.at(")")) {
    if (!args.empty())
      in.expect(",");
    args.push_back(parse_or(in));
  }
  if (args.size() != count)
    in.fail(DiagKind::wrong_argument_count, name.loc, "'" + name.text + "'", count, args.size());
  in.expect(")");
  return args;
}

std::optional<Function> function_named(const std::string &name) {
  for (Function fn : {Function::Exp, Function::Log, Function::Sqrt, Function::Abs, Function::Sin, Function::Cos,
                      Function::Tanh, Function::Floor, Function::Ceil, Function::Expm1})
    if (name == name_of(fn))
      return fn;
  return std::nullopt;
}

SyntaxPtr parse_atom(TokenStream &in) {
  const Token &t = in.peek();
  if (t.kind == TokenKind::Number || is_real_word(t)) {
    Token number = in.take();
    SyntaxPtr s = make_syntax(Syntax::Kind::Number, number.loc);
    s->value = real_value(number, in);
    if (in.at("[") && in.adjacent()) { // `0.01[V]`
      in.take();
      Token unit = in.take_glued("]");
      s->dim = parse_dimension(unit.text);
      if (!s->dim)
        in.fail(DiagKind::unknown_unit, unit.loc, unit.text);
      in.expect("]");
    }
    return s;
  }
  if (t.kind == TokenKind::Shared) {
    Token name = in.take();
    SyntaxPtr s = make_syntax(Syntax::Kind::Shared, name.loc);
    s->name = name.text;
    return s;
  }
  if (in.accept("(")) {
    SyntaxPtr inner = parse_or(in);
    in.expect(")");
    return inner;
  }
  if (t.kind != TokenKind::Ident)
    in.fail_expected("an expression");
  Token name = in.take();
  if (name.text == "true" || name.text == "false") {
    SyntaxPtr s = make_syntax(Syntax::Kind::Bool, name.loc);
    s->value = name.text == "true" ? 1 : 0;
    return s;
  }
  if ((name.text == "rand" || name.text == "randn") && in.at("#")) { // `rand#3()`
    in.take();
    SyntaxPtr s = make_syntax(Syntax::Kind::Random, name.loc);
    s->dist = name.text == "rand" ? Distribution::Uniform01 : Distribution::Normal01;
    s->site = static_cast<uint32_t>(parse_integer(in, "a random draw's site", 0, UINT32_MAX));
    parse_arguments(in, name, 0);
    return s;
  }
  if (name.text == "post" && in.at(".") && in.adjacent()) { // `post.v` in a synapse's post block
    in.take();
    name.text += "." + in.expect(TokenKind::Ident, "a variable of the postsynaptic neuron").text;
  }
  if (!(in.at("(") && in.adjacent())) { // a call's '(' follows its name directly
    SyntaxPtr s = make_syntax(Syntax::Kind::Name, name.loc);
    s->name = name.text;
    return s;
  }
  if (name.text == "stimulus") {
    parse_arguments(in, name, 0);
    return make_syntax(Syntax::Kind::Stimulus, name.loc);
  }
  if (name.text == "last_spike") {
    parse_arguments(in, name, 0);
    return make_syntax(Syntax::Kind::LastSpike, name.loc);
  }
  if (name.text == "select") {
    SyntaxPtr s = make_syntax(Syntax::Kind::Select, name.loc);
    for (auto &arg : parse_arguments(in, name, 3))
      add_arg(*s, std::move(arg), in);
    return s;
  }
  if (name.text == "min" || name.text == "max") {
    auto args = parse_arguments(in, name, 2);
    return make_binary(name.text == "min" ? BinaryOp::Min : BinaryOp::Max, name.loc, std::move(args[0]),
                       std::move(args[1]), in);
  }
  std::optional<Function> fn = function_named(name.text);
  if (!fn)
    in.fail(DiagKind::unknown_function, name.loc, name.text);
  SyntaxPtr s = make_syntax(Syntax::Kind::Call, name.loc);
  s->fn = *fn;
  add_arg(*s, std::move(parse_arguments(in, name, 1)[0]), in);
  return s;
}

/// Builds typed expressions; see build_expr.
class Builder {
public:
  Builder(const NameScope &scope, TokenStream &in) : scope_(scope), in_(in) {}

  /// The type `s` has whatever its context, or nothing for a bare number
  /// (or an expression of bare numbers), whose type its context decides.
  std::optional<ScalarType> type_of(const Syntax &s) {
    using K = Syntax::Kind;
    switch (s.kind) {
    case K::Number:
      return s.dim ? std::optional(ScalarType::Real) : std::nullopt;
    case K::Bool:
    case K::Not:
    case K::Stimulus:
    case K::LastSpike:
      return ScalarType::Bool;
    case K::Call:
    case K::Random:
      return ScalarType::Real;
    case K::Name:
    case K::Shared: {
      Expr e = lookup(s, false);
      return e ? std::optional(e->type) : std::nullopt;
    }
    case K::Neg:
      return type_of(*s.args[0]);
    case K::Select:
      return either(*s.args[1], *s.args[2]);
    case K::Binary:
      if (is_comparison(s.op) || is_logical(s.op))
        return ScalarType::Bool;
      if (s.op == BinaryOp::Pow || s.op == BinaryOp::Div)
        return ScalarType::Real; // neither is defined on integers
      return either(*s.args[0], *s.args[1]);
    }
    return std::nullopt;
  }

  Expr build(const Syntax &s, std::optional<ScalarType> expected) {
    using K = Syntax::Kind;
    switch (s.kind) {
    case K::Number:
      return number(s, expected);
    case K::Bool:
      return Constant::make_bool(s.value != 0);
    case K::Name:
    case K::Shared:
      return lookup(s, true);
    case K::Stimulus:
      return Variable::make_stimulus();
    case K::LastSpike:
      return Variable::make_last_spike();
    case K::Random:
      return Random::make(s.dist, s.site);
    case K::Neg: {
      Expr a = build(*s.args[0], expected);
      return checked(s, [&] { return Unary::make(UnaryOp::Neg, a); });
    }
    case K::Not: {
      Expr a = build(*s.args[0], ScalarType::Bool);
      return checked(s, [&] { return Unary::make(UnaryOp::Not, a); });
    }
    case K::Call: {
      Expr a = build(*s.args[0], ScalarType::Real);
      return checked(s, [&] { return Call::make(s.fn, a); });
    }
    case K::Select: {
      Expr c = build(*s.args[0], ScalarType::Bool);
      std::optional<ScalarType> branch = either(*s.args[1], *s.args[2]);
      Expr t = build(*s.args[1], branch ? branch : expected);
      Expr f = build(*s.args[2], branch ? branch : expected);
      return checked(s, [&] { return Select::make(c, t, f); });
    }
    case K::Binary: {
      std::optional<ScalarType> operands;
      if (is_logical(s.op))
        operands = ScalarType::Bool;
      else if (s.op == BinaryOp::Pow || s.op == BinaryOp::Div)
        operands = ScalarType::Real;
      else if (!(operands = either(*s.args[0], *s.args[1])) && !is_comparison(s.op))
        operands = expected; // `max(n - 1, 0)` of an integer state: all integers
      Expr a = build(*s.args[0], operands), b = build(*s.args[1], operands);
      return checked(s, [&] { return Binary::make(s.op, a, b); });
    }
    }
    return Expr();
  }

private:
  Expr shared(const std::string &name) const {
    if (!scope_.shared)
      return Expr();
    auto it = scope_.shared->find(name);
    return it == scope_.shared->end() ? Expr() : it->second;
  }

  /// A model's own names come first; `t` and `dt` are the simulation's.
  Expr variable(const std::string &name) const {
    if (const NeuronModel *m = scope_.model) {
      if (const StateVar *st = m->find_state(name))
        return Variable::make(VarKind::State, name, st->dim, st->type);
      if (const Parameter *p = m->find_param(name))
        return Variable::make(VarKind::Param, name, p->dim);
      if (const InputVar *i = m->find_input(name))
        return Variable::make(VarKind::Input, name, i->dim);
    }
    if (name == "t")
      return Variable::make(VarKind::Time, "t", Dimension::time());
    if (name == "dt")
      return Variable::make(VarKind::Dt, "dt", Dimension::time());
    if (is_noise_name(name))
      return Variable::make_noise(name);
    return Expr();
  }

  std::optional<ScalarType> either(const Syntax &a, const Syntax &b) {
    std::optional<ScalarType> t = type_of(a);
    return t ? t : type_of(b);
  }

  Expr number(const Syntax &s, std::optional<ScalarType> expected) {
    if (s.dim || expected != ScalarType::Int)
      return Constant::make(s.value, s.dim.value_or(Dimension()));
    // Integers print as reals do (5e+07), so the value decides, not the spelling.
    constexpr double lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
    if (s.value != std::floor(s.value))
      in_.fail(DiagKind::ir_ill_typed, s.loc, fmt::format("the integer expression has a fraction ({})", s.value));
    if (!(s.value >= lo && s.value <= hi))
      in_.fail(DiagKind::ir_integer_range, s.loc, "an integer constant", lo, hi, fmt::format("{}", s.value));
    return Constant::make_int(static_cast<int64_t>(s.value));
  }

  /// The variable or shared subexpression `s` names; reports an unknown
  /// name when `report` (else null).
  Expr lookup(const Syntax &s, bool report) {
    if (Expr e = s.kind == Syntax::Kind::Shared ? shared(s.name) : variable(s.name))
      return e;
    if (!report)
      return Expr();
    in_.diagnostics().report(DiagKind::unknown_name, s.loc, s.name);
    if (scope_.model && s.kind == Syntax::Kind::Name) {
      std::vector<std::string> names = {"t", "dt"};
      for (const auto &st : scope_.model->states)
        names.push_back(st.name);
      for (const auto &p : scope_.model->params)
        names.push_back(p.name);
      for (const auto &i : scope_.model->inputs)
        names.push_back(i.name);
      in_.diagnostics().suggest(s.name, names, s.loc);
    }
    throw ReadFailure{};
  }

  /// `make()` checks types and dimensions; its complaint is the user's here.
  template <typename Make> Expr checked(const Syntax &s, Make &&make) {
    try {
      return make();
    } catch (const InternalError &e) {
      in_.fail(DiagKind::ir_ill_typed, s.loc, e.what());
    }
  }

  const NameScope &scope_;
  TokenStream &in_;
};

} // namespace

std::unique_ptr<Syntax> parse_expr(TokenStream &in) { return parse_or(in); }

double parse_real(TokenStream &in) {
  bool negative = in.accept("-");
  const Token &t = in.peek();
  if (t.kind != TokenKind::Number && !is_real_word(t))
    in.fail_expected("a number");
  double value = real_value(in.take(), in);
  return negative ? -value : value;
}

uint64_t parse_integer(TokenStream &in, const std::string &what, uint64_t min, uint64_t max) {
  Token t = in.expect(TokenKind::Number, what);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
  if (ec != std::errc() || end != t.text.data() + t.text.size() || value < min || value > max)
    in.fail(DiagKind::ir_integer_range, t.loc, what, min, max, t.text);
  return value;
}

double parse_quantity(TokenStream &in, const std::string &unit) {
  double v = parse_real(in);
  in.expect("[");
  in.expect(unit);
  in.expect("]");
  return v;
}

bool parse_bool(TokenStream &in) {
  Token b = in.expect(TokenKind::Ident, "true or false");
  if (b.text != "true" && b.text != "false")
    in.fail(DiagKind::ir_expected, b.loc, "true or false", describe(b));
  return b.text == "true";
}

void expect_label(TokenStream &in, const std::string &name) {
  in.expect(name);
  in.expect(":");
}

Expr build_expr(const Syntax &syntax, const NameScope &scope, std::optional<ScalarType> expected, TokenStream &in) {
  return Builder(scope, in).build(syntax, expected);
}

void expect_type(const Expr &e, ScalarType type, Dimension dim, const std::string &what, const SourceLocation &loc,
                 TokenStream &in) {
  if (e->type != type)
    in.fail(DiagKind::ir_ill_typed, loc, what + " is " + name_of(e->type) + ", expected " + name_of(type));
  if (e->dim != dim)
    in.fail(DiagKind::ir_ill_typed, loc, what + " has dimension " + e->dim.str() + ", expected " + dim.str());
}

} // namespace snn::ir::reader
