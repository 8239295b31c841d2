//===- WindowConnectivityTest.cpp - conv2d and avg_pool2d synapses --------===//
//
// The rows the runtime builds for windowed projections against a brute
// force over every (pre, post) pair of the window's definition, and the
// kernel entry of each conv2d synapse against its offset in the window.

#include "WindowConnectivity.h"
#include "Connectivity.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

namespace snn::rt {
namespace {

/// (pre, post) pairs of a window by its definition: output (yo, xo) covers
/// input rows yo * stride_y - pad_y + ky, ky < kernel_height, and columns.
std::set<std::pair<uint32_t, uint32_t>> brute_force(const snn_window_desc &w, bool conv) {
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  for (uint32_t yo = 0; yo < w.post_height; ++yo)
    for (uint32_t xo = 0; xo < w.post_width; ++xo)
      for (uint32_t ky = 0; ky < w.kernel_height; ++ky)
        for (uint32_t kx = 0; kx < w.kernel_width; ++kx) {
          int64_t y = int64_t(yo) * w.stride_y - w.pad_y + ky, x = int64_t(xo) * w.stride_x - w.pad_x + kx;
          if (y < 0 || x < 0 || y >= w.pre_height || x >= w.pre_width)
            continue;
          for (uint32_t ci = 0; ci < w.pre_channels; ++ci)
            for (uint32_t co = 0; co < w.post_channels; ++co)
              if (conv || ci == co)
                pairs.insert({uint32_t((y * w.pre_width + x) * w.pre_channels + ci),
                              (yo * w.post_width + xo) * w.post_channels + co});
        }
  return pairs;
}

struct Case {
  snn_window_desc w;
  bool conv;
};

ProjectionSynapses build(const Case &c, snn_model_desc &model, std::vector<snn_population_desc> &pops,
                         snn_projection_desc &projection) {
  pops = {{"in", "M", c.w.pre_height * c.w.pre_width * c.w.pre_channels, 0, nullptr, 0, nullptr, 0, SNN_NO_BUFFER,
           SNN_NO_BUFFER, SNN_NO_BUFFER},
          {"out", "M", c.w.post_height * c.w.post_width * c.w.post_channels, 0, nullptr, 0, nullptr, 0, SNN_NO_BUFFER,
           SNN_NO_BUFFER, SNN_NO_BUFFER}};
  projection = {"in -> out",
                0,
                1,
                uint32_t(c.conv ? SNN_CONNECT_CONV2D : SNN_CONNECT_AVG_POOL2D),
                0,
                0,
                1,
                0,
                0,
                0,
                nullptr,
                nullptr,
                &c.w,
                nullptr,
                nullptr,
                SNN_LAYOUT_DEFAULT,
                0,
                0,
                0,
                SNN_STORAGE_RAGGED,
                SNN_NO_BUFFER};
  model = {};
  model.abi_version = SNN_MODEL_ABI_VERSION;
  model.real_size = 8;
  model.name = "net";
  model.num_populations = 2;
  model.populations = pops.data();
  model.num_projections = 1;
  model.projections = &projection;
  return build_synapses(model, 0, 1);
}

const std::vector<Case> kCases = {
    {{5, 5, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1}, true},  // "same", stride 1
    {{7, 6, 1, 3, 2, 4, 3, 3, 2, 2, 0, 0}, true},  // "valid", stride 2
    {{8, 8, 3, 4, 4, 2, 3, 3, 2, 2, 0, 0}, true},  // Keras "same" with stride 2: the padding after only
    {{6, 5, 2, 3, 2, 2, 2, 2, 2, 2, 0, 0}, false}, // 2x2 pooling, an odd width
    {{9, 9, 1, 3, 3, 1, 3, 3, 3, 3, 0, 0}, false}, // 3x3 pooling
    {{4, 4, 1, 4, 4, 1, 5, 2, 1, 1, 2, 0}, true},  // a tall kernel, padding in rows only
};

TEST(WindowConnectivity, RowsAreTheWindowsDefinition) {
  for (const Case &c : kCases) {
    snn_model_desc model;
    std::vector<snn_population_desc> pops;
    snn_projection_desc projection;
    ProjectionSynapses synapses = build(c, model, pops, projection);
    std::set<std::pair<uint32_t, uint32_t>> built;
    for (uint32_t i = 0; i + 1 < synapses.row_start.size(); ++i)
      for (uint32_t s = synapses.row_start[i]; s < synapses.row_start[i + 1]; ++s) {
        EXPECT_TRUE(s == synapses.row_start[i] || synapses.target[s - 1] < synapses.target[s]) << "row " << i;
        built.insert({i, synapses.target[s]});
      }
    EXPECT_EQ(built.size(), synapses.count());
    EXPECT_EQ(built, brute_force(c.w, c.conv));
  }
}

TEST(WindowConnectivity, KernelEntryIsTheOffsetInTheWindow) {
  const snn_window_desc &w = kCases[1].w; // stride 2: the offset is not the position
  for (uint32_t yo = 0; yo < w.post_height; ++yo)
    for (uint32_t xo = 0; xo < w.post_width; ++xo)
      for (uint32_t ky = 0; ky < w.kernel_height; ++ky)
        for (uint32_t kx = 0; kx < w.kernel_width; ++kx)
          for (uint32_t ci = 0; ci < w.pre_channels; ++ci)
            for (uint32_t co = 0; co < w.post_channels; ++co) {
              uint32_t y = yo * w.stride_y + ky, x = xo * w.stride_x + kx;
              uint32_t pre = (y * w.pre_width + x) * w.pre_channels + ci;
              uint32_t post = (yo * w.post_width + xo) * w.post_channels + co;
              EXPECT_EQ(kernel_entry(w, pre, post),
                        ((ky * w.kernel_width + kx) * w.pre_channels + ci) * w.post_channels + co);
            }
  EXPECT_EQ(kernel_size(w), 3u * 3u * 1u * 4u);
}

TEST(WindowConnectivity, AWindowThatDoesNotMatchItsPopulationsIsAnInternalError) {
  Case bad = kCases[0];
  snn_model_desc model;
  std::vector<snn_population_desc> pops;
  snn_projection_desc projection;
  build(bad, model, pops, projection);
  pops[1].size += 1;
  EXPECT_THROW(build_synapses(model, 0, 1), Error);
}

} // namespace
} // namespace snn::rt
