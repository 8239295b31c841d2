//===- lower/EpropStrategy.h - Online or adjoint e-prop -----------*- C++ -*-===//
//
// The eprop pass derives one gradient (passes/EProp.h); two strategies
// compute it:
//
//   online   per synapse and example, eligibility vectors eps_k and the
//            filtered trace are updated every step and multiplied by the
//            step's learning signal (Bellec et al. 2020; mlGeNN's layout):
//            O(synapses) work and state per step and example.
//   adjoint  the forward pass records, per step, each trained post
//            neuron's Jacobian coefficients and each presynaptic neuron's
//            spike; after the example a reverse-time pass runs the
//            transposed recursion per neuron,
//              lambda_k[t] = out_k[t] S[t] + sum_m J_mk[t+1] lambda_m[t+1],
//            (S the filtered learning signal) and adds
//              mu_j[t] = sum_k in_k[t] lambda_k[t]
//            to every synapse i -> j of each presynaptic neuron i that
//            spiked at t: O(neurons + spikes x fan-out) per step, and no
//            per-synapse state but the gradient.
//
// Both give the same gradient whenever the weights are fixed within an
// example, which holds for every train regime (the optimiser runs between
// batches). The adjoint strategy needs the loss's derivative as a sum over
// steps of per-step signals, so the max and spike-count readouts (whose
// gradients follow the readout's peaks) are online only.
//
// The cost model estimates the memory operations per step and example of
// each; `auto` takes the cheaper, and a forced choice wins. Where the
// recorded history of one batch would exceed kHistoryBudgetBytes the
// runtime keeps fewer steps and recomputes the forward pass in segments
// (runtime/lib/HistorySegments.h), so the adjoint strategy's cost then
// includes a second forward pass.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::lower {

enum class EpropStrategy : uint8_t { Online, Adjoint };
const char *name_of(EpropStrategy strategy);

/// What the schedule is asked for.
enum class EpropChoice : uint8_t { Auto, Online, Adjoint };

/// The most the adjoint strategy's history may take, for the regime's
/// batch, before the cost model counts a recomputed forward pass.
constexpr uint64_t kHistoryBudgetBytes = uint64_t(8) << 30;

/// Estimated memory operations per step and example of each strategy, and
/// the bytes per example the adjoint strategy records.
struct EpropCost {
  double online = 0, adjoint = 0;
  uint64_t history_bytes = 0;
  /// The forward pass of the trained projections' neurons and synapses
  /// (what recomputing a segment costs again).
  double forward = 0;
};

/// The post model's hidden states the traces of `tp` read as coefficients
/// (Jacobian entries, input and output gains that are not constants): what
/// the adjoint strategy records per step.
std::vector<std::string> coefficient_states(const ir::TrainedProjection &tp);

/// The sizes the cost model reads, per trained projection.
struct TrainedSizes {
  uint64_t num_pre = 0, num_post = 0, synapses = 0;
  int pre = -1, post = -1; ///< populations
  bool delayed = false;    ///< reads the presynaptic flags of the step before
};

/// The cost of each strategy for `training` (after the eprop pass) with
/// `sizes[i]` the sizes of training.trained[i], `classes` readout neurons,
/// steps of `dt` seconds and reals of `real_bytes` bytes.
EpropCost eprop_cost(const ir::Training &training, const std::vector<TrainedSizes> &sizes, uint32_t classes, double dt,
                     uint32_t real_bytes);

/// Why the adjoint strategy cannot compute the gradient of `training`, or
/// an empty string when it can.
std::string adjoint_unsupported(const ir::Training &training);

/// The strategy for `choice` at `cost` for a regime of `batch` examples,
/// where `unsupported` is adjoint_unsupported()'s answer (a forced adjoint
/// choice must have been refused before, by the compiler's diagnostics).
EpropStrategy choose_eprop(EpropChoice choice, const EpropCost &cost, uint32_t batch, const std::string &unsupported);

} // namespace snn::lower
