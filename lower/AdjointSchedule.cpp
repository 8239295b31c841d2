//===- lower/AdjointSchedule.cpp - The launches of adjoint e-prop ---------===//
#include "lower/AdjointSchedule.h"

#include <set>

namespace snn::lower {

AdjointSchedule::AdjointSchedule(ProgramBuilder &b, const LossShape &shape, double kappa, double gain, int delta,
                                 int hyper)
    : b_(b), shape_(shape), kappa_(kappa), gain_(gain), delta_(delta), hyper_(hyper) {}

int AdjointSchedule::history(int value, uint64_t size) {
  auto found = history_.find(value);
  if (found != history_.end())
    return found->second;
  const Buffer &v = b_.program().buffers[value];
  std::string name = v.name + ".history";
  ElemType type = v.type;
  int h = b_.add_buffer(name, type, {ScopeKind::Global, -1}, BatchAxis::PerExample, BufferRole::History, size,
                        /*zero_per_example=*/false);
  b_.program().buffers[h].unit = b_.program().buffers[value].unit;
  history_.emplace(value, h);
  recorded_.push_back(value);
  return h;
}

void AdjointSchedule::add(const AdjointProjection &a) {
  Program &p = b_.program();
  const ProjectionInfo &info = p.projections[a.tp->projection];
  const PopulationInfo &post = p.populations[info.post];
  Projection pr;
  pr.a = a;
  history(a.spikes, p.populations[info.pre].size);
  for (size_t k = 0; k < projections_.size(); ++k) {
    const Projection &other = projections_[k];
    if (other.shares < 0 && p.projections[other.a.tp->projection].post == info.post && other.a.target == a.target) {
      pr.shares = int(k);
      pr.mu = other.mu;
      projections_.push_back(std::move(pr));
      return;
    }
  }
  Scope neurons{ScopeKind::Neuron, info.post};
  for (const ir::EligibilityTrace &t : a.tp->traces)
    pr.carry.push_back(b_.add_buffer(a.name + ".adjoint." + t.state, p.real, neurons, BatchAxis::PerExample,
                                     BufferRole::Training, post.size));
  if (a.filter)
    pr.filtered = b_.add_buffer(a.name + ".filtered_signal", p.real, neurons, BatchAxis::PerExample,
                                BufferRole::Training, post.size);
  // Zeroed per example: BPTT's delayed backprops read it at t = T - 1.
  pr.mu = b_.add_buffer(a.name + ".presynaptic_adjoint", p.real, neurons, BatchAxis::PerExample, BufferRole::Training,
                        post.size);
  for (const std::string &state : coefficient_states(*a.tp)) {
    int buffer = -1;
    for (const VariableInfo &v : post.states)
      if (v.name == state)
        buffer = v.buffer;
    ir::internal_check(buffer >= 0, "population " + post.name + " has no state " + state);
    pr.coefficients[state] = history(buffer, post.size);
  }
  if (a.rate.enabled)
    history(a.rate_buffer, post.size);
  if (shape_.per_step())
    history(delta_, shape_.classes);
  projections_.push_back(std::move(pr));
}

int AdjointSchedule::spike_adjoint(int population) {
  auto found = spike_adjoint_.find(population);
  if (found != spike_adjoint_.end())
    return found->second;
  Program &p = b_.program();
  const PopulationInfo &pop = p.populations[population];
  int buffer = b_.add_buffer(pop.name + ".spike_adjoint", p.real, {ScopeKind::Neuron, population},
                             BatchAxis::PerExample, BufferRole::Training, pop.size, /*zero_per_example=*/false);
  spike_adjoint_.emplace(population, buffer);
  return buffer;
}

void AdjointSchedule::add_backprop(int projection, const std::string &target, bool delayed) {
  const Program &p = b_.program();
  const ProjectionInfo &info = p.projections[projection];
  if (!spike_adjoint_.count(info.pre))
    return;
  for (size_t g = 0; g < projections_.size(); ++g) {
    const Projection &pr = projections_[g];
    if (pr.shares < 0 && p.projections[pr.a.tp->projection].post == info.post && pr.a.target == target) {
      backprops_.push_back({projection, int(g), delayed});
      return;
    }
  }
  // The eprop pass checked that every such projection reaches an adjoint.
  throw ir::InternalError("projection " + info.name + " reaches no adjoint");
}

std::vector<size_t> AdjointSchedule::group_order() const {
  const Program &p = b_.program();
  auto post_of = [&](size_t g) { return p.projections[projections_[g].a.tp->projection].post; };
  std::vector<size_t> order;
  std::vector<bool> placed(projections_.size(), false);
  while (true) {
    bool progress = false, left = false;
    for (size_t g = 0; g < projections_.size(); ++g) {
      if (placed[g] || projections_[g].shares >= 0)
        continue;
      left = true;
      bool ready = true;
      for (const Backprop &bp : backprops_)
        if (!bp.delayed && p.projections[bp.projection].pre == post_of(g) && !placed[size_t(bp.group)])
          ready = false;
      if (ready) {
        order.push_back(g);
        placed[g] = progress = true;
      }
    }
    if (!left)
      return order;
    ir::internal_check(progress, "the undelayed projections between trained populations form a cycle");
  }
}

Launch AdjointSchedule::backprop_launch(const Backprop &bp) {
  const Program &p = b_.program();
  const ProjectionInfo &info = p.projections[bp.projection];
  int index = b_.kernel("backprop" + SynapseTargets::suffix(info.storage),
                        [&] { return build_backprop_kernel(info.storage, p.real); });
  std::map<std::string, Argument> args = target_args(info);
  args.insert({{"row_start", buffer_arg(info.row_start)},
               {"weight", buffer_arg(info.weight)},
               {"mu", buffer_arg(projections_[size_t(bp.group)].mu)},
               {"spike_adjoint", buffer_arg(spike_adjoint_.at(info.pre))},
               {"num_pre", scalar_arg(p.populations[info.pre].size)},
               {"num_post", scalar_arg(p.populations[info.post].size)}});
  return b_.launch(index, "projection " + info.name, args);
}

Launch AdjointSchedule::history_launch(bool store, int value, int history) {
  const Buffer &v = b_.program().buffers[value];
  std::string key =
      std::string(store ? "history.store." : "history.load.") + name_of(v.scope.kind) + "." + name_of(v.type);
  int index = b_.kernel(key, [&] {
    return build_history_kernel(store, v.scope.kind, v.type, shape_.timesteps_slot, shape_.history_steps_slot,
                                b_.program().real);
  });
  return b_.launch(index, "buffer " + v.name,
                   {{"value", buffer_arg(value)},
                    {"history", buffer_arg(history)},
                    {"hyper", buffer_arg(hyper_)},
                    {"size", scalar_arg(int64_t(b_.program().buffers[history].extent))}});
}

void AdjointSchedule::launch_records(EntryPoint &train) {
  for (int value : recorded_)
    train.launches.push_back(history_launch(true, value, history_.at(value)));
}

int AdjointSchedule::flags_of(int history) {
  auto found = replayed_.find(history);
  if (found != replayed_.end())
    return found->second;
  for (const auto &[value, h] : history_)
    if (h == history) {
      const Buffer &v = b_.program().buffers[value];
      int flags = b_.add_buffer(v.name + ".replayed", ElemType::U8, v.scope, BatchAxis::PerExample,
                                BufferRole::Training, v.extent, /*zero_per_example=*/false);
      replayed_.emplace(history, flags);
      return flags;
    }
  throw ir::InternalError("no recorded flags for history " + std::to_string(history));
}

void AdjointSchedule::launch_backward(EntryPoint &backward, const std::vector<Launch> &signals) {
  Program &p = b_.program();
  if (shape_.per_step()) {
    backward.launches.push_back(history_launch(false, delta_, history_.at(delta_)));
    for (const Launch &l : signals)
      backward.launches.push_back(l);
  }
  // BPTT: the spike adjoints from 0, then through the delayed projections.
  for (const auto &[population, buffer] : spike_adjoint_) {
    int index = b_.kernel("zero.neuron." + std::string(name_of(p.real)),
                          [&] { return build_zero_kernel(ScopeKind::Neuron, p.real); });
    backward.launches.push_back(
        b_.launch(index, "buffer " + p.buffers[buffer].name,
                  {{"buffer", buffer_arg(buffer)}, {"size", scalar_arg(p.populations[population].size)}}));
  }
  for (const Backprop &bp : backprops_)
    if (bp.delayed)
      backward.launches.push_back(backprop_launch(bp));
  std::set<int> undelayed_done; // presynaptic populations
  for (size_t g : group_order()) {
    const Projection &pr = projections_[g];
    const ProjectionInfo &info = p.projections[pr.a.tp->projection];
    if (undelayed_done.insert(info.post).second)
      for (const Backprop &bp : backprops_)
        if (!bp.delayed && p.projections[bp.projection].pre == info.post)
          backward.launches.push_back(backprop_launch(bp));
    int index = b_.kernel("adjoint." + pr.a.name, [&] {
      return build_adjoint_kernel(pr.a.name, *pr.a.tp, shape_, pr.a.filter, pr.a.spike_adjoint, kappa_, gain_, p.real,
                                  pr.a.rate);
    });
    std::map<std::string, Argument> args = {{pr.a.tp->readout ? "delta" : "signal", buffer_arg(pr.a.signal)},
                                            {"filtered", buffer_arg(pr.filtered)},
                                            {"mu", buffer_arg(pr.mu)},
                                            {"hyper", buffer_arg(hyper_)},
                                            {"size", scalar_arg(p.populations[info.post].size)}};
    for (size_t k = 0; k < pr.carry.size(); ++k)
      args["carry." + pr.a.tp->traces[k].state] = buffer_arg(pr.carry[k]);
    for (const auto &[state, history] : pr.coefficients)
      args["hist." + state] = buffer_arg(history);
    if (pr.a.rate.enabled)
      args["hist.rate"] = buffer_arg(history_.at(pr.a.rate_buffer));
    backward.launches.push_back(b_.launch(index, "projection " + pr.a.name, args));
  }
  for (const Projection &pr : projections_) {
    int history = history_.at(pr.a.spikes);
    if (replayed_.count(history))
      continue;
    backward.launches.push_back(history_launch(false, flags_of(history), history));
  }
  for (const Projection &pr : projections_) {
    const ProjectionInfo &info = p.projections[pr.a.tp->projection];
    int events = b_.kernel("gradient.events" + SynapseTargets::suffix(info.storage),
                           [&] { return build_event_gradient_kernel(info.storage, p.real); });
    std::map<std::string, Argument> args = target_args(info);
    args.insert({{"spikes", buffer_arg(replayed_.at(history_.at(pr.a.spikes)))},
                 {"row_start", buffer_arg(info.row_start)},
                 {"mu", buffer_arg(pr.mu)},
                 {"grad", buffer_arg(pr.a.grad)},
                 {"num_pre", scalar_arg(p.populations[info.pre].size)},
                 {"num_post", scalar_arg(p.populations[info.post].size)}});
    backward.launches.push_back(b_.launch(events, "projection " + pr.a.name, args));
  }
}

} // namespace snn::lower
