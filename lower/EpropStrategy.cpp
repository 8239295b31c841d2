//===- lower/EpropStrategy.cpp - Online or adjoint e-prop -----------------===//
#include "lower/EpropStrategy.h"

#include "lower/DeliveryStrategy.h"

#include <algorithm>
#include <set>

namespace snn::lower {

const char *name_of(EpropStrategy strategy) { return strategy == EpropStrategy::Online ? "online" : "adjoint"; }

std::vector<std::string> coefficient_states(const ir::TrainedProjection &tp) {
  std::vector<std::string> out;
  auto add = [&](const ir::Expr &e) {
    const auto *v = e.as<ir::Variable>();
    if (v && v->var_kind == ir::VarKind::State && std::find(out.begin(), out.end(), v->name) == out.end())
      out.push_back(v->name);
  };
  for (const ir::EligibilityTrace &t : tp.traces) {
    for (const ir::Expr &e : t.jacobian)
      add(e);
    add(t.input_gain);
    add(t.output_gain);
  }
  return out;
}

EpropCost eprop_cost(const ir::Training &training, const std::vector<TrainedSizes> &sizes, uint32_t classes, double dt,
                     uint32_t real_bytes) {
  EpropCost cost;
  double spike_probability = std::min(1.0, kAssumedRateHz * dt);
  std::set<std::pair<int, std::string>> recorded; // (post population, state)
  std::set<std::pair<int, bool>> flags;           // presynaptic populations, delayed
  std::set<int> updated;                          // post populations
  for (size_t i = 0; i < training.trained.size(); ++i) {
    const ir::TrainedProjection &tp = training.trained[i];
    const TrainedSizes &z = sizes[i];
    double traces = double(tp.traces.size()), per_synapse = 0, per_pre = 0;
    for (const ir::EligibilityTrace &t : tp.traces)
      (t.per_pre ? per_pre : per_synapse) += 1;
    std::vector<std::string> states = coefficient_states(tp);
    // Online, per synapse: its target and presynaptic flag, each
    // per-synapse vector read and written, each coefficient read, the
    // filtered trace read and written (hidden), the gradient read and
    // written; per presynaptic neuron, its vectors.
    double hidden = tp.readout ? 0 : 2;
    cost.online += double(z.synapses) * (2 + 2 * per_synapse + per_pre + double(states.size()) + hidden + 2) +
                   double(z.num_pre) * (1 + 2 * per_pre);
    // Adjoint, forward: each coefficient and flag recorded; backward, per
    // post neuron: the coefficients, the carries read and written, the
    // signal, its filter, mu; per presynaptic neuron its flag brought back
    // and tested; per spike, per synapse: target, mu, the gradient read and
    // written.
    cost.adjoint += double(z.num_post) * (3 * double(states.size()) + 2 * traces + 4) + 3 * double(z.num_pre) +
                    spike_probability * double(z.synapses) * 4;
    // Forward: per spike, per synapse, its target and weight read and the
    // input added to; per presynaptic neuron its flag; per post neuron
    // (once) its states read and written and its input.
    cost.forward += spike_probability * double(z.synapses) * 3 + double(z.num_pre);
    if (updated.insert(z.post).second)
      cost.forward += double(z.num_post) * (2 * double(states.size() + 1) + 1);
    for (const std::string &s : states)
      if (recorded.emplace(z.post, s).second)
        cost.history_bytes += z.num_post * real_bytes;
    if (flags.emplace(z.pre, z.delayed).second)
      cost.history_bytes += z.num_pre;
  }
  bool per_step =
      training.readout_kind == ir::ReadoutKind::PerStep || training.readout_kind == ir::ReadoutKind::LastSteps;
  if (per_step) // delta, to form the learning signals backwards
    cost.history_bytes += uint64_t(classes) * real_bytes;
  cost.history_bytes *= training.timesteps;
  return cost;
}

std::string adjoint_unsupported(const ir::Training &training) {
  switch (training.readout_kind) {
  case ir::ReadoutKind::Max:
    return "the max readout's gradient follows each class's peak step";
  case ir::ReadoutKind::SpikeCount:
    return "the spike-count readout's gradient follows each class's spikes";
  default:
    return "";
  }
}

EpropStrategy choose_eprop(EpropChoice choice, const EpropCost &cost, uint32_t batch, const std::string &unsupported) {
  if (choice == EpropChoice::Online || !unsupported.empty())
    return EpropStrategy::Online;
  if (choice == EpropChoice::Adjoint)
    return EpropStrategy::Adjoint;
  double adjoint = cost.adjoint;
  if (double(cost.history_bytes) * batch > double(kHistoryBudgetBytes))
    adjoint += cost.forward; // segments recomputed from checkpoints
  return adjoint < cost.online ? EpropStrategy::Adjoint : EpropStrategy::Online;
}

} // namespace snn::lower
