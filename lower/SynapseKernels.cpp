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

std::pair<int, int> gate_buffers(KernelBuilder &k, bool gated) {
  if (!gated)
    return {-1, -1};
  return {k.buffer("counter", ElemType::I32, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read),
          k.buffer("post_spiked", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read)};
}

Value target_open(KernelBuilder &k, int counter, int post_spiked, Value index) {
  // The counter after this step's update: the target is open once it is
  // down to 0, and closed in the step it spikes.
  return k.let("open", IntOp::make(IntOpKind::And,
                                   IntOp::make(IntOpKind::Le, k.load(counter, index), IntImm::make(Type::I32, 0)),
                                   IntOp::make(IntOpKind::Eq, k.load(post_spiked, index), IntImm::make(Type::I32, 0))));
}

void add_to_target(KernelBuilder &k, int post, int counter, int post_spiked, const Value &index, const Value &w) {
  if (counter < 0) {
    k.atomic_add(post, index, w);
    return;
  }
  k.emit(If::make(target_open(k, counter, post_spiked, index), k.nested([&] { k.atomic_add(post, index, w); })));
}

Kernel build_delivery_kernel(bool gated, ir::SynapseStorage storage, ElemType real) {
  KernelBuilder k(std::string(gated ? "deliver.gated" : "deliver") + SynapseTargets::suffix(storage),
                  DomainKind::SpikingRows, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  SynapseTargets targets(k, storage);
  int weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int post = k.buffer("post", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  auto [counter, post_spiked] = gate_buffers(k, gated);
  k.scalar("num_pre");
  Value num_post = k.scalar("num_post");
  k.set_extent("num_pre");
  k.set_spikes(spikes);
  k.set_rows(row_start);

  Value pre = local("pre", Type::I64);
  OffsetRange range = offset_range(k, row_start, pre);
  Value begin = range.begin, end = range.end;
  Value s = local("s", Type::I64);
  // The synapses of a row add into their targets atomically: parallel.
  k.emit(For::make("s", begin, end, k.nested([&] {
    Value index = k.let("index", local("b", Type::I64) * num_post + targets.post(k, "post", s, pre, begin));
    add_to_target(k, post, counter, post_spiked, index, k.let("w", k.load(weight, s)));
  }),
                   /*parallel=*/true));
  return k.finish();
}

namespace {

/// The parameters of both gather kernels, declared in one order.
struct GatherParams {
  int spikes, col_start, col_synapse, col_pre, weight, post, counter, post_spiked;
  Value num_pre, num_post;

  GatherParams(KernelBuilder &k, bool gated, ElemType real) {
    spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    col_start = k.buffer("col_start", ElemType::U32, ScopeKind::Column, BatchAxis::Shared, Param::Access::Read);
    col_synapse = k.buffer("col_synapse", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
    col_pre = k.buffer("col_pre", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
    weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
    post = k.buffer("post", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
    std::tie(counter, post_spiked) = gate_buffers(k, gated);
    num_pre = k.scalar("num_pre");
    num_post = k.scalar("num_post");
    k.set_extent("num_post");
  }

  /// Where presynaptic neuron `pre` spiked in example b: post[index] +=
  /// the weight of column entry `c`, one add.
  void add_if_spiked(KernelBuilder &k, const Value &index, const Value &c, const Value &pre) const {
    Value b = local("b", Type::I64);
    k.emit(If::make(nonzero(k.load(spikes, b * num_pre + pre)), k.nested([&] {
      k.let("w", k.load(weight, to_index(k.load(col_synapse, c))));
      k.let("old", k.load(post, index));
      k.store(post, index, Math::make(ir::Binary::make(ir::BinaryOp::Add, real_local("old"), real_local("w"))));
    })));
  }
};

} // namespace

Kernel build_gather_kernel(bool gated, ElemType real) {
  KernelBuilder k(gated ? "gather.gated" : "gather", DomainKind::Neurons, true);
  GatherParams g(k, gated, real);
  Value n = local("n", Type::I64), b = local("b", Type::I64);
  Value index = k.let("index", b * g.num_post + n);
  auto gather = [&] {
    OffsetRange range = offset_range(k, g.col_start, n);
    Value c = local("c", Type::I64);
    k.emit(For::make("c", range.begin, range.end,
                     k.nested([&] { g.add_if_spiked(k, index, c, k.let("pre", to_index(k.load(g.col_pre, c)))); })));
  };
  if (gated)
    k.emit(If::make(target_open(k, g.counter, g.post_spiked, index), k.nested(gather)));
  else
    gather();
  return k.finish();
}

Kernel build_staged_gather_kernel(bool gated, ElemType real) {
  KernelBuilder k(gated ? "gather.gated.staged" : "gather.staged", DomainKind::Neurons, true);
  GatherParams g(k, gated, real);
  k.set_runs_past_extent();
  Value n = local("n", Type::I64), b = local("b", Type::I64);
  Value index = k.let("index", b * g.num_post + n);
  // The column still to walk, c .. end - 1: empty past the extent and at a
  // closed gate.
  Value c = local("c", Type::I64), end = local("end", Type::I64);
  k.emit(Var::make("c", i64(0)));
  k.emit(Var::make("end", i64(0)));
  k.emit(If::make(IntOp::make(IntOpKind::Lt, n, g.num_post), k.nested([&] {
    auto column = [&] {
      k.emit(Assign::make("c", to_index(k.load(g.col_start, n))));
      k.emit(Assign::make("end", to_index(k.load(g.col_start, n + i64(1)))));
    };
    if (gated)
      k.emit(If::make(target_open(k, g.counter, g.post_spiked, index), k.nested(column)));
    else
      column();
  })));
  // The column's presynaptic neurons ascend, so those of a tile follow the
  // previous tile's: `next` is the next one, or past every tile at the end.
  Value past_all = i64(int64_t(1) << 62), next = local("next", Type::I64);
  auto load_next = [&] {
    k.emit(If::make(IntOp::make(IntOpKind::Lt, c, end),
                    k.nested([&] { k.emit(Assign::make("next", to_index(k.load(g.col_pre, c)))); })));
  };
  Value tile = local("tile", Type::I64);
  k.emit(Stage::make("tile", g.spikes, b * g.num_pre, g.num_pre, kStagedSpikeFlags, k.nested([&] {
    k.emit(Var::make("next", past_all));
    load_next();
    k.emit(While::make(IntOp::make(IntOpKind::Lt, next, tile + i64(kStagedSpikeFlags)), k.nested([&] {
      g.add_if_spiked(k, index, c, next);
      k.emit(Assign::make("c", c + i64(1)));
      k.emit(Assign::make("next", past_all));
      load_next();
    })));
  })));
  return k.finish();
}

Kernel build_dense_staged_gather_kernel(bool gated, ElemType real) {
  KernelBuilder k(gated ? "gather.gated.dense.staged" : "gather.dense.staged", DomainKind::Neurons, true);
  int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  int weight = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int post = k.buffer("post", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
  auto [counter, post_spiked] = gate_buffers(k, gated);
  Value num_pre = k.scalar("num_pre"), num_post = k.scalar("num_post"), skip_self = k.scalar("skip_self");
  k.set_extent("num_post");
  k.set_runs_past_extent();
  Value n = local("n", Type::I64), b = local("b", Type::I64);
  Value index = k.let("index", b * num_post + n);
  // Whether this point adds: not past the extent, nor at a closed gate.
  Value active = local("active", Type::I64);
  k.emit(Var::make("active", i64(0)));
  k.emit(If::make(IntOp::make(IntOpKind::Lt, n, num_post), k.nested([&] {
    if (gated)
      k.emit(If::make(target_open(k, counter, post_spiked, index),
                      k.nested([&] { k.emit(Assign::make("active", i64(1))); })));
    else
      k.emit(Assign::make("active", i64(1)));
  })));
  Value self = IntOp::make(IntOpKind::Ne, skip_self, i64(0));
  Value tile = local("tile", Type::I64), last = local("last", Type::I64), pre = local("pre", Type::I64);
  k.emit(Stage::make("tile", spikes, b * num_pre, num_pre, kStagedSpikeFlags, k.nested([&] {
    k.emit(Var::make("last", tile + i64(kStagedSpikeFlags)));
    k.emit(
        If::make(IntOp::make(IntOpKind::Lt, num_pre, last), k.nested([&] { k.emit(Assign::make("last", num_pre)); })));
    k.emit(For::make("pre", tile, last, k.nested([&] {
      Value adds = IntOp::make(IntOpKind::And, IntOp::make(IntOpKind::Ne, active, i64(0)),
                               nonzero(k.load(spikes, b * num_pre + pre)));
      Value synapse = IntOp::make(IntOpKind::Or, IntOp::make(IntOpKind::Eq, self, IntImm::make(Type::Bool, 0)),
                                  IntOp::make(IntOpKind::Ne, pre, n));
      k.emit(If::make(IntOp::make(IntOpKind::And, adds, synapse), k.nested([&] {
        Value before = Cast::make(Type::I64, IntOp::make(IntOpKind::And, self, IntOp::make(IntOpKind::Lt, pre, n)));
        Value s = k.let("s", to_index(k.load(row_start, pre)) + n - before);
        k.let("w", k.load(weight, s));
        k.let("old", k.load(post, index));
        k.store(post, index, Math::make(ir::Binary::make(ir::BinaryOp::Add, real_local("old"), real_local("w"))));
      })));
    })));
  })));
  return k.finish();
}

std::string weight_init_text(const ir::WeightInit &weight) {
  if (weight.dist == ir::WeightDistribution::Uniform)
    return "uniform(" + ir::format_real(weight.a) + ", " + ir::format_real(weight.b) + ")";
  if (weight.dist == ir::WeightDistribution::Normal)
    return "normal(" + ir::format_real(weight.a) + ", " + ir::format_real(weight.b) + ")";
  return "constant(" + ir::format_real(weight.a) + ")";
}

Value initial_weight(KernelBuilder &k, const ir::WeightInit &weight, std::array<Value, 2> pair, Value projection) {
  ir::Expr a = ir::Constant::make(weight.a), b = ir::Constant::make(weight.b);
  if (weight.dist == ir::WeightDistribution::Constant)
    return Math::make(a);
  ir::Distribution dist =
      weight.dist == ir::WeightDistribution::Uniform ? ir::Distribution::Uniform01 : ir::Distribution::Normal01;
  Value tag = IntOp::make(IntOpKind::Or, Cast::make(Type::U32, projection), u32(snn_philox_tag(SNN_RNG_WEIGHT, 0)));
  emit_draw(k, "draw", {pair[0], pair[1], u32(0), tag}, run_key(), dist);
  ir::Expr x = real_local("draw.real");
  return Math::make(weight.dist == ir::WeightDistribution::Uniform ? a + (b - a) * x : a + b * x);
}

Kernel build_weight_kernel(const ir::WeightInit &weight, ir::SynapseStorage storage, ElemType real,
                           bool shared_kernel) {
  std::string name = "init_weights." + weight_init_text(weight);
  if (shared_kernel)
    name += ".kernel";
  bool constant = weight.dist == ir::WeightDistribution::Constant;
  // A constant reads no neuron: one kernel for every storage.
  KernelBuilder k(name + (constant ? "" : SynapseTargets::suffix(storage)), DomainKind::Synapses, false);
  int row_start = k.buffer("row_start", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  std::optional<SynapseTargets> targets;
  if (!constant)
    targets.emplace(k, storage);
  int w = k.buffer("weight", real, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Write);
  k.scalar("num_pre");
  Value projection = k.scalar("projection");
  k.set_extent("num_pre");
  k.set_rows(row_start);

  Value s = local("s", Type::I64);
  if (constant) {
    k.store(w, s, initial_weight(k, weight, {}, projection));
    return k.finish();
  }
  Value row = local("pre", Type::I64);
  Value pre = Cast::make(Type::U32, row);
  Value post = Cast::make(Type::U32, targets->post_in_row(k, "post", s, row, row_start));
  std::array<Value, 2> pair = {pre, post};
  if (shared_kernel) { // (row, column, channel) of both neurons, then the kernel entry between them
    Value c_in = k.scalar("pre_channels"), w_in = k.scalar("pre_width");
    Value c_out = k.scalar("post_channels"), w_out = k.scalar("post_width");
    Value i = local("pre", Type::I64), o = local("post", Type::I64);
    Value y = k.let("y", i / (c_in * w_in)), x = k.let("x", (i / c_in) % w_in);
    Value yo = k.let("yo", o / (c_out * w_out)), xo = k.let("xo", (o / c_out) % w_out);
    Value ky = k.let("ky", y + k.scalar("pad_y") - yo * k.scalar("stride_y"));
    Value kx = k.let("kx", x + k.scalar("pad_x") - xo * k.scalar("stride_x"));
    Value entry = k.let("entry", ((ky * k.scalar("kernel_width") + kx) * c_in + i % c_in) * c_out + o % c_out);
    pair = {Cast::make(Type::U32, entry), u32(0)};
  }
  k.store(w, s, initial_weight(k, weight, pair, projection));
  return k.finish();
}

} // namespace snn::lower
