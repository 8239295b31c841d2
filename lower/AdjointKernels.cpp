//===- lower/AdjointKernels.cpp - The kernels of adjoint e-prop -----------===//
#include "lower/AdjointKernels.h"

#include "lower/KernelBody.h"

#include <map>

namespace snn::lower {

namespace {
using ir::Expr;

Value b_index() { return local("b", Type::I64); }
Value step_index() { return local("step", Type::I64); }

/// a + c * x, without the additions of 0 and the products by 1 that a
/// compiler may not fold (0 + x is not x for x = -0).
Expr add_term(const Expr &a, const Expr &c, const Expr &x) {
  double value = 0;
  Expr term = ir::constant_value(c, value) && value == 1 ? x : c * x;
  return a ? a + term : term;
}

/// Where element n of this step's record of example b is: (b S + step % S)
/// size + n, with S the steps a history holds (element `history_slot` of
/// `hyper`): the run's steps per example T, or a segment's when the
/// runtime recomputes the forward pass from checkpoints (step % S is then
/// the step within its segment, the segments starting at multiples of S).
/// S = 0, the hyperparameter's "let the runtime choose" before the runtime
/// chose, is T: a history always holds at least what it is allocated for.
Value history_index(Body &body, const Value &size, const Steps &run, int history_slot) {
  int hyper = body.k.kernel().param("hyper");
  ir::Expr held = body.load("history.held", hyper, i64(history_slot));
  held = ir::Select::make(ir::Binary::make(ir::BinaryOp::Ge, held, num(1)), held, run.count);
  // S and T are whole numbers far inside i32.
  Value steps = body.k.let("history_steps", Cast::make(Type::I64, Cast::make(Type::I32, Math::make(held))));
  return body.k.let("at", (b_index() * steps + step_index() % steps) * size + local("n", Type::I64));
}
} // namespace

Kernel build_history_kernel(bool store, ScopeKind scope, ElemType elem, int timesteps_slot, int history_steps_slot,
                            ElemType real) {
  Body body(std::string(store ? "history.store." : "history.load.") + name_of(scope) + "." + name_of(elem),
            DomainKind::Neurons, true);
  using Access = Param::Access;
  int value = body.k.buffer("value", elem, scope, BatchAxis::PerExample, store ? Access::Read : Access::Write);
  int history =
      body.k.buffer("history", elem, ScopeKind::Global, BatchAxis::PerExample, store ? Access::Write : Access::Read);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value at = history_index(body, size, steps_of(body, timesteps_slot, real), history_steps_slot);
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  if (store)
    body.k.store(history, at, body.k.load(value, index));
  else
    body.k.store(value, index, body.k.load(history, at));
  return body.k.finish();
}

Kernel build_adjoint_kernel(const std::string &name, const ir::TrainedProjection &tp, const LossShape &shape,
                            bool filter, bool spike_adjoint, double kappa, double gain, ElemType real,
                            const RateTerm &rate) {
  using Access = Param::Access;
  Body body("adjoint." + name, DomainKind::Neurons, true);
  int source = tp.readout ? body.k.buffer("delta", real, ScopeKind::Global, BatchAxis::PerExample, Access::Read)
                          : body.k.buffer("signal", real, ScopeKind::Neuron, BatchAxis::PerExample, Access::Read);
  int filtered =
      filter ? body.k.buffer("filtered", real, ScopeKind::Neuron, BatchAxis::PerExample, Access::ReadWrite) : -1;
  std::vector<int> carry;
  for (const ir::EligibilityTrace &t : tp.traces)
    carry.push_back(
        body.k.buffer("carry." + t.state, real, ScopeKind::Neuron, BatchAxis::PerExample, Access::ReadWrite));
  int mu = body.k.buffer("mu", real, ScopeKind::Neuron, BatchAxis::PerExample, Access::Write);
  int rate_history = -1, hyper = -1;
  if (rate.enabled) {
    rate_history = body.k.buffer("hist.rate", real, ScopeKind::Global, BatchAxis::PerExample, Access::Read);
    hyper = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Access::Read);
  }
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  Steps run = steps_of(body, shape.timesteps_slot, real);
  Value at = history_index(body, size, run, shape.history_steps_slot);

  // A coefficient: a constant, or the post model's hidden state recorded at
  // this step.
  std::map<std::string, Expr> recorded;
  auto coefficient = [&](const Expr &e) -> Expr {
    double value = 0;
    if (ir::constant_value(e, value))
      return num(value);
    const auto *v = e.as<ir::Variable>();
    ir::internal_check(v && v->var_kind == ir::VarKind::State,
                       "an adjoint coefficient is neither constant nor a state");
    auto found = recorded.find(v->name);
    if (found == recorded.end()) {
      int buffer = body.k.buffer("hist." + v->name, real, ScopeKind::Global, BatchAxis::PerExample, Access::Read);
      found = recorded.emplace(v->name, body.load("rec." + v->name, buffer, at)).first;
    }
    return found->second;
  };
  auto nonzero_constant = [](const Expr &e) {
    double value = 0;
    return !ir::constant_value(e, value) || value != 0;
  };

  Expr signal = body.load("L", source, index);
  if (spike_adjoint) {
    ir::internal_check(!filter, "a spike adjoint is not filtered");
  } else if (shape.kind == ir::ReadoutKind::Mean) {
    signal = body.let("L.weighted", signal / run.count);
  } else if (shape.kind == ir::ReadoutKind::Final) {
    Value last = run.is_last();
    signal = body.let("L.weighted", ir::Select::make(body.flag("last", last), signal, num(0)));
  }
  Expr s = signal;
  if (filter) {
    Expr g = body.let("G", add_term(signal, num(kappa), body.load("G.old", filtered, index)));
    body.store(filtered, index, g);
    s = add_term(Expr(), num(gain), g);
  }
  if (rate.enabled) {
    Expr f = body.load("rate.f", rate_history, at);
    Expr target = body.load("rate.target", hyper, i64(rate.target_slot));
    Expr strength = body.load("rate.strength", hyper, i64(rate.strength_slot));
    s = s + strength * (f - target * num(rate.dt));
  }
  Expr source_term = body.let("S", s);
  std::vector<Expr> lambda;
  for (size_t k = 0; k < tp.traces.size(); ++k) {
    const ir::EligibilityTrace &t = tp.traces[k];
    Expr value = body.load("carry.old." + t.state, carry[k], index);
    if (nonzero_constant(t.output_gain))
      value = add_term(value, coefficient(t.output_gain), source_term);
    lambda.push_back(body.let("lambda." + t.state, value));
  }
  Expr m;
  for (size_t k = 0; k < tp.traces.size(); ++k)
    if (nonzero_constant(tp.traces[k].input_gain))
      m = add_term(m, coefficient(tp.traces[k].input_gain), lambda[k]);
  body.store(mu, index, m ? m : num(0));
  // J_mk is entry k of trace m's row.
  for (size_t k = 0; k < tp.traces.size(); ++k) {
    Expr next;
    for (size_t m2 = 0; m2 < tp.traces.size(); ++m2)
      if (nonzero_constant(tp.traces[m2].jacobian[k]))
        next = add_term(next, coefficient(tp.traces[m2].jacobian[k]), lambda[m2]);
    body.store(carry[k], index, next ? next : num(0));
  }
  return body.k.finish();
}

Kernel build_backprop_kernel(ir::SynapseStorage storage, ElemType real) {
  using Access = Param::Access;
  Body body("backprop" + SynapseTargets::suffix(storage), DomainKind::Neurons, true);
  int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Access::Read);
  SynapseTargets targets(body.k, storage);
  int weight = body.k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Access::Read);
  int mu = body.k.buffer("mu", real, ScopeKind::Neuron, BatchAxis::PerExample, Access::Read);
  int spike_adjoint = body.k.buffer("spike_adjoint", real, ScopeKind::Neuron, BatchAxis::PerExample, Access::ReadWrite);
  Value num_pre = body.k.scalar("num_pre");
  Value num_post = body.k.scalar("num_post");
  body.k.set_extent("num_pre");
  Value pre = local("n", Type::I64);
  Value index = body.k.let("index", b_index() * num_pre + pre);
  OffsetRange range = offset_range(body.k, row_start, pre);
  Value begin = range.begin, end = range.end;
  Value s = local("s", Type::I64);
  // The sum in row order, into the neuron's own element: no atomics.
  body.k.emit(For::make("s", begin, end, body.k.nested([&] {
    Expr m = body.load("m", mu, b_index() * num_post + targets.post(body.k, "post", s, pre, begin));
    Expr w = body.load("w", weight, s);
    body.store(spike_adjoint, index, body.load("r", spike_adjoint, index) + w * m);
  })));
  return body.k.finish();
}

Kernel build_event_gradient_kernel(ir::SynapseStorage storage, ElemType real) {
  using Access = Param::Access;
  Body body("gradient.events" + SynapseTargets::suffix(storage), DomainKind::SpikingRows, true);
  int spikes = body.k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Access::Read);
  int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Access::Read);
  SynapseTargets targets(body.k, storage);
  int mu = body.k.buffer("mu", real, ScopeKind::Neuron, BatchAxis::PerExample, Access::Read);
  int grad = body.k.buffer("grad", real, ScopeKind::Synapse, BatchAxis::PerExample, Access::ReadWrite);
  Value num_pre = body.k.scalar("num_pre");
  Value num_post = body.k.scalar("num_post");
  body.k.set_extent("num_pre");
  body.k.set_spikes(spikes);
  body.k.set_rows(row_start);
  Value pre = local("pre", Type::I64);
  Value nsyn = body.k.let("nsyn", to_index(body.k.load(row_start, num_pre)));
  OffsetRange range = offset_range(body.k, row_start, pre);
  Value begin = range.begin, end = range.end;
  Value s = local("s", Type::I64);
  // Each synapse's per-example gradient is its own: no atomics, parallel.
  body.k.emit(For::make("s", begin, end, body.k.nested([&] {
    Value at = body.k.let("at", b_index() * nsyn + s);
    Expr m = body.load("m", mu, b_index() * num_post + targets.post(body.k, "post", s, pre, begin));
    body.store(grad, at, body.load("g", grad, at) + m);
  }),
                        /*parallel=*/true));
  return body.k.finish();
}

} // namespace snn::lower
