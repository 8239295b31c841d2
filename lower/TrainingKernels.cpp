//===- lower/TrainingKernels.cpp - The kernels of e-prop training ---------===//
#include "lower/TrainingKernels.h"

#include "ir/Printer.h"
#include "lower/KernelBody.h"
#include "lower/RandomStreams.h"

#include "snn/philox.h"

#include <cmath>
#include <map>

namespace snn::lower {

namespace {

using ir::Expr;

Value b_index() { return local("b", Type::I64); }

/// Synapse-scope per-example indexing: `nsyn` from row_start[num_pre].
struct SynapseIndex {
  Value nsyn, sidx, pidx, jidx, post;
};

SynapseIndex synapse_index(Body &body, int row_start, const SynapseTargets &targets, const Value &num_pre,
                           const Value &num_post) {
  SynapseIndex ix;
  ix.nsyn = body.k.let("nsyn", to_index(body.k.load(row_start, num_pre)));
  Value s = local("s", Type::I64), pre = local("pre", Type::I64);
  ix.post = targets.post_in_row(body.k, "post", s, pre, row_start);
  ix.sidx = body.k.let("sidx", b_index() * ix.nsyn + s);
  ix.pidx = body.k.let("pidx", b_index() * num_pre + local("pre", Type::I64));
  ix.jidx = body.k.let("jidx", b_index() * num_post + ix.post);
  return ix;
}

/// The loss of values y_k = values[base + k] against `label`, weighted by
/// `w`: adds w * l to loss[b] and stores delta[b, k] = w * dl/dy_k.
void emit_loss(Body &body, const LossShape &shape, int values, const Value &base, int loss, int delta,
               const Value &label, const Expr &w, const std::string &tag) {
  Value classes = i64(shape.classes);
  Value k = local("k" + tag, Type::I64);
  Value m = local("m" + tag, Type::I64);
  Value q = local("q" + tag, Type::I64);
  Value b = b_index();
  if (shape.loss == ir::LossKind::SparseCategoricalCrossentropy) {
    // The maximum first, then the log-sum-exp, so that exp never overflows;
    // delta[b, 0] holds the running maximum and then the sum until delta is
    // written.
    Value slot = body.k.let("slot" + tag, b * classes);
    body.store(delta, slot, body.load("y0" + tag, values, base));
    body.loop("k" + tag, i64(1), classes, [&] {
      Expr y = body.load("yk" + tag, values, base + k);
      Expr top = body.load("top" + tag, delta, slot);
      body.store(delta, slot, ir::Binary::make(ir::BinaryOp::Max, top, y));
    });
    Expr top = body.load("max" + tag, delta, slot);
    body.store(delta, slot, num(0));
    body.loop("m" + tag, i64(0), classes, [&] {
      Expr y = body.load("ym" + tag, values, base + m);
      body.add(delta, slot, ir::Call::make(ir::Function::Exp, y - top));
    });
    Expr sum = body.load("sum" + tag, delta, slot);
    Expr lse = body.let("lse" + tag, top + ir::Call::make(ir::Function::Log, sum));
    Expr y_label = body.load("ylabel" + tag, values, base + label);
    body.add(loss, b, w * (lse - y_label));
    body.loop("q" + tag, i64(0), classes, [&] {
      Expr y = body.load("yq" + tag, values, base + q);
      Expr is_label = body.flag("isq" + tag, IntOp::make(IntOpKind::Eq, q, label));
      Expr target = ir::Select::make(is_label, num(1), num(0));
      body.store(delta, b * classes + q, w * (ir::Call::make(ir::Function::Exp, y - lse) - target));
    });
    return;
  }
  double inv = 1.0 / shape.classes;
  body.loop("q" + tag, i64(0), classes, [&] {
    Expr y = body.load("yq" + tag, values, base + q);
    Expr is_label = body.flag("isq" + tag, IntOp::make(IntOpKind::Eq, q, label));
    Expr diff = body.let("diff" + tag, y - ir::Select::make(is_label, num(1), num(0)));
    body.add(loss, b, w * num(inv) * diff * diff);
    body.store(delta, b * classes + q, w * num(2 * inv) * diff);
  });
  (void)k;
  (void)m;
}

} // namespace

Kernel build_zero_kernel(ScopeKind scope, ElemType elem) {
  bool synapse = scope == ScopeKind::Synapse;
  Body body(std::string("zero.") + name_of(scope) + "." + name_of(elem),
            synapse ? DomainKind::Synapses : DomainKind::Neurons, true);
  Value zero = elem == ElemType::F32 || elem == ElemType::F64 ? real_value(0) : IntImm::make(Type::I32, 0);
  if (synapse) {
    int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
    int buffer = body.k.buffer("buffer", elem, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::Write);
    Value num_pre = body.k.scalar("num_pre");
    body.k.set_extent("num_pre");
    body.k.set_rows(row_start);
    Value nsyn = body.k.let("nsyn", to_index(body.k.load(row_start, num_pre)));
    body.k.store(buffer, b_index() * nsyn + local("s", Type::I64), zero);
    return body.k.finish();
  }
  int buffer = body.k.buffer("buffer", elem, scope, BatchAxis::PerExample, Param::Access::Write);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  body.k.store(buffer, b_index() * size + local("n", Type::I64), zero);
  return body.k.finish();
}

Kernel build_copy_flags_kernel() {
  Body body("copy_spikes", DomainKind::Neurons, true);
  int spiked = body.k.buffer("spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int prev = body.k.buffer("prev", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Write);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  body.k.store(prev, index, body.k.load(spiked, index));
  return body.k.finish();
}

namespace {
/// The buffers every loss kernel takes.
struct LossBuffers {
  int label, loss, scores, delta, y, peak, spiked;
};

LossBuffers loss_buffers(Body &body, ElemType real, bool reads_y, bool max = false) {
  LossBuffers l{};
  l.peak = max ? body.k.buffer("peak", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write) : -1;
  l.label = body.k.buffer("label", ElemType::I32, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  l.loss = body.k.buffer("loss", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::ReadWrite);
  l.scores = body.k.buffer("scores", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::ReadWrite);
  l.delta = body.k.buffer("delta", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::ReadWrite);
  l.y = reads_y ? body.k.buffer("y", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read) : -1;
  l.spiked = -1;
  body.k.scalar("one");
  body.k.set_extent("one");
  return l;
}
} // namespace

Kernel build_loss_step_kernel(const LossShape &shape, ElemType real) {
  Body body(std::string("loss.step.") + ir::name_of(shape.kind) + "." + ir::name_of(shape.loss), DomainKind::Neurons,
            true);
  LossBuffers l =
      loss_buffers(body, real, shape.kind != ir::ReadoutKind::SpikeCount, shape.kind == ir::ReadoutKind::Max);
  Value classes = i64(shape.classes);
  Value base = body.k.let("base", b_index() * classes);
  Value step = local("step", Type::I64);
  Value p = local("p", Type::I64);
  Steps steps = steps_of(body, shape.timesteps_slot, real);
  if (shape.per_step()) {
    // The loss is the mean over the window: all T steps, or the last N.
    bool last = shape.kind == ir::ReadoutKind::LastSteps;
    Expr w = last ? num(1.0 / shape.last_steps) : body.let("w", num(1) / steps.count);
    Value counted = last ? steps.within_last(shape.last_steps) : Value(IntOp::make(IntOpKind::Le, i64(0), step));
    Value label = body.k.let("label", to_index(body.k.load(l.label, b_index())));
    body.when(
        counted,
        [&] {
          emit_loss(body, shape, l.y, base, l.loss, l.delta, label, w, ".s");
          body.loop("p", i64(0), classes, [&] {
            Expr y = body.load("yp", l.y, base + p);
            body.add(l.scores, base + p, w * y);
          });
        },
        [&] { body.loop("z", i64(0), classes, [&] { body.store(l.delta, base + local("z", Type::I64), num(0)); }); });
    return body.k.finish();
  }
  // Deferred: accumulate the scores; the loss comes at the end.
  if (shape.kind == ir::ReadoutKind::Mean) {
    body.loop("p", i64(0), classes, [&] {
      Expr y = body.load("yp", l.y, base + p);
      body.add(l.scores, base + p, y / steps.count);
    });
  } else if (shape.kind == ir::ReadoutKind::SpikeCount) {
    int spiked = body.k.buffer("spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    body.loop("p", i64(0), classes, [&] {
      Expr fired = body.flag("fired", nonzero(body.k.load(spiked, base + p)));
      body.add(l.scores, base + p, ir::Select::make(fired, num(1), num(0)));
    });
  } else if (shape.kind == ir::ReadoutKind::Max) {
    // The running maximum, and peak[b, k] = 1 in the steps where it is
    // reached anew (the first step included): the traces snapshot then.
    Value first = body.k.let("first", IntOp::make(IntOpKind::Eq, step, i64(0)));
    body.loop("p", i64(0), classes, [&] {
      Expr y = body.load("yp", l.y, base + p);
      Expr top = body.load("top", l.scores, base + p);
      Value higher = body.k.let(
          "higher", IntOp::make(IntOpKind::Or, first, Math::make(ir::Binary::make(ir::BinaryOp::Gt, y, top))));
      body.when(
          higher,
          [&] {
            body.store(l.scores, base + p, y);
            body.store(l.peak, base + p, num(1));
          },
          [&] { body.store(l.peak, base + p, num(0)); });
    });
  } else { // Final
    body.when(steps.is_last(), [&] {
      body.loop("p", i64(0), classes, [&] { body.store(l.scores, base + p, body.load("yp", l.y, base + p)); });
    });
  }
  return body.k.finish();
}

Kernel build_loss_end_kernel(const LossShape &shape, ElemType real) {
  Body body(std::string("loss.end.") + ir::name_of(shape.loss), DomainKind::Neurons, true);
  LossBuffers l = loss_buffers(body, real, false);
  Value base = body.k.let("base", b_index() * i64(shape.classes));
  Value label = body.k.let("label", to_index(body.k.load(l.label, b_index())));
  emit_loss(body, shape, l.scores, base, l.loss, l.delta, label, num(1), ".e");
  return body.k.finish();
}

namespace {
/// The buffers that carry the error back to a hidden population: the
/// CSR and weights of its projection to the readout (symmetric), or a dense
/// [n_hidden, classes] feedback matrix (random).
struct Feedback {
  int row_start = -1, weight = -1, feedback = -1;
  std::optional<SynapseTargets> targets;
};

Feedback feedback_params(Body &body, bool symmetric, ir::SynapseStorage storage, ElemType real) {
  Feedback f;
  if (symmetric) {
    f.row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
    f.targets.emplace(body.k, storage);
    f.weight = body.k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  } else {
    f.feedback = body.k.buffer("feedback", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  }
  return f;
}
} // namespace

Kernel build_learning_signal_kernel(bool symmetric, ir::SynapseStorage storage, uint32_t classes, ElemType real) {
  Body body(symmetric ? "learning_signal.symmetric" + SynapseTargets::suffix(storage) : "learning_signal.random",
            DomainKind::Neurons, true);
  int delta = body.k.buffer("delta", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  int signal = body.k.buffer("signal", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  Feedback fb = feedback_params(body, symmetric, storage, real);
  int row_start = fb.row_start, weight = fb.weight, feedback = fb.feedback;
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value n = local("n", Type::I64);
  Value index = body.k.let("index", b_index() * size + n);
  Value base = body.k.let("base", b_index() * i64(classes));
  body.store(signal, index, num(0));
  if (symmetric) {
    OffsetRange range = offset_range(body.k, row_start, n);
    Value begin = range.begin, end = range.end;
    Value s = local("s", Type::I64);
    body.loop("s", begin, end, [&] {
      Expr w = body.load("w", weight, s);
      Expr d = body.load("d", delta, base + fb.targets->post(body.k, "post", s, n, begin));
      body.add(signal, index, w * d);
    });
  } else {
    Value k = local("k", Type::I64);
    body.loop("k", i64(0), i64(classes), [&] {
      Expr w = body.load("w", feedback, n * i64(classes) + k);
      Expr d = body.load("d", delta, base + k);
      body.add(signal, index, w * d);
    });
  }
  return body.k.finish();
}

namespace {
/// A coefficient of a trace: a constant, or a hidden state of the post
/// population, loaded at the post neuron.
struct Coefficient {
  double value = 0;
  int buffer = -1; ///< the state's buffer parameter, or -1 for a constant
};
} // namespace

Kernel build_trace_kernel(const std::string &name, const ir::TrainedProjection &tp, ir::SynapseStorage storage,
                          const LossShape &shape, double kappa, double gain, ElemType real, const RateTerm &rate) {
  Body body("trace." + name + SynapseTargets::suffix(storage), DomainKind::Synapses, true);
  int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(body.k, storage);
  int spikes = body.k.buffer("pre_spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int signal = body.k.buffer("signal", real, tp.readout ? ScopeKind::Global : ScopeKind::Neuron, BatchAxis::PerExample,
                             Param::Access::Read);
  std::vector<int> eps;
  for (const ir::EligibilityTrace &t : tp.traces)
    eps.push_back(body.k.buffer("eps." + t.state, real, t.per_pre ? ScopeKind::Pre : ScopeKind::Synapse,
                                BatchAxis::PerExample, t.per_pre ? Param::Access::Read : Param::Access::ReadWrite));
  int ebar = tp.readout
                 ? -1
                 : body.k.buffer("ebar", real, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::ReadWrite);
  // Where the trace goes: the per-example gradient (per-step losses), an
  // accumulator (mean, final), or snapshots at the readout's peaks (max:
  // one per class for a hidden projection, whose error comes back through
  // every class).
  bool max = shape.kind == ir::ReadoutKind::Max, count = shape.kind == ir::ReadoutKind::SpikeCount;
  std::vector<int> sinks;
  if ((max || count) && !tp.readout)
    for (uint32_t c = 0; c < shape.classes; ++c)
      sinks.push_back(body.k.buffer("acc." + std::to_string(c), real, ScopeKind::Synapse, BatchAxis::PerExample,
                                    count ? Param::Access::ReadWrite : Param::Access::Write));
  else
    sinks.push_back(body.k.buffer(shape.per_step() ? "grad" : "acc", real, ScopeKind::Synapse, BatchAxis::PerExample,
                                  max ? Param::Access::Write : Param::Access::ReadWrite));
  int sink = sinks.front();
  int peak = max || (count && !tp.readout)
                 ? body.k.buffer("peak", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read)
                 : -1;
  int rate_average = -1, hyper = -1, grad = shape.per_step() && sinks.size() == 1 ? sink : -1;
  if (rate.enabled) {
    rate_average = body.k.buffer("rate", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    hyper = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
    if (grad < 0)
      grad = body.k.buffer("grad", real, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::ReadWrite);
  }
  // The post-model hidden states the coefficients read.
  std::map<std::string, int> states;
  auto coefficient = [&](const Expr &e) {
    Coefficient c;
    if (ir::constant_value(e, c.value))
      return c;
    const auto *v = e.as<ir::Variable>();
    ir::internal_check(v && v->var_kind == ir::VarKind::State, "a trace coefficient is neither constant nor a state");
    auto found = states.find(v->name);
    if (found == states.end())
      found = states
                  .emplace(v->name, body.k.buffer("state." + v->name, real, ScopeKind::Neuron, BatchAxis::PerExample,
                                                  Param::Access::Read))
                  .first;
    c.buffer = found->second;
    return c;
  };
  std::vector<std::vector<Coefficient>> jac;
  std::vector<Coefficient> in, out;
  for (const ir::EligibilityTrace &t : tp.traces) {
    jac.emplace_back();
    for (const Expr &e : t.jacobian)
      jac.back().push_back(coefficient(e));
    in.push_back(coefficient(t.input_gain));
    out.push_back(coefficient(t.output_gain));
  }
  Value num_pre = body.k.scalar("num_pre");
  Value num_post = body.k.scalar("num_post");
  body.k.set_extent("num_pre");
  body.k.set_rows(row_start);

  SynapseIndex ix = synapse_index(body, row_start, targets, num_pre, num_post);
  Expr z = body.let("z", ir::Select::make(body.flag("fired", nonzero(body.k.load(spikes, ix.pidx))), num(1), num(0)));
  auto value_of = [&](const Coefficient &c, const std::string &local_name) -> Expr {
    if (c.buffer < 0)
      return num(c.value);
    return body.load(local_name, c.buffer, ix.jidx);
  };
  std::vector<Expr> old;
  for (size_t k = 0; k < tp.traces.size(); ++k)
    old.push_back(body.load("old." + tp.traces[k].state, eps[k], tp.traces[k].per_pre ? ix.pidx : ix.sidx));
  Expr e = num(0);
  for (size_t k = 0; k < tp.traces.size(); ++k) {
    const std::string &state = tp.traces[k].state;
    Expr next = value_of(in[k], "in." + state) * z;
    for (size_t m = 0; m < tp.traces.size(); ++m)
      if (jac[k][m].buffer >= 0 || jac[k][m].value != 0)
        next = next + value_of(jac[k][m], "J." + state + "." + tp.traces[m].state) * old[m];
    Expr now = body.let("new." + state, next);
    if (!tp.traces[k].per_pre)
      body.store(eps[k], ix.sidx, now);
    if (out[k].buffer >= 0 || out[k].value != 0)
      e = e + value_of(out[k], "out." + state) * now;
  }
  Expr term = body.let("e", e);
  if (rate.enabled) {
    // mlGeNN's regulariser: strength (f_j - target dt) e_ji, every step.
    Expr f = body.load("rate.f", rate_average, ix.jidx);
    Expr target = body.load("rate.target", hyper, i64(rate.target_slot));
    Expr strength = body.load("rate.strength", hyper, i64(rate.strength_slot));
    body.add(grad, ix.sidx, strength * (f - target * num(rate.dt)) * term);
  }
  if (!tp.readout) {
    Expr filtered = body.load("ebar.old", ebar, ix.sidx);
    term = body.let("ebar.new", num(kappa) * filtered + num(gain) * term);
    body.store(ebar, ix.sidx, term);
  }
  Value signal_index = tp.readout ? b_index() * i64(shape.classes) + ix.post : ix.jidx;
  if (shape.per_step()) {
    body.add(sink, ix.sidx, body.load("L", signal, signal_index) * term);
  } else if (shape.kind == ir::ReadoutKind::Mean) {
    body.add(sink, ix.sidx, term / steps_of(body, shape.timesteps_slot, real).count);
  } else if (count && tp.readout) {
    body.add(sink, ix.sidx, term); // every spike counts once
  } else if (count) {
    // Each class's count moves with its neurons' spikes: the trace weighted
    // by dz_k/di_k of this step (in `peak`), per class.
    Value base = body.k.let("class_base", b_index() * i64(shape.classes));
    for (size_t c = 0; c < sinks.size(); ++c) {
      Expr weight = body.load("sens." + std::to_string(c), peak, base + i64(int64_t(c)));
      body.add(sinks[c], ix.sidx, weight * term);
    }
  } else if (max) {
    Value base = body.k.let("class_base", b_index() * i64(shape.classes));
    for (size_t c = 0; c < sinks.size(); ++c) {
      Value at = tp.readout ? base + ix.post : base + i64(int64_t(c));
      Expr reached = body.load("peak." + std::to_string(c), peak, at);
      body.when(Math::make(ir::Binary::make(ir::BinaryOp::Gt, reached, num(0.5))),
                [&] { body.store(sinks[c], ix.sidx, term); });
    }
  } else { // Final: only the last step counts
    body.when(steps_of(body, shape.timesteps_slot, real).is_last(), [&] { body.store(sink, ix.sidx, term); });
  }
  return body.k.finish();
}

Kernel build_count_sensitivity_kernel(const ir::TrainedProjection &tp, ElemType real) {
  Body body("count.sensitivity", DomainKind::Neurons, true);
  int peak = body.k.buffer("peak", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  std::map<std::string, int> states;
  auto value_of = [&](const Expr &e, const std::string &name, const Value &index) -> Expr {
    double v = 0;
    if (ir::constant_value(e, v))
      return num(v);
    const auto *var = e.as<ir::Variable>();
    ir::internal_check(var && var->var_kind == ir::VarKind::State, "a gain is neither constant nor a state");
    auto found = states.find(var->name);
    if (found == states.end())
      found = states
                  .emplace(var->name, body.k.buffer("state." + var->name, real, ScopeKind::Neuron,
                                                    BatchAxis::PerExample, Param::Access::Read))
                  .first;
    return body.load(name, found->second, index);
  };
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  Expr sum = num(0);
  for (const ir::EligibilityTrace &t : tp.traces)
    sum = sum + value_of(t.output_gain, "out." + t.state, index) * value_of(t.input_gain, "in." + t.state, index);
  body.store(peak, index, sum);
  return body.k.finish();
}

Kernel build_pre_trace_kernel(const std::string &name, const ir::TrainedProjection &tp, ElemType real) {
  Body body("pre_trace." + name, DomainKind::Neurons, true);
  int spikes = body.k.buffer("pre_spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  Expr z = body.let("z", ir::Select::make(body.flag("fired", nonzero(body.k.load(spikes, index))), num(1), num(0)));
  for (size_t k = 0; k < tp.traces.size(); ++k) {
    const ir::EligibilityTrace &t = tp.traces[k];
    if (!t.per_pre)
      continue;
    double decay = 0, in = 0;
    ir::internal_check(ir::constant_value(t.jacobian[k], decay) && ir::constant_value(t.input_gain, in),
                       "a per-presynaptic trace has a coefficient that is not constant");
    int eps = body.k.buffer("eps." + t.state, real, ScopeKind::Pre, BatchAxis::PerExample, Param::Access::ReadWrite);
    Expr old = body.load("old." + t.state, eps, index);
    body.store(eps, index, num(decay) * old + num(in) * z);
  }
  return body.k.finish();
}

Kernel build_deferred_gradient_kernel(bool readout, ir::SynapseStorage storage, ElemType real) {
  Body body(std::string(readout ? "gradient.deferred.readout" : "gradient.deferred") + SynapseTargets::suffix(storage),
            DomainKind::Synapses, true);
  int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(body.k, storage);
  int signal = body.k.buffer("signal", real, readout ? ScopeKind::Global : ScopeKind::Neuron, BatchAxis::PerExample,
                             Param::Access::Read);
  int acc = body.k.buffer("acc", real, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::Read);
  int grad = body.k.buffer("grad", real, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::ReadWrite);
  Value num_pre = body.k.scalar("num_pre");
  Value num_post = body.k.scalar("num_post");
  body.k.set_extent("num_pre");
  body.k.set_rows(row_start);
  SynapseIndex ix = synapse_index(body, row_start, targets, num_pre, num_post);
  Expr l = body.load("L", signal, ix.jidx);
  body.add(grad, ix.sidx, l * body.load("a", acc, ix.sidx));
  return body.k.finish();
}

Kernel build_bias_input_kernel(double gain, ElemType real) {
  (void)gain;
  Body body("bias.input", DomainKind::Neurons, true);
  int bias = body.k.buffer("bias", real, ScopeKind::Neuron, BatchAxis::Shared, Param::Access::Read);
  int input = body.k.buffer("input", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value n = local("n", Type::I64);
  body.add(input, b_index() * size + n, body.load("bias", bias, n));
  return body.k.finish();
}

Kernel build_bias_trace_kernel(const LossShape &shape, double kappa, double gain, ElemType real) {
  Body body(std::string("bias.trace.") + (shape.per_step() ? "step" : "deferred"), DomainKind::Neurons, true);
  int trace = body.k.buffer("trace", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  int delta = body.k.buffer("delta", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  bool max = shape.kind == ir::ReadoutKind::Max;
  int sink = body.k.buffer(shape.per_step() ? "grad" : "acc", real, ScopeKind::Neuron, BatchAxis::PerExample,
                           Param::Access::ReadWrite);
  int peak = max ? body.k.buffer("peak", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read) : -1;
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  Expr now = body.let("now", num(kappa) * body.load("old", trace, index) + num(gain));
  body.store(trace, index, now);
  if (shape.per_step())
    body.add(sink, index, body.load("d", delta, index) * now);
  else if (shape.kind == ir::ReadoutKind::Mean)
    body.add(sink, index, now / steps_of(body, shape.timesteps_slot, real).count);
  else if (max)
    body.when(Math::make(ir::Binary::make(ir::BinaryOp::Gt, body.load("reached", peak, index), num(0.5))),
              [&] { body.store(sink, index, now); });
  else
    body.when(steps_of(body, shape.timesteps_slot, real).is_last(), [&] { body.store(sink, index, now); });
  return body.k.finish();
}

Kernel build_class_signal_kernel(bool symmetric, ir::SynapseStorage storage, uint32_t classes, ElemType real) {
  Body body(symmetric ? "class_signal.symmetric" + SynapseTargets::suffix(storage) : "class_signal.random",
            DomainKind::Neurons, true);
  int delta = body.k.buffer("delta", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  int signal = body.k.buffer("class_signal", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::ReadWrite);
  Feedback fb = feedback_params(body, symmetric, storage, real);
  int row_start = fb.row_start, weight = fb.weight, feedback = fb.feedback;
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value n = local("n", Type::I64), k = local("k", Type::I64);
  Value row = body.k.let("row", (b_index() * size + n) * i64(classes));
  Value base = body.k.let("base", b_index() * i64(classes));
  body.loop("k", i64(0), i64(classes), [&] { body.store(signal, row + k, num(0)); });
  if (symmetric) {
    OffsetRange range = offset_range(body.k, row_start, n);
    Value begin = range.begin, end = range.end;
    Value s = local("s", Type::I64);
    body.loop("s", begin, end, [&] {
      Value c = fb.targets->post(body.k, "c", s, n, begin);
      body.add(signal, row + c, body.load("w", weight, s) * body.load("d", delta, base + c));
    });
  } else {
    Value q = local("q", Type::I64);
    body.loop("q", i64(0), i64(classes), [&] {
      body.store(signal, row + q, body.load("w", feedback, n * i64(classes) + q) * body.load("d", delta, base + q));
    });
  }
  return body.k.finish();
}

Kernel build_peak_gradient_kernel(uint32_t classes, ir::SynapseStorage storage, ElemType real) {
  Body body("gradient.peaks" + SynapseTargets::suffix(storage), DomainKind::Synapses, true);
  int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(body.k, storage);
  int signal = body.k.buffer("class_signal", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  std::vector<int> acc;
  for (uint32_t c = 0; c < classes; ++c)
    acc.push_back(body.k.buffer("acc." + std::to_string(c), real, ScopeKind::Synapse, BatchAxis::PerExample,
                                Param::Access::Read));
  int grad = body.k.buffer("grad", real, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::ReadWrite);
  Value num_pre = body.k.scalar("num_pre");
  Value num_post = body.k.scalar("num_post");
  body.k.set_extent("num_pre");
  body.k.set_rows(row_start);
  SynapseIndex ix = synapse_index(body, row_start, targets, num_pre, num_post);
  Value row = body.k.let("row", ix.jidx * i64(classes));
  Expr sum = num(0);
  for (uint32_t c = 0; c < classes; ++c) {
    std::string tag = std::to_string(c);
    sum = sum + body.load("C." + tag, signal, row + i64(c)) * body.load("a." + tag, acc[c], ix.sidx);
  }
  body.add(grad, ix.sidx, sum);
  return body.k.finish();
}

Kernel build_bias_deferred_kernel(ElemType real) {
  Body body("bias.deferred", DomainKind::Neurons, true);
  int delta = body.k.buffer("delta", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  int acc = body.k.buffer("acc", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int grad = body.k.buffer("grad", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", b_index() * size + local("n", Type::I64));
  body.add(grad, index, body.load("d", delta, index) * body.load("a", acc, index));
  return body.k.finish();
}

Kernel build_reduce_kernel(bool synapse, ElemType real) {
  Body body(synapse ? "reduce.synapses" : "reduce.neurons", synapse ? DomainKind::Synapses : DomainKind::Neurons,
            false);
  ScopeKind scope = synapse ? ScopeKind::Synapse : ScopeKind::Neuron;
  int row_start = -1;
  if (synapse)
    row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  int grad = body.k.buffer("grad", real, scope, BatchAxis::PerExample, Param::Access::Read);
  int gradient = body.k.buffer("gradient", real, scope, BatchAxis::Shared, Param::Access::ReadWrite);
  Value count, i;
  if (synapse) {
    Value num_pre = body.k.scalar("num_pre");
    body.k.set_extent("num_pre");
    body.k.set_rows(row_start);
    count = body.k.let("nsyn", to_index(body.k.load(row_start, num_pre)));
    i = local("s", Type::I64);
  } else {
    count = body.k.scalar("size");
    body.k.set_extent("size");
    i = local("n", Type::I64);
  }
  body.store(gradient, i, num(0));
  Value e = local("e", Type::I64);
  // In example order, so the sum is the same whatever the thread count.
  body.loop("e", i64(0), local("batch", Type::I64),
            [&] { body.add(gradient, i, body.load("g", grad, e * count + i)); });
  return body.k.finish();
}

Kernel build_feedback_init_kernel(uint32_t classes, double scale, ElemType real) {
  KernelBuilder k("feedback.normal(0, " + ir::format_real(scale) + ")", DomainKind::Neurons, false);
  int feedback = k.buffer("feedback", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  Value size = k.scalar("size");
  Value stream = k.scalar("stream");
  k.set_extent("size");
  (void)size;
  Value n = local("n", Type::I64);
  Value hidden = Cast::make(Type::U32, n);
  Value tag = IntOp::make(IntOpKind::Or, Cast::make(Type::U32, stream), u32(snn_philox_tag(SNN_RNG_FEEDBACK, 0)));
  for (uint32_t c = 0; c < classes; ++c) {
    std::string name = "draw" + std::to_string(c);
    emit_draw(k, name, {hidden, u32(c), u32(0), tag}, run_key(), ir::Distribution::Normal01);
    k.store(feedback, n * i64(classes) + i64(c), Math::make(num(scale) * real_local(name + ".real")));
  }
  return k.finish();
}

} // namespace snn::lower
