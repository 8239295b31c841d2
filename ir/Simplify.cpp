//===- ir/Simplify.cpp - Constant folding and substitution ----------------===//
#include "ir/Simplify.h"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

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
  }
  return x;
}

/// Generic bottom-up rebuild with a per-node hook, memoised on node identity.
class Rewriter {
public:
  using Hook = std::function<Expr(const Expr &original, const Expr &rebuilt)>;
  explicit Rewriter(Hook hook) : hook_(std::move(hook)) {}

  Expr run(const Expr &e) {
    auto it = memo_.find(e.get());
    if (it != memo_.end())
      return it->second;
    Expr rebuilt = rebuild_children(e);
    Expr out = hook_(e, rebuilt);
    memo_.emplace(e.get(), out);
    return out;
  }

private:
  Expr rebuild_children(const Expr &e) {
    switch (e->kind) {
    case ExprKind::Unary: {
      const auto *u = e.as<Unary>();
      Expr a = run(u->a);
      return a.same_as(u->a) ? e : Unary::make(u->op, a);
    }
    case ExprKind::Binary: {
      const auto *b = e.as<Binary>();
      Expr x = run(b->a), y = run(b->b);
      return x.same_as(b->a) && y.same_as(b->b) ? e : Binary::make(b->op, x, y);
    }
    case ExprKind::Select: {
      const auto *s = e.as<Select>();
      Expr c = run(s->cond), t = run(s->t), f = run(s->f);
      return c.same_as(s->cond) && t.same_as(s->t) && f.same_as(s->f) ? e : Select::make(c, t, f);
    }
    case ExprKind::Call: {
      const auto *c = e.as<Call>();
      Expr a = run(c->arg);
      return a.same_as(c->arg) ? e : Call::make(c->fn, a);
    }
    default:
      return e;
    }
  }

  Hook hook_;
  std::unordered_map<const ExprNode *, Expr> memo_;
};

Expr fold(const Expr &e) {
  switch (e->kind) {
  case ExprKind::Unary: {
    const auto *u = e.as<Unary>();
    const auto *c = u->a.as<Constant>();
    if (c)
      return u->op == UnaryOp::Neg ? Constant::make_typed(-c->value, c->type, c->dim)
                                   : Constant::make_bool(c->value == 0);
    if (const auto *inner = u->a.as<Unary>())
      if (inner->op == u->op)
        return inner->a;
    return e;
  }
  case ExprKind::Binary: {
    const auto *b = e.as<Binary>();
    const auto *ca = b->a.as<Constant>();
    const auto *cb = b->b.as<Constant>();
    if (ca && cb) {
      double x = ca->value, y = cb->value;
      switch (b->op) {
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
    switch (b->op) {
    case BinaryOp::Add:
      if (is_const(b->b, 0))
        return b->a;
      if (is_const(b->a, 0))
        return b->b;
      if (const auto *nb = b->b.as<Unary>(); nb && nb->op == UnaryOp::Neg)
        return fold(b->a - nb->a);
      break;
    case BinaryOp::Sub:
      if (is_const(b->b, 0))
        return b->a;
      if (is_const(b->a, 0))
        return fold(-b->b);
      if (const auto *nb = b->b.as<Unary>(); nb && nb->op == UnaryOp::Neg)
        return fold(b->a + nb->a);
      break;
    case BinaryOp::Mul:
      if (is_const(b->a, 0) || is_const(b->b, 0))
        return Constant::make_typed(0.0, e->type, e->dim);
      if (is_const(b->b, 1) && b->b->dim.dimensionless())
        return b->a;
      if (is_const(b->a, 1) && b->a->dim.dimensionless())
        return b->b;
      if (is_const(b->a, -1) && b->a->dim.dimensionless())
        return fold(-b->b);
      if (is_const(b->b, -1) && b->b->dim.dimensionless())
        return fold(-b->a);
      break;
    case BinaryOp::Div:
      if (is_const(b->a, 0))
        return Constant::make(0.0, e->dim);
      if (is_const(b->b, 1) && b->b->dim.dimensionless())
        return b->a;
      break;
    case BinaryOp::Pow:
      if (is_const(b->b, 1))
        return b->a;
      if (is_const(b->b, 0))
        return Constant::make(1.0);
      break;
    case BinaryOp::And:
      if (ca)
        return ca->value != 0 ? b->b : b->a;
      if (cb)
        return cb->value != 0 ? b->a : b->b;
      break;
    case BinaryOp::Or:
      if (ca)
        return ca->value != 0 ? b->a : b->b;
      if (cb)
        return cb->value != 0 ? b->b : b->a;
      break;
    default:
      break;
    }
    return e;
  }
  case ExprKind::Select: {
    const auto *s = e.as<Select>();
    if (const auto *c = s->cond.as<Constant>())
      return c->value != 0 ? s->t : s->f;
    if (s->t.same_as(s->f))
      return s->t;
    return e;
  }
  case ExprKind::Call: {
    const auto *c = e.as<Call>();
    if (const auto *k = c->arg.as<Constant>())
      return Constant::make(apply_function(c->fn, k->value), e->dim);
    return e;
  }
  default:
    return e;
  }
}

} // namespace

Expr simplify(const Expr &e) {
  if (!e)
    return e;
  Rewriter r([](const Expr &, const Expr &rebuilt) { return fold(rebuilt); });
  return r.run(e);
}

Expr substitute(const Expr &e, const std::function<Expr(const Variable &)> &replace) {
  if (!e)
    return e;
  Rewriter r([&](const Expr &, const Expr &rebuilt) {
    if (const auto *v = rebuilt.as<Variable>()) {
      Expr with = replace(*v);
      if (with) {
        internal_check(with->type == v->type && with->dim == v->dim,
                       "substitution of '" + v->name + "' changes its type or dimension");
        return with;
      }
    }
    return rebuilt;
  });
  return r.run(e);
}

Expr substitute_random(const Expr &e, const std::function<Expr(const Random &)> &replace) {
  if (!e)
    return e;
  Rewriter r([&](const Expr &, const Expr &rebuilt) {
    if (const auto *v = rebuilt.as<Random>())
      if (Expr with = replace(*v))
        return with;
    return rebuilt;
  });
  return r.run(e);
}

namespace {
template <typename Visit> void visit_dag(const Expr &e, std::unordered_set<const ExprNode *> &seen, Visit &&f) {
  if (!e || !seen.insert(e.get()).second)
    return;
  f(e);
  switch (e->kind) {
  case ExprKind::Unary:
    visit_dag(e.as<Unary>()->a, seen, f);
    break;
  case ExprKind::Binary:
    visit_dag(e.as<Binary>()->a, seen, f);
    visit_dag(e.as<Binary>()->b, seen, f);
    break;
  case ExprKind::Select:
    visit_dag(e.as<Select>()->cond, seen, f);
    visit_dag(e.as<Select>()->t, seen, f);
    visit_dag(e.as<Select>()->f, seen, f);
    break;
  case ExprKind::Call:
    visit_dag(e.as<Call>()->arg, seen, f);
    break;
  default:
    break;
  }
}
} // namespace

bool mentions(const Expr &e, const std::function<bool(const Variable &)> &pred) {
  bool found = false;
  std::unordered_set<const ExprNode *> seen;
  visit_dag(e, seen, [&](const Expr &x) {
    if (const auto *v = x.as<Variable>())
      found = found || pred(*v);
  });
  return found;
}

bool mentions_random(const Expr &e) {
  bool found = false;
  std::unordered_set<const ExprNode *> seen;
  visit_dag(e, seen, [&](const Expr &x) { found = found || x->kind == ExprKind::Random; });
  return found;
}

size_t node_count(const Expr &e) {
  std::unordered_set<const ExprNode *> seen;
  visit_dag(e, seen, [](const Expr &) {});
  return seen.size();
}

} // namespace snn::ir
