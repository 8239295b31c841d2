//===- lower/RewiringKernels.h - Deep R's update of a projection -*- C++ -*-===//
//
// Deep R (Bellec et al. 2018; ir::RewireRule) splits into what every
// synapse does after each optimiser step, a kernel of apply_gradients, and
// what changes the synapses, the runtime's (runtime/lib/Rewiring.h): it
// removes the synapses this kernel flags dormant and activates as many
// dormant pairs, drawn uniformly, with w = 0.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/Program.h"

namespace snn::lower {

/// Over the synapses of a trained projection (ragged storage), after the
/// optimiser's update: the pair's sign s, that of the initial weight `init`
/// draws for it (+1 for a draw of 0; the same draw as `init`'s kernel, so
/// fixed at creation for every pair, active or dormant), the L1 and noise
/// terms
///   w += -lr l1 s + sqrt(2 lr temperature) nu,
/// nu ~ N(0, 1) from the rewiring stream keyed by (pre, post, optimiser
/// step), and dormant[s] = 1 where s w < 0 (else 0).
/// Parameters: row_start, target, weight, dormant, lr, num_pre, projection.
Kernel build_deep_r_kernel(const ir::WeightInit &init, double l1, double temperature, ElemType real);
/// The name of that kernel, which tells its kernels apart.
std::string deep_r_kernel_name(const ir::WeightInit &init, double l1, double temperature);

} // namespace snn::lower
