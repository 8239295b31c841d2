//===- passes/MatrixExponential.cpp - exp(A) of a small matrix ------------===//
#include "passes/MatrixExponential.h"

#include <cmath>

namespace snn::passes {

namespace {
Matrix multiply(const Matrix &x, const Matrix &y) {
  Matrix r(x.n);
  for (size_t i = 0; i < x.n; ++i)
    for (size_t k = 0; k < x.n; ++k) {
      double xik = x.at(i, k);
      if (xik == 0)
        continue;
      for (size_t j = 0; j < x.n; ++j)
        r.at(i, j) += xik * y.at(k, j);
    }
  return r;
}

double infinity_norm(const Matrix &m) {
  double norm = 0;
  for (size_t i = 0; i < m.n; ++i) {
    double row = 0;
    for (size_t j = 0; j < m.n; ++j)
      row += std::fabs(m.at(i, j));
    norm = std::fmax(norm, row);
  }
  return norm;
}
} // namespace

Matrix matrix_exponential(const Matrix &m) {
  // Scale by the size of high powers, not of m itself (Al-Mohy and Higham,
  // 2009): for k >= 12, |m^k|^(1/k) <= max(|m^4|^(1/4), |m^5|^(1/5)). SI units
  // make couplings such as ohm / s dwarf the decay rates; |m| would then ask
  // for needless squarings, each doubling the rounding error of the diagonal.
  Matrix m2 = multiply(m, m), m4 = multiply(m2, m2), m5 = multiply(m4, m);
  double norm = std::fmax(std::pow(infinity_norm(m4), 1.0 / 4), std::pow(infinity_norm(m5), 1.0 / 5));
  int squarings = 0;
  if (norm > 0.5)
    squarings = static_cast<int>(std::ceil(std::log2(norm / 0.5)));
  double scale = std::ldexp(1.0, -squarings);
  Matrix x(m.n);
  for (size_t i = 0; i < m.a.size(); ++i)
    x.a[i] = m.a[i] * scale;
  // Taylor series: with |x^k| <= 0.5^k for k >= 12, the terms after the
  // 24th add less than 1e-30 (relative to the exact sum of those before).
  Matrix result(m.n), term(m.n);
  for (size_t i = 0; i < m.n; ++i)
    result.at(i, i) = term.at(i, i) = 1.0;
  for (int k = 1; k <= 24; ++k) {
    term = multiply(term, x);
    for (double &v : term.a)
      v /= k;
    for (size_t i = 0; i < result.a.size(); ++i)
      result.a[i] += term.a[i];
  }
  for (int s = 0; s < squarings; ++s)
    result = multiply(result, result);
  return result;
}

} // namespace snn::passes
