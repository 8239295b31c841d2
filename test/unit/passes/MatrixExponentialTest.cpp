//===- test/unit/passes/MatrixExponentialTest.cpp - passes::matrix_exponential ===//
#include "passes/MatrixExponential.h"

#include <gtest/gtest.h>

#include <cmath>

namespace snn::passes {
namespace {

Matrix from(std::size_t n, std::initializer_list<double> rows) {
  Matrix m(n);
  std::size_t k = 0;
  for (double v : rows)
    m.a[k++] = v;
  return m;
}

/// Every entry within `rel` of the expected one, relative to the largest
/// entry of the expected matrix (so exact zeros are checked too).
void expect_close(const Matrix &got, const Matrix &want, double rel = 1e-13) {
  ASSERT_EQ(got.n, want.n);
  double scale = 0;
  for (double v : want.a)
    scale = std::fmax(scale, std::fabs(v));
  for (std::size_t i = 0; i < want.n; ++i)
    for (std::size_t j = 0; j < want.n; ++j)
      EXPECT_NEAR(got.at(i, j), want.at(i, j), rel * std::fmax(std::fabs(want.at(i, j)), scale * 1e-3))
          << "entry (" << i << ", " << j << ")";
}

TEST(MatrixExponential, ZeroAndEmpty) {
  Matrix z(3);
  expect_close(matrix_exponential(z), from(3, {1, 0, 0, 0, 1, 0, 0, 0, 1}), 0);
  EXPECT_EQ(matrix_exponential(Matrix(0)).n, 0u);
}

TEST(MatrixExponential, Diagonal) {
  const double d[] = {-0.01, 0.3, -2.5, 7.0};
  Matrix m(4);
  for (int i = 0; i < 4; ++i)
    m.at(i, i) = d[i];
  Matrix e = matrix_exponential(m);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      if (i == j)
        EXPECT_NEAR(e.at(i, i), std::exp(d[i]), 1e-13 * std::exp(d[i])) << i;
      else
        EXPECT_EQ(e.at(i, j), 0.0);
    }
}

TEST(MatrixExponential, Rotation) {
  // exp([[0, -w], [w, 0]]) = [[cos w, -sin w], [sin w, cos w]].
  for (double w : {0.1, 1.0, 2.0, 3.0}) {
    Matrix e = matrix_exponential(from(2, {0, -w, w, 0}));
    expect_close(e, from(2, {std::cos(w), -std::sin(w), std::sin(w), std::cos(w)}));
  }
  // A damped rotation: exp(a I + w J) = e^a * rotation(w).
  double a = -0.7, w = 1.3, s = std::exp(a);
  expect_close(matrix_exponential(from(2, {a, -w, w, a})),
               from(2, {s * std::cos(w), -s * std::sin(w), s * std::sin(w), s * std::cos(w)}));
}

TEST(MatrixExponential, Nilpotent) {
  // N^2 = 0: exp(N) = I + N.
  expect_close(matrix_exponential(from(2, {0, 3.5, 0, 0})), from(2, {1, 3.5, 0, 1}));
  // N^3 = 0: exp(N) = I + N + N^2 / 2.
  Matrix n = from(3, {0, 2, -1, 0, 0, 4, 0, 0, 0});
  expect_close(matrix_exponential(n), from(3, {1, 2, -1 + 2 * 4 / 2.0, 0, 1, 4, 0, 0, 1}));
}

TEST(MatrixExponential, DefectiveJordanBlock) {
  // exp([[l, 1], [0, l]] t) = e^(l t) [[1, t], [0, 1]].
  for (double l : {-3.0, -0.25, 0.5}) {
    double t = 0.8, e = std::exp(l * t);
    expect_close(matrix_exponential(from(2, {l * t, t, 0, l * t})), from(2, {e, e * t, 0, e}));
  }
}

TEST(MatrixExponential, LargeNormNeedsScalingAndSquaring) {
  // A diagonalisable 2x2 with eigenvalues -1 and -40 and a large coupling:
  // A = [[-1, c], [0, -40]] gives exp(A) = [[e1, c (e40 - e1) / (-40 + 1)], [0, e40]].
  double c = 60.0, e1 = std::exp(-1.0), e40 = std::exp(-40.0);
  expect_close(matrix_exponential(from(2, {-1, c, 0, -40})), from(2, {e1, c * (e40 - e1) / (-39.0), 0, e40}));
  // A rotation by a large angle: 20 radians.
  double w = 20.0;
  expect_close(matrix_exponential(from(2, {0, -w, w, 0})),
               from(2, {std::cos(w), -std::sin(w), std::sin(w), std::cos(w)}));
  // A growing diagonal: exp(12).
  Matrix g = matrix_exponential(from(1, {12.0}));
  EXPECT_NEAR(g.at(0, 0), std::exp(12.0), 1e-13 * std::exp(12.0));
  // Symmetric: [[a, b], [b, a]] has exp = e^a [[cosh b, sinh b], [sinh b, cosh b]].
  double a = -5.0, b = 4.0;
  expect_close(matrix_exponential(from(2, {a, b, b, a})),
               from(2, {std::exp(a) * std::cosh(b), std::exp(a) * std::sinh(b), std::exp(a) * std::sinh(b),
                        std::exp(a) * std::cosh(b)}));
}

TEST(MatrixExponential, BadlyScaledCouplingKeepsFullAccuracy) {
  // One step of v (in V) driven by a current (in A) through 100 Mohm / 20 ms:
  // the coupling is 1e8 times the decay rates, as SI units make it. The
  // exact map is [[ea, c (eb - ea) / (a - b)], [0, eb]] with rates a, b.
  const double a = 0.005, b = 0.02, c = 5e5;
  const double ea = std::exp(-a), eb = std::exp(-b);
  expect_close(matrix_exponential(from(2, {-a, c, 0, -b})), from(2, {ea, c * ea * std::expm1(a - b) / (a - b), 0, eb}));
  // The same inside the augmented matrix [[A h, I h], [0, 0]] that
  // DiscretizeOdes exponentiates (here h = 1): the top right block is
  // A^-1 (exp(A) - I).
  Matrix aug = from(4, {-a, c, 1, 0, 0, -b, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  Matrix e = matrix_exponential(aug);
  const double cross = c * ea * std::expm1(a - b) / (a - b);
  EXPECT_NEAR(e.at(0, 0), ea, 1e-15);
  EXPECT_NEAR(e.at(1, 1), eb, 1e-15);
  EXPECT_NEAR(e.at(0, 1), cross, 1e-13 * std::fabs(cross));
  EXPECT_NEAR(e.at(1, 3), -std::expm1(-b) / b, 1e-15);
  EXPECT_NEAR(e.at(0, 2), -std::expm1(-a) / a, 1e-15);
  EXPECT_EQ(e.at(2, 2), 1.0);
  EXPECT_EQ(e.at(3, 3), 1.0);
}

} // namespace
} // namespace snn::passes
