//===- test/unit/backend/CudaPrinterTest.cpp - Pieces of the CUDA printer -===//
//
// The literals the CUDA printer writes must read back as the very value the
// CPU backend computes with (C's strtof/strtod are the independent truth),
// and expressions must print the CPU backend's operations in its order.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/CExpr.h"

#include "ir/Expr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace snn::cuda {
namespace {

/// The value C reads from a printed literal: parentheses and the f suffix
/// removed, as a compiler would read them.
double read_back(std::string text, bool f64) {
  if (text.front() == '(')
    text = text.substr(1, text.size() - 2);
  if (!f64) {
    EXPECT_EQ(text.back(), 'f') << text;
    text.pop_back();
    return std::strtof(text.c_str(), nullptr);
  }
  return std::strtod(text.c_str(), nullptr);
}

TEST(CudaPrinter, RealLiteralsReadBackBitForBit) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-40, 40);
  std::vector<double> values = {0, 1, -1, 0.1, 1.0 / 3, 1e-300, 6.02214076e23, -2.5, 1e10};
  for (int k = 0; k < 2000; ++k)
    values.push_back((k % 2 ? -1 : 1) * std::pow(10.0, exponent(rng)));
  for (double v : values) {
    std::string f64 = real_literal(v, true), f32 = real_literal(v, false);
    double d = read_back(f64, true);
    float f = float(read_back(f32, false)), want = float(v);
    EXPECT_EQ(std::memcmp(&d, &v, sizeof d), 0) << f64 << " for " << v;
    EXPECT_EQ(std::memcmp(&f, &want, sizeof f), 0) << f32 << " for " << v;
    // A literal is a floating literal, never an integer one.
    EXPECT_NE(f64.find_first_of(".e"), std::string::npos) << f64;
  }
  EXPECT_EQ(real_literal(1, false), "1.0f");
  EXPECT_EQ(real_literal(-2.5, true), "(-2.5)");
  EXPECT_EQ(real_literal(INFINITY, false), "INFINITY");
  EXPECT_EQ(real_literal(-INFINITY, true), "-(double)INFINITY");
  EXPECT_EQ(real_literal(NAN, false), "NAN");
}

/// Prints `e` with locals named as themselves, collecting the statements.
std::string print(const ir::Expr &e, bool f64, std::vector<std::string> &lines) {
  int temporaries = 0;
  CExpr::Sink sink;
  sink.variable = [](const ir::Variable &v) { return v.name; };
  sink.temporary = [&] { return "t" + std::to_string(temporaries++); };
  sink.line = [&](const std::string &line) { lines.push_back(line); };
  return CExpr(f64, sink).print(e);
}

ir::Expr x() { return ir::Variable::make(ir::VarKind::Local, "x", ir::Dimension(), ir::ScalarType::Real); }

TEST(CudaPrinter, IntegerPowersMultiplyInTheCpuBackendsOrder) {
  // x ** 5: square and multiply, as backends/cpu/ExprCodegen.cpp: x, then
  // x^2, x^4, and x * x^4.
  std::vector<std::string> lines;
  std::string text = print(ir::Binary::make(ir::BinaryOp::Pow, x(), ir::Constant::make(5.0)), false, lines);
  EXPECT_EQ(lines, (std::vector<std::string>{"const float t0 = (x * x);", "const float t1 = (t0 * t0);",
                                             "const float t2 = (x * t1);"}));
  EXPECT_EQ(text, "t2");
  lines.clear();
  EXPECT_EQ(print(ir::Binary::make(ir::BinaryOp::Pow, x(), ir::Constant::make(-0.5)), true, lines), "(1.0 / sqrt(x))");
  EXPECT_EQ(print(ir::Binary::make(ir::BinaryOp::Pow, x(), ir::Constant::make(0.3)), false, lines), "powf(x, 0.3f)");
}

TEST(CudaPrinter, SharedNodesBecomeOneTemporary) {
  ir::Expr e = ir::Call::make(ir::Function::Exp, x());
  ir::Expr sum = ir::Binary::make(ir::BinaryOp::Add, e, ir::Binary::make(ir::BinaryOp::Mul, e, e));
  std::vector<std::string> lines;
  std::string text = print(sum, false, lines);
  EXPECT_EQ(lines, (std::vector<std::string>{"const float t0 = expf(x);"}));
  EXPECT_EQ(text, "(t0 + (t0 * t0))");
}

} // namespace
} // namespace snn::cuda
