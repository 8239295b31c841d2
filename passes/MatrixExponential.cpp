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

/// Balances `m` in place (Parlett and Reinsch, with powers of two, so no
/// rounding): m becomes D^-1 m D, and D's diagonal is returned. Couplings
/// between quantities of very different SI magnitude (a state in V driven by
/// one in nA through an ohm-sized factor) otherwise inflate the norm, and
/// every needless squaring below costs the diagonal a bit of accuracy.
std::vector<double> balance(Matrix &m) {
  std::vector<double> d(m.n, 1.0);
  for (bool done = false; !done;) {
    done = true;
    for (size_t i = 0; i < m.n; ++i) {
      double c = 0, r = 0; // off-diagonal column and row sums
      for (size_t j = 0; j < m.n; ++j)
        if (j != i) {
          c += std::fabs(m.at(j, i));
          r += std::fabs(m.at(i, j));
        }
      if (c == 0 || r == 0)
        continue;
      double f = 1, s = c + r;
      while (c < r / 2) {
        f *= 2;
        c *= 4;
      }
      while (c > r * 2) {
        f /= 2;
        c /= 4;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        d[i] *= f;
        for (size_t j = 0; j < m.n; ++j) {
          m.at(i, j) /= f;
          m.at(j, i) *= f;
        }
      }
    }
  }
  return d;
}
} // namespace

Matrix matrix_exponential(const Matrix &input) {
  Matrix m = input;
  std::vector<double> d = balance(m); // exp(input) = D exp(m) D^-1
  double norm = 0; // infinity norm
  for (size_t i = 0; i < m.n; ++i) {
    double row = 0;
    for (size_t j = 0; j < m.n; ++j)
      row += std::fabs(m.at(i, j));
    norm = std::fmax(norm, row);
  }
  int squarings = 0;
  if (norm > 0.5)
    squarings = static_cast<int>(std::ceil(std::log2(norm / 0.5)));
  double scale = std::ldexp(1.0, -squarings);
  Matrix x(m.n);
  for (size_t i = 0; i < m.a.size(); ++i)
    x.a[i] = m.a[i] * scale;
  // Taylor series: with |x| <= 0.5, 24 terms leave an error below 1e-30.
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
  for (size_t i = 0; i < m.n; ++i)
    for (size_t j = 0; j < m.n; ++j)
      result.at(i, j) *= d[i] / d[j];
  return result;
}

} // namespace snn::passes
