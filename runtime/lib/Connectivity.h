//===- Connectivity.h - Synapses of a projection in CSR form ----*- C++ -*-===//
//
// Builds the synapses of each projection from its descriptor (connectivity is
// data, not code). Every random draw is a Philox block addressed by
// (projection, pre, block) in the connectivity domain of snn/philox.h, so a
// seed fixes the network bit for bit whatever the order of construction.
// Weights are not drawn here: the model's `init` entry draws them into the
// weight buffer, in the code the compiler generated for the distribution.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_CONNECTIVITY_H
#define SNN_RUNTIME_CONNECTIVITY_H

#include "snn/model_abi.h"

#include <cstdint>
#include <vector>

namespace snn::rt {

/// The owned synapses of one projection, rows by pre neuron, targets
/// ascending within a row.
struct ProjectionSynapses {
  std::vector<uint32_t> row_start; ///< num_pre + 1 offsets
  std::vector<uint32_t> target;    ///< post neuron per synapse
  /// SNN_STORAGE_PROCEDURAL: the synapses generated code regenerates,
  /// counted here and never stored (row_start and target stay empty).
  uint64_t unstored = 0;
  /// `unstored` is the expected count, not counted: a procedural projection
  /// of more than kCountedSynapses expected synapses would take seconds of
  /// drawing to count.
  bool estimated = false;

  uint64_t count() const { return target.size() + unstored; }
};

/// The most synapses of a procedural projection the runtime counts (about
/// a second of drawing); beyond, it reports the expected count.
constexpr double kCountedSynapses = 1e8;

/// Builds projection `projection` of `model` drawn with `seed`. Throws Error
/// for a probability outside [0, 1], a one-to-one projection between
/// populations of different sizes, or more than
/// 2^32 - 1 synapses (the limit of the 32-bit row offsets).
ProjectionSynapses build_synapses(const snn_model_desc &model, uint32_t projection, uint64_t seed);

/// The synapses by postsynaptic neuron (CSC), for the events of a
/// postsynaptic spike: `order` lists synapse indices (in row order) grouped
/// by target, each group in increasing index, and `start` (num_post + 1
/// entries) where each target's group begins; `pre` the presynaptic neuron
/// of each entry of `order` (for gathering spikes by post neuron).
void build_columns(const ProjectionSynapses &synapses, uint32_t num_post, std::vector<uint32_t> &start,
                   std::vector<uint32_t> &order, std::vector<uint32_t> &pre);

} // namespace snn::rt

#endif // SNN_RUNTIME_CONNECTIVITY_H
