//===- StimulusStaging.cpp - A device's spike-file input, without waits ---===//

#include "StimulusStaging.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace snn::rt {

StimulusStaging::StimulusStaging(const snn_device_desc &device, uint32_t size, uint32_t batch, uint32_t slots)
    : device_(device), size_(size), batch_(batch), slots_(slots), flags_(size, 0),
      slots_memory_(std::size_t(bytes(size, batch, slots)), &device, AlignedBuffer::Memory::Staging) {}

uint64_t StimulusStaging::bytes(uint32_t size, uint32_t batch, uint32_t slots) {
  return uint64_t(size) * batch * slots;
}

void StimulusStaging::queue(StimulusSchedule &schedule, uint64_t step, uint8_t *flags) {
  schedule.apply(step, flags_.data());
  if (size_ == 0)
    return;
  uint8_t *slot = static_cast<uint8_t *>(slots_memory_.data()) + (step % slots_) * uint64_t(batch_) * size_;
  for (uint32_t b = 0; b < batch_; ++b)
    std::memcpy(slot + uint64_t(b) * size_, flags_.data(), size_);
  char message[512] = "";
  if (device_.copy_rows(flags, size_, slot, size_, size_, batch_, message, sizeof message) != 0)
    throw Error("the " + std::string(device_.name) + " device could not copy the spike-file input of step " +
                std::to_string(step) + ": " + message);
}

void StimulusStaging::rewind() { std::fill(flags_.begin(), flags_.end(), 0); }

} // namespace snn::rt
