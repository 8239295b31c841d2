//===- lower/Schedule.cpp - Model IR to the lowered Program ---------------===//
#include "lower/Schedule.h"
#include "lower/SpikeBlocks.h"

#include "ir/Printer.h"
#include "lower/DelayKernels.h"
#include "lower/Dependence.h"
#include "lower/GeneratedRows.h"
#include "lower/LaunchFusion.h"
#include "lower/NeuronKernels.h"
#include "lower/RandomStreams.h"
#include "lower/SynapseKernels.h"
#include "lower/SynapseModelKernels.h"
#include "lower/TrainingSchedule.h"
#include "lower/UnusedLocals.h"
#include "lower/Verifier.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace snn::lower {

namespace {

class Scheduler {
public:
  Scheduler(const ir::Module &module, const ScheduleOptions &options)
      : m_(module), options_(options), real_(options.double_precision ? ElemType::F64 : ElemType::F32) {}

  Program run() {
    p_.name = m_.network.name;
    p_.real = real_;
    p_.dt = m_.regime.dt;
    p_.duration = m_.regime.duration;
    p_.seed = m_.regime.seed;
    p_.batch = m_.regime.batch;
    for (const std::string &name : entry_point_names())
      p_.entries.push_back({name, {}});
    ir::internal_check(m_.network.populations.size() <= kMaxRandomPopulations,
                       "too many populations for the random streams");
    for (size_t k = 0; k < m_.network.populations.size(); ++k)
      add_population(int(k));
    for (size_t j = 0; j < m_.network.projections.size(); ++j)
      add_projection(int(j));
    launch_entries();
    if (m_.regime.training)
      schedule_training(m_, p_, options_.eprop);
    fuse_resets();
    if (p_.training.backward_pass)
      p_.training.segment_state = segment_state(p_);
    if (m_.regime.training)
      for (const ir::PruneRule &rule : m_.regime.training->workflow.prune)
        for (int j : m_.network.projections_between(rule.pre, rule.post))
          p_.training.prune.push_back({j, rule.density, rule.gradual, rule.epochs});
    for (const ir::Record &r : m_.regime.records)
      add_record(r);
    for (const ir::Stimulus &s : m_.regime.stimuli)
      p_.stimuli.push_back({population_index(s.population), s.path});
    // A device pays for each launch (the CPU runs a launch as a loop, and
    // keeps its kernels as they are, each vectorised on its own).
    if (options_.parallel_device)
      fuse_launches(p_);
    remove_unused_locals(p_);
    mark_batch_separable(p_);
    std::vector<std::string> problems = verify(p_);
    if (!problems.empty())
      throw ir::InternalError("lowered program invalid after schedule: " + problems.front());
    return std::move(p_);
  }

private:
  EntryPoint &entry(const std::string &name) {
    for (EntryPoint &e : p_.entries)
      if (e.name == name)
        return e;
    throw ir::InternalError("no entry point " + name);
  }

  int population_index(const std::string &name) const {
    int index = m_.network.population_index(name);
    ir::internal_check(index >= 0, "unknown population '" + name + "'");
    return index;
  }

  const ir::NeuronModel &model_of(int population) const {
    const ir::Population &pop = m_.network.populations[population];
    const ir::NeuronModel *model = m_.find_model(pop.model);
    ir::internal_check(model != nullptr, "population '" + pop.name + "' names unknown model '" + pop.model + "'");
    ir::internal_check(pop.overrides.empty() && pop.inits.empty() && pop.drives.empty(),
                       "population '" + pop.name + "' still has parameter overrides or inits (not specialised)");
    return *model;
  }

  int add_buffer(Buffer b) {
    p_.buffers.push_back(std::move(b));
    return int(p_.buffers.size() - 1);
  }

  /// A per-example buffer of `population` called `<population>.<var>`, of
  /// `extent` elements in `scope` (owned by the population).
  int population_buffer(int population, const std::string &var, ElemType type, BufferRole role, std::string unit,
                        ScopeKind scope, uint64_t extent) {
    Buffer b;
    b.name = m_.network.populations[population].name + "." + var;
    b.type = type;
    b.scope = {scope, population};
    b.batch = BatchAxis::PerExample;
    b.role = role;
    b.unit = std::move(unit);
    b.extent = extent;
    return add_buffer(std::move(b));
  }

  int neuron_buffer(int population, const std::string &var, ElemType type, BufferRole role, std::string unit) {
    return population_buffer(population, var, type, role, std::move(unit), ScopeKind::Neuron,
                             m_.network.populations[population].size);
  }

  void add_population(int k) {
    const ir::Population &pop = m_.network.populations[k];
    const ir::NeuronModel &model = model_of(k);
    PopulationInfo info;
    info.name = pop.name;
    info.model = model.name;
    info.size = pop.size;
    for (const ir::StateVar &s : model.states) {
      std::string unit = s.type == ir::ScalarType::Int ? "" : s.dim.str();
      VariableInfo var{s.name, neuron_buffer(k, s.name, state_elem(s, real_), BufferRole::State, unit), s.hidden, "",
                       ""};
      for (const ir::StateLoad &l : pop.loads)
        if (l.state == s.name) {
          var.file = l.file;
          var.array = l.array;
        }
      info.states.push_back(std::move(var));
    }
    for (const ir::InputVar &i : model.inputs)
      info.inputs.push_back({i.name, neuron_buffer(k, i.name, real_, BufferRole::Input, i.dim.str()), false, "", ""});
    info.spiked = neuron_buffer(k, "spiked", ElemType::U8, BufferRole::Spiked, "");
    // Flags for every population that reads stimulus(): the regime's file,
    // the training data or the executable's --input drives them.
    if (ir::reads_stimulus(model))
      info.stimulus = neuron_buffer(k, "stimulus", ElemType::U8, BufferRole::Stimulus, "");
    if (options_.parallel_device) {
      // What a device's step-end kernel writes per example (SpikeBlocks.h).
      info.spike_block =
          population_buffer(k, "spike_block", ElemType::Bits, BufferRole::SpikeBlock, "1", ScopeKind::Global,
                            uint64_t(kSpikeBlockSteps) * 32 * spike_block_words(pop.size));
      p_.spike_block_steps = kSpikeBlockSteps;
      if (uint64_t watched = real_state_buffers(p_, info).size(); watched > 0)
        info.nonfinite =
            population_buffer(k, "nonfinite", ElemType::I32, BufferRole::NonfiniteStep, "", ScopeKind::Global, watched);
    }
    p_.populations.push_back(std::move(info));
  }

  void add_projection(int j) {
    const ir::Projection &pr = m_.network.projections[j];
    int pre = population_index(pr.pre), post = population_index(pr.post);
    uint32_t num_pre = m_.network.populations[pre].size, num_post = m_.network.populations[post].size;
    ProjectionInfo info;
    info.name = pr.pre + " -> " + pr.post + "." + pr.target;
    info.pre = pre;
    info.post = post;
    info.connectivity = pr.connectivity;
    info.probability = pr.probability;
    info.count = pr.connectivity == ir::ConnectivityKind::FromList ? pr.pairs.size() : pr.count;
    info.autapses = pr.autapses;
    info.weight_file = pr.weight_origin.file;
    info.weight_array = pr.weight_origin.array;
    info.weight_layout = pr.weight_origin.layout;
    auto array = [&](const char *what, ElemType type, ScopeKind scope, BufferRole role, std::string unit,
                     uint64_t extent) {
      Buffer b;
      b.name = info.name + "." + what;
      b.type = type;
      b.scope = {scope, j};
      b.batch = BatchAxis::Shared;
      b.role = role;
      b.unit = std::move(unit);
      b.extent = extent;
      b.extent_is_estimate = scope == ScopeKind::Synapse && pr.connectivity == ir::ConnectivityKind::FixedProbability;
      return add_buffer(std::move(b));
    };
    uint64_t synapses = ir::expected_synapses(pr, m_.network.populations[pre], m_.network.populations[post]);
    info.pre_shape = m_.network.populations[pre].shape;
    info.post_shape = m_.network.populations[post].shape;
    info.window = pr.window;
    info.pairs = pr.pairs;
    // A module that skipped the sparsify pass (one built by hand) is stored
    // ragged, the format that holds any projection.
    info.storage = pr.storage == ir::SynapseStorage::Auto ? ir::SynapseStorage::Ragged : pr.storage;
    info.storage_estimates = pr.storage_estimates;
    info.delivery_cost =
        delivery_cost(num_pre, num_post, synapses, m_.regime.dt, options_.parallel_device, dense_gather(info));
    if (generated_rows(info)) {
      // Only delivery reads these synapses (GeneratedRows.h): a mask or nothing.
      ir::internal_check(!synapse_model(j) && pr.delay_steps <= 1 && !pr.delay_range && pr.weight_origin.file.empty(),
                         "projection " + info.name + " is stored " + ir::name_of(info.storage) +
                             ", which its synapses do not allow");
      if (info.storage == ir::SynapseStorage::Bitmask) {
        info.words_per_row = (uint64_t(num_post) + 31) / 32;
        info.mask =
            array("mask", ElemType::U32, ScopeKind::Global, BufferRole::Bitmask, "", info.words_per_row * num_pre);
      }
      p_.projections.push_back(std::move(info));
      return;
    }
    info.row_start = array("row_start", ElemType::U32, ScopeKind::Row, BufferRole::RowStart, "", uint64_t(num_pre) + 1);
    if (info.storage == ir::SynapseStorage::Ragged)
      info.target = array("target", ElemType::U32, ScopeKind::Synapse, BufferRole::Target, "", synapses);
    info.weight = array("weight", real_, ScopeKind::Synapse, BufferRole::Weight, pr.weight.dim.str(), synapses);
    if (pr.delay_range)
      info.delay = array("delay", ElemType::U32, ScopeKind::Synapse, BufferRole::Delay, "", synapses);
    if (const ir::SynapseModel *model = synapse_model(j)) {
      for (const ir::StateVar &s : model->states)
        info.synapse_states.emplace_back(s.name, per_example(array(s.name.c_str(), real_, ScopeKind::Synapse,
                                                                   BufferRole::SynapseState, s.dim.str(), synapses)));
      info.last_event =
          per_example(array("last_event", ElemType::U32, ScopeKind::Synapse, BufferRole::SynapseState, "", synapses));
    }
    // The synapses by post neuron, for `on post` events (the synapse order of
    // each column) and for the postsynaptic delivery (the pre neurons too).
    auto columns = [&](bool with_pre) {
      info.col_start =
          array("col_start", ElemType::U32, ScopeKind::Column, BufferRole::ColumnStart, "", uint64_t(num_post) + 1);
      info.col_synapse =
          array("col_synapse", ElemType::U32, ScopeKind::Synapse, BufferRole::ColumnSynapse, "", synapses);
      if (with_pre)
        info.col_pre = array("col_pre", ElemType::U32, ScopeKind::Synapse, BufferRole::ColumnPre, "", synapses);
    };
    if (const ir::SynapseModel *model = synapse_model(j); model && !model->on_post.empty())
      columns(false);
    // Spikes of a delta synapse without delays may be gathered by post neuron.
    bool gatherable = !synapse_model(j) && pr.delay_steps <= 1 && !pr.delay_range;
    info.delivery = choose_delivery(options_.delivery, info.delivery_cost, gatherable);
    if (info.delivery == DeliveryStrategy::Postsynaptic && !dense_gather(info))
      columns(true);
    if (pr.delay_steps > 1 || pr.delay_range) {
      // A delta synapse delays its effects (per post neuron); a synapse
      // model its presynaptic spikes (per pre neuron), which run `on pre`.
      bool spikes = synapse_model(j) != nullptr;
      info.ring_slots = ring_slots(pr.delay_steps);
      Buffer ring;
      ring.name = info.name + (spikes ? ".spike_history" : ".delayed");
      ring.type = real_;
      ring.scope = {ScopeKind::Global, -1};
      ring.batch = BatchAxis::PerExample;
      ring.role = BufferRole::Delayed;
      ring.unit = spikes ? "1" : p_.buffers[size_t(info.weight)].unit;
      ring.extent = info.ring_slots * (spikes ? num_pre : num_post);
      info.ring = add_buffer(std::move(ring));
      if (spikes)
        info.arrived = neuron_buffer(info.pre, "arrived@" + info.name, ElemType::U8, BufferRole::Training, "");
    }
    p_.projections.push_back(std::move(info));
  }

  /// Buffer `b` made per example (it was added shared).
  int per_example(int b) {
    p_.buffers[size_t(b)].batch = BatchAxis::PerExample;
    return b;
  }

  /// Projection j's synapse model, or null for a delta synapse.
  const ir::SynapseModel *synapse_model(int j) const {
    const ir::Projection &pr = m_.network.projections[j];
    if (pr.synapse.empty())
      return nullptr;
    const ir::SynapseModel *model = m_.find_synapse(pr.synapse);
    ir::internal_check(model != nullptr, "projection " + pr.pre + " -> " + pr.post + " names unknown synapse model");
    return model;
  }

  /// The arguments of projection j's synapse-model kernels.
  std::map<std::string, Argument> synapse_model_args(int j, const std::set<std::string> &gated) {
    const ProjectionInfo &info = p_.projections[j];
    const PopulationInfo &pre = p_.populations[info.pre], &post = p_.populations[info.post];
    std::map<std::string, Argument> args = synapse_args(info);
    for (const auto &[name, buffer] : info.synapse_states)
      args["state." + name] = buffer_arg(buffer);
    args["last"] = buffer_arg(info.last_event);
    args["num_pre"] = scalar_arg(pre.size);
    args["num_post"] = scalar_arg(post.size);
    args["post_spiked"] = buffer_arg(post.spiked);
    for (const std::vector<VariableInfo> *vars : {&post.states, &post.inputs})
      for (const VariableInfo &v : *vars)
        args["post." + v.name] = buffer_arg(v.buffer);
    const ir::NeuronModel &model = model_of(info.post);
    if (!gated.empty())
      for (const VariableInfo &v : post.states)
        if (v.name == model.refractory_counter)
          args["counter"] = buffer_arg(v.buffer);
    return args;
  }

  /// The postsynaptic states a synapse model writes that are frozen while
  /// the neuron is refractory: those writes are gated, as a delta synapse's.
  std::set<std::string> gated_writes(int j, const ir::SynapseModel &synapse) const {
    const ir::NeuronModel &model = model_of(p_.projections[j].post);
    std::set<std::string> gated;
    for (const auto *block : {&synapse.on_pre, &synapse.on_post})
      for (const ir::SynapseStatement &s : *block)
        if (const ir::StateVar *st = model.find_state(s.target); s.kind == ir::SynapseStatement::Kind::Post && st &&
                                                                 st->frozen_when_refractory &&
                                                                 !model.refractory_counter.empty())
          gated.insert(s.target);
    return gated;
  }

  Launch synapse_init_launch(int j) {
    const ir::SynapseModel &synapse = *synapse_model(j);
    int index = kernel("synapse_init:" + synapse.name, [&] { return build_synapse_init_kernel(synapse, real_); });
    return launch(index, "projection " + p_.projections[j].name, synapse_model_args(j, {}));
  }

  /// `on pre` of a synapse model (over the rows of this step's presynaptic
  /// spikes, or with a delay of the spikes arriving now), or `on post`.
  Launch synapse_event_launch(int j, bool post_event) {
    const ir::SynapseModel &synapse = *synapse_model(j);
    std::set<std::string> gated = gated_writes(j, synapse);
    const ProjectionInfo &info = p_.projections[j];
    int index = kernel(
        (post_event ? "on_post:" : "on_pre:") + synapse.name + gated_key(gated) + (post_event ? "" : storage_key(info)),
        [&] { return build_synapse_event_kernel(synapse, post_event, gated, m_.regime.dt, info.storage, real_); });
    std::map<std::string, Argument> args = synapse_model_args(j, gated);
    args["spikes"] = buffer_arg(post_event          ? p_.populations[info.post].spiked
                                : info.arrived >= 0 ? info.arrived
                                                    : p_.populations[info.pre].spiked);
    return launch(index, "projection " + info.name, args);
  }

  /// The arguments every kernel over a projection's spike history takes.
  std::map<std::string, Argument> history_args(const ProjectionInfo &info) {
    return {{"history", buffer_arg(info.ring)},
            {"num_pre", scalar_arg(p_.populations[info.pre].size)},
            {"slots", scalar_arg(int64_t(info.ring_slots))}};
  }

  Launch spike_arrivals_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    int index = kernel("spike_arrivals", [&] { return build_spike_arrivals_kernel(real_); });
    std::map<std::string, Argument> args = history_args(info);
    args.insert(
        {{"arrived", buffer_arg(info.arrived)}, {"delay_steps", scalar_arg(m_.network.projections[j].delay_steps)}});
    return launch(index, "projection " + info.name, args);
  }

  /// The gated writes in a kernel's key: a synapse model onto a target
  /// with a refractory freeze builds another kernel than onto one without.
  static std::string gated_key(const std::set<std::string> &gated) {
    std::string key;
    for (const std::string &g : gated)
      key += "|" + g;
    return key;
  }

  Launch spike_history_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    int index = kernel("spike_history", [&] { return build_spike_history_kernel(real_); });
    std::map<std::string, Argument> args = history_args(info);
    args.insert({"spikes", buffer_arg(p_.populations[info.pre].spiked)});
    return launch(index, "projection " + info.name, args);
  }

  /// A delay per synapse: flags the rows with a spike in the delays' window.
  Launch spike_window_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    const ir::Projection &pr = m_.network.projections[j];
    // The delays' range in steps as build_delay_kernel rounds and clamps
    // it, widened by a step each way against the last bit of rounding.
    int64_t longest = int64_t(pr.delay_steps);
    int64_t shortest = std::max<int64_t>(1, int64_t(std::floor(pr.delay_range->lo + 0.5)) - 1);
    longest = std::min<int64_t>(longest, int64_t(std::floor(pr.delay_range->hi + 0.5)) + 1);
    int index = kernel("spike_window", [&] { return build_spike_window_kernel(real_); });
    std::map<std::string, Argument> args = history_args(info);
    args.insert(
        {{"arrived", buffer_arg(info.arrived)}, {"shortest", scalar_arg(shortest)}, {"longest", scalar_arg(longest)}});
    return launch(index, "projection " + info.name, args);
  }

  /// `on pre` with a delay per synapse: over the flagged rows' synapses.
  Launch delayed_pre_event_launch(int j) {
    const ir::SynapseModel &synapse = *synapse_model(j);
    std::set<std::string> gated = gated_writes(j, synapse);
    const ProjectionInfo &info = p_.projections[j];
    int index = kernel("on_pre.delayed.per_synapse:" + synapse.name + gated_key(gated) + storage_key(info), [&] {
      return build_delayed_pre_event_kernel(synapse, gated, m_.regime.dt, info.storage, real_);
    });
    std::map<std::string, Argument> args = synapse_model_args(j, gated);
    args.insert({{"spikes", buffer_arg(info.arrived)},
                 {"history", buffer_arg(info.ring)},
                 {"delay", buffer_arg(info.delay)},
                 {"slots", scalar_arg(int64_t(info.ring_slots))}});
    return launch(index, "projection " + info.name, args);
  }

  /// The kernel built by `build` under `key`, built once.
  template <typename Build> int kernel(const std::string &key, Build &&build) {
    auto found = kernels_.find(key);
    if (found != kernels_.end())
      return found->second;
    p_.kernels.push_back(build());
    int index = int(p_.kernels.size() - 1);
    kernels_.emplace(key, index);
    return index;
  }

  /// A launch of kernel `index` binding each parameter to `args[name]`.
  Launch launch(int index, std::string what, const std::map<std::string, Argument> &args) {
    return bind_launch(p_, index, std::move(what), args);
  }
  /// The arguments every kernel over a projection's synapses takes.
  /// A projection's connectivity and weights (its columns: -1 without).
  static std::map<std::string, Argument> synapse_args(const ProjectionInfo &info) {
    std::map<std::string, Argument> args = target_args(info);
    args.insert({{"row_start", buffer_arg(info.row_start)},
                 {"weight", buffer_arg(info.weight)},
                 {"col_start", buffer_arg(info.col_start)},
                 {"col_synapse", buffer_arg(info.col_synapse)},
                 {"col_pre", buffer_arg(info.col_pre)}});
    return args;
  }
  /// The geometry of a windowed projection's shapes and window, as the
  /// kernels that compute its synapses from it name them.
  static std::map<std::string, Argument> window_args(const ProjectionInfo &info) {
    const ir::Window &win = info.window;
    return {{"pre_channels", scalar_arg(info.pre_shape.channels)},
            {"pre_width", scalar_arg(info.pre_shape.width)},
            {"post_height", scalar_arg(info.post_shape.height)},
            {"post_channels", scalar_arg(info.post_shape.channels)},
            {"post_width", scalar_arg(info.post_shape.width)},
            {"kernel_height", scalar_arg(win.height)},
            {"kernel_width", scalar_arg(win.width)},
            {"stride_y", scalar_arg(win.stride_y)},
            {"stride_x", scalar_arg(win.stride_x)},
            {"pad_y", scalar_arg(win.pad_y)},
            {"pad_x", scalar_arg(win.pad_x)}};
  }

  /// Whether projection `info` keeps no rows: its kernels generate them
  /// (bitmask and procedural storage, GeneratedRows.h).
  static bool generated_rows(const ProjectionInfo &info) {
    return info.storage == ir::SynapseStorage::Bitmask || info.storage == ir::SynapseStorage::Procedural;
  }
  /// What keys kernels that read a projection's targets add for its storage.
  static std::string storage_key(const ProjectionInfo &info) { return SynapseTargets::suffix(info.storage); }
  static Argument buffer_arg(int buffer) { return Argument{buffer, 0}; }
  static Argument scalar_arg(int64_t value) { return Argument{-1, value}; }

  Launch neuron_launch(int population, NeuronPhase phase) {
    const ir::NeuronModel &model = model_of(population);
    const PopulationInfo &info = p_.populations[population];
    bool stimulus = info.stimulus >= 0;
    bool variant = stimulus && reads_stimulus(model, phase);
    std::string key = std::to_string(int(phase)) + ":" + model.name + (variant ? ":stimulus" : "");
    int index = kernel(key, [&] { return build_neuron_kernel(model, phase, stimulus, real_); });
    std::map<std::string, Argument> args = {{"spiked", buffer_arg(info.spiked)},
                                            {"stimulus", buffer_arg(info.stimulus)},
                                            {"size", scalar_arg(info.size)},
                                            {"stream", scalar_arg(population)}};
    for (const VariableInfo &v : info.states)
      args["state." + v.name] = buffer_arg(v.buffer);
    for (const VariableInfo &v : info.inputs)
      args["input." + v.name] = buffer_arg(v.buffer);
    return launch(index, "population " + info.name, args);
  }

  /// Where projection j's weights go: the target's buffer, and for a state
  /// frozen while refractory (gated writes) the post's refractory counter.
  struct DeliveryTarget {
    int buffer = -1, counter = -1;
    bool gated = false;
  };
  DeliveryTarget delivery_target(int j) {
    const ir::Projection &pr = m_.network.projections[j];
    const ProjectionInfo &info = p_.projections[j];
    const PopulationInfo &post = p_.populations[info.post];
    const ir::NeuronModel &model = model_of(info.post);
    bool to_state = pr.target_kind == ir::TargetKind::State;
    DeliveryTarget t;
    for (const VariableInfo &v : to_state ? post.states : post.inputs)
      if (v.name == pr.target)
        t.buffer = v.buffer;
    ir::internal_check(t.buffer >= 0, "projection " + info.name + " targets an unknown variable");
    const ir::StateVar *state = to_state ? model.find_state(pr.target) : nullptr;
    t.gated = state && state->frozen_when_refractory && !model.refractory_counter.empty();
    if (t.gated)
      for (const VariableInfo &v : post.states)
        if (v.name == model.refractory_counter)
          t.counter = v.buffer;
    return t;
  }

  /// Whether a postsynaptic delivery of `info` computes its columns (a
  /// device's gather over dense storage) rather than reading them.
  bool dense_gather(const ProjectionInfo &info) const {
    return options_.parallel_device && info.storage == ir::SynapseStorage::Dense;
  }

  /// The delivery kernel of projection j, by its strategy and storage.
  int delivery_kernel(int j, bool gated) {
    const ProjectionInfo &info = p_.projections[j];
    const ir::Projection &pr = m_.network.projections[j];
    std::string base = gated ? "gather.gated" : "gather";
    // A device stages the spike flags in its blocks' shared memory.
    if (info.delivery == DeliveryStrategy::Postsynaptic && dense_gather(info))
      return kernel(base + ".dense.staged", [&] { return build_dense_staged_gather_kernel(gated, real_); });
    if (info.delivery == DeliveryStrategy::Postsynaptic && options_.parallel_device)
      return kernel(base + ".staged", [&] { return build_staged_gather_kernel(gated, real_); });
    if (info.delivery == DeliveryStrategy::Postsynaptic)
      return kernel(base, [&] { return build_gather_kernel(gated, real_); });
    base = gated ? "deliver.gated" : "deliver";
    if (info.storage == ir::SynapseStorage::Bitmask) {
      ir::internal_check(pr.weight.dist == ir::WeightDistribution::Constant,
                         "bitmask storage of projection " + info.name + " without a constant weight");
      return kernel(base + ".bitmask:" + ir::format_real(pr.weight.a),
                    [&] { return build_bitmask_delivery_kernel(gated, pr.weight.a, real_); });
    }
    bool window = info.connectivity == Connectivity::Conv2D || info.connectivity == Connectivity::AvgPool2D;
    bool conv = info.connectivity == Connectivity::Conv2D;
    if (info.storage == ir::SynapseStorage::Procedural && window)
      return kernel(base + (conv ? ".procedural.conv2d:" : ".procedural.avg_pool2d:") + weight_init_text(pr.weight),
                    [&] { return build_procedural_window_kernel(gated, conv, pr.weight, real_); });
    if (info.storage == ir::SynapseStorage::Procedural)
      return kernel(base + ".procedural:" + ir::format_real(info.probability) + ":" + weight_init_text(pr.weight),
                    [&] { return build_procedural_delivery_kernel(gated, info.probability, pr.weight, real_); });
    return kernel(base + storage_key(info), [&] { return build_delivery_kernel(gated, info.storage, real_); });
  }

  Launch delivery_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    const PopulationInfo &pre = p_.populations[info.pre], &post = p_.populations[info.post];
    DeliveryTarget t = delivery_target(j);
    int index = delivery_kernel(j, t.gated);
    std::map<std::string, Argument> args = synapse_args(info);
    args.insert({{"mask", buffer_arg(info.mask)},
                 {"words_per_row", scalar_arg(int64_t(info.words_per_row))},
                 {"projection", scalar_arg(j)}});
    args.merge(window_args(info));
    args.insert({{"spikes", buffer_arg(pre.spiked)},
                 {"post", buffer_arg(t.buffer)},
                 {"counter", buffer_arg(t.counter)},
                 {"post_spiked", buffer_arg(post.spiked)},
                 {"num_pre", scalar_arg(pre.size)},
                 {"num_post", scalar_arg(post.size)}});
    return launch(index, "projection " + info.name, args);
  }

  /// A projection with a ring (DelayKernels.h): its spikes into the ring.
  Launch ring_delivery_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    const PopulationInfo &pre = p_.populations[info.pre], &post = p_.populations[info.post];
    bool per_synapse = info.delay >= 0;
    int index = kernel((per_synapse ? "deliver.delayed.per_synapse" : "deliver.delayed") + storage_key(info),
                       [&] { return build_ring_delivery_kernel(per_synapse, info.storage, real_); });
    std::map<std::string, Argument> args = synapse_args(info);
    args.insert({{"spikes", buffer_arg(pre.spiked)},
                 {"delay", buffer_arg(info.delay)},
                 {"ring", buffer_arg(info.ring)},
                 {"num_pre", scalar_arg(pre.size)},
                 {"num_post", scalar_arg(post.size)},
                 {"slots", scalar_arg(int64_t(info.ring_slots))},
                 {"delay_steps", scalar_arg(m_.network.projections[j].delay_steps)}});
    return launch(index, "projection " + info.name, args);
  }

  /// ... and the effects due in this step into the target.
  Launch ring_drain_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    const PopulationInfo &post = p_.populations[info.post];
    DeliveryTarget t = delivery_target(j);
    int index = kernel(t.gated ? "drain.gated" : "drain", [&] { return build_ring_drain_kernel(t.gated, real_); });
    return launch(index, "projection " + info.name,
                  {{"ring", buffer_arg(info.ring)},
                   {"post", buffer_arg(t.buffer)},
                   {"counter", buffer_arg(t.counter)},
                   {"post_spiked", buffer_arg(post.spiked)},
                   {"num_post", scalar_arg(post.size)},
                   {"slots", scalar_arg(int64_t(info.ring_slots))}});
  }

  Launch ring_clear_launch(int j) {
    const ProjectionInfo &info = p_.projections[j];
    int index = kernel("clear_ring", [&] { return build_ring_clear_kernel(real_); });
    return launch(
        index, "projection " + info.name,
        {{"ring", buffer_arg(info.ring)}, {"size", scalar_arg(int64_t(p_.buffers[size_t(info.ring)].extent))}});
  }

  Launch delay_launch(int j) {
    const ir::Projection &pr = m_.network.projections[j];
    const ProjectionInfo &info = p_.projections[j];
    std::string key = "delays:" + ir::format_real(pr.delay_range->lo) + ":" + ir::format_real(pr.delay_range->hi) +
                      ":" + std::to_string(pr.delay_steps) + storage_key(info);
    int index = kernel(key, [&] { return build_delay_kernel(*pr.delay_range, pr.delay_steps, info.storage); });
    std::map<std::string, Argument> args = synapse_args(info);
    args.insert({{"delay", buffer_arg(info.delay)},
                 {"num_pre", scalar_arg(p_.populations[info.pre].size)},
                 {"projection", scalar_arg(j)}});
    return launch(index, "projection " + info.name, args);
  }

  Launch weight_launch(int j) {
    const ir::WeightInit &w = m_.network.projections[j].weight;
    const ProjectionInfo &info = p_.projections[j];
    // format_real reads back to the same double, so equal keys mean equal kernels.
    bool shared = info.connectivity == Connectivity::Conv2D && w.dist != ir::WeightDistribution::Constant;
    std::string key = "weights:" + std::to_string(int(w.dist)) + ":" + ir::format_real(w.a) + ":" +
                      ir::format_real(w.b) + (shared ? ":kernel" : "") + storage_key(info);
    int index = kernel(key, [&] { return build_weight_kernel(w, info.storage, real_, shared); });
    std::map<std::string, Argument> args = synapse_args(info);
    args.insert({{"num_pre", scalar_arg(p_.populations[info.pre].size)}, {"projection", scalar_arg(j)}});
    if (shared)
      args.merge(window_args(info));
    return launch(index, "projection " + info.name, args);
  }

  void launch_entries() {
    int populations = int(p_.populations.size());
    for (int j = 0; j < int(p_.projections.size()); ++j) {
      if (generated_rows(p_.projections[j])) // no weights stored: delivery draws them
        continue;
      entry("init").launches.push_back(weight_launch(j));
      if (p_.projections[j].delay >= 0)
        entry("init").launches.push_back(delay_launch(j));
    }
    for (int k = 0; k < populations; ++k)
      entry("reset_example").launches.push_back(neuron_launch(k, NeuronPhase::Init));
    for (int j = 0; j < int(p_.projections.size()); ++j) {
      if (p_.projections[j].ring >= 0)
        entry("reset_example").launches.push_back(ring_clear_launch(j));
      if (synapse_model(j))
        entry("reset_example").launches.push_back(synapse_init_launch(j));
    }
    EntryPoint &step = entry("step");
    // Each population updates, then its zero-delay projections deliver, so
    // that their targets see the spikes of this step; then the projections
    // with the default delay of one step deliver for the next update.
    const std::vector<ir::Projection> &projections = m_.network.projections;
    for (int k : update_order()) {
      step.launches.push_back(neuron_launch(k, NeuronPhase::Update));
      for (int j = 0; j < int(projections.size()); ++j)
        if (projections[j].delay_steps == 0 && population_index(projections[j].pre) == k)
          step.launches.push_back(delivery_launch(j));
    }
    // A projection with a ring adds to it, then drains what is due now.
    for (int j = 0; j < int(projections.size()); ++j) {
      if (projections[j].delay_steps == 0)
        continue;
      if (const ir::SynapseModel *synapse = synapse_model(j)) {
        if (p_.projections[j].ring >= 0) {
          step.launches.push_back(spike_history_launch(j));
          if (!synapse->on_pre.empty() && !projections[j].delay_range) { // one delay: the arriving rows
            step.launches.push_back(spike_arrivals_launch(j));
            step.launches.push_back(synapse_event_launch(j, false));
          } else if (!synapse->on_pre.empty()) { // a delay per synapse: the rows with spikes in the window
            step.launches.push_back(spike_window_launch(j));
            step.launches.push_back(delayed_pre_event_launch(j));
          }
        } else if (!synapse->on_pre.empty()) {
          step.launches.push_back(synapse_event_launch(j, false));
        }
        continue;
      }
      if (p_.projections[j].ring < 0) {
        step.launches.push_back(delivery_launch(j));
        continue;
      }
      step.launches.push_back(ring_delivery_launch(j));
      step.launches.push_back(ring_drain_launch(j));
    }
    // The events of postsynaptic spikes after every presynaptic one, as
    // Brian2 orders its pathways (pre -1, post +1).
    for (int j = 0; j < int(projections.size()); ++j)
      if (const ir::SynapseModel *synapse = synapse_model(j); synapse && !synapse->on_post.empty())
        step.launches.push_back(synapse_event_launch(j, true));
    for (int k = 0; k < populations; ++k)
      if (has_phase(model_of(k), NeuronPhase::Reset))
        step.launches.push_back(neuron_launch(k, NeuronPhase::Reset));
    // Last, on a device: the step's final flags into the spike blocks.
    for (int k = 0; k < populations; ++k)
      if (p_.populations[k].spike_block >= 0)
        step.launches.push_back(spike_block_launch(k));
  }

  Launch spike_block_launch(int k) {
    const PopulationInfo &info = p_.populations[k];
    // The same kernel watches the real states for NaN and infinities.
    int watched = info.nonfinite >= 0 ? int(real_state_buffers(p_, info).size()) : 0;
    std::string name = watched > 0 ? "spike_block.watch" + std::to_string(watched) : "spike_block";
    int index = kernel(name, [&] { return build_spike_block_kernel(watched, real_); });
    return launch(index, "population " + info.name, spike_block_args(p_, info));
  }

  /// Runs each population's reset in its update's pass over the neurons
  /// where that computes the same step: the reset reads no input, and no
  /// launch between the two (deliveries, synapse events, other
  /// populations, training kernels) writes what the reset reads or touches
  /// what it writes. Saves a pass over the population's state per step.
  void fuse_resets() {
    EntryPoint &step = entry("step");
    for (int k = 0; k < int(p_.populations.size()); ++k) {
      if (!can_fuse_reset(model_of(k)))
        continue;
      std::string what = "population " + p_.populations[k].name;
      auto find = [&](NeuronPhase phase) {
        int kernel = neuron_launch(k, phase).kernel;
        for (size_t i = 0; i < step.launches.size(); ++i)
          if (step.launches[i].kernel == kernel && step.launches[i].what == what)
            return i;
        throw ir::InternalError("step has no " + std::string(phase == NeuronPhase::Reset ? "reset" : "update") +
                                " launch of " + what);
      };
      size_t update = find(NeuronPhase::Update), reset = find(NeuronPhase::Reset);
      if (reset < update || !can_run_earlier(p_, step, update, reset))
        continue;
      step.launches[update] = neuron_launch(k, NeuronPhase::UpdateReset);
      step.launches.erase(step.launches.begin() + long(reset));
    }
    // The kernels of an update and a reset that every population of their
    // model now runs fused go; no kernel is added after this.
    drop_unlaunched_kernels(p_);
    kernels_.clear();
  }

  /// The populations in an order where the pre of every zero-delay
  /// projection comes before its post: the declaration order where it
  /// already is (always, without `delay 0`), else the first population
  /// whose zero-delay inputs have all updated.
  std::vector<int> update_order() const {
    const ir::Network &net = m_.network;
    int n = int(net.populations.size());
    std::vector<int> waiting(n, 0), order;
    for (const ir::Projection &pr : net.projections)
      if (pr.delay_steps == 0)
        ++waiting[population_index(pr.post)];
    std::vector<bool> done(n, false);
    while (int(order.size()) < n) {
      int next = -1;
      for (int k = 0; k < n && next < 0; ++k)
        if (!done[k] && waiting[k] == 0)
          next = k;
      ir::internal_check(next >= 0, "the zero-delay projections of network '" + net.name + "' form a cycle");
      done[next] = true;
      order.push_back(next);
      for (const ir::Projection &pr : net.projections)
        if (pr.delay_steps == 0 && population_index(pr.pre) == next)
          --waiting[population_index(pr.post)];
    }
    return order;
  }

  void add_record(const ir::Record &r) {
    RecordInfo info;
    info.spikes = r.kind != ir::RecordKind::State;
    info.rate = r.kind == ir::RecordKind::Rate;
    info.interval = r.interval;
    info.indices = r.indices;
    info.population = population_index(r.population);
    if (!info.spikes) {
      for (const VariableInfo &v : p_.populations[info.population].states)
        if (v.name == r.variable)
          info.buffer = v.buffer;
      ir::internal_check(info.buffer >= 0, "record of unknown state '" + r.population + "." + r.variable + "'");
    }
    info.begin = r.begin;
    info.end = r.end;
    info.stride = r.stride;
    info.file = r.file;
    info.example = r.example;
    p_.records.push_back(std::move(info));
  }

  const ir::Module &m_;
  ScheduleOptions options_;
  ElemType real_;
  Program p_;
  std::map<std::string, int> kernels_;
};

} // namespace

Program schedule(const ir::Module &module, const ScheduleOptions &options) { return Scheduler(module, options).run(); }

} // namespace snn::lower
