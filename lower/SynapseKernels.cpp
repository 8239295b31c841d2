//===- lower/SynapseKernels.cpp - Spike delivery and weights --------------===//
#include "lower/SynapseKernels.h"

#include "ir/Printer.h"
#include "lower/KernelBuilder.h"
#include "lower/RandomStreams.h"

#include "snn/philox.h"

namespace snn::lower {

namespace {
Value to_index(Value v) { return Cast::make(Type::I64, std::move(v)); }

ir::Expr real_local(const std::string &name) {
  return ir::Variable::make(ir::VarKind::Local, name, ir::Dimension(), ir::ScalarType::Real);
}
} // namespace

Value target_open(KernelBuilder &k, int counter, int post_spiked, Value index) {
  // The counter after this step's update: the target is open once it is
  // down to 0, and closed in the step it spikes.
  return k.let("open", IntOp::make(IntOpKind::And,
                                   IntOp::make(IntOpKind::Le, k.load(counter, index), IntImm::make(Type::I32, 0)),
                                   IntOp::make(IntOpKind::Eq, k.load(post_spiked, index), IntImm::make(Type::I32, 0))));
}

Kernel build_delivery_kernel(bool gated, ElemType real) {
  KernelBuilder k(gated ? "deliver.gated" : "deliver", DomainKind::SpikingRows, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  int target = k.buffer("target", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int post = k.buffer("post", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  int counter = -1, post_spiked = -1;
  if (gated) {
    counter = k.buffer("counter", ElemType::I32, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    post_spiked = k.buffer("post_spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  }
  k.scalar("num_pre");
  Value num_post = k.scalar("num_post");
  k.set_extent("num_pre");
  k.set_spikes(spikes);
  k.set_rows(row_start);

  Value pre = local("pre", Type::I64);
  Value begin = k.let("begin", to_index(k.load(row_start, pre)));
  Value end = k.let("end", to_index(k.load(row_start, pre + i64(1))));
  Value s = local("s", Type::I64);
  k.emit(For::make("s", begin, end, k.nested([&] {
    Value index = k.let("index", local("b", Type::I64) * num_post + to_index(k.load(target, s)));
    Value w = k.let("w", k.load(weight, s));
    if (!gated) {
      k.atomic_add(post, index, w);
      return;
    }
    k.emit(If::make(target_open(k, counter, post_spiked, index), k.nested([&] { k.atomic_add(post, index, w); })));
  })));
  return k.finish();
}

Kernel build_weight_kernel(const ir::WeightInit &weight, ElemType real) {
  std::string name = "init_weights.constant(" + ir::format_real(weight.a) + ")";
  if (weight.dist == ir::WeightDistribution::Uniform)
    name = "init_weights.uniform(" + ir::format_real(weight.a) + ", " + ir::format_real(weight.b) + ")";
  else if (weight.dist == ir::WeightDistribution::Normal)
    name = "init_weights.normal(" + ir::format_real(weight.a) + ", " + ir::format_real(weight.b) + ")";
  KernelBuilder k(name, DomainKind::Synapses, false);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  int target = k.buffer("target", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int w = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Write);
  k.scalar("num_pre");
  Value projection = k.scalar("projection");
  k.set_extent("num_pre");
  k.set_rows(row_start);

  Value s = local("s", Type::I64);
  ir::Expr a = ir::Constant::make(weight.a), b = ir::Constant::make(weight.b);
  if (weight.dist == ir::WeightDistribution::Constant) {
    k.store(w, s, Math::make(a));
    return k.finish();
  }
  Value pre = Cast::make(Type::U32, local("pre", Type::I64));
  Value post = k.let("post", k.load(target, s));
  ir::Distribution dist =
      weight.dist == ir::WeightDistribution::Uniform ? ir::Distribution::Uniform01 : ir::Distribution::Normal01;
  Value tag = IntOp::make(IntOpKind::Or, Cast::make(Type::U32, projection), u32(snn_philox_tag(SNN_RNG_WEIGHT, 0)));
  emit_draw(k, "draw", {pre, post, u32(0), tag}, run_key(), dist);
  ir::Expr x = real_local("draw.real");
  ir::Expr value = weight.dist == ir::WeightDistribution::Uniform ? a + (b - a) * x : a + b * x;
  k.store(w, s, Math::make(value));
  return k.finish();
}

} // namespace snn::lower
