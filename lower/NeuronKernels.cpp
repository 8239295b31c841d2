//===- lower/NeuronKernels.cpp - The kernels of a neuron model ------------===//
#include "lower/NeuronKernels.h"

#include "ir/ExprVisitor.h"
#include "ir/Simplify.h"
#include "lower/RandomStreams.h"

#include "snn/philox.h"

#include <map>
#include <set>

namespace snn::lower {

namespace {

using ir::Expr;

const char *phase_name(NeuronPhase phase) {
  switch (phase) {
  case NeuronPhase::Init:
    return "init";
  case NeuronPhase::Update:
    return "update";
  case NeuronPhase::Reset:
    return "reset";
  case NeuronPhase::UpdateReset:
    return "update_reset";
  }
  return "?";
}

/// The model-IR expressions a phase evaluates.
std::vector<Expr> phase_exprs(const ir::NeuronModel &model, NeuronPhase phase) {
  std::vector<Expr> out;
  switch (phase) {
  case NeuronPhase::Init:
    for (const ir::StateVar &s : model.states)
      out.push_back(s.initial);
    break;
  case NeuronPhase::Update:
    for (const ir::Assignment &a : model.update)
      out.push_back(a.value);
    out.push_back(model.spike_condition);
    break;
  case NeuronPhase::Reset:
    for (const ir::Assignment &a : model.reset)
      out.push_back(a.value);
    break;
  case NeuronPhase::UpdateReset:
    out = phase_exprs(model, NeuronPhase::Update);
    for (const Expr &e : phase_exprs(model, NeuronPhase::Reset))
      out.push_back(e);
    break;
  }
  return out;
}

/// The random call sites of `exprs`, with their distributions.
std::map<uint32_t, ir::Distribution> random_sites(const std::vector<Expr> &exprs) {
  std::map<uint32_t, ir::Distribution> sites;
  for (const Expr &e : exprs)
    if (e)
      ir::walk(e, [&](const Expr &node) {
        if (const auto *r = node.as<ir::Random>())
          sites.emplace(r->site, r->dist);
      });
  return sites;
}

/// A local as a model-IR variable, so model expressions can read it.
Expr ir_local(const std::string &name, Type type, ir::Dimension dim) {
  ir::ScalarType scalar = type == Type::Real   ? ir::ScalarType::Real
                          : type == Type::Bool ? ir::ScalarType::Bool
                                               : ir::ScalarType::Int;
  return ir::Variable::make(ir::VarKind::Local, name, scalar == ir::ScalarType::Real ? dim : ir::Dimension(), scalar);
}

/// What the leaves of a model expression read in one kernel.
struct Bindings {
  std::map<std::string, Expr> states, inputs;
  std::map<uint32_t, Expr> randoms;
  Expr time, stimulus;
  Expr last_spike; ///< the spiked flag of the step before (update only)
};

/// Whether the model's update reads `last_spike()` (an `on spike next step` reset).
bool reads_last_spike(const ir::NeuronModel &model) {
  for (const ir::Assignment &a : model.update)
    if (ir::mentions(a.value, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::LastSpike; }))
      return true;
  return false;
}

class NeuronKernelBuilder {
public:
  NeuronKernelBuilder(const ir::NeuronModel &model, NeuronPhase phase, bool stimulus, ElemType real)
      : model_(model), phase_(phase), real_(real), exprs_(phase_exprs(model, phase)), sites_(random_sites(exprs_)),
        reads_stimulus_(stimulus && reads_stimulus(model, phase)),
        k_(std::string(phase_name(phase)) + "." + model.name + (reads_stimulus_ ? ".stimulus" : ""),
           DomainKind::Neurons, true) {
    ir::internal_check(model.discretized, "model '" + model.name + "' reached lower/ in continuous form");
  }

  Kernel build() {
    declare_params();
    index_ = k_.let("index", local("b", Type::I64) * size_ + local("n", Type::I64));
    switch (phase_) {
    case NeuronPhase::Init:
      init_body();
      break;
    case NeuronPhase::Update:
      update_body(false);
      break;
    case NeuronPhase::Reset:
      reset_body();
      break;
    case NeuronPhase::UpdateReset:
      update_body(true);
      break;
    }
    return k_.finish();
  }

private:
  void declare_params() {
    Param::Access state_access = phase_ == NeuronPhase::Init ? Param::Access::Write : Param::Access::ReadWrite;
    for (const ir::StateVar &s : model_.states)
      states_.push_back(
          k_.buffer("state." + s.name, state_elem(s, real_), ScopeKind::Neuron, BatchAxis::PerExample, state_access));
    Param::Access input_access = phase_ == NeuronPhase::Reset  ? Param::Access::Read
                                 : phase_ == NeuronPhase::Init ? Param::Access::Write
                                                               : Param::Access::ReadWrite;
    for (const ir::InputVar &i : model_.inputs)
      inputs_.push_back(k_.buffer("input." + i.name, real_, ScopeKind::Neuron, BatchAxis::PerExample, input_access));
    Param::Access spiked_access = phase_ == NeuronPhase::Reset ? Param::Access::Read : Param::Access::Write;
    if (phase_ != NeuronPhase::Reset && phase_ != NeuronPhase::Init && reads_last_spike(model_))
      spiked_access = Param::Access::ReadWrite;
    spiked_ = k_.buffer("spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, spiked_access);
    if (reads_stimulus_)
      stimulus_ = k_.buffer("stimulus", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    size_ = k_.scalar("size");
    k_.set_extent("size");
    if (!sites_.empty())
      stream_ = k_.scalar("stream");
  }

  /// Loads every state and input into locals named "<var>.<suffix>"; with
  /// `only`, just the variables it names, so that the kernel reads no buffer
  /// it does not need (see lower/Dependence.h).
  Bindings load_neuron(const std::string &suffix, const std::set<std::string> *only = nullptr) {
    Bindings b;
    for (size_t k = 0; k < model_.states.size(); ++k) {
      const ir::StateVar &s = model_.states[k];
      if (only && !only->count(s.name))
        continue;
      Value v = k_.let(s.name + "." + suffix, k_.load(states_[k], index_));
      b.states[s.name] = ir_local(s.name + "." + suffix, v->type, s.dim);
    }
    for (size_t j = 0; j < model_.inputs.size(); ++j) {
      const ir::InputVar &in = model_.inputs[j];
      if (only && !only->count(in.name))
        continue;
      k_.let(in.name + "." + suffix, k_.load(inputs_[j], index_));
      b.inputs[in.name] = ir_local(in.name + "." + suffix, Type::Real, in.dim);
    }
    b.time = ir_local("t", Type::Real, ir::Dimension::time());
    if (reads_stimulus_) {
      k_.let("stimulus", nonzero(k_.load(stimulus_, index_)));
      b.stimulus = ir_local("stimulus", Type::Bool, {});
    } else {
      b.stimulus = ir::Constant::make_bool(false);
    }
    return b;
  }

  /// rand() during a step: one block per call site, the same in the update
  /// and the reset of a step.
  void draw_step_randoms(Bindings &b) {
    if (sites_.empty())
      return;
    std::array<Value, 2> key = emit_example_key(k_);
    auto [step_low, step_high] = split_words(local("step", Type::I64));
    Value neuron = Cast::make(Type::U32, local("n", Type::I64));
    for (const auto &[site, dist] : sites_) {
      std::string name = "rand" + std::to_string(site);
      emit_draw(k_, name, {neuron, step_low, step_high, random_tag(SNN_RNG_STEP, stream_, site)}, key, dist);
      b.randoms[site] = ir_local(name + ".real", Type::Real, {});
    }
  }

  /// `e` with every leaf bound to the locals of `b`.
  Expr bind(const Expr &e, const Bindings &b) const {
    Expr out = ir::substitute(e, [&](const ir::Variable &v) -> Expr {
      switch (v.var_kind) {
      case ir::VarKind::State:
        return at(b.states, v.name, "state");
      case ir::VarKind::Input:
        return at(b.inputs, v.name, "input");
      case ir::VarKind::Time:
        return b.time;
      case ir::VarKind::Stimulus:
        return b.stimulus;
      case ir::VarKind::LastSpike:
        ir::internal_check(bool(b.last_spike), "last_spike() of model '" + model_.name + "' outside its update");
        return b.last_spike;
      default:
        throw ir::InternalError(std::string(ir::name_of(v.var_kind)) + " '" + v.name + "' of model '" + model_.name +
                                "' reached lower/");
      }
    });
    return ir::substitute_random(out, [&](const ir::Random &r) -> Expr {
      auto found = b.randoms.find(r.site);
      ir::internal_check(found != b.randoms.end(), "random site " + std::to_string(r.site) + " was not drawn");
      return found->second;
    });
  }

  Expr at(const std::map<std::string, Expr> &values, const std::string &name, const char *what) const {
    auto found = values.find(name);
    ir::internal_check(found != values.end(),
                       std::string("model '") + model_.name + "' has no " + what + " '" + name + "'");
    return found->second;
  }

  /// Values of `assignments`, indexed by state; all computed before any is
  /// stored, so all read the values bound in `b`.
  std::vector<Value> assign(const std::vector<ir::Assignment> &assignments, const Bindings &b,
                            const std::string &suffix) {
    std::vector<Value> next(model_.states.size());
    for (const ir::Assignment &a : assignments) {
      int k = model_.state_index(a.state);
      ir::internal_check(k >= 0, "model '" + model_.name + "' assigns unknown state '" + a.state + "'");
      ir::internal_check(!next[k], "model '" + model_.name + "' assigns '" + a.state + "' twice");
      ir::internal_check(a.value && a.value->type == model_.states[k].type,
                         "model '" + model_.name + "' assigns '" + a.state + "' a value of the wrong type");
      next[k] = k_.let(a.state + "." + suffix, Math::make(bind(a.value, b)));
    }
    return next;
  }

  void init_body() {
    std::array<Value, 2> key{};
    if (!sites_.empty())
      key = emit_example_key(k_);
    const std::array<Value, 2> network_key = run_key();
    Value neuron = Cast::make(Type::U32, local("n", Type::I64));
    Bindings none;
    none.time = ir::Constant::make(0.0, ir::Dimension::time());
    none.stimulus = ir::Constant::make_bool(false);
    // Parameters made per neuron first: other initial values may read them
    // (`state v = v_rest` with v_rest per neuron). A state's draws keep its
    // index k whatever the order.
    std::vector<size_t> order;
    for (bool parameters : {true, false})
      for (size_t k = 0; k < model_.states.size(); ++k)
        if (model_.states[k].parameter == parameters)
          order.push_back(k);
    for (size_t k : order) {
      const ir::StateVar &s = model_.states[k];
      Bindings b = none;
      for (const auto &[site, dist] : random_sites({s.initial})) {
        std::string name = "init" + std::to_string(k) + ".rand" + std::to_string(site);
        emit_draw(k_, name, {neuron, u32(uint32_t(k)), u32(0), random_tag(SNN_RNG_INIT, stream_, site)},
                  s.parameter ? network_key : key, dist);
        b.randoms[site] = ir_local(name + ".real", Type::Real, {});
      }
      Expr initial = s.initial ? s.initial : ir::Constant::make_typed(0, s.type, s.dim);
      ir::internal_check(initial->type == s.type, "initial value of '" + s.name + "' has the wrong type");
      if (!s.parameter) {
        k_.store(states_[k], index_, Math::make(bind(initial, b)));
        continue;
      }
      k_.let(s.name + ".initial", Math::make(bind(initial, b)));
      k_.store(states_[k], index_, local(s.name + ".initial", Type::Real));
      none.states[s.name] = ir_local(s.name + ".initial", Type::Real, s.dim);
    }
    for (int input : inputs_)
      k_.store(input, index_, real_value(0));
    k_.store(spiked_, index_, IntImm::make(Type::I32, 0));
  }

  /// The update; with `reset`, then the reset map over the updated values
  /// where the neuron spiked, before anything is stored.
  void update_body(bool reset) {
    Bindings old = load_neuron("old");
    if (reads_last_spike(model_)) { // loaded before this update overwrites it
      k_.let("last_spike", nonzero(k_.load(spiked_, index_)));
      old.last_spike = ir_local("last_spike", Type::Bool, {});
    }
    draw_step_randoms(old);
    std::vector<Value> next = assign(model_.update, old, "new");
    Bindings updated = old;
    for (size_t k = 0; k < next.size(); ++k)
      if (next[k])
        updated.states[model_.states[k].name] =
            ir_local(model_.states[k].name + ".new", next[k]->type, model_.states[k].dim);
    Value spike = IntImm::make(Type::Bool, 0);
    if (model_.spike_condition) {
      ir::internal_check(model_.spike_condition->is_bool(),
                         "spike condition of model '" + model_.name + "' is not boolean");
      spike = k_.let("spike", Math::make(bind(model_.spike_condition, updated)));
    }
    if (reset) {
      // The reset reads no input (the fusion's condition): none is bound.
      updated.inputs.clear();
      std::vector<Value> after = assign(model_.reset, updated, "reset");
      for (size_t k = 0; k < after.size(); ++k)
        if (after[k]) {
          const ir::StateVar &s = model_.states[k];
          Expr chosen = ir::Select::make(ir_local("spike", Type::Bool, {}),
                                         ir_local(s.name + ".reset", after[k]->type, s.dim), updated.states[s.name]);
          next[k] = k_.let(s.name + ".final", Math::make(chosen));
        }
    }
    for (size_t k = 0; k < next.size(); ++k)
      if (next[k])
        k_.store(states_[k], index_, next[k]);
    k_.store(spiked_, index_, Cast::make(Type::I32, spike));
    // The inputs were consumed by this update; spikes delivered later in this
    // step accumulate into the next one.
    for (int input : inputs_)
      k_.store(input, index_, real_value(0));
  }

  /// The states and inputs the reset reads: those its values mention and
  /// those it assigns (kept where the neuron did not spike).
  std::set<std::string> reset_uses() const {
    std::set<std::string> used;
    for (const ir::Assignment &a : model_.reset) {
      used.insert(a.state);
      ir::mentions(a.value, [&](const ir::Variable &v) {
        if (v.var_kind == ir::VarKind::State || v.var_kind == ir::VarKind::Input)
          used.insert(v.name);
        return false;
      });
    }
    return used;
  }

  void reset_body() {
    Value spiked = k_.let("spiked", nonzero(k_.load(spiked_, index_)));
    std::set<std::string> used = reset_uses();
    Bindings now = load_neuron("now", &used);
    draw_step_randoms(now);
    std::vector<Value> next = assign(model_.reset, now, "reset");
    ir::Expr fired = ir_local("spiked", Type::Bool, {});
    // A select, not a branch, so that the neuron loop stays vectorisable.
    for (size_t k = 0; k < next.size(); ++k)
      if (next[k]) {
        const ir::StateVar &s = model_.states[k];
        Expr chosen = ir::Select::make(fired, ir_local(s.name + ".reset", next[k]->type, s.dim), now.states[s.name]);
        k_.store(states_[k], index_, Math::make(chosen));
      }
  }

  const ir::NeuronModel &model_;
  NeuronPhase phase_;
  ElemType real_;
  std::vector<Expr> exprs_;
  std::map<uint32_t, ir::Distribution> sites_;
  bool reads_stimulus_;
  KernelBuilder k_;
  std::vector<int> states_, inputs_;
  int spiked_ = -1, stimulus_ = -1;
  Value size_, stream_, index_;
};

} // namespace

bool has_phase(const ir::NeuronModel &model, NeuronPhase phase) {
  if (phase == NeuronPhase::Reset)
    return model.spike_condition && !model.reset.empty();
  return true;
}

bool can_fuse_reset(const ir::NeuronModel &model) {
  if (!has_phase(model, NeuronPhase::Reset))
    return false;
  for (const ir::Assignment &a : model.reset)
    if (ir::mentions(a.value, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::Input; }))
      return false;
  return true;
}

bool reads_stimulus(const ir::NeuronModel &model, NeuronPhase phase) {
  for (const Expr &e : phase_exprs(model, phase))
    if (e && ir::mentions(e, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::Stimulus; }))
      return true;
  return false;
}

ElemType state_elem(const ir::StateVar &state, ElemType real) {
  return state.type == ir::ScalarType::Int ? ElemType::I32 : real;
}

Kernel build_neuron_kernel(const ir::NeuronModel &model, NeuronPhase phase, bool stimulus, ElemType real) {
  return NeuronKernelBuilder(model, phase, stimulus, real).build();
}

} // namespace snn::lower
