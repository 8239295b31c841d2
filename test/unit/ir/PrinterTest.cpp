//===- test/unit/ir/PrinterTest.cpp - ir::to_string and format_real -------===//
#include "ir/Printer.h"

#include "TestModule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

namespace snn::ir {
namespace {

Expr var(const std::string &n) { return Variable::make(VarKind::State, n, {}); }
Expr pow(Expr a, Expr b) { return Binary::make(BinaryOp::Pow, std::move(a), std::move(b)); }

TEST(FormatReal, RoundTripsDoubles) {
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<uint64_t> bits;
  int tested = 0;
  while (tested < 20000) {
    uint64_t b = bits(rng);
    double v;
    static_assert(sizeof v == sizeof b);
    std::memcpy(&v, &b, sizeof v);
    if (!std::isfinite(v))
      continue;
    std::string s = format_real(v);
    ASSERT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
    ASSERT_EQ(std::signbit(std::strtod(s.c_str(), nullptr)), std::signbit(v)) << s;
    ++tested;
  }
  for (double v : {0.1, 1e-4, 0.9900498337491681, 9.950166250831945e-05, 5e-324, 1.7976931348623157e308, -0.0,
                   1.0 / 3.0, 2.0 / 3.0 * 1e-12})
    EXPECT_EQ(std::strtod(format_real(v).c_str(), nullptr), v) << format_real(v);
}

TEST(FormatReal, IsShortest) {
  EXPECT_EQ(format_real(0.1), "0.1");
  EXPECT_EQ(format_real(2.5), "2.5");
  EXPECT_EQ(format_real(-3.0), "-3");
  EXPECT_EQ(format_real(20.0), "20");
  EXPECT_EQ(format_real(0.9900498337491681), "0.9900498337491681");
  EXPECT_EQ(format_real(std::nan("")), "nan");
  EXPECT_EQ(format_real(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_real(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(PrintExpr, ParenthesisesOnlyWhereNeeded) {
  Expr a = var("a"), b = var("b"), c = var("c");
  EXPECT_EQ(to_string((a + b) * c), "(a + b) * c");
  EXPECT_EQ(to_string(a + b * c), "a + b * c");
  EXPECT_EQ(to_string(a - b - c), "a - b - c");
  EXPECT_EQ(to_string(a - (b - c)), "a - (b - c)");
  EXPECT_EQ(to_string(a / (b * c)), "a / (b * c)");
  EXPECT_EQ(to_string(-pow(a, real(2.0))), "-a ** 2");
  EXPECT_EQ(to_string(pow(-a, real(2.0))), "(-a) ** 2");
  EXPECT_EQ(to_string(pow(a, pow(b, c))), "a ** b ** c");
  EXPECT_EQ(to_string(pow(pow(a, b), c)), "(a ** b) ** c");
  EXPECT_EQ(to_string(-(a + b)), "-(a + b)");
  EXPECT_EQ(to_string(pow(real(-2.0), a)), "(-2) ** a");
  Expr gt = Binary::make(BinaryOp::Gt, a, real(0.0));
  Expr lt = Binary::make(BinaryOp::Lt, b, c);
  EXPECT_EQ(to_string(Unary::make(UnaryOp::Not, Binary::make(BinaryOp::And, gt, lt))), "not (a > 0 and b < c)");
  EXPECT_EQ(to_string(Binary::make(BinaryOp::Or, Binary::make(BinaryOp::And, gt, lt), gt)), "a > 0 and b < c or a > 0");
  EXPECT_EQ(to_string(Binary::make(BinaryOp::And, gt, Binary::make(BinaryOp::Or, lt, gt))),
            "a > 0 and (b < c or a > 0)");
  EXPECT_EQ(to_string(Select::make(gt, Binary::make(BinaryOp::Min, a, b), Call::make(Function::Exp, c))),
            "select(a > 0, min(a, b), exp(c))");
  EXPECT_EQ(to_string(real(0.01, Dimension::voltage()) * var("x")), "0.01[V] * x");
  EXPECT_EQ(to_string(Variable::make_stimulus()), "stimulus()");
  EXPECT_EQ(to_string(Random::make(Distribution::Normal01, 3)), "randn#3()");
  EXPECT_EQ(to_string(Expr()), "<null>");
}

TEST(PrintModule, IsDeterministic) {
  Module m = test::small_module();
  std::string first = to_string(m), second = to_string(m);
  EXPECT_EQ(first, second);
  Module copy = m;
  EXPECT_EQ(to_string(copy), first);
  EXPECT_EQ(to_string(test::small_module()), first);
}

TEST(PrintModule, ShowsEveryPart) {
  EXPECT_EQ(to_string(test::small_module()),
            "neuron LIF@p {\n"
            "  state v : V = -0.065[V]\n"
            "  input i : V/s\n"
            "  discretized with exact\n"
            "  update v = 0.9900498337491681 * v + 0.009950166250831945[s] * i\n"
            "  spike when v > -0.05[V]\n"
            "  reset v = -0.07[V]\n"
            "  surrogate = max(0, 1 - abs(v / 0.01[V]))\n"
            "}\n"
            "network Net {\n"
            "  population p = LIF@p x 10\n"
            "  projection p -> p.i (input) : fixed_probability(0.25, autapses: false), weight ~ normal(0.001, "
            "0.00025) [V]\n"
            "}\n"
            "simulate Net {\n"
            "  dt = 1e-04 [s]\n"
            "  duration = 0.5 [s]\n"
            "  seed = 42\n"
            "  record spikes(p[0:10:1])\n"
            "  record p.v([0:10:3]) every 10 to \"v.npz\"\n"
            "  record rate(p[2:8:2]) every 5\n"
            "}\n");
}

} // namespace
} // namespace snn::ir
