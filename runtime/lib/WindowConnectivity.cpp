//===- WindowConnectivity.cpp - conv2d and avg_pool2d synapses ------------===//

#include "WindowConnectivity.h"

#include "snn/runtime.h"

#include <algorithm>
#include <string>

namespace snn::rt {

void check_window(const snn_model_desc &model, const snn_projection_desc &projection) {
  const snn_window_desc *w = projection.window;
  std::string which = std::string("projection '") + projection.name + "'";
  if (!w)
    throw Error::internal(which + " has a windowed connectivity without a window");
  uint64_t pre = uint64_t(w->pre_height) * w->pre_width * w->pre_channels;
  uint64_t post = uint64_t(w->post_height) * w->post_width * w->post_channels;
  bool ok = pre == model.populations[projection.pre].size && post == model.populations[projection.post].size &&
            w->kernel_height > 0 && w->kernel_width > 0 && w->stride_y > 0 && w->stride_x > 0 &&
            w->pad_y < w->kernel_height && w->pad_x < w->kernel_width &&
            (projection.connectivity == SNN_CONNECT_CONV2D || w->pre_channels == w->post_channels);
  if (!ok)
    throw Error::internal(which + ": its window does not match its populations");
}

namespace {

/// The output positions along one axis whose window covers input `i`:
/// those `o` with o * stride - pad <= i < o * stride - pad + k, as [first, last).
std::pair<uint32_t, uint32_t> covering(uint32_t i, uint32_t k, uint32_t stride, uint32_t pad, uint32_t out) {
  int64_t hi = int64_t(i) + pad; // o * stride <= hi
  int64_t lo = hi - k + 1;       // o * stride >= lo
  int64_t first = lo <= 0 ? 0 : (lo + stride - 1) / stride;
  int64_t last = std::min<int64_t>(hi / stride + 1, out);
  return {uint32_t(std::min<int64_t>(first, out)), uint32_t(std::max(first, last))};
}

} // namespace

void connect_window(const snn_projection_desc &projection, ProjectionSynapses &synapses) {
  const snn_window_desc &w = *projection.window;
  bool conv = projection.connectivity == SNN_CONNECT_CONV2D;
  uint32_t num_pre = w.pre_height * w.pre_width * w.pre_channels;
  if (projection.storage != SNN_STORAGE_PROCEDURAL)
    synapses.row_start.assign(uint64_t(num_pre) + 1, 0);
  for (uint32_t i = 0; i < num_pre; ++i) {
    uint32_t c = i % w.pre_channels, x = (i / w.pre_channels) % w.pre_width;
    uint32_t y = i / (w.pre_channels * w.pre_width);
    auto [y0, y1] = covering(y, w.kernel_height, w.stride_y, w.pad_y, w.post_height);
    auto [x0, x1] = covering(x, w.kernel_width, w.stride_x, w.pad_x, w.post_width);
    if (projection.storage == SNN_STORAGE_PROCEDURAL) { // generated code computes the rows: count them
      synapses.unstored += uint64_t(y1 - y0) * (x1 - x0) * (conv ? w.post_channels : 1);
      continue;
    }
    for (uint32_t yo = y0; yo < y1; ++yo)
      for (uint32_t xo = x0; xo < x1; ++xo) {
        uint32_t base = (yo * w.post_width + xo) * w.post_channels;
        if (!conv) {
          synapses.target.push_back(base + c);
          continue;
        }
        for (uint32_t co = 0; co < w.post_channels; ++co)
          synapses.target.push_back(base + co);
      }
    if (synapses.target.size() > UINT32_MAX)
      throw Error(std::string("projection '") + projection.name + "' has more than " + std::to_string(UINT32_MAX) +
                  " synapses");
    synapses.row_start[i + 1] = uint32_t(synapses.target.size());
  }
}

uint64_t kernel_size(const snn_window_desc &w) {
  return uint64_t(w.kernel_height) * w.kernel_width * w.pre_channels * w.post_channels;
}

uint64_t kernel_entry(const snn_window_desc &w, uint32_t pre, uint32_t post) {
  uint64_t ci = pre % w.pre_channels, x = (pre / w.pre_channels) % w.pre_width;
  uint64_t y = pre / (uint64_t(w.pre_channels) * w.pre_width);
  uint64_t co = post % w.post_channels, xo = (post / w.post_channels) % w.post_width;
  uint64_t yo = post / (uint64_t(w.post_channels) * w.post_width);
  uint64_t ky = y + w.pad_y - yo * w.stride_y, kx = x + w.pad_x - xo * w.stride_x;
  return ((ky * w.kernel_width + kx) * w.pre_channels + ci) * w.post_channels + co;
}

} // namespace snn::rt
