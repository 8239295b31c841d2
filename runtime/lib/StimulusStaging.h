//===- StimulusStaging.h - A device's spike-file input, without waits -*- C++ -*-===//
//
// On a device, a population's spike-file input reaches its stimulus flags
// through page-locked slots, one per step of a spike block: the host writes
// a step's flags into the step's slot and the device copies the slot into
// the flags behind the steps queued before (snn_device_desc::copy_rows), so
// the host need not wait for the last step before writing the next one's.
// A slot is written again `slots` steps later; Simulation::step waits for
// the device at least once per spike block, so its copy has run by then.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_STIMULUSSTAGING_H
#define SNN_RUNTIME_STIMULUSSTAGING_H

#include "AlignedBuffer.h"
#include "Stimulus.h"
#include "snn/model_abi.h"

#include <cstdint>
#include <vector>

namespace snn::rt {

class StimulusStaging {
public:
  /// Slots for `slots` steps of a population of `size` neurons in each of
  /// `batch` examples, from `device`'s page-locked memory.
  StimulusStaging(const snn_device_desc &device, uint32_t size, uint32_t batch, uint32_t slots);

  /// Page-locked bytes such slots take.
  static uint64_t bytes(uint32_t size, uint32_t batch, uint32_t slots);

  /// Queues the copy of `schedule`'s flags of `step` (the same in every
  /// example) into `flags`, the device's [batch][size] stimulus buffer.
  /// Throws Error naming the step when the device cannot queue it.
  void queue(StimulusSchedule &schedule, uint64_t step, uint8_t *flags);

  /// Clears the flags (with the schedule rewound, at init).
  void rewind();

private:
  const snn_device_desc &device_;
  uint32_t size_, batch_, slots_;
  /// The schedule's flags of one example, as StimulusSchedule::apply
  /// leaves them from step to step.
  std::vector<uint8_t> flags_;
  AlignedBuffer slots_memory_; ///< [slot][example][size]
};

} // namespace snn::rt

#endif // SNN_RUNTIME_STIMULUSSTAGING_H
