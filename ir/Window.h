//===- ir/Window.h - Shaped populations and windowed connectivity -*- C++ -*-===//
//
// A population may have a shape, height x width x channels, whose neurons
// are numbered row-major with the channel fastest (numpy's reshape of an
// [height, width, channels] array). A conv2d or avg_pool2d projection
// connects two shaped populations through a window that slides with a
// stride over the presynaptic rows and columns, with zero padding: output
// position (yo, xo) covers input rows yo * stride_y - pad_y + ky for ky in
// [0, height), and likewise columns; taps outside the input make no synapse.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>

namespace snn::ir {

struct Shape {
  uint32_t height = 0, width = 0, channels = 0; ///< all 0: a flat population
  bool present() const { return height != 0; }
  uint64_t size() const { return uint64_t(height) * width * channels; }
  std::string str() const; ///< "28x28x2"
  bool operator==(const Shape &o) const { return height == o.height && width == o.width && channels == o.channels; }
};

/// The window of a conv2d (a kernel, its weights shared by every output
/// position) or avg_pool2d (one channel to the same channel) projection.
struct Window {
  uint32_t height = 1, width = 1;
  uint32_t stride_y = 1, stride_x = 1;
  uint32_t pad_y = 0, pad_x = 0; ///< zero rows / columns before the first input one
};

/// How many positions a window of `k` with `stride` and `pad` before takes
/// over `in` inputs with as much padding after: floor((in + 2 pad - k) /
/// stride) + 1, or 0 when even the first does not fit.
uint32_t window_positions(uint32_t in, uint32_t k, uint32_t stride, uint32_t pad);

/// Keras's "same" padding before the first input: the output has
/// ceil(in / stride) positions, and the padding needed for that, split with
/// the smaller half before.
uint32_t same_padding(uint32_t in, uint32_t k, uint32_t stride);

/// Whether every one of `out` positions along an axis of `in` inputs has
/// at least one tap inside the input.
bool window_fits(uint32_t in, uint32_t out, uint32_t k, uint32_t stride, uint32_t pad);

/// The synapses of a conv2d (every output channel from every input
/// channel) or avg_pool2d (each channel to itself) projection.
uint64_t window_synapses(const Shape &pre, const Shape &post, const Window &w, bool conv);

} // namespace snn::ir
