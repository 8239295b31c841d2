//===- passes/Sparsify.h - Choosing how synapses are stored -----*- C++ -*-===//
//
// Every projection gets a storage format (ir::SynapseStorage) before lower/
// builds its buffers and kernels. The format changes where a synapse's
// postsynaptic neuron comes from, never which synapses exist or in which
// order they are summed, so every format of a projection gives the same
// simulation and the same gradients.
//
// The cost model estimates, for each format that can hold the projection,
// the bytes it stores (row offsets, indices or mask, and weights) and the
// memory accesses per step and example its synapses cost:
//   - delivery: the presynaptic spikes of a step (each neuron firing at
//     ir::kAssumedRateHz) times the synapses of a row, each costing its
//     index loads, a weight load and the read-modify-write of the target;
//     a bitmask row costs its words and a bit test per candidate (1/8 of an
//     access) instead of index and weight loads; a procedural row a random
//     draw per synapse (and per weight unless constant), counted as
//     kDrawAccessesCpu or kDrawAccessesGpu accesses;
//   - training: every synapse once per step, for its index, where the e-prop
//     and BPTT kernels sweep the synapses of a trained projection.
// The cheapest wins, fewer bytes breaking ties; `sparse(format: ...)` wins
// over the model, and a format that cannot hold the projection is an error
// there. Bitmask and procedural storage hold only projections that nothing
// but spike delivery reads (untrained, outside BPTT, no synapse model, no
// delays over a step, weights not from a file); bitmask needs one constant
// weight, procedural fixed_probability, conv2d or avg_pool2d connectivity
// (a window's rows cost no draw: the model may choose them). Ragged and
// dense rows count at most 2^32 - 1 synapses, so a larger projection is
// procedural.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// What a random draw (a Philox block, and a logarithm for a procedural
/// row's gap) costs, in memory accesses: compute is cheap against memory on
/// a GPU, less so on a CPU whose caches hold the rows. Estimates of the
/// order of magnitude, so procedural storage wins by its bytes (rows over
/// 2^32 - 1 synapses) or when forced, not by its time on either.
constexpr double kDrawAccessesCpu = 8, kDrawAccessesGpu = 4;
/// What finding a procedural conv2d or avg_pool2d row (its covering output
/// rows and columns) costs, in memory accesses.
constexpr double kWindowRowAccesses = 4;

/// What the estimates depend on beyond the module.
struct Target {
  bool gpu = false;
  int real_bytes = 4;
  bool postsynaptic_delivery = false; ///< every projection gathered by post neuron
};

/// The estimate of every format for projection `j` of `m` (trained: swept by
/// the training kernels every step), in ir::storage_names() order.
std::vector<ir::StorageEstimate> storage_estimates(const ir::Module &m, int j, bool trained, const Target &target = {});

/// Sets each projection's storage and storage_estimates. Must run after
/// eprop (it reads which projections are trained). Reports
/// storage_unavailable for a forced format that cannot hold its projection,
/// and checks the regime's prune and Deep R rules (ir::PruneRule,
/// ir::RewireRule): each names trained projections (prune_untrained,
/// rewire_untrained) that no other rule changes, pruned to a density below
/// their density before training (prune_density), rewired from an
/// initialiser that gives every pair a sign (rewire_unsigned); such a
/// projection is stored ragged, since its rows change length.
bool sparsify(ir::Module &m, PassContext &ctx);

} // namespace snn::passes
