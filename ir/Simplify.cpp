//===- ir/Simplify.cpp - Constant folding and substitution ----------------===//
#include "ir/Simplify.h"

#include "ir/ExprVisitor.h"

#include <cmath>

namespace snn::ir {

namespace {

/// Whether `e` is the number `v` (a real or an integer literal).
bool is_const(const Expr &e, double v) {
  const auto *c = e.as<Constant>();
  return c && !c->is_bool() && c->value == v;
}

double apply_function(Function fn, double x) {
  switch (fn) {
  case Function::Exp:
    return std::exp(x);
  case Function::Log:
    return std::log(x);
  case Function::Sqrt:
    return std::sqrt(x);
  case Function::Abs:
    return std::fabs(x);
  case Function::Sin:
    return std::sin(x);
  case Function::Cos:
    return std::cos(x);
  case Function::Tanh:
    return std::tanh(x);
  case Function::Floor:
    return std::floor(x);
  case Function::Ceil:
    return std::ceil(x);
  case Function::Expm1:
    return std::expm1(x);
  }
  return x;
}

Expr fold(const Expr &e);

/// One folding step at a node whose operands are already folded.
class Folder : public ExprVisitor<Folder, Expr> {
public:
  Expr visitUnary(const Unary &u, const Expr &e) {
    const auto *c = u.a.as<Constant>();
    if (c)
      return u.op == UnaryOp::Neg ? Constant::make_typed(-c->value, c->type, c->dim)
                                  : Constant::make_bool(c->value == 0);
    if (const auto *inner = u.a.as<Unary>())
      if (inner->op == u.op)
        return inner->a;
    return e;
  }

  Expr visitBinary(const Binary &b, const Expr &e) {
    const auto *ca = b.a.as<Constant>();
    const auto *cb = b.b.as<Constant>();
    if (ca && cb) {
      double x = ca->value, y = cb->value;
      switch (b.op) {
      case BinaryOp::Add:
        return Constant::make_typed(x + y, e->type, e->dim);
      case BinaryOp::Sub:
        return Constant::make_typed(x - y, e->type, e->dim);
      case BinaryOp::Mul:
        return Constant::make_typed(x * y, e->type, e->dim);
      case BinaryOp::Div:
        return Constant::make_typed(x / y, e->type, e->dim);
      case BinaryOp::Pow:
        return Constant::make(std::pow(x, y), e->dim);
      case BinaryOp::Min:
        return Constant::make_typed(std::fmin(x, y), e->type, e->dim);
      case BinaryOp::Max:
        return Constant::make_typed(std::fmax(x, y), e->type, e->dim);
      case BinaryOp::Lt:
        return Constant::make_bool(x < y);
      case BinaryOp::Le:
        return Constant::make_bool(x <= y);
      case BinaryOp::Gt:
        return Constant::make_bool(x > y);
      case BinaryOp::Ge:
        return Constant::make_bool(x >= y);
      case BinaryOp::Eq:
        return Constant::make_bool(x == y);
      case BinaryOp::Ne:
        return Constant::make_bool(x != y);
      case BinaryOp::And:
        return Constant::make_bool(x != 0 && y != 0);
      case BinaryOp::Or:
        return Constant::make_bool(x != 0 || y != 0);
      }
    }
    switch (b.op) {
    case BinaryOp::Add:
      if (is_const(b.b, 0))
        return b.a;
      if (is_const(b.a, 0))
        return b.b;
      if (const auto *nb = b.b.as<Unary>(); nb && nb->op == UnaryOp::Neg)
        return fold(b.a - nb->a);
      break;
    case BinaryOp::Sub:
      if (is_const(b.b, 0))
        return b.a;
      if (is_const(b.a, 0))
        return fold(-b.b);
      if (const auto *nb = b.b.as<Unary>(); nb && nb->op == UnaryOp::Neg)
        return fold(b.a + nb->a);
      break;
    case BinaryOp::Mul:
      if (is_const(b.a, 0) || is_const(b.b, 0))
        return Constant::make_typed(0.0, e->type, e->dim);
      if (is_const(b.b, 1) && b.b->dim.dimensionless())
        return b.a;
      if (is_const(b.a, 1) && b.a->dim.dimensionless())
        return b.b;
      if (is_const(b.a, -1) && b.a->dim.dimensionless())
        return fold(-b.b);
      if (is_const(b.b, -1) && b.b->dim.dimensionless())
        return fold(-b.a);
      break;
    case BinaryOp::Div:
      if (is_const(b.a, 0))
        return Constant::make(0.0, e->dim);
      if (is_const(b.b, 1) && b.b->dim.dimensionless())
        return b.a;
      break;
    case BinaryOp::Pow:
      if (is_const(b.b, 1))
        return b.a;
      if (is_const(b.b, 0))
        return Constant::make(1.0);
      break;
    case BinaryOp::And:
      if (ca)
        return ca->value != 0 ? b.b : b.a;
      if (cb)
        return cb->value != 0 ? b.a : b.b;
      break;
    case BinaryOp::Or:
      if (ca)
        return ca->value != 0 ? b.a : b.b;
      if (cb)
        return cb->value != 0 ? b.b : b.a;
      break;
    default:
      break;
    }
    return e;
  }

  Expr visitSelect(const Select &s, const Expr &e) {
    if (const auto *c = s.cond.as<Constant>())
      return c->value != 0 ? s.t : s.f;
    if (s.t.same_as(s.f))
      return s.t;
    return e;
  }

  Expr visitCall(const Call &c, const Expr &e) {
    if (const auto *k = c.arg.as<Constant>())
      return Constant::make(apply_function(c.fn, k->value), e->dim);
    return e;
  }

  /// Leaves are already folded.
  Expr visitExpr(const Expr &e) { return e; }
};

Expr fold(const Expr &e) { return Folder().visit(e); }

/// Simplification: every node rebuilt from simplified operands, then folded.
class Simplifier : public ExprMutator<Simplifier> {
public:
  Expr visitUnary(const Unary &node, const Expr &self) { return fold(ExprMutator::visitUnary(node, self)); }
  Expr visitBinary(const Binary &node, const Expr &self) { return fold(ExprMutator::visitBinary(node, self)); }
  Expr visitSelect(const Select &node, const Expr &self) { return fold(ExprMutator::visitSelect(node, self)); }
  Expr visitCall(const Call &node, const Expr &self) { return fold(ExprMutator::visitCall(node, self)); }
};

/// Replaces the variables for which a callback gives an expression.
class VariableSubstituter : public ExprMutator<VariableSubstituter> {
public:
  explicit VariableSubstituter(const std::function<Expr(const Variable &)> &replace) : replace_(replace) {}
  Expr visitVariable(const Variable &v, const Expr &self) {
    Expr with = replace_(v);
    if (!with)
      return self;
    internal_check(with->type == v.type && with->dim == v.dim,
                   "substitution of '" + v.name + "' changes its type or dimension");
    return with;
  }

private:
  const std::function<Expr(const Variable &)> &replace_;
};

/// Replaces the random draws for which a callback gives an expression.
class RandomSubstituter : public ExprMutator<RandomSubstituter> {
public:
  explicit RandomSubstituter(const std::function<Expr(const Random &)> &replace) : replace_(replace) {}
  Expr visitRandom(const Random &r, const Expr &self) {
    Expr with = replace_(r);
    return with ? with : self;
  }

private:
  const std::function<Expr(const Random &)> &replace_;
};

} // namespace

Expr simplify(const Expr &e) { return Simplifier().mutate(e); }

Expr substitute(const Expr &e, const std::function<Expr(const Variable &)> &replace) {
  return VariableSubstituter(replace).mutate(e);
}

Expr substitute_random(const Expr &e, const std::function<Expr(const Random &)> &replace) {
  return RandomSubstituter(replace).mutate(e);
}

bool mentions(const Expr &e, const std::function<bool(const Variable &)> &pred) {
  bool complete = walk(e, [&](const Expr &x) {
    const auto *v = x.as<Variable>();
    return v && pred(*v) ? WalkResult::Interrupt : WalkResult::Advance;
  });
  return !complete;
}

bool mentions_random(const Expr &e) {
  return !walk(e, [](const Expr &x) { return x.as<Random>() ? WalkResult::Interrupt : WalkResult::Advance; });
}

size_t node_count(const Expr &e) {
  size_t n = 0;
  walk(e, [&](const Expr &) { ++n; });
  return n;
}

} // namespace snn::ir
