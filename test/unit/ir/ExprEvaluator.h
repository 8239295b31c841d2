//===- test/unit/ir/ExprEvaluator.h - Numeric value of an ir::Expr -*- C++ -*-===//
//
// A tiny, independent interpreter of IR expressions for tests: it gives the
// value of an expression under bindings of its variables, so symbolic results
// (derivatives, discretised updates) can be checked against numbers. Booleans
// evaluate to 0 or 1. It shares no code with ir::simplify on purpose.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/ExprVisitor.h"

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

/// The value of an expression under bindings, one node kind at a time.
class Evaluator : public ir::ExprVisitor<Evaluator, double> {
public:
  explicit Evaluator(const Bindings &b) : b_(b) {}

  double visitConstant(const ir::Constant &c, const ir::Expr &) { return c.value; }

  double visitVariable(const ir::Variable &v, const ir::Expr &) {
    return b_.get(v.var_kind, v.var_kind == ir::VarKind::Stimulus ? "stimulus" : v.name);
  }

  double visitUnary(const ir::Unary &u, const ir::Expr &) {
    double a = visit(u.a);
    return u.op == ir::UnaryOp::Neg ? -a : (a != 0 ? 0.0 : 1.0);
  }

  double visitBinary(const ir::Binary &x, const ir::Expr &) {
    using ir::BinaryOp;
    double a = visit(x.a), c = visit(x.b);
    switch (x.op) {
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
    throw std::invalid_argument("unknown binary operator");
  }

  double visitSelect(const ir::Select &s, const ir::Expr &) { return visit(s.cond) != 0 ? visit(s.t) : visit(s.f); }

  double visitCall(const ir::Call &c, const ir::Expr &) {
    using ir::Function;
    double a = visit(c.arg);
    switch (c.fn) {
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
    case Function::Expm1:
      return std::expm1(a);
    }
    throw std::invalid_argument("unknown function");
  }

  double visitRandom(const ir::Random &, const ir::Expr &) {
    throw std::invalid_argument("a random draw has no value in tests");
  }

  double visitExpr(const ir::Expr &) { throw std::invalid_argument("unknown expression kind"); }

private:
  const Bindings &b_;
};

/// The value of `e` under `b`. Random draws are not evaluable.
inline double evaluate(const ir::Expr &e, const Bindings &b) { return Evaluator(b).visit(e); }

} // namespace snn::test
