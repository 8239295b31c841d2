//===- passes/Sparsify.h - Choosing how synapses are stored -----*- C++ -*-===//
//
// Every projection gets a storage format (ir::SynapseStorage) before lower/
// builds its buffers and kernels. The format changes where a synapse's
// postsynaptic neuron comes from, never which synapses exist or in which
// order they are summed, so every format of a projection gives the same
// simulation and the same gradients.
//
// The cost model estimates, for each format that can hold the projection,
// the bytes of its connectivity (row offsets and indices) and the memory
// accesses per step and example its synapses cost:
//   - delivery: the presynaptic spikes of a step (each neuron firing at
//     ir::kAssumedRateHz) times the synapses of a row, each costing its
//     index loads, a weight load and the read-modify-write of the target;
//   - training: every synapse once per step, for its index, where the e-prop
//     and BPTT kernels sweep the synapses of a trained projection.
// The cheapest wins, fewer bytes breaking ties; `sparse(format: ...)` wins
// over the model, and a format that cannot hold the projection is an error
// there.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// The estimate of every format for projection `j` of `m` (trained: swept by
/// the training kernels every step), in ir::storage_names() order.
std::vector<ir::StorageEstimate> storage_estimates(const ir::Module &m, int j, bool trained);

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
