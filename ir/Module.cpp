//===- ir/Module.cpp - The model IR ---------------------------------------===//
#include "ir/Module.h"

#include "ir/Simplify.h"

#include <algorithm>
#include <cmath>

namespace snn::ir {

namespace {
template <typename T> const T *find_named(const std::vector<T> &v, const std::string &n) {
  for (const T &x : v)
    if (x.name == n)
      return &x;
  return nullptr;
}
template <typename T> int index_named(const std::vector<T> &v, const std::string &n) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == n)
      return static_cast<int>(i);
  return -1;
}
} // namespace

const char *name_of(IntegrationMethod m) {
  switch (m) {
  case IntegrationMethod::Auto:
    return "auto";
  case IntegrationMethod::Exact:
    return "exact";
  case IntegrationMethod::Euler:
    return "euler";
  case IntegrationMethod::RK4:
    return "rk4";
  case IntegrationMethod::ExponentialEuler:
    return "exponential_euler";
  case IntegrationMethod::Milstein:
    return "milstein";
  }
  return "?";
}

const char *name_of(ReadoutKind k) {
  switch (k) {
  case ReadoutKind::PerStep:
    return "per_step";
  case ReadoutKind::LastSteps:
    return "last";
  case ReadoutKind::Mean:
    return "mean";
  case ReadoutKind::Max:
    return "max";
  case ReadoutKind::Final:
    return "final";
  case ReadoutKind::SpikeCount:
    return "spike_count";
  }
  return "?";
}

const char *name_of(LossKind k) {
  return k == LossKind::SparseCategoricalCrossentropy ? "sparse_categorical_crossentropy" : "mean_squared_error";
}

const char *name_of(FeedbackKind k) { return k == FeedbackKind::Symmetric ? "symmetric" : "random"; }

const char *name_of(EncoderKind k) {
  switch (k) {
  case EncoderKind::Events:
    return "events";
  case EncoderKind::Latency:
    return "latency";
  case EncoderKind::Poisson:
    return "poisson";
  }
  return "?";
}

const char *name_of(WeightLayout l) {
  switch (l) {
  case WeightLayout::Default:
    return "";
  case WeightLayout::Oihw:
    return "oihw";
  case WeightLayout::Chw:
    return "chw";
  }
  return "";
}

const char *name_of(TargetKind k) {
  switch (k) {
  case TargetKind::State:
    return "state";
  case TargetKind::Input:
    return "input";
  case TargetKind::Parameter:
    return "parameter";
  }
  return "?";
}

const char *name_of(ConnectivityKind k) {
  switch (k) {
  case ConnectivityKind::Dense:
    return "dense";
  case ConnectivityKind::FixedProbability:
    return "fixed_probability";
  case ConnectivityKind::OneToOne:
    return "one_to_one";
  case ConnectivityKind::FixedInDegree:
    return "fixed_in_degree";
  case ConnectivityKind::FixedOutDegree:
    return "fixed_out_degree";
  case ConnectivityKind::Conv2D:
    return "conv2d";
  case ConnectivityKind::AvgPool2D:
    return "avg_pool2d";
  case ConnectivityKind::FromList:
    return "from_list";
  case ConnectivityKind::FixedTotal:
    return "fixed_total";
  }
  return "?";
}

const char *name_of(SynapseStorage s) {
  switch (s) {
  case SynapseStorage::Auto:
    return "auto";
  case SynapseStorage::Ragged:
    return "ragged";
  case SynapseStorage::Dense:
    return "dense";
  case SynapseStorage::Bitmask:
    return "bitmask";
  case SynapseStorage::Procedural:
    return "procedural";
  }
  return "?";
}

std::optional<SynapseStorage> storage_named(const std::string &name) {
  for (SynapseStorage s :
       {SynapseStorage::Ragged, SynapseStorage::Dense, SynapseStorage::Bitmask, SynapseStorage::Procedural})
    if (name == name_of(s))
      return s;
  return std::nullopt;
}

std::vector<std::string> storage_names() { return {"ragged", "dense", "bitmask", "procedural"}; }

uint64_t expected_synapses(const Projection &p, const Population &pre, const Population &post) {
  uint32_t num_pre = pre.size, num_post = post.size;
  bool self = p.pre == p.post && !p.autapses;
  uint64_t pairs = uint64_t(num_pre) * num_post - (self ? num_pre : 0);
  switch (p.connectivity) {
  case ConnectivityKind::Dense:
    return pairs;
  case ConnectivityKind::OneToOne:
    return self ? 0 : num_pre;
  case ConnectivityKind::FixedProbability:
    return static_cast<uint64_t>(std::llround(p.probability * double(pairs)));
  case ConnectivityKind::FixedInDegree:
    return p.count * num_post;
  case ConnectivityKind::FixedOutDegree:
    return p.count * num_pre;
  case ConnectivityKind::FixedTotal:
    return p.count;
  case ConnectivityKind::FromList:
    return p.pairs.size();
  case ConnectivityKind::Conv2D:
  case ConnectivityKind::AvgPool2D:
    return window_synapses(pre.shape, post.shape, p.window, p.connectivity == ConnectivityKind::Conv2D);
  }
  return pairs;
}

std::vector<std::string> post_variables(const SynapseModel &model) {
  std::vector<std::string> out;
  for (const auto *block : {&model.on_pre, &model.on_post})
    for (const SynapseStatement &s : *block)
      if (s.kind == SynapseStatement::Kind::Post && std::find(out.begin(), out.end(), s.target) == out.end())
        out.push_back(s.target);
  return out;
}

std::string post_read_name(const std::string &n) { return "post." + n; }

const Parameter *NeuronModel::find_param(const std::string &n) const { return find_named(params, n); }
const StateVar *NeuronModel::find_state(const std::string &n) const { return find_named(states, n); }
const InputVar *NeuronModel::find_input(const std::string &n) const { return find_named(inputs, n); }
int NeuronModel::state_index(const std::string &n) const { return index_named(states, n); }
int NeuronModel::input_index(const std::string &n) const { return index_named(inputs, n); }

const Population *Network::find_population(const std::string &n) const { return find_named(populations, n); }
int Network::population_index(const std::string &n) const { return index_named(populations, n); }

std::vector<int> Network::projections_between(const std::string &pre, const std::string &post) const {
  std::vector<int> out;
  for (size_t j = 0; j < projections.size(); ++j)
    if (projections[j].pre == pre && projections[j].post == post)
      out.push_back(int(j));
  return out;
}

NeuronModel *Module::find_model(const std::string &n) {
  for (auto &m : models)
    if (m.name == n)
      return &m;
  return nullptr;
}
const NeuronModel *Module::find_model(const std::string &n) const { return find_named(models, n); }
const SynapseModel *Module::find_synapse(const std::string &n) const { return find_named(synapses, n); }
const Parameter *SynapseModel::find_param(const std::string &n) const { return find_named(params, n); }
const StateVar *SynapseModel::find_state(const std::string &n) const { return find_named(states, n); }
const StateVar *SynapseModel::find_post_state(const std::string &n) const { return find_named(post.states, n); }

namespace {
// One body for the const and mutable walks, so they cannot drift apart.
template <typename Model, typename Fn> void model_exprs(Model &m, const Fn &fn) {
  auto each = [&](auto &e) {
    if (e)
      fn(e);
  };
  for (auto &p : m.params)
    each(p.value);
  for (auto &s : m.states)
    each(s.initial);
  for (auto &o : m.odes)
    each(o.rhs);
  each(m.refractory_period);
  each(m.refractory_condition);
  for (auto &a : m.drives)
    each(a.value);
  for (auto &a : m.update)
    each(a.value);
  each(m.spike_condition);
  for (auto &a : m.reset)
    each(a.value);
  each(m.surrogate);
}

template <typename Mod, typename Fn> void module_exprs(Mod &m, const Fn &fn) {
  for (auto &model : m.models)
    model_exprs(model, fn);
  for (auto &pop : m.network.populations) {
    for (auto &override_ : pop.overrides)
      if (override_.second)
        fn(override_.second);
    for (auto &init : pop.inits)
      if (init.value)
        fn(init.value);
    for (auto &drive : pop.drives)
      if (drive.value)
        fn(drive.value);
  }
}
} // namespace

void for_each_expr(NeuronModel &m, const std::function<void(Expr &)> &fn) { model_exprs(m, fn); }
void for_each_expr(const NeuronModel &m, const std::function<void(const Expr &)> &fn) { model_exprs(m, fn); }
void for_each_expr(Module &m, const std::function<void(Expr &)> &fn) { module_exprs(m, fn); }
void for_each_expr(const Module &m, const std::function<void(const Expr &)> &fn) { module_exprs(m, fn); }

std::string received_state(const std::string &input) { return input + "@received"; }

std::string received_input(const std::string &state) {
  const std::string suffix = "@received";
  if (state.size() <= suffix.size() || state.compare(state.size() - suffix.size(), suffix.size(), suffix) != 0)
    return "";
  return state.substr(0, state.size() - suffix.size());
}

bool reads_stimulus(const NeuronModel &m) {
  bool reads = false;
  for_each_expr(m, [&reads](const Expr &e) {
    reads = reads || mentions(e, [](const Variable &v) { return v.var_kind == VarKind::Stimulus; });
  });
  return reads;
}

} // namespace snn::ir
