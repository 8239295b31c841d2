//===- HistorySegments.cpp - Histories of fewer steps than an example -----===//

#include "HistorySegments.h"

#include "ModelDescription.h"
#include "OutOfMemory.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cstring>

namespace snn::rt {

HistoryMemory history_memory(const snn_model_desc &model, uint32_t batch) {
  HistoryMemory memory;
  std::vector<bool> checkpointed(model.num_buffers, false);
  if (model.training)
    for (uint32_t k = 0; k < model.training->num_segment_buffers; ++k)
      checkpointed[model.training->segment_buffers[k]] = true;
  for (uint32_t k = 0; k < model.num_buffers; ++k) {
    const snn_buffer_desc &buffer = model.buffers[k];
    double bytes = double(element_bytes(buffer.type, buffer.extent)) *
                   (buffer.batch == SNN_BATCH_PER_EXAMPLE ? double(batch) : 1.0);
    if (buffer.role == SNN_ROLE_HISTORY) {
      memory.per_step += bytes;
      continue;
    }
    memory.other += bytes;
    if (checkpointed[k])
      memory.checkpoint += bytes;
  }
  return memory;
}

uint32_t choose_history_steps(uint32_t timesteps, uint32_t requested, const HistoryMemory &memory, double budget) {
  if (requested > 0)
    return std::min(requested, timesteps);
  // Every step: no checkpoints and nothing recomputed.
  if (memory.other + double(timesteps) * memory.per_step <= budget)
    return timesteps;
  // Fewer: S steps of history and a copy of the segment state per segment
  // (one per segment but the last, and one to set the state aside while a
  // segment is recomputed). The time recomputed, T - (the last segment),
  // falls as S grows, so the largest S that fits is best.
  double least = memory.other + double(timesteps) * memory.per_step;
  for (uint32_t s = timesteps - 1; s >= 1; --s) {
    double needed =
        memory.other + double(s) * memory.per_step + double(segment_count(timesteps, s)) * memory.checkpoint;
    if (needed <= budget)
      return s;
    least = std::min(least, needed);
  }
  throw Error("the adjoint strategy needs at least " + format_bytes(least) +
              " of memory for this batch, even recomputing the forward pass from checkpoints, but its budget is " +
              format_bytes(budget) + " (half of this machine's memory); use a smaller --batch or --timesteps");
}

SegmentCheckpoints::SegmentCheckpoints(const snn_model_desc &model, const snn_state &state, uint32_t capacity,
                                       uint32_t slots) {
  const snn_training_desc &training = *model.training;
  for (uint32_t k = 0; k < training.num_segment_buffers; ++k) {
    uint32_t b = training.segment_buffers[k];
    const snn_buffer_desc &buffer = model.buffers[b];
    uint64_t copies = buffer.batch == SNN_BATCH_PER_EXAMPLE ? capacity : 1;
    Part part{b, bytes_, element_bytes(buffer.type, state.extents[b] * copies),
              buffer.batch == SNN_BATCH_PER_EXAMPLE ? element_bytes(buffer.type, state.extents[b]) : 0};
    parts_.push_back(part);
    bytes_ += part.bytes;
  }
  copies_.reserve(slots);
  for (uint32_t s = 0; s < slots; ++s)
    copies_.push_back(allocating([&] { return AlignedBuffer(bytes_); },
                                 [&] { return out_of_memory("the adjoint strategy's checkpoints", double(bytes_)); }));
}

void SegmentCheckpoints::copy(const snn_state &state, uint32_t slot, uint32_t first, uint32_t count, bool out) const {
  auto *copy = static_cast<unsigned char *>(copies_.at(slot).data());
  for (const Part &part : parts_) {
    if (part.per_example == 0 && first != 0)
      continue;
    uint64_t skip = part.per_example * first;
    uint64_t bytes = part.per_example ? part.per_example * count : part.bytes;
    auto *buffer = static_cast<unsigned char *>(state.buffers[part.buffer]) + skip;
    if (out)
      std::memcpy(copy + part.offset + skip, buffer, bytes);
    else
      std::memcpy(buffer, copy + part.offset + skip, bytes);
  }
}

void SegmentCheckpoints::save(const snn_state &state, uint32_t slot, uint32_t first, uint32_t count) {
  copy(state, slot, first, count, true);
}

void SegmentCheckpoints::restore(const snn_state &state, uint32_t slot, uint32_t first, uint32_t count) const {
  copy(state, slot, first, count, false);
}

} // namespace snn::rt
