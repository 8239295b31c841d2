//===- AlignedBuffer.h - Zeroed, cache-line aligned memory ------*- C++ -*-===//
//
// Every buffer generated code touches (state variables, spike flags, weights)
// starts on a 64-byte boundary so vectorised loops need no peeling and no two
// buffers share a cache line.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_ALIGNEDBUFFER_H
#define SNN_RUNTIME_ALIGNEDBUFFER_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace snn::rt {

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
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(AlignedBuffer &&other) noexcept
      : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  AlignedBuffer &operator=(AlignedBuffer &&other) noexcept {
    std::swap(data_, other.data_);
    std::swap(bytes_, other.bytes_);
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
};

} // namespace snn::rt

#endif // SNN_RUNTIME_ALIGNEDBUFFER_H
