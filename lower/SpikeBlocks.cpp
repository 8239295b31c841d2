//===- lower/SpikeBlocks.cpp - A device's spikes, a block of steps at a time ===//

#include "lower/SpikeBlocks.h"

#include "lower/KernelBuilder.h"
#include "lower/ProgramBuilder.h"

namespace snn::lower {

Kernel build_spike_block_kernel(int watched, ElemType real, bool blocks) {
  std::string name = !blocks       ? "watch_finite." + std::to_string(watched)
                     : watched > 0 ? "spike_block.watch" + std::to_string(watched)
                                   : std::string("spike_block");
  KernelBuilder k(name, DomainKind::Neurons, true);
  int spikes = -1, block = -1;
  if (blocks) {
    spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    block = k.buffer("block", ElemType::Bits, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  }
  std::vector<int> states;
  for (int v = 0; v < watched; ++v)
    states.push_back(
        k.buffer("state" + std::to_string(v), real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read));
  int nonfinite = watched > 0 ? k.buffer("nonfinite", ElemType::I32, ScopeKind::Global, BatchAxis::PerExample,
                                         Param::Access::ReadWrite)
                              : -1;
  Value size = k.scalar("size");
  Value stride = blocks ? k.scalar("stride") : Value();
  Value steps = k.scalar("steps");
  k.set_extent("size");
  Value n = local("n", Type::I64), b = local("b", Type::I64);
  Value slot = k.let("slot", IntOp::make(IntOpKind::And, local("step", Type::I64), steps - i64(1)));
  if (blocks)
    k.store(block, b * steps * stride + slot * stride + n, nonzero(k.load(spikes, b * size + n)));
  if (watched == 0)
    return k.finish();
  // Per state: x - x is 0 for a finite x and NaN for NaN and the
  // infinities; the state's note of the example is its element.
  for (int v = 0; v < watched; ++v) {
    std::string name = "x" + std::to_string(v);
    k.let(name, k.load(states[size_t(v)], b * size + n));
    ir::Expr x = ir::Variable::make(ir::VarKind::Local, name, ir::Dimension(), ir::ScalarType::Real);
    Value bad = Math::make(
        ir::Binary::make(ir::BinaryOp::Ne, ir::Binary::make(ir::BinaryOp::Sub, x, x), ir::Constant::make(0.0)));
    Value note = b * i64(watched) + i64(v);
    k.emit(If::make(bad, k.nested([&] {
      k.emit(If::make(IntOp::make(IntOpKind::Eq, k.load(nonfinite, note), IntImm::make(Type::I32, 0)),
                      k.nested([&] { k.store(nonfinite, note, Cast::make(Type::I32, slot + i64(1))); })));
    })));
  }
  return k.finish();
}

std::vector<int> real_state_buffers(const Program &program, const PopulationInfo &pop) {
  std::vector<int> states;
  for (const VariableInfo &v : pop.states)
    if (v.buffer >= 0 && size_t(v.buffer) < program.buffers.size() &&
        program.buffers[size_t(v.buffer)].type == program.real)
      states.push_back(v.buffer);
  return states;
}

std::map<std::string, Argument> spike_block_args(const Program &program, const PopulationInfo &pop) {
  std::map<std::string, Argument> args = {{"spikes", buffer_arg(pop.spiked)},
                                          {"block", buffer_arg(pop.spike_block)},
                                          {"size", scalar_arg(int64_t(pop.size))},
                                          {"stride", scalar_arg(int64_t(32 * spike_block_words(pop.size)))},
                                          {"steps", scalar_arg(int64_t(kSpikeBlockSteps))}};
  if (pop.nonfinite >= 0) {
    std::vector<int> states = real_state_buffers(program, pop);
    for (size_t v = 0; v < states.size(); ++v)
      args["state" + std::to_string(v)] = buffer_arg(states[v]);
    args["nonfinite"] = buffer_arg(pop.nonfinite);
  }
  return args;
}

} // namespace snn::lower
