//===- lower/OptimizerKernels.cpp - apply_gradients kernels ---------------===//
#include "lower/OptimizerKernels.h"

#include "lower/KernelBody.h"

namespace snn::lower {
namespace {

using ir::Expr;

Expr binary(ir::BinaryOp op, const Expr &a, const Expr &b) { return ir::Binary::make(op, a, b); }
Expr sqrt_of(const Expr &x) { return ir::Call::make(ir::Function::Sqrt, x); }

/// The parameter's elements: synapses (row structure from row_start and
/// num_pre) or `size` neurons; the parameters are declared in this order.
void declare_elements(Body &body, bool synapse, bool domain) {
  if (synapse) {
    int row_start = body.k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
    body.k.scalar("num_pre");
    if (domain) {
      body.k.set_extent("num_pre");
      body.k.set_rows(row_start);
    }
  } else {
    body.k.scalar("size");
    if (domain)
      body.k.set_extent("size");
  }
}

Expr hyper(Body &body, int buffer, int slot, const std::string &name) {
  return body.load("h." + name, buffer, i64(slot));
}

} // namespace

bool needs_moment2(ir::OptimizerKind kind) {
  return kind == ir::OptimizerKind::Adam || kind == ir::OptimizerKind::AdamW || kind == ir::OptimizerKind::Rmsprop;
}

Kernel build_gradient_adjust_kernel(bool synapse, bool weight, const HyperSlots &slots, ElemType real) {
  // One point, one sequential loop: the sum of squares in element order.
  Body body(std::string("gradient.adjust.") + (synapse ? "synapses" : "neurons"), DomainKind::Neurons, false);
  ScopeKind scope = synapse ? ScopeKind::Synapse : ScopeKind::Neuron;
  declare_elements(body, synapse, false);
  int gradient = body.k.buffer("gradient", real, scope, BatchAxis::Shared, Param::Access::ReadWrite);
  int value = body.k.buffer("value", real, scope, BatchAxis::Shared, Param::Access::Read);
  int hypers = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int norm2 = body.k.buffer("norm2", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::ReadWrite);
  body.k.scalar("points");
  body.k.set_extent("points");
  Value count =
      synapse ? body.k.let("count", to_index(body.k.load(0, local("num_pre", Type::I64)))) : local("size", Type::I64);
  Expr l1 = hyper(body, hypers, slots.l1, "l1");
  Expr l2 = hyper(body, hypers, slots.l2, "l2");
  Expr clip = hyper(body, hypers, slots.clip_value, "clip_value");
  Expr clipping = body.flag("clipping", Math::make(binary(ir::BinaryOp::Gt, clip, num(0))));
  Value i = local("i", Type::I64);
  body.loop("i", i64(0), count, [&] {
    Expr g = body.load("g", gradient, i);
    if (weight) {
      Expr w = body.load("w", value, i);
      Expr sign = ir::Select::make(binary(ir::BinaryOp::Gt, w, num(0)), num(1),
                                   ir::Select::make(binary(ir::BinaryOp::Lt, w, num(0)), num(-1), num(0)));
      g = body.let("g.penalised", g + l1 * sign + num(2) * l2 * w);
    }
    Expr clipped = binary(ir::BinaryOp::Min, binary(ir::BinaryOp::Max, g, num(0) - clip), clip);
    Expr adjusted = body.let("g.adjusted", ir::Select::make(clipping, clipped, g));
    body.store(gradient, i, adjusted);
    body.add(norm2, i64(0), adjusted * adjusted);
  });
  return body.k.finish();
}

Kernel build_clip_scale_kernel(const HyperSlots &slots, ElemType real) {
  Body body("gradient.clip_scale", DomainKind::Neurons, false);
  int hypers = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int norm2 = body.k.buffer("norm2", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::ReadWrite);
  int scale = body.k.buffer("clip_scale", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  body.k.scalar("points");
  body.k.set_extent("points");
  Expr c = hyper(body, hypers, slots.clip_norm, "clip_norm");
  Expr norm = body.let("norm", sqrt_of(body.load("norm2.sum", norm2, i64(0))));
  Expr clipping = body.flag("clipping", Math::make(binary(ir::BinaryOp::Gt, c, num(0))));
  body.store(scale, i64(0), ir::Select::make(clipping, c / binary(ir::BinaryOp::Max, norm, c), num(1)));
  body.store(norm2, i64(0), num(0));
  return body.k.finish();
}

Kernel build_optimizer_kernel(ir::OptimizerKind kind, bool synapse, bool weight, const HyperSlots &slots,
                              ElemType real) {
  Body body(std::string(ir::name_of(kind)) + (synapse ? ".synapses" : ".neurons"),
            synapse ? DomainKind::Synapses : DomainKind::Neurons, false);
  ScopeKind scope = synapse ? ScopeKind::Synapse : ScopeKind::Neuron;
  declare_elements(body, synapse, true);
  int value = body.k.buffer("value", real, scope, BatchAxis::Shared, Param::Access::ReadWrite);
  int gradient = body.k.buffer("gradient", real, scope, BatchAxis::Shared, Param::Access::Read);
  int lr = body.k.buffer("lr", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int hypers = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int scale = body.k.buffer("clip_scale", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int m = body.k.buffer("moment1", real, scope, BatchAxis::Shared, Param::Access::ReadWrite);
  int v = needs_moment2(kind) ? body.k.buffer("moment2", real, scope, BatchAxis::Shared, Param::Access::ReadWrite) : -1;
  auto option = [&](const char *name) { return hyper(body, hypers, slots.optimizer.at(name), name); };
  Value i = local(synapse ? "s" : "n", Type::I64);
  Expr g = body.let("g", body.load("g.batch", gradient, i) * body.load("scale", scale, i64(0)));
  Expr rate = body.load("rate", lr, i64(0));
  Expr w = body.load("w", value, i);
  Expr updated;
  switch (kind) {
  case ir::OptimizerKind::Sgd: {
    Expr mu = option("momentum");
    g = body.let("g.decayed", g + option("weight_decay") * w);
    Expr buf = body.let("buf", mu * body.load("m.old", m, i) + g);
    body.store(m, i, buf);
    Expr nesterov = body.flag("use_nesterov", Math::make(binary(ir::BinaryOp::Gt, option("nesterov"), num(0.5))));
    Expr with_momentum = ir::Select::make(nesterov, g + mu * buf, buf);
    // momentum 0: the plain gradient (buf == g then, and so is Nesterov's).
    updated = w - rate * with_momentum;
    break;
  }
  case ir::OptimizerKind::Adagrad: {
    Expr sum = body.let("sum", body.load("m.old", m, i) + g * g);
    body.store(m, i, sum);
    updated = w - rate * g / (sqrt_of(sum + option("initial_accumulator")) + option("epsilon"));
    break;
  }
  case ir::OptimizerKind::Rmsprop: {
    Expr rho = option("rho");
    Expr mu = option("momentum");
    Expr square = body.let("square", rho * body.load("m.old", m, i) + (num(1) - rho) * g * g);
    body.store(m, i, square);
    Expr step = body.let("step_dir", g / (sqrt_of(square) + option("epsilon")));
    Expr buf = body.let("buf", mu * body.load("v.old", v, i) + step);
    body.store(v, i, buf);
    updated = w - rate * buf;
    break;
  }
  case ir::OptimizerKind::Adam:
  case ir::OptimizerKind::AdamW: {
    Expr b1 = option("beta1");
    Expr b2 = option("beta2");
    if (kind == ir::OptimizerKind::AdamW) // decoupled: before the Adam step, on the old weight
      w = body.let("w.decayed", w - rate * option("weight_decay") * w);
    Expr m1 = body.let("m1", b1 * body.load("m.old", m, i) + (num(1) - b1) * g);
    Expr m2 = body.let("m2", b2 * body.load("v.old", v, i) + (num(1) - b2) * g * g);
    body.store(m, i, m1);
    body.store(v, i, m2);
    // Bias correction with t = the optimiser step.
    body.k.let("opt_step", Cast::make(Type::Real, local("step", Type::I64)));
    Expr t = real_local("opt_step");
    Expr c1 = body.let("c1", num(1) - binary(ir::BinaryOp::Pow, b1, t));
    Expr c2 = body.let("c2", num(1) - binary(ir::BinaryOp::Pow, b2, t));
    updated = w - rate * (m1 / c1) / (sqrt_of(m2 / c2) + option("epsilon"));
    break;
  }
  }
  if (weight) {
    Expr lo = hyper(body, hypers, slots.clamp_min, "clamp_min");
    Expr hi = hyper(body, hypers, slots.clamp_max, "clamp_max");
    updated = binary(ir::BinaryOp::Min, binary(ir::BinaryOp::Max, updated, lo), hi);
  }
  body.store(value, i, updated);
  return body.k.finish();
}

} // namespace snn::lower
