//===- test/unit/ir/ExprEvaluator.h - Numeric value of an ir::Expr -*- C++ -*-===//
//
// A tiny, independent interpreter of IR expressions for tests: it gives the
// value of an expression under bindings of its variables, so symbolic results
// (derivatives, discretised updates) can be checked against numbers. Booleans
// evaluate to 0 or 1. It shares no code with ir::simplify on purpose.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace snn::test {

/// Values of the variables an expression reads, keyed by kind and name.
class Bindings {
public:
  Bindings &set(ir::VarKind kind, const std::string &name, double value) {
    values_[{kind, name}] = value;
    return *this;
  }
  Bindings &state(const std::string &name, double value) { return set(ir::VarKind::State, name, value); }
  Bindings &input(const std::string &name, double value) { return set(ir::VarKind::Input, name, value); }
  Bindings &param(const std::string &name, double value) { return set(ir::VarKind::Param, name, value); }
  Bindings &time(double value) { return set(ir::VarKind::Time, "t", value); }

  /// The bound value; throws std::out_of_range for an unbound variable.
  double get(ir::VarKind kind, const std::string &name) const {
    auto it = values_.find({kind, name});
    if (it == values_.end())
      throw std::out_of_range("unbound " + std::string(ir::name_of(kind)) + " '" + name + "'");
    return it->second;
  }

private:
  std::map<std::pair<ir::VarKind, std::string>, double> values_;
};

/// The value of `e` under `b`. Random draws are not evaluable.
inline double evaluate(const ir::Expr &e, const Bindings &b) {
  using namespace ir;
  switch (e->kind) {
  case ExprKind::Constant:
    return e.as<Constant>()->value;
  case ExprKind::Variable: {
    const auto *v = e.as<Variable>();
    return b.get(v->var_kind, v->var_kind == VarKind::Stimulus ? "stimulus" : v->name);
  }
  case ExprKind::Unary: {
    const auto *u = e.as<Unary>();
    double a = evaluate(u->a, b);
    return u->op == UnaryOp::Neg ? -a : (a != 0 ? 0.0 : 1.0);
  }
  case ExprKind::Binary: {
    const auto *x = e.as<Binary>();
    double a = evaluate(x->a, b), c = evaluate(x->b, b);
    switch (x->op) {
    case BinaryOp::Add:
      return a + c;
    case BinaryOp::Sub:
      return a - c;
    case BinaryOp::Mul:
      return a * c;
    case BinaryOp::Div:
      return a / c;
    case BinaryOp::Pow:
      return std::pow(a, c);
    case BinaryOp::Min:
      return a < c ? a : c;
    case BinaryOp::Max:
      return a > c ? a : c;
    case BinaryOp::Lt:
      return a < c;
    case BinaryOp::Le:
      return a <= c;
    case BinaryOp::Gt:
      return a > c;
    case BinaryOp::Ge:
      return a >= c;
    case BinaryOp::Eq:
      return a == c;
    case BinaryOp::Ne:
      return a != c;
    case BinaryOp::And:
      return a != 0 && c != 0;
    case BinaryOp::Or:
      return a != 0 || c != 0;
    }
    break;
  }
  case ExprKind::Select: {
    const auto *s = e.as<Select>();
    return evaluate(s->cond, b) != 0 ? evaluate(s->t, b) : evaluate(s->f, b);
  }
  case ExprKind::Call: {
    const auto *c = e.as<Call>();
    double a = evaluate(c->arg, b);
    switch (c->fn) {
    case Function::Exp:
      return std::exp(a);
    case Function::Log:
      return std::log(a);
    case Function::Sqrt:
      return std::sqrt(a);
    case Function::Abs:
      return std::fabs(a);
    case Function::Sin:
      return std::sin(a);
    case Function::Cos:
      return std::cos(a);
    case Function::Tanh:
      return std::tanh(a);
    case Function::Floor:
      return std::floor(a);
    case Function::Ceil:
      return std::ceil(a);
    }
    break;
  }
  case ExprKind::Random:
    throw std::invalid_argument("a random draw has no value in tests");
  }
  throw std::invalid_argument("unknown expression kind");
}

} // namespace snn::test
