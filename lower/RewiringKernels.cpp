//===- lower/RewiringKernels.cpp - Deep R's update of a projection --------===//
#include "lower/RewiringKernels.h"

#include "ir/Printer.h"
#include "lower/KernelBody.h"
#include "lower/KernelBuilder.h"
#include "lower/RandomStreams.h"
#include "lower/SynapseKernels.h"

#include "snn/philox.h"

namespace snn::lower {

std::string deep_r_kernel_name(const ir::WeightInit &init, double l1, double temperature) {
  return "deep_r(" + ir::format_real(l1) + ", " + ir::format_real(temperature) + ")." + weight_init_text(init);
}

Kernel build_deep_r_kernel(const ir::WeightInit &init, double l1, double temperature, ElemType real) {
  KernelBuilder k(deep_r_kernel_name(init, l1, temperature), DomainKind::Synapses, false);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(k, ir::SynapseStorage::Ragged);
  int weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::ReadWrite);
  int dormant = k.buffer("dormant", ElemType::U8, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Write);
  int lr = k.buffer("lr", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  k.scalar("num_pre");
  Value projection = k.scalar("projection");
  k.set_extent("num_pre");
  k.set_rows(row_start);

  Value s = local("s", Type::I64), row = local("pre", Type::I64);
  Value post = targets.post_in_row(k, "post", s, row, row_start);
  std::array<Value, 2> pair = {Cast::make(Type::U32, row), Cast::make(Type::U32, post)};
  k.let("initial", initial_weight(k, init, pair, projection));
  ir::Expr one = ir::Constant::make(1.0);
  k.let("sign", Math::make(ir::Select::make(
                    ir::Binary::make(ir::BinaryOp::Lt, real_local("initial"), ir::Constant::make(0.0)), -one, one)));
  k.let("rate", k.load(lr, i64(0)));
  ir::Expr sign = real_local("sign"), rate = real_local("rate");
  ir::Expr update = ir::Constant::make(-l1) * rate * sign;
  if (temperature > 0) {
    Value tag = IntOp::make(IntOpKind::Or, Cast::make(Type::U32, projection), u32(snn_philox_tag(SNN_RNG_REWIRE, 0)));
    Value step = Cast::make(Type::U32, local("step", Type::I64));
    emit_draw(k, "noise", {pair[0], pair[1], step, tag}, run_key(), ir::Distribution::Normal01);
    update = update +
             ir::Call::make(ir::Function::Sqrt, ir::Constant::make(2 * temperature) * rate) * real_local("noise.real");
  }
  k.let("old", k.load(weight, s));
  k.let("new", Math::make(real_local("old") + update));
  k.store(weight, s, local("new", Type::Real));
  Value crossed = Math::make(ir::Binary::make(ir::BinaryOp::Lt, sign * real_local("new"), ir::Constant::make(0.0)));
  k.store(dormant, s, Cast::make(Type::I32, crossed));
  return k.finish();
}

} // namespace snn::lower
