//===- lower/TrainingSchedule.cpp - A train regime's buffers and launches -===//
#include "lower/TrainingSchedule.h"

#include "ir/Printer.h"
#include "lower/AdjointSchedule.h"
#include "lower/Hyperparameters.h"
#include "lower/OptimizerKernels.h"
#include "lower/ProgramBuilder.h"
#include "lower/RewiringKernels.h"
#include "lower/SpikeBlocks.h"
#include "lower/SpikeRegularizers.h"
#include "lower/TrainingKernels.h"

#include <cmath>
#include <map>
#include <optional>

namespace snn::lower {

namespace {

class TrainingScheduler {
public:
  TrainingScheduler(const ir::Module &m, Program &p, EpropChoice choice)
      : m_(m), tr_(*m.regime.training), p_(p), b_(p), real_(p.real), choice_(choice) {}

  void run() {
    ir::internal_check(tr_.derived, "the train regime reached lower/ before the eprop pass");
    readout_ = population(tr_.readout);
    shape_.kind = tr_.readout_kind;
    shape_.loss = tr_.loss;
    shape_.timesteps = tr_.timesteps;
    shape_.last_steps = tr_.last_steps;
    shape_.classes = p_.populations[readout_].size;
    choose_strategy();
    hypers_ = training_hyperparameters(tr_, adjoint());
    shape_.timesteps_slot = hypers_.timesteps;
    shape_.history_steps_slot = hypers_.history_steps;
    add_global_buffers();
    if (adjoint()) {
      p_.training.backward_pass = true;
      adjoint_.emplace(b_, shape_, tr_.readout_decay, tr_.readout_gain, delta_, hyper_);
    }
    for (const ir::TrainedProjection &tp : tr_.trained)
      add_projection(tp);
    if (tr_.bptt)
      for (size_t j = 0; j < m_.network.projections.size(); ++j) {
        const ir::Projection &pr = m_.network.projections[j];
        adjoint_->add_backprop(int(j), pr.target, pr.delay_steps > 0);
      }
    if (tr_.readout_bias)
      add_bias();
    launch_forward();
    launch_training();
    fill_info();
  }

private:
  int population(const std::string &name) const {
    for (size_t k = 0; k < p_.populations.size(); ++k)
      if (p_.populations[k].name == name)
        return int(k);
    throw ir::InternalError("no population '" + name + "' in the program");
  }

  int state_buffer(int population, const std::string &state) const {
    for (const VariableInfo &v : p_.populations[population].states)
      if (v.name == state)
        return v.buffer;
    throw ir::InternalError("population '" + p_.populations[population].name + "' has no state '" + state + "'");
  }

  int input_buffer(int population, const std::string &input) const {
    for (const VariableInfo &v : p_.populations[population].inputs)
      if (v.name == input)
        return v.buffer;
    throw ir::InternalError("population '" + p_.populations[population].name + "' has no input '" + input + "'");
  }

  bool max() const { return shape_.kind == ir::ReadoutKind::Max; }
  bool count() const { return shape_.kind == ir::ReadoutKind::SpikeCount; }
  /// Readouts whose hidden gradients need one accumulator per class.
  bool per_class() const { return max() || count(); }

  bool adjoint() const { return p_.training.strategy == EpropStrategy::Adjoint; }

  /// The strategy, from the cost model and the choice asked for.
  void choose_strategy() {
    std::vector<TrainedSizes> sizes;
    for (const ir::TrainedProjection &tp : tr_.trained) {
      const ProjectionInfo &info = p_.projections[tp.projection];
      sizes.push_back({p_.populations[info.pre].size, p_.populations[info.post].size, p_.buffers[info.weight].extent,
                       info.pre, info.post, m_.network.projections[tp.projection].delay_steps > 0});
    }
    TrainingInfo &t = p_.training;
    t.strategy_cost = eprop_cost(tr_, sizes, shape_.classes, p_.dt, real_ == ElemType::F64 ? 8 : 4);
    t.adjoint_unsupported = adjoint_unsupported(tr_);
    ir::internal_check(choice_ != EpropChoice::Adjoint || t.adjoint_unsupported.empty(),
                       "the adjoint strategy was forced where it does not apply");
    ir::internal_check(!tr_.bptt || (choice_ != EpropChoice::Online && t.adjoint_unsupported.empty()),
                       "BPTT needs the adjoint strategy");
    t.strategy =
        tr_.bptt ? EpropStrategy::Adjoint : choose_eprop(choice_, t.strategy_cost, p_.batch, t.adjoint_unsupported);
    t.bptt = tr_.bptt;
  }

  void add_global_buffers() {
    uint32_t classes = shape_.classes;
    Scope global{ScopeKind::Global, -1};
    if (per_class())
      peak_ = b_.add_buffer("train.peak", real_, global, BatchAxis::PerExample, BufferRole::Training, classes);
    label_ = b_.add_buffer("train.label", ElemType::I32, global, BatchAxis::PerExample, BufferRole::Label, 1, false);
    loss_ = b_.add_buffer("train.loss", real_, global, BatchAxis::PerExample, BufferRole::Loss, 1);
    scores_ = b_.add_buffer("train.scores", real_, global, BatchAxis::PerExample, BufferRole::Scores, classes);
    delta_ = b_.add_buffer("train.delta", real_, global, BatchAxis::PerExample, BufferRole::Training, classes);
    lr_ = b_.add_buffer("train.lr", real_, global, BatchAxis::Shared, BufferRole::Hyper, 1);
    hyper_ = b_.add_buffer("train.hyper", real_, global, BatchAxis::Shared, BufferRole::Hyper, hypers_.list.size());
    norm2_ = b_.add_buffer("train.gradient_norm2", real_, global, BatchAxis::Shared, BufferRole::Training, 1);
    clip_scale_ = b_.add_buffer("train.clip_scale", real_, global, BatchAxis::Shared, BufferRole::Training, 1);
    for (const ir::Dropout &d : tr_.workflow.dropouts) {
      int k = population(d.population);
      kept_[k] = b_.add_buffer(d.population + ".kept_spikes", ElemType::U8, {ScopeKind::Neuron, k},
                               BatchAxis::PerExample, BufferRole::Training, p_.populations[k].size);
    }
    for (const ir::RateRegularizer &r : tr_.workflow.rate_regularizers) {
      int k = population(r.population);
      rate_[k] = b_.add_buffer(r.population + ".rate_average", real_, {ScopeKind::Neuron, k}, BatchAxis::PerExample,
                               BufferRole::Running, p_.populations[k].size, false);
    }
  }

  /// The learning signal of hidden population `k` (and its random feedback).
  int signal(int k, const ir::TrainedProjection &tp) {
    auto found = signal_.find(k);
    if (found != signal_.end())
      return found->second;
    const PopulationInfo &pop = p_.populations[k];
    int buffer = b_.add_buffer(pop.name + ".learning_signal", real_, {ScopeKind::Neuron, k}, BatchAxis::PerExample,
                               BufferRole::Training, pop.size);
    signal_.emplace(k, buffer);
    if (tr_.feedback == ir::FeedbackKind::Random)
      feedback_[k] = b_.add_buffer(pop.name + ".feedback", real_, {ScopeKind::Global, -1}, BatchAxis::Shared,
                                   BufferRole::Training, uint64_t(pop.size) * shape_.classes);
    else
      symmetric_[k] = tp.feedback_projection;
    return buffer;
  }

  /// The spike flags population k transmits in training: all of them, or
  /// those dropout kept.
  int flags(int k) const {
    auto found = kept_.find(k);
    return found == kept_.end() ? p_.populations[k].spiked : found->second;
  }

  /// Dropout: after the last launch that writes a population's spike flags,
  /// the kernel that keeps some; every later spike-driven launch (the
  /// projections) reads the kept flags instead. The population's own
  /// kernels (its reset, its next-step reset) still read every spike.
  void launch_dropouts(EntryPoint &train) {
    for (const auto &[k, kept] : kept_) {
      const PopulationInfo &pop = p_.populations[k];
      size_t last = train.launches.size();
      for (size_t i = 0; i < train.launches.size(); ++i) {
        const Kernel &kern = p_.kernels[train.launches[i].kernel];
        for (size_t a = 0; a < kern.params.size() && a < train.launches[i].args.size(); ++a)
          if (train.launches[i].args[a].buffer == pop.spiked && kern.params[a].access != lower::Param::Access::Read)
            last = i;
      }
      ir::internal_check(last < train.launches.size(), "population " + pop.name + " never writes its spikes");
      for (size_t i = last + 1; i < train.launches.size(); ++i) {
        Launch &l = train.launches[i];
        DomainKind domain = p_.kernels[l.kernel].domain.kind;
        if (domain != DomainKind::SpikingRows && domain != DomainKind::Synapses)
          continue;
        for (Argument &arg : l.args)
          if (arg.buffer == pop.spiked)
            arg.buffer = kept;
      }
      int slot = hypers_.dropout.at(pop.name);
      int index = b_.kernel("dropout." + pop.name, [&] { return build_dropout_kernel(slot, real_); });
      train.launches.insert(train.launches.begin() + std::ptrdiff_t(last + 1),
                            b_.launch(index, "population " + pop.name,
                                      {{"spiked", buffer_arg(pop.spiked)},
                                       {"kept", buffer_arg(kept)},
                                       {"hyper", buffer_arg(hyper_)},
                                       {"size", scalar_arg(pop.size)},
                                       {"stream", scalar_arg(k)}}));
    }
  }

  /// The spike flags a projection's trace reads: this step's, or (delay 1)
  /// the step before's.
  int pre_spikes(int pre, uint32_t delay) {
    if (delay == 0)
      return flags(pre);
    auto found = previous_.find(pre);
    if (found != previous_.end())
      return found->second;
    const PopulationInfo &pop = p_.populations[pre];
    int buffer = b_.add_buffer(pop.name + ".spiked_before", ElemType::U8, {ScopeKind::Neuron, pre},
                               BatchAxis::PerExample, BufferRole::Training, pop.size);
    previous_.emplace(pre, buffer);
    return buffer;
  }

  struct Trace {
    const ir::TrainedProjection *tp = nullptr;
    int param = -1, spikes = -1, signal = -1, ebar = -1;
    std::vector<int> eps;
  };

  struct Param {
    TrainedParamInfo info;
    int grad = -1, acc = -1, moment1 = -1, moment2 = -1;
    std::vector<int> snapshots; ///< max readout, hidden projection: the trace at each class's peak
    bool synapse = true;
    int projection = -1;
  };

  /// The per-example gradient, deferred accumulator, batch gradient and
  /// optimiser moments of a parameter with values `value`.
  void add_parameter_buffers(Param &param, Scope scope, uint64_t extent, bool snapshots = false) {
    const std::string &name = param.info.name;
    param.grad =
        b_.add_buffer(name + ".grad_example", real_, scope, BatchAxis::PerExample, BufferRole::Training, extent);
    if (snapshots)
      for (uint32_t c = 0; c < shape_.classes; ++c)
        param.snapshots.push_back(b_.add_buffer(name + ".at_peak_of_" + std::to_string(c), real_, scope,
                                                BatchAxis::PerExample, BufferRole::Training, extent));
    else if (!shape_.per_step() && !(adjoint() && param.synapse))
      param.acc =
          b_.add_buffer(name + ".accumulated", real_, scope, BatchAxis::PerExample, BufferRole::Training, extent);
    param.info.gradient =
        b_.add_buffer(name + ".gradient", real_, scope, BatchAxis::Shared, BufferRole::Gradient, extent);
    param.moment1 = b_.add_buffer(name + ".moment1", real_, scope, BatchAxis::Shared, BufferRole::Training, extent);
    if (needs_moment2(tr_.workflow.optimizer))
      param.moment2 = b_.add_buffer(name + ".moment2", real_, scope, BatchAxis::Shared, BufferRole::Training, extent);
  }

  void add_projection(const ir::TrainedProjection &tp) {
    const ir::Projection &pr = m_.network.projections[tp.projection];
    const ProjectionInfo &info = p_.projections[tp.projection];
    Param param;
    param.info.name = pr.pre + "->" + pr.post;
    param.info.index = tp.projection;
    param.info.value = info.weight;
    param.projection = tp.projection;
    Scope synapses{ScopeKind::Synapse, tp.projection};
    add_parameter_buffers(param, synapses, 0, per_class() && !tp.readout);
    Trace trace;
    trace.tp = &tp;
    trace.param = int(params_.size());
    trace.spikes = pre_spikes(info.pre, pr.delay_steps);
    if (adjoint()) {
      AdjointProjection a;
      a.tp = &tp;
      a.name = param.info.name;
      a.target = pr.target;
      a.spikes = trace.spikes;
      a.signal = tp.readout ? delta_ : tr_.bptt ? adjoint_->spike_adjoint(info.post) : signal(info.post, tp);
      a.filter = !tp.readout && !tr_.bptt;
      a.spike_adjoint = !tp.readout && tr_.bptt;
      a.grad = param.grad;
      a.rate = rate_term(info.post);
      a.rate_buffer = a.rate.enabled ? rate_.at(info.post) : -1;
      adjoint_->add(a);
      params_.push_back(std::move(param));
      return;
    }
    for (const ir::EligibilityTrace &t : tp.traces)
      trace.eps.push_back(t.per_pre ? b_.add_buffer(param.info.name + ".eps." + t.state, real_,
                                                    {ScopeKind::Pre, tp.projection}, BatchAxis::PerExample,
                                                    BufferRole::Training, p_.populations[info.pre].size)
                                    : b_.add_buffer(param.info.name + ".eps." + t.state, real_, synapses,
                                                    BatchAxis::PerExample, BufferRole::Training, 0));
    if (!tp.readout) {
      trace.ebar = b_.add_buffer(param.info.name + ".filtered_trace", real_, synapses, BatchAxis::PerExample,
                                 BufferRole::Training, 0);
      trace.signal = signal(info.post, tp);
    } else {
      trace.signal = delta_;
    }
    params_.push_back(std::move(param));
    traces_.push_back(std::move(trace));
  }

  void add_bias() {
    const PopulationInfo &out = p_.populations[readout_];
    Param param;
    param.info.name = out.name + ".bias";
    param.info.bias = true;
    param.info.index = readout_;
    param.synapse = false;
    Scope neurons{ScopeKind::Neuron, readout_};
    param.info.value = b_.add_buffer(param.info.name, real_, neurons, BatchAxis::Shared, BufferRole::Bias, out.size);
    add_parameter_buffers(param, neurons, out.size);
    bias_trace_ = b_.add_buffer(param.info.name + ".trace", real_, neurons, BatchAxis::PerExample, BufferRole::Training,
                                out.size);
    bias_param_ = int(params_.size());
    params_.push_back(std::move(param));
  }

  std::map<std::string, Argument> loss_args() const {
    return {
        {"label", buffer_arg(label_)}, {"hyper", buffer_arg(hyper_)},
        {"loss", buffer_arg(loss_)},   {"scores", buffer_arg(scores_)},
        {"delta", buffer_arg(delta_)}, {"y", buffer_arg(count() ? -1 : state_buffer(readout_, tr_.readout_variable))},
        {"peak", buffer_arg(peak_)},   {"spiked", buffer_arg(p_.populations[readout_].spiked)},
        {"one", scalar_arg(1)}};
  }

  /// The bias before the readout's update, the loss after the whole step.
  void launch_forward() {
    EntryPoint &step = b_.entry("step");
    if (tr_.readout_bias) {
      const PopulationInfo &out = p_.populations[readout_];
      int k = b_.kernel("bias.input", [&] { return build_bias_input_kernel(tr_.readout_gain, real_); });
      Launch l = b_.launch(k, "population " + out.name,
                           {{"bias", buffer_arg(params_[bias_param_].info.value)},
                            {"input", buffer_arg(input_buffer(readout_, tr_.readout_input))},
                            {"size", scalar_arg(out.size)}});
      size_t at = step.launches.size();
      for (size_t i = 0; i < step.launches.size(); ++i)
        if (step.launches[i].what == "population " + out.name &&
            p_.kernels[step.launches[i].kernel].name.rfind("update.", 0) == 0) {
          at = i;
          break;
        }
      ir::internal_check(at < step.launches.size(), "the readout population has no update launch");
      step.launches.insert(step.launches.begin() + long(at), l);
    }
    int loss = b_.kernel("loss.step", [&] { return build_loss_step_kernel(shape_, real_); });
    step.launches.push_back(b_.launch(loss, "the readout", loss_args()));
    if (!shape_.per_step()) {
      int end = b_.kernel("loss.end", [&] { return build_loss_end_kernel(shape_, real_); });
      b_.entry("end_example").launches.push_back(b_.launch(end, "the readout", loss_args()));
    }
  }

  /// The arguments of the buffers that carry the error back to hidden
  /// population `k` (see build_learning_signal_kernel).
  void add_feedback_args(int k, std::map<std::string, Argument> &args) const {
    if (tr_.feedback == ir::FeedbackKind::Random) {
      args["feedback"] = buffer_arg(feedback_.at(k));
      return;
    }
    const ProjectionInfo &w = p_.projections[symmetric_.at(k)];
    args["row_start"] = buffer_arg(w.row_start);
    for (auto &[name, arg] : target_args(w))
      args[name] = arg;
    args["weight"] = buffer_arg(w.weight);
  }

  /// The storage of the projection that carries hidden population `k`'s
  /// error back (symmetric feedback); ragged (unread) for random feedback.
  ir::SynapseStorage feedback_storage(int k) const {
    if (tr_.feedback == ir::FeedbackKind::Random)
      return ir::SynapseStorage::Ragged;
    return p_.projections[symmetric_.at(k)].storage;
  }

  std::vector<Launch> learning_signals() {
    std::vector<Launch> out;
    for (const auto &[k, buffer] : signal_) {
      const PopulationInfo &pop = p_.populations[k];
      bool symmetric = tr_.feedback == ir::FeedbackKind::Symmetric;
      ir::SynapseStorage storage = feedback_storage(k);
      int index = b_.kernel(symmetric ? "signal.symmetric" + SynapseTargets::suffix(storage) : "signal.random",
                            [&] { return build_learning_signal_kernel(symmetric, storage, shape_.classes, real_); });
      std::map<std::string, Argument> args = {
          {"delta", buffer_arg(delta_)}, {"signal", buffer_arg(buffer)}, {"size", scalar_arg(pop.size)}};
      add_feedback_args(k, args);
      out.push_back(b_.launch(index, "population " + pop.name, args));
    }
    return out;
  }

  void launch_training() {
    // init: random feedback, drawn once.
    for (const auto &[k, buffer] : feedback_) {
      const PopulationInfo &pop = p_.populations[k];
      double scale = 1.0 / std::sqrt(double(pop.size));
      int index = b_.kernel("feedback", [&] { return build_feedback_init_kernel(shape_.classes, scale, real_); });
      b_.entry("init").launches.push_back(
          b_.launch(index, "population " + pop.name,
                    {{"feedback", buffer_arg(buffer)}, {"size", scalar_arg(pop.size)}, {"stream", scalar_arg(k)}}));
    }
    // reset_example: every per-example training buffer to 0.
    for (int buffer : b_.per_example()) {
      const Buffer &b = p_.buffers[buffer];
      std::string key = std::string("zero.") + name_of(b.scope.kind) + "." + name_of(b.type);
      int index = b_.kernel(key, [&] { return build_zero_kernel(b.scope.kind, b.type); });
      std::map<std::string, Argument> args = {{"buffer", buffer_arg(buffer)}};
      if (b.scope.kind == ScopeKind::Synapse) {
        const ProjectionInfo &info = p_.projections[b.scope.owner];
        args["row_start"] = buffer_arg(info.row_start);
        args["num_pre"] = scalar_arg(p_.populations[info.pre].size);
      } else {
        args["size"] = scalar_arg(int64_t(b.extent));
      }
      b_.entry("reset_example").launches.push_back(b_.launch(index, "buffer " + b.name, args));
    }
    // train_step: save the flags delay-1 traces read, the forward step,
    // then learning signals and traces.
    EntryPoint &train = b_.entry("train_step");
    for (const auto &[k, buffer] : previous_) {
      int index = b_.kernel("copy_spikes", [&] { return build_copy_flags_kernel(); });
      train.launches.push_back(b_.launch(index, "population " + p_.populations[k].name,
                                         {{"spiked", buffer_arg(flags(k))},
                                          {"prev", buffer_arg(buffer)},
                                          {"size", scalar_arg(p_.populations[k].size)}}));
    }
    // The step's launches but a device's spike blocks, which only a
    // simulation's runtime reads (lower/SpikeBlocks.h); their watch for
    // NaN and infinities stays, on its own.
    for (const Launch &l : b_.entry("step").launches)
      if (p_.kernels[size_t(l.kernel)].name.rfind("spike_block", 0) != 0)
        train.launches.push_back(l);
    for (const PopulationInfo &pop : p_.populations) {
      if (pop.nonfinite < 0)
        continue;
      int watched = int(real_state_buffers(p_, pop).size());
      int index = b_.kernel("watch_finite." + std::to_string(watched),
                            [&] { return build_spike_block_kernel(watched, real_, /*blocks=*/false); });
      train.launches.push_back(b_.launch(index, "population " + pop.name, spike_block_args(p_, pop)));
    }
    launch_dropouts(train);
    for (const auto &[k, buffer] : rate_) {
      const PopulationInfo &pop = p_.populations[k];
      int slot = hypers_.rate_tau.at(pop.name);
      int index = b_.kernel("rate_average." + pop.name, [&] { return build_rate_average_kernel(slot, p_.dt, real_); });
      train.launches.push_back(b_.launch(index, "population " + pop.name,
                                         {{"spiked", buffer_arg(pop.spiked)},
                                          {"rate", buffer_arg(buffer)},
                                          {"hyper", buffer_arg(hyper_)},
                                          {"size", scalar_arg(pop.size)}}));
    }
    if (shape_.per_step() && !adjoint())
      for (Launch &l : learning_signals())
        train.launches.push_back(std::move(l));
    if (count())
      launch_count_sensitivity(train);
    for (const Trace &t : traces_)
      launch_trace(t, train);
    if (adjoint())
      adjoint_->launch_records(train);
    if (tr_.readout_bias)
      launch_bias(train);
    if (!shape_.per_step())
      launch_deferred();
    if (adjoint())
      adjoint_->launch_backward(b_.entry("train_backward"),
                                shape_.per_step() ? learning_signals() : std::vector<Launch>{});
    launch_updates();
  }

  /// The firing-rate regulariser's term of post population `post`, if any.
  RateTerm rate_term(int post) const {
    if (!rate_.count(post))
      return {};
    const std::string &name = p_.populations[post].name;
    return {true, hypers_.rate_target.at(name), hypers_.rate_strength.at(name), p_.dt};
  }

  void launch_trace(const Trace &t, EntryPoint &train) {
    const ir::TrainedProjection &tp = *t.tp;
    const ProjectionInfo &info = p_.projections[tp.projection];
    const Param &param = params_[t.param];
    const std::string &name = param.info.name;
    RateTerm rate = rate_term(info.post);
    auto average = rate_.find(info.post);
    int index = b_.kernel("trace." + name, [&] {
      return build_trace_kernel(name, tp, info.storage, shape_, tr_.readout_decay, tr_.readout_gain, real_, rate);
    });
    std::map<std::string, Argument> args = target_args(info);
    args.insert({{"row_start", buffer_arg(info.row_start)},
                 {"pre_spikes", buffer_arg(t.spikes)},
                 {"signal", buffer_arg(t.signal)},
                 {"ebar", buffer_arg(t.ebar)},
                 {"grad", buffer_arg(param.grad)},
                 {"acc", buffer_arg(param.acc)},
                 {"peak", buffer_arg(peak_)},
                 {"hyper", buffer_arg(hyper_)},
                 {"rate", buffer_arg(average != rate_.end() ? average->second : -1)},
                 {"num_pre", scalar_arg(p_.populations[info.pre].size)},
                 {"num_post", scalar_arg(p_.populations[info.post].size)}});
    for (size_t c = 0; c < param.snapshots.size(); ++c)
      args["acc." + std::to_string(c)] = buffer_arg(param.snapshots[c]);
    bool per_pre = false;
    for (size_t k = 0; k < tp.traces.size(); ++k) {
      args["eps." + tp.traces[k].state] = buffer_arg(t.eps[k]);
      per_pre = per_pre || tp.traces[k].per_pre;
    }
    for (const VariableInfo &v : p_.populations[info.post].states)
      args["state." + v.name] = buffer_arg(v.buffer);
    train.launches.push_back(b_.launch(index, "projection " + name, args));
    if (!per_pre)
      return;
    int pre = b_.kernel("pre_trace." + name, [&] { return build_pre_trace_kernel(name, tp, real_); });
    std::map<std::string, Argument> pre_args = {{"pre_spikes", buffer_arg(t.spikes)},
                                                {"size", scalar_arg(p_.populations[info.pre].size)}};
    for (size_t k = 0; k < tp.traces.size(); ++k)
      pre_args["eps." + tp.traces[k].state] = buffer_arg(t.eps[k]);
    train.launches.push_back(b_.launch(pre, "projection " + name, pre_args));
  }

  void launch_bias(EntryPoint &train) {
    const Param &param = params_[bias_param_];
    const PopulationInfo &out = p_.populations[readout_];
    int index = b_.kernel("bias.trace",
                          [&] { return build_bias_trace_kernel(shape_, tr_.readout_decay, tr_.readout_gain, real_); });
    train.launches.push_back(b_.launch(index, "population " + out.name,
                                       {{"trace", buffer_arg(bias_trace_)},
                                        {"delta", buffer_arg(delta_)},
                                        {"grad", buffer_arg(param.grad)},
                                        {"acc", buffer_arg(param.acc)},
                                        {"peak", buffer_arg(peak_)},
                                        {"hyper", buffer_arg(hyper_)},
                                        {"size", scalar_arg(out.size)}}));
  }

  /// Deferred readouts: the signals from the final delta, then the gradients.
  void launch_deferred() {
    EntryPoint &end = b_.entry("train_end_example");
    if (per_class())
      launch_class_signals(end);
    else
      for (Launch &l : learning_signals())
        end.launches.push_back(std::move(l));
    for (const Trace &t : traces_) {
      const ProjectionInfo &info = p_.projections[t.tp->projection];
      const Param &param = params_[t.param];
      bool readout = t.tp->readout;
      if (per_class() && !readout) {
        int index = b_.kernel("gradient.peaks" + SynapseTargets::suffix(info.storage),
                              [&] { return build_peak_gradient_kernel(shape_.classes, info.storage, real_); });
        std::map<std::string, Argument> args = target_args(info);
        args.insert({{"row_start", buffer_arg(info.row_start)},
                     {"class_signal", buffer_arg(class_signal_.at(info.post))},
                     {"grad", buffer_arg(param.grad)},
                     {"num_pre", scalar_arg(p_.populations[info.pre].size)},
                     {"num_post", scalar_arg(p_.populations[info.post].size)}});
        for (size_t c = 0; c < param.snapshots.size(); ++c)
          args["acc." + std::to_string(c)] = buffer_arg(param.snapshots[c]);
        end.launches.push_back(b_.launch(index, "projection " + param.info.name, args));
        continue;
      }
      int index = b_.kernel(std::string(readout ? "gradient.deferred.readout" : "gradient.deferred") +
                                SynapseTargets::suffix(info.storage),
                            [&] { return build_deferred_gradient_kernel(readout, info.storage, real_); });
      std::map<std::string, Argument> args = target_args(info);
      args.insert({{"row_start", buffer_arg(info.row_start)},
                   {"signal", buffer_arg(t.signal)},
                   {"acc", buffer_arg(param.acc)},
                   {"grad", buffer_arg(param.grad)},
                   {"num_pre", scalar_arg(p_.populations[info.pre].size)},
                   {"num_post", scalar_arg(p_.populations[info.post].size)}});
      end.launches.push_back(b_.launch(index, "projection " + param.info.name, args));
    }
    if (tr_.readout_bias) {
      const Param &param = params_[bias_param_];
      int index = b_.kernel("bias.deferred", [&] { return build_bias_deferred_kernel(real_); });
      end.launches.push_back(b_.launch(index, "population " + p_.populations[readout_].name,
                                       {{"delta", buffer_arg(delta_)},
                                        {"acc", buffer_arg(param.acc)},
                                        {"grad", buffer_arg(param.grad)},
                                        {"size", scalar_arg(p_.populations[readout_].size)}}));
    }
  }

  /// Spike count: dz_k/di_k of the readout this step, from the traces of a
  /// trained projection into the readout (the pass requires one when hidden
  /// populations learn).
  void launch_count_sensitivity(EntryPoint &train) {
    for (const Trace &t : traces_) {
      if (!t.tp->readout)
        continue;
      const PopulationInfo &out = p_.populations[readout_];
      int index = b_.kernel("count.sensitivity", [&] { return build_count_sensitivity_kernel(*t.tp, real_); });
      std::map<std::string, Argument> args = {{"peak", buffer_arg(peak_)}, {"size", scalar_arg(out.size)}};
      for (const VariableInfo &v : out.states)
        args["state." + v.name] = buffer_arg(v.buffer);
      train.launches.push_back(b_.launch(index, "population " + out.name, args));
      return;
    }
  }

  /// Max readout: C[b, j, k] = B[j, k] delta[b, k] per hidden population.
  void launch_class_signals(EntryPoint &end) {
    for (const auto &[k, buffer] : signal_) {
      (void)buffer;
      const PopulationInfo &pop = p_.populations[k];
      int c = b_.add_buffer(pop.name + ".class_signal", real_, {ScopeKind::Global, -1}, BatchAxis::PerExample,
                            BufferRole::Training, uint64_t(pop.size) * shape_.classes);
      class_signal_[k] = c;
      bool symmetric = tr_.feedback == ir::FeedbackKind::Symmetric;
      ir::SynapseStorage storage = feedback_storage(k);
      int index =
          b_.kernel(symmetric ? "class_signal.symmetric" + SynapseTargets::suffix(storage) : "class_signal.random",
                    [&] { return build_class_signal_kernel(symmetric, storage, shape_.classes, real_); });
      std::map<std::string, Argument> args = {
          {"delta", buffer_arg(delta_)}, {"class_signal", buffer_arg(c)}, {"size", scalar_arg(pop.size)}};
      add_feedback_args(k, args);
      end.launches.push_back(b_.launch(index, "population " + pop.name, args));
    }
  }

  /// reduce_gradients, then apply_gradients (lower/OptimizerKernels.h):
  /// every parameter's gradient adjusted (penalties, value clipping, its
  /// squared norm), the global-norm factor once, then every update.
  void launch_updates() {
    std::vector<std::map<std::string, Argument>> all_args;
    for (const Param &param : params_) {
      std::map<std::string, Argument> args = {
          {"grad", buffer_arg(param.grad)},        {"gradient", buffer_arg(param.info.gradient)},
          {"value", buffer_arg(param.info.value)}, {"lr", buffer_arg(lr_)},
          {"moment1", buffer_arg(param.moment1)},  {"moment2", buffer_arg(param.moment2)},
          {"hyper", buffer_arg(hyper_)},           {"norm2", buffer_arg(norm2_)},
          {"clip_scale", buffer_arg(clip_scale_)}, {"points", scalar_arg(1)}};
      if (param.synapse) {
        const ProjectionInfo &info = p_.projections[param.projection];
        args["row_start"] = buffer_arg(info.row_start);
        args["num_pre"] = scalar_arg(p_.populations[info.pre].size);
      } else {
        args["size"] = scalar_arg(p_.populations[readout_].size);
      }
      int reduce = b_.kernel(param.synapse ? "reduce.synapses" : "reduce.neurons",
                             [&] { return build_reduce_kernel(param.synapse, real_); });
      b_.entry("reduce_gradients").launches.push_back(b_.launch(reduce, "parameter " + param.info.name, args));
      bool weight = param.synapse;
      std::string kind = std::string(param.synapse ? "synapses" : "neurons");
      int adjust = b_.kernel("gradient.adjust." + kind,
                             [&] { return build_gradient_adjust_kernel(param.synapse, weight, hypers_.slots, real_); });
      b_.entry("apply_gradients").launches.push_back(b_.launch(adjust, "parameter " + param.info.name, args));
      all_args.push_back(std::move(args));
    }
    int scale = b_.kernel("gradient.clip_scale", [&] { return build_clip_scale_kernel(hypers_.slots, real_); });
    b_.entry("apply_gradients")
        .launches.push_back(b_.launch(scale, "every parameter",
                                      {{"hyper", buffer_arg(hyper_)},
                                       {"norm2", buffer_arg(norm2_)},
                                       {"clip_scale", buffer_arg(clip_scale_)},
                                       {"points", scalar_arg(1)}}));
    for (size_t i = 0; i < params_.size(); ++i) {
      const Param &param = params_[i];
      bool weight = param.synapse;
      int apply = b_.kernel(std::string("optimizer.") + (param.synapse ? "synapses" : "neurons"), [&] {
        return build_optimizer_kernel(tr_.workflow.optimizer, param.synapse, weight, hypers_.slots, real_);
      });
      b_.entry("apply_gradients").launches.push_back(b_.launch(apply, "parameter " + param.info.name, all_args[i]));
    }
    launch_deep_r();
  }

  /// Deep R's step after the optimiser's, for each rewired projection
  /// (lower/RewiringKernels.h), and its dormant flags.
  void launch_deep_r() {
    for (const ir::RewireRule &rule : tr_.workflow.rewire)
      for (int j : m_.network.projections_between(rule.pre, rule.post)) {
        const ir::WeightInit &init = m_.network.projections[size_t(j)].weight;
        const ProjectionInfo &info = p_.projections[size_t(j)];
        int dormant = b_.add_buffer(info.name + ".dormant", ElemType::U8, {ScopeKind::Synapse, j}, BatchAxis::Shared,
                                    BufferRole::Training, p_.buffers[size_t(info.weight)].extent);
        int index = b_.kernel(deep_r_kernel_name(init, rule.l1, rule.temperature),
                              [&] { return build_deep_r_kernel(init, rule.l1, rule.temperature, real_); });
        std::map<std::string, Argument> args = target_args(info);
        args.insert({{"row_start", buffer_arg(info.row_start)},
                     {"weight", buffer_arg(info.weight)},
                     {"dormant", buffer_arg(dormant)},
                     {"lr", buffer_arg(lr_)},
                     {"num_pre", scalar_arg(p_.populations[info.pre].size)},
                     {"projection", scalar_arg(int64_t(j))}});
        b_.entry("apply_gradients").launches.push_back(b_.launch(index, "projection " + info.name, args));
        p_.training.rewire.push_back({j, rule.l1, rule.temperature, dormant});
      }
  }

  void fill_info() {
    TrainingInfo &t = p_.training;
    t.enabled = true;
    t.timesteps = tr_.timesteps;
    t.epochs = tr_.epochs;
    t.test_split = tr_.test_split;
    t.validation_split = tr_.validation_split;
    auto data = [](const ir::DataSource &d) {
      DataInfo info;
      info.path = d.path;
      info.labels_path = d.labels_path;
      info.encoder = d.encoder;
      info.max_value = d.max_value;
      info.max_rate = d.max_rate;
      return info;
    };
    t.train = data(tr_.train);
    t.test = data(tr_.test);
    t.input = population(tr_.input);
    t.readout = readout_;
    t.classes = shape_.classes;
    t.label = label_;
    t.loss = loss_;
    t.scores = scores_;
    t.lr = lr_;
    t.lr_default = tr_.workflow.lr();
    t.loss_name = ir::name_of(tr_.loss);
    t.readout_name = ir::name_of(tr_.readout_kind);
    t.optimizer_name = ir::name_of(tr_.workflow.optimizer);
    const ir::Workflow &w = tr_.workflow;
    t.hyper = hyper_;
    t.hypers = hypers_.list;
    t.schedule = w.schedule;
    t.schedule_unit = w.schedule_unit;
    t.schedule_monitor = w.schedule_monitor;
    t.warmup_unit = w.warmup_unit;
    t.early_stopping = w.early_stopping.enabled;
    t.early_stopping_monitor = w.early_stopping.monitor;
    t.checkpoint_unit = w.checkpoint.unit;
    t.checkpoint_dir = w.checkpoint.directory;
    for (const Param &param : params_) {
      t.params.push_back(param.info);
      t.params.back().example_gradient = param.grad;
    }
    // Random feedback matrices: read and written with the weights, never trained.
    for (const auto &[k, buffer] : feedback_) {
      TrainedParamInfo info;
      info.name = p_.populations[k].name + ".feedback";
      info.index = k;
      info.value = buffer;
      info.feedback = true;
      t.params.push_back(std::move(info));
    }
  }

  const ir::Module &m_;
  const ir::Training &tr_;
  Program &p_;
  ProgramBuilder b_;
  ElemType real_;
  EpropChoice choice_;
  std::optional<AdjointSchedule> adjoint_;
  LossShape shape_;
  int readout_ = -1, label_ = -1, loss_ = -1, scores_ = -1, delta_ = -1, lr_ = -1;
  int hyper_ = -1, norm2_ = -1, clip_scale_ = -1;
  std::map<int, int> kept_, rate_; ///< per population: dropout's kept flags, the filtered rate
  Hyperparameters hypers_;
  int bias_param_ = -1, bias_trace_ = -1, peak_ = -1;
  std::map<int, int> class_signal_;
  std::map<int, int> signal_, feedback_, symmetric_, previous_;
  std::vector<Param> params_;
  std::vector<Trace> traces_;
};

} // namespace

void schedule_training(const ir::Module &module, Program &program, EpropChoice choice) {
  TrainingScheduler(module, program, choice).run();
}

} // namespace snn::lower
