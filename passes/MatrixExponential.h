//===- passes/MatrixExponential.h - exp(A) of a small matrix ---*- C++ -*-===//
#pragma once

#include <cstddef>
#include <vector>

namespace snn::passes {

/// A dense row-major square matrix of doubles.
struct Matrix {
  std::size_t n = 0;
  std::vector<double> a;
  explicit Matrix(std::size_t size = 0) : n(size), a(size * size, 0.0) {}
  double &at(std::size_t i, std::size_t j) { return a[i * n + j]; }
  double at(std::size_t i, std::size_t j) const { return a[i * n + j]; }
};

/// exp(M) by scaling and squaring with a Taylor series, accurate to a few
/// ulps for the small matrices of neuron models, also when SI units make
/// their couplings many orders of magnitude larger than their decay rates.
Matrix matrix_exponential(const Matrix &m);

} // namespace snn::passes
