//===- test/unit/ir/BoundsTest.cpp - Interval bounds of expressions -------===//
//
// ir::bounds must enclose every value: each expression is evaluated (by the
// independent test evaluator) at many points of its variables' intervals,
// and every value must lie inside the computed bounds; a few cases also
// check that the enclosure is the tight one where it should be.
//
//===----------------------------------------------------------------------===//
#include "ir/Bounds.h"
#include "ExprEvaluator.h"

#include <gtest/gtest.h>

#include <random>

namespace snn::test {
namespace {

using ir::Expr;

Expr t() { return ir::Variable::make(ir::VarKind::Time, "t", ir::Dimension::time()); }
Expr x() { return ir::Variable::make(ir::VarKind::State, "x", {}); }
Expr c(double v) { return ir::Constant::make(v); }
Expr sec(double v) { return ir::Constant::make(v, ir::Dimension::time()); }

/// t in [0, 2], x in [-3, 5].
std::optional<ir::Interval> domain(const ir::Variable &v) {
  if (v.var_kind == ir::VarKind::Time)
    return ir::Interval{0, 2};
  if (v.name == "x")
    return ir::Interval{-3, 5};
  return std::nullopt;
}

void expect_encloses(const Expr &e) {
  ir::Interval b = ir::bounds(e, domain);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> time(0, 2), state(-3, 5);
  for (int k = 0; k < 2000; ++k) {
    double tv = k == 0 ? 0 : k == 1 ? 2 : time(rng), xv = k == 0 ? -3 : k == 1 ? 5 : state(rng);
    double v = evaluate(e, Bindings().time(tv).state("x", xv));
    if (std::isnan(v))
      continue;
    ASSERT_GE(v, b.lo) << "at t = " << tv << ", x = " << xv;
    ASSERT_LE(v, b.hi) << "at t = " << tv << ", x = " << xv;
  }
}

TEST(Bounds, EncloseEveryValue) {
  Expr hz = ir::Constant::make(3.0, ir::Dimension::time().pow(-1));
  expect_encloses(x() * x() - c(2) * x());
  expect_encloses(c(20) * (c(1) + ir::Call::make(ir::Function::Sin, hz * t())));
  expect_encloses(ir::Select::make(ir::Binary::make(ir::BinaryOp::Gt, t(), sec(1)), x(), -x() * c(4)));
  expect_encloses(ir::Call::make(ir::Function::Exp, x() / c(2)) - ir::Call::make(ir::Function::Abs, x()));
  expect_encloses(ir::Binary::make(ir::BinaryOp::Max, x(), c(1)) / (c(4) + x() * x()));
  expect_encloses(ir::Call::make(ir::Function::Tanh, x()) * ir::Call::make(ir::Function::Sqrt, x() + c(3)));
}

TEST(Bounds, TightWhereExact) {
  ir::Interval b = ir::bounds(c(2) * x() + c(1), domain);
  EXPECT_DOUBLE_EQ(b.lo, -5);
  EXPECT_DOUBLE_EQ(b.hi, 11);
  b = ir::bounds(ir::Select::make(ir::Constant::make_bool(true), c(3), c(-1)), domain);
  EXPECT_DOUBLE_EQ(b.lo, -1);
  EXPECT_DOUBLE_EQ(b.hi, 3);
  b = ir::bounds(ir::Random::make(ir::Distribution::Uniform01, 0) * c(4), domain);
  EXPECT_DOUBLE_EQ(b.lo, 0);
  EXPECT_DOUBLE_EQ(b.hi, 4);
}

TEST(Bounds, UnboundedWhereUnknown) {
  // A divisor that may be 0, a normal draw, an unknown variable.
  EXPECT_TRUE(std::isinf(ir::bounds(c(1) / x(), domain).hi));
  EXPECT_TRUE(std::isinf(ir::bounds(ir::Random::make(ir::Distribution::Normal01, 0), domain).hi));
  Expr y = ir::Variable::make(ir::VarKind::State, "y", {});
  EXPECT_TRUE(std::isinf(ir::bounds(y * c(0.5), domain).lo));
}

} // namespace
} // namespace snn::test
