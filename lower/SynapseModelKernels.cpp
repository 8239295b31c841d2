//===- lower/SynapseModelKernels.cpp - Kernels of synapse models ----------===//
#include "lower/SynapseModelKernels.h"

#include "ir/Differentiate.h"
#include "ir/Simplify.h"
#include "lower/KernelBuilder.h"
#include "lower/SynapseKernels.h"

#include <map>

namespace snn::lower {

namespace {

Value to_index(Value v) { return Cast::make(Type::I64, std::move(v)); }

ir::Expr local_expr(const std::string &name, ir::Dimension dim) {
  return ir::Variable::make(ir::VarKind::Local, name, dim, ir::ScalarType::Real);
}

/// `e` with each synapse state X read from the local "X.now".
ir::Expr bind_states(const ir::Expr &e) {
  return ir::substitute(e, [](const ir::Variable &v) -> ir::Expr {
    return v.var_kind == ir::VarKind::State ? local_expr(v.name + ".now", v.dim) : ir::Expr();
  });
}

/// The state buffers of `model`, in order, and `last`.
struct SynapseBuffers {
  std::map<std::string, int> state;
  int last = -1;
};

SynapseBuffers synapse_buffers(KernelBuilder &k, const ir::SynapseModel &model, ElemType real, Param::Access access) {
  SynapseBuffers b;
  for (const ir::StateVar &s : model.states)
    b.state[s.name] = k.buffer("state." + s.name, real, ScopeKind::Synapse, BatchAxis::PerExample, access);
  b.last = k.buffer("last", ElemType::U32, ScopeKind::Synapse, BatchAxis::PerExample, access);
  return b;
}

/// x after `elapsed` (a local, in seconds) of dx/dt = a x + c, from x.old.
ir::Expr lazy_solution(const ir::Ode &ode, const ir::StateVar &state) {
  std::optional<ir::AffineForm> form = ir::affine_in_state(ode.rhs, state.name, state.dim);
  ir::internal_check(form.has_value(), "synapse ODE d" + state.name + "/dt is not affine");
  ir::Expr x = local_expr(state.name + ".old", state.dim);
  ir::Expr elapsed = local_expr("elapsed", ir::Dimension::time());
  double rate = 0;
  if (ir::constant_value(form->rate, rate) && rate == 0)
    return ir::simplify(x + form->drive * elapsed);
  ir::Expr growth = ir::Call::make(ir::Function::Exp, form->rate * elapsed);
  return ir::simplify(x * growth + form->drive / form->rate * (growth - ir::Constant::make(1.0)));
}

} // namespace

Kernel build_synapse_init_kernel(const ir::SynapseModel &model, ElemType real) {
  KernelBuilder k("init_synapses." + model.name, DomainKind::Synapses, true);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  int weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  SynapseBuffers buffers = synapse_buffers(k, model, real, Param::Access::Write);
  Value num_pre = k.scalar("num_pre");
  k.set_extent("num_pre");
  k.set_rows(row_start);

  Value s = local("s", Type::I64);
  Value count = k.let("synapses", to_index(k.load(row_start, num_pre)));
  Value index = k.let("index", local("b", Type::I64) * count + s);
  for (const ir::StateVar &st : model.states)
    k.store(buffers.state.at(st.name), index,
            st.name == model.weight ? k.load(weight, s) : Math::make(ir::simplify(st.initial)));
  k.store(buffers.last, index, u32(0));
  return k.finish();
}

namespace {

/// What an event kernel of `model` reads and writes, declared on `k`.
struct EventBuffers {
  int row_start = -1, counter = -1, post_spiked = -1;
  std::optional<SynapseTargets> targets; ///< for events over rows
  SynapseBuffers synapse;
  std::map<std::string, int> post;
  Value num_pre, num_post;
};

EventBuffers event_buffers(KernelBuilder &k, const ir::SynapseModel &model,
                           const std::vector<ir::SynapseStatement> &statements, const std::set<std::string> &gated,
                           std::optional<ir::SynapseStorage> rows, ElemType real) {
  EventBuffers e;
  e.row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  if (rows)
    e.targets.emplace(k, *rows);
  e.synapse = synapse_buffers(k, model, real, Param::Access::ReadWrite);
  for (const ir::SynapseStatement &st : statements)
    if (st.kind == ir::SynapseStatement::Kind::Post && !e.post.count(st.target))
      e.post[st.target] =
          k.buffer("post." + st.target, real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  bool any_gated = false;
  for (const auto &entry : e.post)
    any_gated = any_gated || gated.count(entry.first);
  if (any_gated) {
    e.counter = k.buffer("counter", ElemType::I32, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    e.post_spiked =
        k.buffer("post_spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  }
  return e;
}

/// The event of synapse `s` (I64) onto postsynaptic neuron `neuron`: its
/// states brought to this step, the statements, the stores.
void emit_event(KernelBuilder &k, const ir::SynapseModel &model, const std::vector<ir::SynapseStatement> &statements,
                const std::set<std::string> &gated, double dt, const EventBuffers &e, Value s, Value neuron) {
  Value count = k.let("synapses", to_index(k.load(e.row_start, e.num_pre)));
  Value index = k.let("index", local("b", Type::I64) * count + s);
  Value post_index = k.let("post_index", local("b", Type::I64) * e.num_post + neuron);
  Value step = local("step", Type::I64);
  // Steps since this synapse's last event: u32 arithmetic, exact for gaps
  // below 2^32 steps.
  k.let("gap", Cast::make(Type::Real,
                          IntOp::make(IntOpKind::Sub, Cast::make(Type::U32, step), k.load(e.synapse.last, index))));
  k.let("elapsed", Math::make(local_expr("gap", ir::Dimension()) * ir::Constant::make(dt, ir::Dimension::time())));
  std::map<std::string, const ir::Ode *> odes;
  for (const ir::Ode &o : model.odes)
    odes[o.state] = &o;
  for (const ir::StateVar &st : model.states) {
    k.let(st.name + ".old", k.load(e.synapse.state.at(st.name), index));
    ir::Expr now = odes.count(st.name) ? lazy_solution(*odes.at(st.name), st) : local_expr(st.name + ".old", st.dim);
    k.let(st.name + ".now", Math::make(now));
  }
  std::map<std::string, Value> next;
  int writes = 0;
  for (const ir::SynapseStatement &st : statements) {
    Value v = Math::make(ir::simplify(bind_states(st.value)));
    if (st.kind == ir::SynapseStatement::Kind::State) {
      next[st.target] = v;
      continue;
    }
    Value amount = k.let("add." + st.target + "." + std::to_string(++writes), v);
    if (!gated.count(st.target)) {
      k.atomic_add(e.post.at(st.target), post_index, amount);
      continue;
    }
    k.emit(If::make(target_open(k, e.counter, e.post_spiked, post_index),
                    k.nested([&] { k.atomic_add(e.post.at(st.target), post_index, amount); })));
  }
  for (const ir::StateVar &st : model.states) {
    if (next.count(st.name))
      k.store(e.synapse.state.at(st.name), index, next.at(st.name));
    else if (odes.count(st.name))
      k.store(e.synapse.state.at(st.name), index, local(st.name + ".now", Type::Real));
  }
  k.store(e.synapse.last, index, Cast::make(Type::U32, step));
}

} // namespace

Kernel build_synapse_event_kernel(const ir::SynapseModel &model, bool post_event, const std::set<std::string> &gated,
                                  double dt, ir::SynapseStorage storage, ElemType real) {
  const std::vector<ir::SynapseStatement> &statements = post_event ? model.on_post : model.on_pre;
  // `on post` walks columns, which every storage keeps: one kernel for all.
  KernelBuilder k(post_event ? "on_post." + model.name : "on_pre." + model.name + SynapseTargets::suffix(storage),
                  DomainKind::SpikingRows, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  EventBuffers e = event_buffers(k, model, statements, gated,
                                 post_event ? std::nullopt : std::optional<ir::SynapseStorage>(storage), real);
  int col_start = -1, col_synapse = -1;
  if (post_event) {
    col_start = k.buffer("col_start", ElemType::U32, ScopeKind::Column, BatchAxis::Shared, Param::Access::Read);
    col_synapse = k.buffer("col_synapse", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  }
  e.num_pre = k.scalar("num_pre");
  e.num_post = k.scalar("num_post");
  k.set_extent(post_event ? "num_post" : "num_pre");
  k.set_spikes(spikes);
  k.set_rows(post_event ? col_start : e.row_start);

  // The spiking neuron: a row's presynaptic one, or a column's postsynaptic one.
  Value spiking = local("pre", Type::I64);
  int rows = post_event ? col_start : e.row_start;
  OffsetRange range = offset_range(k, rows, spiking);
  Value begin = range.begin, end = range.end;
  k.emit(For::make("k", begin, end, k.nested([&] {
    Value kk = local("k", Type::I64);
    Value s = post_event ? k.let("s", to_index(k.load(col_synapse, kk))) : kk;
    Value neuron = post_event ? spiking : e.targets->post(k, "post", s, spiking, begin);
    emit_event(k, model, statements, gated, dt, e, s, neuron);
  })));
  return k.finish();
}

Kernel build_spike_history_kernel(ElemType real) {
  KernelBuilder k("spike_history", DomainKind::Neurons, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int history = k.buffer("history", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  Value num_pre = k.scalar("num_pre");
  Value slots = k.scalar("slots");
  k.set_extent("num_pre");
  Value n = local("n", Type::I64), b = local("b", Type::I64);
  Value slot = k.let("slot", IntOp::make(IntOpKind::And, local("step", Type::I64), slots - i64(1)));
  Value spiked = k.load(spikes, b * num_pre + n);
  k.store(history, b * slots * num_pre + slot * num_pre + n, Cast::make(Type::Real, spiked));
  return k.finish();
}

namespace {

/// Whether the history ring holds a spike of presynaptic neuron `pre` (in
/// example b) for delay `d`: the spike of step t - (d - 1) arrives now,
/// Brian2's delay (d - 1) dt. Binds the locals `slot` and `was`.
Value arrives_now(KernelBuilder &k, int history, Value slots, Value num_pre, Value pre, Value d) {
  Value slot =
      k.let("slot", IntOp::make(IntOpKind::And, local("step", Type::I64) + slots - (d - i64(1)), slots - i64(1)));
  k.let("was", k.load(history, local("b", Type::I64) * slots * num_pre + slot * num_pre + pre));
  return Math::make(ir::Binary::make(ir::BinaryOp::Gt, local_expr("was", ir::Dimension()), ir::real(0.0)));
}

/// What a kernel flagging arrivals from a spike history takes: the history,
/// the U8 flag per presynaptic neuron and example, num_pre and slots; it
/// runs over the presynaptic neurons.
struct ArrivalFlags {
  int history, arrived;
  Value num_pre, slots;
  /// The flag of neuron n of example b.
  Value flag() const { return local("b", Type::I64) * num_pre + local("n", Type::I64); }
};

ArrivalFlags arrival_flags(KernelBuilder &k, ElemType real) {
  ArrivalFlags f;
  f.history = k.buffer("history", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  f.arrived = k.buffer("arrived", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Write);
  f.num_pre = k.scalar("num_pre");
  f.slots = k.scalar("slots");
  k.set_extent("num_pre");
  return f;
}

} // namespace

Kernel build_spike_arrivals_kernel(ElemType real) {
  KernelBuilder k("spike_arrivals", DomainKind::Neurons, true);
  ArrivalFlags f = arrival_flags(k, real);
  Value d = k.scalar("delay_steps");
  Value spiked = arrives_now(k, f.history, f.slots, f.num_pre, local("n", Type::I64), d);
  k.store(f.arrived, f.flag(), Cast::make(Type::I32, spiked));
  return k.finish();
}

Kernel build_spike_window_kernel(ElemType real) {
  KernelBuilder k("spike_window", DomainKind::Neurons, true);
  ArrivalFlags f = arrival_flags(k, real);
  Value shortest = k.scalar("shortest"), longest = k.scalar("longest");
  Value flag = k.let("flag", f.flag());
  k.store(f.arrived, flag, IntImm::make(Type::I32, 0));
  k.emit(For::make("d", shortest, longest + i64(1), k.nested([&] {
    Value spiked = arrives_now(k, f.history, f.slots, f.num_pre, local("n", Type::I64), local("d", Type::I64));
    k.emit(If::make(spiked, k.nested([&] { k.store(f.arrived, flag, IntImm::make(Type::I32, 1)); })));
  })));
  return k.finish();
}

Kernel build_delayed_pre_event_kernel(const ir::SynapseModel &model, const std::set<std::string> &gated, double dt,
                                      ir::SynapseStorage storage, ElemType real) {
  KernelBuilder k("on_pre.delayed.per_synapse." + model.name + SynapseTargets::suffix(storage), DomainKind::SpikingRows,
                  true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int history = k.buffer("history", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  EventBuffers e = event_buffers(k, model, model.on_pre, gated, storage, real);
  int delay = k.buffer("delay", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  e.num_pre = k.scalar("num_pre");
  e.num_post = k.scalar("num_post");
  Value slots = k.scalar("slots");
  k.set_extent("num_pre");
  k.set_spikes(spikes);
  k.set_rows(e.row_start);

  Value pre = local("pre", Type::I64);
  OffsetRange range = offset_range(k, e.row_start, pre);
  Value begin = range.begin, end = range.end;
  k.emit(For::make("s", begin, end, k.nested([&] {
    Value s = local("s", Type::I64);
    Value arrived = arrives_now(k, history, slots, e.num_pre, pre, to_index(k.load(delay, s)));
    k.emit(If::make(arrived, k.nested([&] {
      emit_event(k, model, model.on_pre, gated, dt, e, s, e.targets->post(k, "post", s, pre, begin));
    })));
  })));
  return k.finish();
}

} // namespace snn::lower
