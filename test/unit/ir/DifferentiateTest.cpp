//===- test/unit/ir/DifferentiateTest.cpp - ir::differentiate -------------===//
//
// Each symbolic derivative is evaluated at random points and compared with a
// central finite difference of the expression itself.
//
//===----------------------------------------------------------------------===//
#include "ir/Differentiate.h"

#include "ExprEvaluator.h"
#include "ir/Simplify.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

namespace snn::ir {
namespace {

using test::Bindings;
using test::evaluate;

const Dimension V = Dimension::voltage();
const Dimension S = Dimension::time();

Expr var(const std::string &n, Dimension d = {}) { return Variable::make(VarKind::State, n, d); }
Expr pow(Expr a, Expr b) { return Binary::make(BinaryOp::Pow, std::move(a), std::move(b)); }
Expr call(Function f, Expr a) { return Call::make(f, std::move(a)); }
Expr cmp(BinaryOp op, Expr a, Expr b) { return Binary::make(op, std::move(a), std::move(b)); }

/// d f / d x by the fourth-order central difference, step h relative to x.
double central_difference(const std::function<double(double)> &f, double x) {
  double h = 1e-3 * std::fmax(1.0, std::fabs(x));
  return (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h);
}

struct Case {
  const char *what;
  Expr e;
  std::string wrt;           ///< the state differentiated against
  double lo, hi;             ///< where its value is drawn from
  std::vector<double> kinks; ///< points of `wrt` to stay 0.01 away from
  Bindings fixed = {};       ///< values of any further variables
};

/// Checks d e / d wrt at 25 random points: x from [lo, hi], the other
/// variable `y` from [0.5, 1.5].
void check_against_finite_differences(const Case &c) {
  SCOPED_TRACE(c.what);
  Dimension wrt_dim;
  mentions(c.e, [&](const Variable &v) {
    if (v.name == c.wrt)
      wrt_dim = v.dim;
    return false;
  });
  Expr d = differentiate(c.e, VarKind::State, c.wrt, wrt_dim);
  ASSERT_EQ(d->dim, c.e->dim / wrt_dim);
  ASSERT_FALSE(d->is_bool());
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> point(c.lo, c.hi), other(0.5, 1.5);
  int checked = 0;
  while (checked < 25) {
    double x = point(rng), y = other(rng);
    bool near_kink = false;
    for (double k : c.kinks)
      near_kink = near_kink || std::fabs(x - k) < 0.01;
    if (near_kink)
      continue;
    std::string other_name = c.wrt == "x" ? "y" : "x";
    auto f = [&](double at) {
      Bindings b = c.fixed;
      b.state(c.wrt, at).state(other_name, y);
      return evaluate(c.e, b);
    };
    Bindings b = c.fixed;
    b.state(c.wrt, x).state(other_name, y);
    double symbolic = evaluate(d, b), numeric = central_difference(f, x);
    EXPECT_NEAR(symbolic, numeric, 1e-6 * std::fmax(std::fabs(numeric), 1e-3))
        << "at " << c.wrt << " = " << x << ", " << other_name << " = " << y;
    ++checked;
  }
}

TEST(Differentiate, MatchesFiniteDifferences) {
  Expr x = var("x"), y = var("y");
  auto r = [](double v) { return real(v); };
  const Case cases[] = {
      {"cubic polynomial", r(3) * x * x * x - r(2) * x * x + x - r(5), "x", -2, 2, {}},
      {"constant power", pow(x, r(3)) + pow(x, r(-2)), "x", 0.3, 3, {}},
      {"fractional power", pow(x, r(2.5)), "x", 0.1, 4, {}},
      {"exp", call(Function::Exp, r(2) * x) * x, "x", -2, 2, {}},
      {"log", call(Function::Log, x) + call(Function::Log, r(1) + x * x), "x", 0.2, 5, {}},
      {"sqrt", call(Function::Sqrt, x * x + r(1)), "x", -3, 3, {}},
      {"tanh and sin", call(Function::Tanh, x) * call(Function::Sin, r(3) * x), "x", -2, 2, {}},
      {"cos of a square", call(Function::Cos, x * x), "x", -2, 2, {}},
      {"quotient", (x + r(1)) / (x * x + r(2)), "x", -3, 3, {}},
      {"negation", -(x * y) - x, "x", -1, 1, {}},
      {"variable exponent, base", pow(x, y), "x", 0.3, 3, {}},
      {"variable exponent, exponent", pow(x, y), "y", 0.3, 3, {}},
      {"exponent depending on the base", pow(x, x), "x", 0.3, 2, {}},
      {"min", Binary::make(BinaryOp::Min, x * x, r(2) - x), "x", -3, 3, {-2, 1}},
      {"max", Binary::make(BinaryOp::Max, x * x, r(0.5)), "x", -2, 2, {-std::sqrt(0.5), std::sqrt(0.5)}},
      {"abs", call(Function::Abs, x - r(0.3)) * x, "x", -1, 1, {0.3}},
      {"select", Select::make(cmp(BinaryOp::Gt, x, r(0)), x * x, -call(Function::Sin, x)), "x", -2, 2, {0}},
      {"floor is a step", call(Function::Floor, x) * x, "x", -2.5, 2.5, {-2, -1, 0, 1, 2}},
      {"nested", call(Function::Exp, -x / (r(1) + y)) * call(Function::Sqrt, y + x * x), "x", -2, 2, {}},
  };
  for (const auto &c : cases)
    check_against_finite_differences(c);
}

TEST(Differentiate, KeepsDimensions) {
  Expr v = var("v", V), tau = Variable::make(VarKind::Param, "tau", S);
  Expr el = real(-0.07, V);
  Expr rhs =
      (el - v) / tau + var("g", Dimension::conductance()) * (real(0.0, V) - v) / real(2e-10, Dimension::capacitance());
  Case c{"membrane equation", rhs * v, "v", -0.08, -0.04, {}, Bindings().param("tau", 0.02).state("g", 1e-9)};
  check_against_finite_differences(c);
  Expr d = differentiate(rhs, VarKind::State, "v", V);
  EXPECT_EQ(d->dim, Dimension::frequency());
  // A derivative w.r.t. a parameter (tau, in s): (v - EL) / tau^2.
  Expr dtau = differentiate(rhs, VarKind::Param, "tau", S);
  EXPECT_EQ(dtau->dim, V / S / S);
  Bindings b;
  b.state("v", -0.05).state("g", 1e-9).param("tau", 0.02);
  EXPECT_NEAR(evaluate(dtau, b), (-0.05 - -0.07) / (0.02 * 0.02), 1e-9);
  // sqrt of a square with dimension: d sqrt(v^2) / dv = sign(v).
  Expr sq = differentiate(call(Function::Sqrt, v * v), VarKind::State, "v", V);
  EXPECT_TRUE(sq->dim.dimensionless());
  EXPECT_DOUBLE_EQ(evaluate(sq, Bindings().state("v", -0.05)), -1.0);
}

TEST(Differentiate, ConstantsAndOtherVariablesGiveZero) {
  Expr x = var("x");
  auto is_zero = [](const Expr &e) {
    double v = 1;
    return constant_value(e, v) && v == 0;
  };
  EXPECT_TRUE(is_zero(differentiate(real(3.0, V), VarKind::State, "x", Dimension())));
  EXPECT_TRUE(is_zero(differentiate(var("y") * real(2.0), VarKind::State, "x", Dimension())));
  // Same name, other kind: a parameter x is not the state x.
  EXPECT_TRUE(is_zero(differentiate(Variable::make(VarKind::Param, "x", {}), VarKind::State, "x", {})));
  EXPECT_TRUE(is_zero(differentiate(call(Function::Ceil, x), VarKind::State, "x", {})));
  EXPECT_TRUE(is_zero(differentiate(Random::make(Distribution::Normal01, 0), VarKind::State, "x", {})));
  // A zero keeps the quotient dimension.
  Expr z = differentiate(real(3.0, V), VarKind::State, "t0", S);
  EXPECT_EQ(z->dim, V / S);
  // d x / d x is exactly 1; the result is simplified.
  double one = 0;
  EXPECT_TRUE(constant_value(differentiate(x, VarKind::State, "x", {}), one));
  EXPECT_EQ(one, 1.0);
  double three = 0;
  EXPECT_TRUE(constant_value(differentiate(real(3.0) * x + real(1.0), VarKind::State, "x", {}), three));
  EXPECT_EQ(three, 3.0);
}

TEST(Differentiate, BooleansHaveNoDerivative) {
  Expr c = cmp(BinaryOp::Lt, var("x"), real(0.0));
  try {
    differentiate(c, VarKind::State, "x", {});
    ADD_FAILURE() << "a boolean was differentiated";
  } catch (const InternalError &e) {
    EXPECT_NE(std::string(e.what()).find("derivative of a boolean or integer expression"), std::string::npos);
  }
}

} // namespace
} // namespace snn::ir
