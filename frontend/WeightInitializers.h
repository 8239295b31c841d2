//===- frontend/WeightInitializers.h - Weight clauses of projections -*- C++ -*-===//
//
// The weight clause of a `connect` statement beyond a constant:
//   weight ~ uniform(lo, hi) | normal(mean, sd) | constant(x)
//   weight ~ glorot_uniform | glorot_normal | he_uniform | he_normal
//            (or the call form, with an optional `gain: G`)
//   weight load("file.npz"[, name: "pre->post"]) | load("file.npy")
// The initialisers (Keras's definitions, PyTorch's gain) resolve here, where
// the sizes of the populations are known, to the uniform or normal
// distribution `init` draws from; the IR keeps their names for the printer.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

#include <functional>
#include <optional>

namespace snn::frontend {

/// The expected fan-in and fan-out of a projection: dense, n_pre and n_post;
/// fixed_probability(p), p n_pre and p n_post (p (n - 1) without autapses
/// when pre and post are one population); one_to_one, 1 and 1.
struct Fans {
  double in = 0, out = 0;
};

/// The fans of `pr` (its connectivity set) between `pre` and `post`; for
/// conv2d, Keras's (the kernel's height x width x input or output channels).
Fans projection_fans(const ir::Projection &pr, const ir::Population &pre, const ir::Population &post);

/// Lowers `weight ~ E` into `pr.weight` and `pr.weight_origin`, for
/// projection `pr` (pre, post, target, connectivity and `pr.weight.dim`
/// set) from `pre` to `post`. E is one of the initialisers or
/// `uniform(lo, hi)` / `normal(mean, sd)`, handled by `distribution`.
/// Reports located errors and returns false on a mistake.
bool lower_weight_initializer(const ast::Expr &e, ir::Projection &pr, const ir::Population &pre,
                              const ir::Population &post, ExprLowering &exprs, diag::Diagnostics &diags,
                              const std::function<std::optional<ir::WeightInit>(const ast::Expr &)> &distribution);

/// The file and array of `load("file.npz", name: "array")`,
/// `load("file.h5", name: "group/dataset")` or `load("file.npy")`; an
/// .npz file's array defaults to `default_array`. `weights`: a weight
/// clause, which may also give `layout: "oihw" | "chw"`. Reports located
/// errors and returns nullopt on a mistake.
std::optional<ir::WeightOrigin> lower_load_call(const ast::CallExpr &call, const std::string &default_array,
                                                diag::Diagnostics &diags, bool weights = false);

/// Lowers `weight load("file.npz", name: "array")` or `load("file.npy")`
/// into `pr.weight_origin` (and a zero `pr.weight`, which the file
/// replaces at run time). The array of an .npz file defaults to
/// "<pre>-><post>", the name `--weights-out` writes. Reports located
/// errors and returns false on a mistake, and on a layout that does not
/// fit the projection (`oihw`: conv2d; `chw`: no window, a shaped `pre`).
bool lower_weight_load(const ast::CallExpr &call, ir::Projection &pr, const ir::Population &pre,
                       diag::Diagnostics &diags);

} // namespace snn::frontend
