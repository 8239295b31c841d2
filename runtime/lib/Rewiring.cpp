//===- Rewiring.cpp - Deep R's rewiring after each optimiser step ---------===//
#include "Rewiring.h"

#include "Pruning.h"

#include "snn/philox.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace snn::rt {

namespace {

/// Bit 27 of the stream index: the pairs the runtime activates, apart from
/// the kernel's noise (index = projection).
constexpr uint32_t kActivationStream = 1u << 27;

} // namespace

Rewiring::Rewiring(const snn_model_desc &model) : model_(model) {
  for (uint32_t r = 0; model.training && r < model.training->num_rewire_rules; ++r)
    rules_.push_back(model.training->rewire_rules[r]);
}

uint64_t Rewiring::after_step(uint64_t step, Simulation &simulation) const {
  uint64_t replaced = 0;
  uint32_t key[2];
  snn_philox_key(simulation.seed(), key);
  for (const snn_rewire_desc &rule : rules_) {
    uint32_t j = rule.projection;
    const snn_projection_desc &pr = model_.projections[j];
    SynapseView view = simulation.synapses(j);
    const auto *dormant = static_cast<const uint8_t *>(simulation.state().buffers[rule.dormant]);
    uint64_t count = view.num_synapses;
    uint64_t gone = uint64_t(std::count_if(dormant, dormant + count, [](uint8_t f) { return f != 0; }));
    if (gone == 0)
      continue;
    uint32_t num_post = model_.populations[pr.post].size;
    bool skip_self = pr.pre == pr.post && !pr.autapses;
    uint64_t pairs = projection_pairs(model_, j);
    // The kept synapses, as pre * num_post + post, and the pairs drawn.
    std::unordered_set<uint64_t> taken;
    taken.reserve(count + gone);
    std::vector<std::pair<uint64_t, uint64_t>> synapses; // (pair, old index or kNewSynapse)
    synapses.reserve(count);
    for (uint32_t i = 0; i < view.num_pre; ++i)
      for (uint64_t s = view.row_start[i]; s < view.row_start[i + 1]; ++s)
        if (!dormant[s]) {
          uint64_t pair = uint64_t(i) * num_post + view.target[s];
          taken.insert(pair);
          synapses.emplace_back(pair, s);
        }
    // Uniform over the pairs that are not synapses now (the ones just gone
    // dormant among them): rejection, pairs / (pairs - kept) draws expected
    // per activation.
    uint32_t counter[4] = {uint32_t(step), uint32_t(step >> 32), 0,
                           snn_philox_tag(SNN_RNG_REWIRE, j | kActivationStream)};
    for (uint64_t added = 0; added < gone; ++counter[2]) {
      uint32_t block[4];
      snn_philox4x32(counter, key, block);
      for (int half = 0; half < 2 && added < gone; ++half) {
        double u = snn_uniform01_f64(block[2 * half], block[2 * half + 1]);
        uint64_t index = std::min(uint64_t(u * double(pairs)), pairs - 1);
        uint64_t row_length = skip_self ? num_post - 1 : num_post;
        uint64_t pre = index / row_length, place = index % row_length;
        uint64_t post = place + (skip_self && place >= pre ? 1 : 0);
        uint64_t pair = pre * num_post + post;
        if (!taken.insert(pair).second)
          continue;
        synapses.emplace_back(pair, Simulation::kNewSynapse);
        ++added;
      }
    }
    std::sort(synapses.begin(), synapses.end());
    std::vector<uint32_t> rows(uint64_t(view.num_pre) + 1, 0), target;
    std::vector<uint64_t> origin;
    target.reserve(synapses.size());
    origin.reserve(synapses.size());
    for (const auto &[pair, old] : synapses) {
      target.push_back(uint32_t(pair % num_post));
      origin.push_back(old);
      ++rows[pair / num_post + 1];
    }
    for (uint32_t i = 0; i < view.num_pre; ++i)
      rows[i + 1] += rows[i];
    simulation.reconnect(j, rows, target, origin);
    replaced += gone;
  }
  return replaced;
}

} // namespace snn::rt
