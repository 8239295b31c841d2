//===- Pruning.cpp - Magnitude pruning at the end of epochs ---------------===//
#include "Pruning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace snn::rt {

std::optional<double> prune_target(const snn_prune_desc &rule, uint32_t epoch, uint32_t epochs, double initial) {
  if (!rule.gradual)
    return epoch == rule.epochs ? std::optional<double>(rule.density) : std::nullopt;
  uint32_t events = epochs / rule.epochs; // K
  if (epoch % rule.epochs != 0 || epoch / rule.epochs > events || events == 0)
    return std::nullopt;
  double left = 1 - double(epoch / rule.epochs) / double(events); // 1 - k / K
  return rule.density + (initial - rule.density) * left * left * left;
}

std::vector<uint8_t> keep_largest(const std::vector<double> &weights, uint64_t keep) {
  std::vector<uint8_t> kept(weights.size(), 0);
  if (keep >= weights.size()) {
    std::fill(kept.begin(), kept.end(), uint8_t(1));
    return kept;
  }
  std::vector<double> size(weights.size());
  for (std::size_t s = 0; s < weights.size(); ++s)
    size[s] = std::isnan(weights[s]) ? std::numeric_limits<double>::infinity() : std::fabs(weights[s]);
  std::vector<uint64_t> order(weights.size());
  std::iota(order.begin(), order.end(), uint64_t(0));
  // A total order (larger first, then earlier), so the choice is unique.
  std::nth_element(order.begin(), order.begin() + std::ptrdiff_t(keep), order.end(),
                   [&](uint64_t a, uint64_t b) { return size[a] != size[b] ? size[a] > size[b] : a < b; });
  for (uint64_t i = 0; i < keep; ++i)
    kept[order[i]] = 1;
  return kept;
}

uint64_t projection_pairs(const snn_model_desc &model, uint32_t j) {
  const snn_projection_desc &p = model.projections[j];
  uint64_t pre = model.populations[p.pre].size, post = model.populations[p.post].size;
  return pre * post - (p.pre == p.post && !p.autapses ? pre : 0);
}

double projection_density(const Simulation &simulation, uint32_t j) {
  uint64_t pairs = projection_pairs(simulation.model(), j);
  return pairs ? double(simulation.synapses(j).num_synapses) / double(pairs) : 0;
}

Pruning::Pruning(const snn_model_desc &model, const Simulation &simulation, uint32_t epochs)
    : model_(model), epochs_(epochs) {
  if (!model.training)
    return;
  for (uint32_t r = 0; r < model.training->num_prune_rules; ++r) {
    Rule rule;
    rule.desc = model.training->prune_rules[r];
    rule.pairs = projection_pairs(model, rule.desc.projection);
    rule.initial = projection_density(simulation, rule.desc.projection);
    rules_.push_back(rule);
  }
}

void Pruning::end_epoch(uint32_t epoch, Simulation &simulation) const {
  for (const Rule &rule : rules_) {
    std::optional<double> density = prune_target(rule.desc, epoch, epochs_, rule.initial);
    if (!density)
      continue;
    uint32_t j = rule.desc.projection;
    uint64_t keep = uint64_t(std::llround(*density * double(rule.pairs)));
    if (keep >= simulation.synapses(j).num_synapses)
      continue;
    simulation.remove_synapses(j, keep_largest(simulation.weights(j), keep));
  }
}

std::vector<std::pair<std::string, double>> Pruning::densities(const Simulation &simulation) const {
  std::vector<std::pair<std::string, double>> out;
  for (const Rule &rule : rules_)
    out.emplace_back(model_.projections[rule.desc.projection].name,
                     projection_density(simulation, rule.desc.projection));
  return out;
}

} // namespace snn::rt
