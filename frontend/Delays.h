//===- frontend/Delays.h - Projection delays and their order ----*- C++ -*-===//
//
// The `delay` clause of a projection is a number of steps or a time (`delay
// 2 ms`), or per synapse a uniform distribution of them (`delay ~ uniform(1
// ms, 5 ms)`), and a time needs the regime's dt: so delays are resolved
// after the regime, from the network's declaration, and checked together.
// A time is rounded to the nearest step, with a warning, and a positive one
// to at least one step; `delay 0` (within the step) is written as such, and
// projections with it must not form a cycle. A train regime takes delays of
// 0 and 1 step only.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

namespace snn::frontend {

/// Sets Projection::delay_steps of every projection of `module` (lowered
/// from `decl`, one per target in order) and reports unsupported delays and
/// cycles of zero-delay projections. False after an error.
bool resolve_delays(const ast::NetworkDecl &decl, ir::Module &module, diag::Diagnostics &diags,
                    const FunctionTable *functions);

} // namespace snn::frontend
