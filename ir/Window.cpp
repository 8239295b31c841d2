//===- ir/Window.cpp - Shaped populations and windowed connectivity -------===//
#include "ir/Window.h"

namespace snn::ir {

std::string Shape::str() const {
  return std::to_string(height) + "x" + std::to_string(width) + "x" + std::to_string(channels);
}

uint32_t window_positions(uint32_t in, uint32_t k, uint32_t stride, uint32_t pad) {
  uint64_t span = uint64_t(in) + 2 * uint64_t(pad);
  if (stride == 0 || span < k)
    return 0;
  return uint32_t((span - k) / stride + 1);
}

uint32_t same_padding(uint32_t in, uint32_t k, uint32_t stride) {
  uint64_t out = (uint64_t(in) + stride - 1) / stride;
  uint64_t needed = (out - 1) * stride + k;
  return needed > in ? uint32_t((needed - in) / 2) : 0;
}

bool window_fits(uint32_t in, uint32_t out, uint32_t k, uint32_t stride, uint32_t pad) {
  if (out == 0 || k == 0 || stride == 0 || pad >= k)
    return false;
  // The last position's first tap must lie inside the input.
  return (uint64_t(out) - 1) * stride < uint64_t(in) + pad;
}

uint64_t window_synapses(const Shape &pre, const Shape &post, const Window &w, bool conv) {
  // Taps inside the input along one axis, summed over the output positions.
  auto taps = [](uint32_t in, uint32_t out, uint32_t k, uint32_t stride, uint32_t pad) {
    uint64_t n = 0;
    for (uint32_t o = 0; o < out; ++o)
      for (uint32_t t = 0; t < k; ++t) {
        int64_t i = int64_t(o) * stride - int64_t(pad) + t;
        n += i >= 0 && i < int64_t(in) ? 1 : 0;
      }
    return n;
  };
  uint64_t positions = taps(pre.height, post.height, w.height, w.stride_y, w.pad_y) *
                       taps(pre.width, post.width, w.width, w.stride_x, w.pad_x);
  return conv ? positions * pre.channels * post.channels : positions * post.channels;
}

} // namespace snn::ir
