//===- passes/DiscretizeOdes.h - ODEs to a per-step update map -*- C++ -*-===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// Replaces each model's ODEs by a pure map from old to new state over one
/// timestep `dt` of the regime:
///  - `exact` (the default when the system is linear with constant
///    coefficients): x' = Phi x + Gamma r, where Phi = exp(A dt) and
///    Gamma = integral_0^dt exp(A s) ds come from one matrix exponential of
///    the augmented matrix [[A, I], [0, 0]] computed at compile time, and r
///    is the drive (inputs, other states) held constant over the step;
///  - `euler` and `rk4` (the default for nonlinear systems).
/// Asking `exact` of a nonlinear system is an error that says why.
/// A refractory period becomes a hidden step counter `refractory_steps`:
/// `unless refractory` states keep their value while it runs, the spike
/// condition requires it to be over, and a spike restarts it (Brian2's
/// semantics: round(t_ref / dt) steps). `dt` becomes a constant.
/// Models already `discretized` (e.g. read from IR printed after this
/// pass) are left as they are.
/// Must run after ResolveParams and FoldConstants.
bool discretize_odes(ir::Module &m, PassContext &ctx);

} // namespace snn::passes
