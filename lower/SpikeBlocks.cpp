//===- lower/SpikeBlocks.cpp - A device's spikes, a block of steps at a time ===//

#include "lower/SpikeBlocks.h"

#include "lower/KernelBuilder.h"

namespace snn::lower {

Kernel build_spike_block_kernel() {
  KernelBuilder k("spike_block", DomainKind::Neurons, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int block = k.buffer("block", ElemType::Bits, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  Value size = k.scalar("size");
  Value stride = k.scalar("stride");
  Value steps = k.scalar("steps");
  k.set_extent("size");
  Value n = local("n", Type::I64), b = local("b", Type::I64);
  Value slot = k.let("slot", IntOp::make(IntOpKind::And, local("step", Type::I64), steps - i64(1)));
  k.store(block, b * steps * stride + slot * stride + n, nonzero(k.load(spikes, b * size + n)));
  return k.finish();
}

} // namespace snn::lower
