//===- frontend/Delays.h - Projection delays and their order ----*- C++ -*-===//
//
// The `delay N` clause of a projection is a number of steps or a time, and a
// time needs the regime's dt: so delays are resolved after the regime, from
// the network's declaration, and checked together (only 0 and 1 step are
// supported; projections with `delay 0` must not form a cycle).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "ir/Module.h"

namespace snn::frontend {

/// Sets Projection::delay_steps of every projection of `module` (lowered
/// from `decl`, one per target in order) and reports unsupported delays and
/// cycles of zero-delay projections. False after an error.
bool resolve_delays(const ast::NetworkDecl &decl, ir::Module &module, diag::Diagnostics &diags);

} // namespace snn::frontend
