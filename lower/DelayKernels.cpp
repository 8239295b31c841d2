//===- lower/DelayKernels.cpp - Delays longer than one step ---------------===//
#include "lower/DelayKernels.h"

#include "ir/Printer.h"
#include "lower/KernelBuilder.h"
#include "lower/RandomStreams.h"
#include "lower/SynapseKernels.h"

#include "snn/philox.h"

namespace snn::lower {

namespace {
Value to_index(Value v) { return Cast::make(Type::I64, std::move(v)); }
Value bit_and(Value a, Value b) { return IntOp::make(IntOpKind::And, std::move(a), std::move(b)); }

/// The ring element of row `slot` for post neuron `n` of example `b`.
Value ring_index(Value slot, Value n, Value slots, Value num_post) {
  return (local("b", Type::I64) * slots + slot) * num_post + n;
}
} // namespace

uint64_t ring_slots(uint32_t max_steps) {
  uint64_t slots = 1;
  while (slots < max_steps)
    slots <<= 1;
  return slots;
}

Kernel build_delay_kernel(const ir::DelayRange &range, uint32_t max_steps, ir::SynapseStorage storage) {
  KernelBuilder k("init_delays.uniform(" + ir::format_real(range.lo) + ", " + ir::format_real(range.hi) + ")" +
                      SynapseTargets::suffix(storage),
                  DomainKind::Synapses, false);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(k, storage);
  int delay = k.buffer("delay", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Write);
  k.scalar("num_pre");
  Value projection = k.scalar("projection");
  k.set_extent("num_pre");
  k.set_rows(row_start);

  Value s = local("s", Type::I64);
  Value row = local("pre", Type::I64);
  Value pre = Cast::make(Type::U32, row);
  Value post = Cast::make(Type::U32, targets.post_in_row(k, "post", s, row, row_start));
  // Word 2 = 1 keeps the delays apart from the weights (word 2 = 0).
  Value tag = IntOp::make(IntOpKind::Or, Cast::make(Type::U32, projection), u32(snn_philox_tag(SNN_RNG_WEIGHT, 0)));
  emit_draw(k, "draw", {pre, post, u32(1), tag}, run_key(), ir::Distribution::Uniform01);
  ir::Expr x = ir::Variable::make(ir::VarKind::Local, "draw.real", ir::Dimension(), ir::ScalarType::Real);
  ir::Expr lo = ir::Constant::make(range.lo), hi = ir::Constant::make(range.hi);
  ir::Expr nearest = ir::Call::make(ir::Function::Floor, lo + (hi - lo) * x + ir::Constant::make(0.5));
  // Rounding of the last bit may reach a step outside [1, max_steps]: clamp.
  ir::Expr clamped =
      ir::Binary::make(ir::BinaryOp::Max, ir::Constant::make(1.0),
                       ir::Binary::make(ir::BinaryOp::Min, ir::Constant::make(double(max_steps)), nearest));
  k.store(delay, s, Cast::make(Type::U32, Cast::make(Type::I32, Math::make(clamped))));
  return k.finish();
}

Kernel build_ring_delivery_kernel(bool per_synapse, ir::SynapseStorage storage, ElemType real) {
  KernelBuilder k(std::string(per_synapse ? "deliver.delayed.per_synapse" : "deliver.delayed") +
                      SynapseTargets::suffix(storage),
                  DomainKind::SpikingRows, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(k, storage);
  int weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int delay = -1;
  if (per_synapse)
    delay = k.buffer("delay", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int ring = k.buffer("ring", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::ReadWrite);
  k.scalar("num_pre");
  Value num_post = k.scalar("num_post");
  Value slots = k.scalar("slots");
  Value delay_steps = per_synapse ? Value() : k.scalar("delay_steps");
  k.set_extent("num_pre");
  k.set_spikes(spikes);
  k.set_rows(row_start);

  Value pre = local("pre", Type::I64);
  Value step = local("step", Type::I64);
  Value mask = k.let("mask", slots - i64(1));
  OffsetRange range = offset_range(k, row_start, pre);
  Value begin = range.begin, end = range.end;
  // One row for the whole projection when every synapse has its delay.
  Value row = per_synapse ? Value() : k.let("slot", bit_and(step + delay_steps - i64(1), mask));
  Value s = local("s", Type::I64);
  // The synapses of a row add into the ring atomically: parallel.
  k.emit(For::make("s", begin, end, k.nested([&] {
    Value slot = per_synapse ? k.let("slot", bit_and(step + to_index(k.load(delay, s)) - i64(1), mask)) : row;
    Value index = k.let("index", ring_index(slot, targets.post(k, "post", s, pre, begin), slots, num_post));
    k.atomic_add(ring, index, k.load(weight, s));
  }),
                   /*parallel=*/true));
  return k.finish();
}

Kernel build_ring_drain_kernel(bool gated, ElemType real) {
  KernelBuilder k(gated ? "drain.gated" : "drain", DomainKind::Neurons, true);
  int ring = k.buffer("ring", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::ReadWrite);
  int post = k.buffer("post", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  auto [counter, post_spiked] = gate_buffers(k, gated);
  Value num_post = k.scalar("num_post");
  Value slots = k.scalar("slots");
  k.set_extent("num_post");

  Value n = local("n", Type::I64);
  Value slot = k.let("slot", bit_and(local("step", Type::I64), slots - i64(1)));
  Value index = k.let("index", ring_index(slot, n, slots, num_post));
  Value due = k.let("due", k.load(ring, index));
  k.store(ring, index, real_value(0));
  add_to_target(k, post, counter, post_spiked, k.let("neuron", local("b", Type::I64) * num_post + n), due);
  return k.finish();
}

Kernel build_ring_clear_kernel(ElemType real) {
  KernelBuilder k("clear_ring", DomainKind::Neurons, true);
  int ring = k.buffer("ring", real, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  Value size = k.scalar("size");
  k.set_extent("size");
  k.store(ring, local("b", Type::I64) * size + local("n", Type::I64), real_value(0));
  return k.finish();
}

} // namespace snn::lower
