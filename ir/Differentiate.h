//===- ir/Differentiate.h - Symbolic derivatives of IR expressions -*- C++ -*-===//
#pragma once

#include "ir/Expr.h"

#include <optional>

namespace snn::ir {

/// d e / d x, where x is the variable (kind, name) of dimension `dim`.
/// The result has dimension e.dim / dim and is simplified. Piecewise
/// constructs differentiate branch-wise (select, min, max, abs); step
/// functions (floor, ceil, comparisons) and random draws have derivative 0.
/// Boolean expressions have no derivative: asking for one is an internal error.
Expr differentiate(const Expr &e, VarKind kind, const std::string &name, Dimension dim);

/// The affine form of `e` in the state `name` (of dimension `dim`),
/// e = rate * name + drive, where neither rate nor drive reads any state;
/// nothing when `e` is not of that form (a synapse's lazily integrated ODE).
struct AffineForm {
  Expr rate, drive;
};
std::optional<AffineForm> affine_in_state(const Expr &e, const std::string &name, Dimension dim);

} // namespace snn::ir
