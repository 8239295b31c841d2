//===- HistorySegments.h - Histories of fewer steps than an example -*- C++ -*-===//
//
// The adjoint strategy records per step what its backward pass reads
// (SNN_ROLE_HISTORY buffers). When the histories of a whole example do not
// fit, they hold S < T steps and the example runs in segments of S steps
// (Griewank's checkpointing, as torch.utils.checkpoint): the forward pass
// copies the model's segment state (snn_training_desc::segment_buffers)
// aside at the start of every segment but the last, and the backward pass,
// before it goes back through an earlier segment, restores that copy and
// runs the segment's train_step again to refill the histories. Memory: S
// steps of history plus one copy of the segment state per segment; time:
// the forward pass once more, but for its last segment.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_HISTORYSEGMENTS_H
#define SNN_RUNTIME_HISTORYSEGMENTS_H

#include "AlignedBuffer.h"

#include "snn/model_abi.h"

#include <cstdint>
#include <vector>

namespace snn::rt {

/// The memory of a training run with the adjoint strategy, in bytes, for
/// its batch.
struct HistoryMemory {
  double per_step = 0;   ///< one step of every history
  double checkpoint = 0; ///< one copy of the segment state
  double other = 0;      ///< every other buffer
};

/// The memory of `model`'s buffers for `batch` examples, from the
/// descriptor's extents (synapse buffers: their expected counts).
HistoryMemory history_memory(const snn_model_desc &model, uint32_t batch);

/// The steps S a history holds for examples of `timesteps` steps:
/// `requested` when it is not 0 (at most `timesteps`); otherwise every step
/// when the run needs at most `budget` bytes with them, or else the most
/// steps (fewest recomputed) whose history and checkpoints fit the budget.
/// Throws Error when not even S = 1 fits.
uint32_t choose_history_steps(uint32_t timesteps, uint32_t requested, const HistoryMemory &memory, double budget);

/// Segments of `history_steps` steps in an example of `timesteps` steps.
inline uint32_t segment_count(uint32_t timesteps, uint32_t history_steps) {
  return (timesteps + history_steps - 1) / history_steps;
}

/// Copies of the segment state of a batch: `slots` of them, each holding
/// every buffer of snn_training_desc::segment_buffers whole.
class SegmentCheckpoints {
public:
  SegmentCheckpoints() = default;
  /// Storage for `slots` copies of the segment buffers of `state`, whose
  /// per-example buffers hold `capacity` examples.
  SegmentCheckpoints(const snn_model_desc &model, const snn_state &state, uint32_t capacity, uint32_t slots);

  /// Copies examples [first, first + count) of the segment buffers of
  /// `state` (its whole buffers; shared ones only with first 0) into copy
  /// `slot`. Disjoint example ranges may be copied at once.
  void save(const snn_state &state, uint32_t slot, uint32_t first, uint32_t count);
  /// Copies those examples of copy `slot` back into `state`.
  void restore(const snn_state &state, uint32_t slot, uint32_t first, uint32_t count) const;
  /// Bytes of one copy.
  uint64_t bytes_per_copy() const { return bytes_; }

private:
  struct Part {
    uint32_t buffer = 0;
    uint64_t offset = 0, bytes = 0;
    uint64_t per_example = 0; ///< bytes of one example; 0: a shared buffer
  };
  void copy(const snn_state &state, uint32_t slot, uint32_t first, uint32_t count, bool out) const;
  std::vector<Part> parts_;
  uint64_t bytes_ = 0;
  std::vector<AlignedBuffer> copies_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_HISTORYSEGMENTS_H
