//===- ir/Bounds.cpp - Interval bounds of an expression -------------------===//
#include "ir/Bounds.h"

#include <algorithm>
#include <cmath>

namespace snn::ir {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// An interval whose NaN ends (inf - inf, 0 * inf) are widened to no bound.
Interval clean(double lo, double hi) { return {std::isnan(lo) ? -kInf : lo, std::isnan(hi) ? kInf : hi}; }

Interval product(Interval a, Interval b) {
  double c[] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  for (double x : c)
    if (std::isnan(x))
      return {};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

Interval quotient(Interval a, Interval b) {
  if (b.lo <= 0 && b.hi >= 0)
    return {}; // the divisor may be 0
  return product(a, {1 / b.hi, 1 / b.lo});
}

/// f applied to a monotone increasing function.
template <typename F> Interval increasing(Interval a, F f) { return clean(f(a.lo), f(a.hi)); }

Interval call(Function fn, Interval a) {
  switch (fn) {
  case Function::Exp:
    return increasing(a, [](double x) { return std::exp(x); });
  case Function::Expm1:
    return increasing(a, [](double x) { return std::expm1(x); });
  case Function::Log:
    return a.lo > 0 ? increasing(a, [](double x) { return std::log(x); })
                    : Interval{-kInf, a.hi > 0 ? std::log(a.hi) : -kInf};
  case Function::Sqrt:
    return increasing({std::max(a.lo, 0.0), std::max(a.hi, 0.0)}, [](double x) { return std::sqrt(x); });
  case Function::Tanh:
    return increasing(a, [](double x) { return std::tanh(x); });
  case Function::Floor:
    return increasing(a, [](double x) { return std::floor(x); });
  case Function::Ceil:
    return increasing(a, [](double x) { return std::ceil(x); });
  case Function::Abs:
    if (a.lo >= 0)
      return a;
    if (a.hi <= 0)
      return {-a.hi, -a.lo};
    return {0, std::max(-a.lo, a.hi)};
  case Function::Sin:
  case Function::Cos:
    return {-1, 1};
  }
  return {};
}

} // namespace

Interval bounds(const Expr &e, const std::function<std::optional<Interval>(const Variable &)> &variable) {
  auto of = [&](const Expr &x) { return bounds(x, variable); };
  switch (e->kind) {
  case ExprKind::Constant: {
    double v = e.as<Constant>()->value;
    return {v, v};
  }
  case ExprKind::Variable: {
    std::optional<Interval> b = variable(*e.as<Variable>());
    return b ? *b : Interval{};
  }
  case ExprKind::Random:
    return e.as<Random>()->dist == Distribution::Uniform01 ? Interval{0, 1} : Interval{};
  case ExprKind::Unary: {
    const auto *u = e.as<Unary>();
    if (u->op != UnaryOp::Neg)
      return {};
    Interval a = of(u->a);
    return {-a.hi, -a.lo};
  }
  case ExprKind::Select: {
    const auto *s = e.as<Select>();
    Interval t = of(s->t), f = of(s->f);
    return {std::min(t.lo, f.lo), std::max(t.hi, f.hi)};
  }
  case ExprKind::Call: {
    const auto *c = e.as<Call>();
    return call(c->fn, of(c->arg));
  }
  case ExprKind::Binary: {
    const auto *b = e.as<Binary>();
    Interval x = of(b->a), y = of(b->b);
    switch (b->op) {
    case BinaryOp::Add:
      return clean(x.lo + y.lo, x.hi + y.hi);
    case BinaryOp::Sub:
      return clean(x.lo - y.hi, x.hi - y.lo);
    case BinaryOp::Mul:
      return product(x, y);
    case BinaryOp::Div:
      return quotient(x, y);
    case BinaryOp::Min:
      return {std::min(x.lo, y.lo), std::min(x.hi, y.hi)};
    case BinaryOp::Max:
      return {std::max(x.lo, y.lo), std::max(x.hi, y.hi)};
    default: // powers, comparisons and logic: no bound
      return {};
    }
  }
  }
  return {};
}

} // namespace snn::ir
