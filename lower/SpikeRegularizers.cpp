//===- lower/SpikeRegularizers.cpp - Dropout and firing-rate terms --------===//
#include "lower/SpikeRegularizers.h"

#include "lower/KernelBody.h"
#include "lower/RandomStreams.h"

#include "snn/philox.h"

namespace snn::lower {

Kernel build_dropout_kernel(int rate_slot, ElemType real) {
  Body body("dropout", DomainKind::Neurons, true);
  int spiked = body.k.buffer("spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int kept = body.k.buffer("kept", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Write);
  int hyper = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  Value size = body.k.scalar("size");
  Value stream = body.k.scalar("stream");
  body.k.set_extent("size");
  Value index = body.k.let("index", local("b", Type::I64) * size + local("n", Type::I64));
  std::array<Value, 2> key = emit_example_key(body.k);
  auto [step_low, step_high] = split_words(local("step", Type::I64));
  Value neuron = Cast::make(Type::U32, local("n", Type::I64));
  emit_draw(body.k, "drop", {neuron, step_low, step_high, random_tag(SNN_RNG_DROPOUT, stream, 0)}, key,
            ir::Distribution::Uniform01);
  ir::Expr rate = body.load("rate", hyper, i64(rate_slot));
  ir::Expr keep = ir::Binary::make(ir::BinaryOp::Ge, real_local("drop.real"), rate);
  ir::Expr fired = body.flag("fired", nonzero(body.k.load(spiked, index)));
  body.k.store(kept, index, Cast::make(Type::I32, Math::make(ir::Binary::make(ir::BinaryOp::And, fired, keep))));
  return body.k.finish();
}

Kernel build_rate_average_kernel(int tau_slot, double dt, ElemType real) {
  Body body("rate_average", DomainKind::Neurons, true);
  int spiked = body.k.buffer("spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int rate = body.k.buffer("rate", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  int hyper = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  Value size = body.k.scalar("size");
  body.k.set_extent("size");
  Value index = body.k.let("index", local("b", Type::I64) * size + local("n", Type::I64));
  ir::Expr tau = body.load("tau", hyper, i64(tau_slot));
  ir::Expr a = body.let("a", ir::Call::make(ir::Function::Exp, num(-dt) / tau));
  ir::Expr fired = body.flag("fired", nonzero(body.k.load(spiked, index)));
  ir::Expr z = ir::Select::make(fired, num(1), num(0));
  body.store(rate, index, a * body.load("rate.old", rate, index) + (num(1) - a) * z);
  return body.k.finish();
}

} // namespace snn::lower
