//===- Connectivity.cpp - Synapses of a projection in CSR form ------------===//

#include "Connectivity.h"
#include "OutOfMemory.h"
#include "WindowConnectivity.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <string>
#include <unordered_set>

namespace snn::rt {
namespace {

std::string describe(const snn_projection_desc &projection) {
  return std::string("projection '") + projection.name + "'";
}

/// Throws Error for settings that no network can satisfy.
void check_projection(const snn_model_desc &model, const snn_projection_desc &projection) {
  const snn_population_desc &pre = model.populations[projection.pre];
  const snn_population_desc &post = model.populations[projection.post];
  if (projection.connectivity == SNN_CONNECT_FIXED_PROBABILITY &&
      !(projection.probability >= 0 && projection.probability <= 1))
    throw Error(
        fmt::format("{}: connection probability {:g} is not in [0, 1]", describe(projection), projection.probability));
  // Without autapses, a neuron of a recurrent projection has one candidate less.
  uint64_t self = projection.pre == projection.post && !projection.autapses ? 1 : 0;
  auto too_many = [&](uint64_t have, const char *what) {
    throw Error(describe(projection) + ": " + std::to_string(projection.count) + " " + what + " of " +
                std::to_string(have) + " possible");
  };
  if (projection.connectivity == SNN_CONNECT_FIXED_OUT_DEGREE && projection.count > post.size - self)
    too_many(post.size - self, "targets per neuron");
  if (projection.connectivity == SNN_CONNECT_FIXED_IN_DEGREE && projection.count > pre.size - self)
    too_many(pre.size - self, "sources per neuron");
  if (projection.connectivity == SNN_CONNECT_FIXED_TOTAL &&
      projection.count > uint64_t(pre.size) * (post.size - (post.size > 0 ? self : 0)))
    too_many(uint64_t(pre.size) * (post.size - (post.size > 0 ? self : 0)), "synapses");
  if (projection.connectivity == SNN_CONNECT_CONV2D || projection.connectivity == SNN_CONNECT_AVG_POOL2D)
    check_window(model, projection);
  if (projection.connectivity == SNN_CONNECT_ONE_TO_ONE && pre.size != post.size)
    throw Error(describe(projection) + ": one-to-one connectivity needs equal sizes, but '" + pre.name + "' has " +
                std::to_string(pre.size) + " neurons and '" + post.name + "' has " + std::to_string(post.size));
}

/// The uniforms of one row of a fixed-probability projection: consecutive
/// blocks (pre, block, 0, tag), two float64 uniforms per block.
class RowUniforms {
public:
  RowUniforms(const uint32_t key[2], uint32_t tag, uint32_t pre) : key_{key[0], key[1]}, counter_{pre, 0, 0, tag} {}

  double next() {
    const uint32_t *words = next_words();
    return snn_uniform01_f64(words[0], words[1]);
  }

  /// The gap before the next synapse of a fixed_probability row (one
  /// uniform's words, as procedural storage draws them).
  int64_t next_gap(double log_q) {
    const uint32_t *words = next_words();
    return snn_geometric_skip(words[0], words[1], log_q);
  }

private:
  /// The two words of the next uniform.
  const uint32_t *next_words() {
    if (used_ == 2) {
      snn_philox4x32(counter_, key_, block_);
      ++counter_[1];
      used_ = 0;
    }
    return block_ + 2 * used_++;
  }

  uint32_t key_[2];
  uint32_t counter_[4];
  uint32_t block_[4] = {0, 0, 0, 0};
  int used_ = 2; // uniforms taken from block_; 2 means "draw the next block"
};

/// `k` distinct indices of [0, n) drawn uniformly (Floyd's algorithm: k
/// draws), ascending; `skip` (< n, or n for none) is never chosen.
std::vector<uint32_t> choose_distinct(RowUniforms &uniforms, uint32_t n, uint32_t k, uint32_t skip) {
  uint32_t m = skip < n ? n - 1 : n; // candidates, with `skip` taken out
  std::unordered_set<uint32_t> chosen;
  chosen.reserve(k);
  for (uint64_t j = uint64_t(m) - k; j < m; ++j) {
    auto t = uint32_t(std::min<double>(std::floor(uniforms.next() * double(j + 1)), double(j)));
    if (!chosen.insert(t).second)
      chosen.insert(uint32_t(j));
  }
  std::vector<uint32_t> out(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  for (uint32_t &i : out)
    if (i >= skip)
      ++i;
  return out;
}

void check_synapse_limit(uint64_t count, const snn_projection_desc &projection) {
  if (count > UINT32_MAX)
    throw Error(describe(projection) + " has " + std::to_string(count) + " synapses; a projection holds at most " +
                std::to_string(UINT32_MAX));
}

/// Fills row_start and target. Rows are independent streams, so this
/// could run in parallel by row with the same result.
void connect(const snn_model_desc &model, uint32_t index, const snn_projection_desc &projection, const uint32_t key[2],
             ProjectionSynapses &synapses) {
  uint32_t num_pre = model.populations[projection.pre].size;
  uint32_t num_post = model.populations[projection.post].size;
  bool skip_self = projection.pre == projection.post && !projection.autapses;
  // A procedural projection (fixed_probability or windowed) is only counted.
  if (projection.storage != SNN_STORAGE_PROCEDURAL)
    synapses.row_start.assign(uint64_t(num_pre) + 1, 0);
  std::vector<uint32_t> &target = synapses.target;

  switch (projection.connectivity) {
  case SNN_CONNECT_DENSE: {
    uint64_t per_row = uint64_t(num_post) - (skip_self && num_post > 0 ? 1 : 0);
    check_synapse_limit(per_row * num_pre, projection);
    target.reserve(per_row * num_pre);
    for (uint32_t i = 0; i < num_pre; ++i) {
      for (uint32_t j = 0; j < num_post; ++j)
        if (!(skip_self && i == j))
          target.push_back(j);
      synapses.row_start[i + 1] = uint32_t(target.size());
    }
    break;
  }
  case SNN_CONNECT_ONE_TO_ONE:
    if (!skip_self)
      for (uint32_t i = 0; i < num_pre; ++i)
        target.push_back(i);
    for (uint32_t i = 0; i < num_pre; ++i)
      synapses.row_start[i + 1] = uint32_t(skip_self ? 0 : i + 1);
    break;
  case SNN_CONNECT_FIXED_PROBABILITY: {
    double p = projection.probability;
    uint32_t tag = snn_philox_tag(SNN_RNG_CONNECTIVITY, index);
    double expected = p * num_pre * double(num_post);
    bool store = projection.storage != SNN_STORAGE_PROCEDURAL;
    if (!store && expected > kCountedSynapses) {
      synapses.unstored = uint64_t(std::llround(expected));
      synapses.estimated = true;
      break;
    }
    // Refuse at once what would fail only after minutes of drawing: more
    // than the limit by 6 standard deviations cannot come out below it.
    if (store && expected - 6 * std::sqrt(expected) > double(UINT32_MAX))
      throw Error(describe(projection) + " would have about " + std::to_string(uint64_t(expected)) +
                  " synapses; a projection holds at most " + std::to_string(UINT32_MAX));
    if (store)
      target.reserve(uint64_t(expected + 5 * std::sqrt(expected) + 16));
    // Geometric skipping: the gap before the next synapse of a row is
    // floor(ln U / ln(1 - p)) with U in (0, 1] (snn_geometric_skip), one
    // draw per synapse instead of one per candidate pair. Procedural
    // storage regenerates rows by the same loop (lower/GeneratedRows.h).
    double log_q = std::log1p(-p);
    for (uint32_t i = 0; i < num_pre && p > 0; ++i) {
      RowUniforms uniforms(key, tag, i);
      int64_t j = -1;
      for (;;) {
        j += 1 + (p >= 1 ? 0 : uniforms.next_gap(log_q));
        if (j >= int64_t(num_post))
          break;
        if (skip_self && uint32_t(j) == i)
          continue;
        if (store)
          target.push_back(uint32_t(j));
        else
          ++synapses.unstored;
      }
      if (store) {
        check_synapse_limit(target.size(), projection);
        synapses.row_start[i + 1] = uint32_t(target.size());
      }
    }
    break;
  }
  case SNN_CONNECT_FIXED_OUT_DEGREE: {
    // Each pre neuron draws its `count` targets from its own stream.
    uint32_t tag = snn_philox_tag(SNN_RNG_CONNECTIVITY, index);
    auto k = uint32_t(projection.count);
    check_synapse_limit(uint64_t(k) * num_pre, projection);
    target.reserve(uint64_t(k) * num_pre);
    for (uint32_t i = 0; i < num_pre; ++i) {
      RowUniforms uniforms(key, tag, i);
      for (uint32_t j : choose_distinct(uniforms, num_post, k, skip_self ? i : num_post))
        target.push_back(j);
      synapses.row_start[i + 1] = uint32_t(target.size());
    }
    break;
  }
  case SNN_CONNECT_FIXED_IN_DEGREE: {
    // Each post neuron draws its `count` sources from its own stream; a
    // counting sort by pre gives rows whose targets ascend.
    uint32_t tag = snn_philox_tag(SNN_RNG_CONNECTIVITY, index);
    auto k = uint32_t(projection.count);
    check_synapse_limit(uint64_t(k) * num_post, projection);
    std::vector<std::vector<uint32_t>> sources(num_post);
    for (uint32_t j = 0; j < num_post; ++j) {
      RowUniforms uniforms(key, tag, j);
      sources[j] = choose_distinct(uniforms, num_pre, k, skip_self ? j : num_pre);
      for (uint32_t i : sources[j])
        ++synapses.row_start[i + 1];
    }
    for (uint32_t i = 0; i < num_pre; ++i)
      synapses.row_start[i + 1] += synapses.row_start[i];
    target.resize(uint64_t(k) * num_post);
    std::vector<uint32_t> next(synapses.row_start.begin(), synapses.row_start.end() - 1);
    for (uint32_t j = 0; j < num_post; ++j)
      for (uint32_t i : sources[j])
        target[next[i]++] = j;
    break;
  }
  case SNN_CONNECT_FIXED_TOTAL: {
    // `count` distinct pairs of all allowed ones, by Floyd's algorithm over
    // the pair index pre * per_row + column (one stream).
    uint64_t per_row = uint64_t(num_post) - (skip_self && num_post > 0 ? 1 : 0);
    uint64_t pairs = per_row * num_pre, n = projection.count;
    check_synapse_limit(n, projection);
    uint32_t tag = snn_philox_tag(SNN_RNG_CONNECTIVITY, index);
    RowUniforms uniforms(key, tag, 0);
    std::unordered_set<uint64_t> chosen;
    chosen.reserve(n);
    for (uint64_t j = pairs - n; j < pairs; ++j) {
      auto t = uint64_t(std::min<double>(std::floor(uniforms.next() * double(j + 1)), double(j)));
      if (!chosen.insert(t).second)
        chosen.insert(j);
    }
    std::vector<uint64_t> sorted(chosen.begin(), chosen.end());
    std::sort(sorted.begin(), sorted.end());
    target.reserve(n);
    for (uint64_t pair : sorted) {
      auto i = uint32_t(pair / per_row), column = uint32_t(pair % per_row);
      target.push_back(skip_self && column >= i ? column + 1 : column);
      ++synapses.row_start[i + 1];
    }
    for (uint32_t i = 0; i < num_pre; ++i)
      synapses.row_start[i + 1] += synapses.row_start[i];
    break;
  }
  case SNN_CONNECT_CONV2D:
  case SNN_CONNECT_AVG_POOL2D:
    connect_window(projection, synapses);
    break;
  case SNN_CONNECT_FROM_LIST:
    // The compiler sorted the pairs and refused repeats; a list out of
    // order or range is a broken model.
    check_synapse_limit(projection.count, projection);
    target.reserve(projection.count);
    for (uint64_t k = 0; k < projection.count; ++k) {
      uint32_t i = projection.list_pre[k], j = projection.list_post[k];
      bool ascending = k == 0 || i > projection.list_pre[k - 1] ||
                       (i == projection.list_pre[k - 1] && j > projection.list_post[k - 1]);
      if (i >= num_pre || j >= num_post || !ascending)
        throw Error::internal(describe(projection) + ": its pair list is out of range or order at pair " +
                              std::to_string(k));
      target.push_back(j);
      ++synapses.row_start[i + 1];
    }
    for (uint32_t i = 0; i < num_pre; ++i)
      synapses.row_start[i + 1] += synapses.row_start[i];
    break;
  default:
    throw Error::internal("unknown connectivity kind");
  }
}

} // namespace

ProjectionSynapses build_synapses(const snn_model_desc &model, uint32_t projection, uint64_t seed) {
  const snn_projection_desc &desc = model.projections[projection];
  check_projection(model, desc);
  if (projection > SNN_RNG_INDEX_MASK)
    throw Error::internal("too many projections for the RNG counter layout");
  uint32_t key[2];
  snn_philox_key(seed, key);
  ProjectionSynapses synapses;
  // The synapse lists (4 bytes a synapse, plus the row starts) are the
  // runtime's largest allocation after the buffers.
  allocating([&] { connect(model, projection, desc, key, synapses); },
             [&] {
               double pre = model.populations[desc.pre].size, post = model.populations[desc.post].size;
               double expected =
                   desc.connectivity == SNN_CONNECT_FIXED_PROBABILITY  ? desc.probability * pre * post
                   : desc.connectivity == SNN_CONNECT_DENSE            ? pre * post
                   : desc.connectivity == SNN_CONNECT_FIXED_OUT_DEGREE ? double(desc.count) * pre
                   : desc.connectivity == SNN_CONNECT_FIXED_IN_DEGREE  ? double(desc.count) * post
                   : desc.connectivity == SNN_CONNECT_FIXED_TOTAL || desc.connectivity == SNN_CONNECT_FROM_LIST
                       ? double(desc.count)
                   : desc.window ? double(kernel_size(*desc.window)) / desc.window->pre_channels * pre
                                 : pre;
               return out_of_memory("the synapses of " + describe(desc), 4 * (expected + pre + 1));
             });
  synapses.target.shrink_to_fit();
  return synapses;
}

void build_columns(const ProjectionSynapses &synapses, uint32_t num_post, std::vector<uint32_t> &start,
                   std::vector<uint32_t> &order, std::vector<uint32_t> &pre) {
  // A counting sort by target: stable, so each column keeps the row order.
  start.assign(std::size_t(num_post) + 1, 0);
  for (uint32_t t : synapses.target)
    ++start[std::size_t(t) + 1];
  for (std::size_t n = 0; n < num_post; ++n)
    start[n + 1] += start[n];
  std::vector<uint32_t> next(start.begin(), start.end() - 1);
  order.assign(synapses.target.size(), 0);
  for (std::size_t s = 0; s < synapses.target.size(); ++s)
    order[next[synapses.target[s]]++] = uint32_t(s);
  // The row (presynaptic neuron) of each column entry.
  std::vector<uint32_t> row_of(order.size());
  for (std::size_t i = 0; i + 1 < synapses.row_start.size(); ++i)
    for (uint32_t s = synapses.row_start[i]; s < synapses.row_start[i + 1]; ++s)
      row_of[s] = uint32_t(i);
  pre.resize(order.size());
  for (std::size_t c = 0; c < order.size(); ++c)
    pre[c] = row_of[order[c]];
}

} // namespace snn::rt
