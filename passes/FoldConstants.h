//===- passes/FoldConstants.h - Fold constant subexpressions ---*- C++ -*-===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// Simplifies every expression of every model (ir::simplify): constant
/// subexpressions become literals, identities such as x * 1 disappear.
/// Runs after ResolveParams (so parameters are constants) and again after
/// DiscretizeOdes. Never changes what a model computes.
bool fold_constants(ir::Module &m, PassContext &ctx);

} // namespace snn::passes
