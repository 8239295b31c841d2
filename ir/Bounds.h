//===- ir/Bounds.h - Interval bounds of an expression ---------*- C++ -*-===//
//
// Interval arithmetic over the IR: a sound enclosure of the values a real
// expression can take, given enclosures of its variables. Used to warn
// where a value computed each step (a Poisson rate driven by a current
// source or drawn per neuron) may leave its meaningful range.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"

#include <functional>
#include <limits>
#include <optional>

namespace snn::ir {

/// The closed interval [lo, hi]; infinite ends for no bound.
struct Interval {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
};

/// An enclosure of the values of the real expression `e`. `variable` gives
/// a variable's enclosure, or nullopt for none (then it is unbounded);
/// uniform draws lie in [0, 1], normal ones are unbounded. Conditions are
/// not narrowed: a select encloses both branches.
Interval bounds(const Expr &e, const std::function<std::optional<Interval>(const Variable &)> &variable);

} // namespace snn::ir
