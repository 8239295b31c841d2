//===- AlignedBuffer.h - Zeroed, cache-line aligned memory ------*- C++ -*-===//
//
// Every buffer generated code touches (state variables, spike flags, weights)
// starts on a 64-byte boundary so vectorised loops need no peeling and no two
// buffers share a cache line. A model that runs on a device gets its buffers
// from the device's allocator instead (snn_device_desc), which both the
// device and the runtime's host code address.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_ALIGNEDBUFFER_H
#define SNN_RUNTIME_ALIGNEDBUFFER_H

#include "snn/model_abi.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>

namespace snn::rt {

/// A device that could not allocate a buffer: the device's own message.
struct DeviceError {
  std::string message;
  explicit DeviceError(std::string m) : message(std::move(m)) {}
};

/// An owning, zero-initialised, 64-byte aligned block of bytes. Move-only.
class AlignedBuffer {
public:
  static constexpr std::size_t alignment = 64;

  AlignedBuffer() = default;
  /// Allocates `bytes` zeroed bytes; a zero-byte buffer still gets a unique,
  /// aligned, non-null address so generated code never sees NULL.
  explicit AlignedBuffer(std::size_t bytes) : bytes_(bytes) {
    // aligned_alloc requires a size that is a multiple of the alignment;
    // refuse sizes whose rounding would wrap around to a small block.
    if (bytes > SIZE_MAX - alignment)
      throw std::bad_alloc();
    std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    if (rounded == 0)
      rounded = alignment;
    data_ = std::aligned_alloc(alignment, rounded);
    if (!data_)
      throw std::bad_alloc();
    std::memset(data_, 0, rounded);
  }
  /// Where a device buffer lives: the device's memory, which its kernels
  /// use, or host memory it copies in from (snn_device_desc::copy_rows).
  enum class Memory { Device, Staging };
  /// The most page-locked memory a run's per-step copies (recorded states,
  /// spike-file input) stage through, each; beyond it they wait instead.
  static constexpr uint64_t kMaxStagingBytes = uint64_t(1) << 28;

  /// `bytes` zeroed bytes from `device` (host memory when null). A failed
  /// device allocation throws DeviceError with the device's message.
  AlignedBuffer(std::size_t bytes, const snn_device_desc *device, Memory memory = Memory::Device) : AlignedBuffer() {
    if (!device) {
      *this = AlignedBuffer(bytes);
      return;
    }
    char message[512] = "";
    data_ = memory == Memory::Staging ? device->allocate_staging(bytes, message, sizeof message)
                                      : device->allocate(bytes, message, sizeof message);
    if (!data_)
      throw DeviceError(message);
    bytes_ = bytes;
    device_ = device;
    staging_ = memory == Memory::Staging;
  }
  ~AlignedBuffer() {
    if (!device_)
      std::free(data_);
    else if (staging_)
      device_->release_staging(data_);
    else
      device_->release(data_);
  }
  AlignedBuffer(AlignedBuffer &&other) noexcept
      : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)),
        device_(std::exchange(other.device_, nullptr)), staging_(std::exchange(other.staging_, false)) {}
  AlignedBuffer &operator=(AlignedBuffer &&other) noexcept {
    std::swap(data_, other.data_);
    std::swap(bytes_, other.bytes_);
    std::swap(device_, other.device_);
    std::swap(staging_, other.staging_);
    return *this;
  }
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;

  void *data() const { return data_; }
  std::size_t size() const { return bytes_; }
  /// Zeroes the whole buffer.
  void clear() {
    if (data_)
      std::memset(data_, 0, bytes_);
  }

private:
  void *data_ = nullptr;
  std::size_t bytes_ = 0;
  const snn_device_desc *device_ = nullptr;
  bool staging_ = false;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_ALIGNEDBUFFER_H
