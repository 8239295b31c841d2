//===- ir/Simplify.h - Constant folding and substitution -------*- C++ -*-===//
#pragma once

#include "ir/Expr.h"

#include <functional>

namespace snn::ir {

/// Folds constant subexpressions and applies identities that hold for all
/// finite values (x + 0, x * 1, x * 0, select on a constant, ...). Keeps
/// dimensions: folding never changes an expression's type or dimension.
Expr simplify(const Expr &e);

/// Rebuilds `e` with every Variable for which `replace` returns a non-null
/// Expr replaced by it (which must have the same type and dimension).
/// Shared subtrees are rewritten once.
Expr substitute(const Expr &e, const std::function<Expr(const Variable &)> &replace);

/// Like substitute, for Random nodes.
Expr substitute_random(const Expr &e, const std::function<Expr(const Random &)> &replace);

/// Whether `e` reads a variable for which `pred` holds.
bool mentions(const Expr &e, const std::function<bool(const Variable &)> &pred);

/// Whether `e` draws a random number.
bool mentions_random(const Expr &e);

/// Number of distinct nodes in the DAG of `e`.
size_t node_count(const Expr &e);

} // namespace snn::ir
