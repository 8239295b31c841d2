//===- ir/Differentiate.cpp - Symbolic derivatives ------------------------===//
#include "ir/Differentiate.h"

#include "ir/ExprVisitor.h"
#include "ir/Simplify.h"

#include <unordered_map>

namespace snn::ir {

namespace {

/// d/d(var) of each node, memoised: the expression is a DAG.
class Differentiator : public ExprVisitor<Differentiator, Expr> {
public:
  Differentiator(VarKind kind, std::string name, Dimension dim) : kind_(kind), name_(std::move(name)), dim_(dim) {}

  Expr d(const Expr &e) {
    auto it = memo_.find(e.get());
    if (it != memo_.end())
      return it->second;
    internal_check(e->is_real(), "derivative of a boolean or integer expression");
    Expr out = simplify(visit(e));
    memo_.emplace(e.get(), out);
    return out;
  }

  Expr visitConstant(const Constant &, const Expr &e) { return zero(e); }
  Expr visitRandom(const Random &, const Expr &e) { return zero(e); }

  Expr visitVariable(const Variable &v, const Expr &e) {
    if (v.var_kind == kind_ && v.name == name_)
      return Constant::make(1.0);
    return zero(e);
  }

  Expr visitUnary(const Unary &u, const Expr &) { return -d(u.a); }

  Expr visitSelect(const Select &s, const Expr &e) {
    Expr t = d(s.t), f = d(s.f);
    return is_zero(t) && is_zero(f) ? zero(e) : Select::make(s.cond, t, f);
  }

  Expr visitBinary(const Binary &b, const Expr &e) {
    const Expr &x = b.a, &y = b.b;
    switch (b.op) {
    case BinaryOp::Add:
      return d(x) + d(y);
    case BinaryOp::Sub:
      return d(x) - d(y);
    // Terms whose factor is a zero derivative are left out: simplify keeps
    // x * 0 (it is NaN for an infinite x), and a state that seems to remain
    // in a derivative would make a linear equation look nonlinear.
    case BinaryOp::Mul: {
      Expr dx = d(x), dy = d(y);
      if (is_zero(dx) && is_zero(dy))
        return zero(e);
      if (is_zero(dy))
        return dx * y;
      if (is_zero(dx))
        return x * dy;
      return dx * y + x * dy;
    }
    case BinaryOp::Div: {
      Expr dx = d(x), dy = d(y);
      if (is_zero(dy))
        return is_zero(dx) ? zero(e) : dx / y;
      return (dx * y - x * dy) / (y * y);
    }
    case BinaryOp::Min:
      return Select::make(Binary::make(BinaryOp::Le, x, y), d(x), d(y));
    case BinaryOp::Max:
      return Select::make(Binary::make(BinaryOp::Ge, x, y), d(x), d(y));
    case BinaryOp::Pow: {
      if (is_zero(d(x)) && is_zero(d(y)))
        return zero(e);
      double n = 0;
      if (constant_value(y, n)) // d x^n = n x^(n-1) dx
        return real(n) * Binary::make(BinaryOp::Pow, x, real(n - 1)) * d(x);
      // General case, dimensionless base: d x^y = x^y (y' ln x + y x'/x).
      return e * (d(y) * Call::make(Function::Log, x) + y * d(x) / x);
    }
    default:
      break;
    }
    internal_check(false, "derivative of a boolean expression");
    return Expr();
  }

  Expr visitCall(const Call &c, const Expr &e) {
    const Expr &x = c.arg;
    if (is_zero(d(x)))
      return zero(e);
    switch (c.fn) {
    case Function::Exp:
      return e * d(x);
    case Function::Expm1:
      return Call::make(Function::Exp, x) * d(x);
    case Function::Log:
      return d(x) / x;
    case Function::Sqrt:
      return d(x) / (real(2.0) * e);
    case Function::Abs:
      return Select::make(Binary::make(BinaryOp::Ge, x, Constant::make(0.0, x->dim)), d(x), -d(x));
    case Function::Sin:
      return Call::make(Function::Cos, x) * d(x);
    case Function::Cos:
      return -(Call::make(Function::Sin, x) * d(x));
    case Function::Tanh:
      return (real(1.0) - e * e) * d(x);
    case Function::Floor:
    case Function::Ceil:
      return zero(e);
    }
    internal_check(false, "unhandled function in differentiate");
    return Expr();
  }

  Expr visitExpr(const Expr &) {
    internal_check(false, "unhandled node in differentiate");
    return Expr();
  }

private:
  Expr zero(const Expr &e) const { return Constant::make(0.0, e->dim / dim_); }

  VarKind kind_;
  std::string name_;
  Dimension dim_;
  std::unordered_map<const ExprNode *, Expr> memo_;
};

} // namespace

Expr differentiate(const Expr &e, VarKind kind, const std::string &name, Dimension dim) {
  return Differentiator(kind, name, dim).d(e);
}

namespace {
/// Whether `e` is affine in the state `name`: built from it by +, -, negation,
/// products with and quotients by expressions free of it (no step function,
/// power, min or max of it, which a derivative alone would not reveal).
bool affine(const Expr &e, const std::string &name) {
  auto reads = [&](const Expr &x) {
    return mentions(x, [&](const Variable &v) { return v.var_kind == VarKind::State && v.name == name; });
  };
  if (!reads(e))
    return true;
  if (e.as<Variable>())
    return true;
  if (const auto *u = e.as<Unary>())
    return u->op == UnaryOp::Neg && affine(u->a, name);
  const auto *b = e.as<Binary>();
  if (!b)
    return false;
  switch (b->op) {
  case BinaryOp::Add:
  case BinaryOp::Sub:
    return affine(b->a, name) && affine(b->b, name);
  case BinaryOp::Mul:
    return (!reads(b->a) && affine(b->b, name)) || (affine(b->a, name) && !reads(b->b));
  case BinaryOp::Div:
    return affine(b->a, name) && !reads(b->b);
  default:
    return false;
  }
}
} // namespace

std::optional<AffineForm> affine_in_state(const Expr &e, const std::string &name, Dimension dim) {
  auto reads_state = [](const Expr &x) {
    return mentions(x, [](const Variable &v) { return v.var_kind == VarKind::State; });
  };
  if (!affine(e, name))
    return std::nullopt;
  Expr rate = differentiate(e, VarKind::State, name, dim);
  Expr drive = simplify(substitute(e, [&](const Variable &v) -> Expr {
    return v.var_kind == VarKind::State && v.name == name ? Constant::make(0.0, dim) : Expr();
  }));
  if (reads_state(rate) || reads_state(drive))
    return std::nullopt;
  return AffineForm{rate, drive};
}

} // namespace snn::ir
