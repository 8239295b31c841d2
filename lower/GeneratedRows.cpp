//===- lower/GeneratedRows.cpp - Delivery from rows not stored ------------===//
#include "lower/GeneratedRows.h"

#include "ir/Printer.h"
#include "lower/KernelBuilder.h"
#include "lower/RandomStreams.h"
#include "lower/SynapseKernels.h"

#include "snn/philox.h"

#include <cmath>

namespace snn::lower {

namespace {

/// What both formats share: the spiking-rows domain over the presynaptic
/// neurons, the target buffer and the gate.
struct RowDelivery {
  KernelBuilder k;
  int post = -1, counter = -1, post_spiked = -1;
  Value num_post, projection;

  RowDelivery(const std::string &name, bool gated, ElemType real) : k(name, DomainKind::SpikingRows, true) {
    int spikes = k.buffer("spikes", ElemType::U8, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read);
    post = k.buffer("post", real, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::ReadWrite);
    std::tie(counter, post_spiked) = gate_buffers(k, gated);
    k.scalar("num_pre");
    num_post = k.scalar("num_post");
    projection = k.scalar("projection");
    k.set_extent("num_pre");
    k.set_spikes(spikes);
  }

  /// post[b, j] += w for the target j (I64), through the gate.
  void add(const Value &j, const Value &w) {
    add_to_target(k, post, counter, post_spiked, k.let("index", local("b", Type::I64) * num_post + j), w);
  }
};

std::string gated_name(const char *base, bool gated) {
  return std::string(gated ? "deliver.gated." : "deliver.") + base;
}

} // namespace

Kernel build_bitmask_delivery_kernel(bool gated, double weight, ElemType real) {
  RowDelivery d(gated_name("bitmask", gated) + ".constant(" + ir::format_real(weight) + ")", gated, real);
  KernelBuilder &k = d.k;
  int mask = k.buffer("mask", ElemType::U32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  Value words = k.scalar("words_per_row");
  Value pre = local("pre", Type::I64), word = local("word", Type::I64), bit = local("bit", Type::I64);
  // The words of a row in parallel (each adds into targets no other word
  // has); within a word, its bits in order.
  k.emit(For::make("word", i64(0), words, k.nested([&] {
    Value bits = k.let("bits", k.load(mask, pre * words + word));
    k.emit(If::make(IntOp::make(IntOpKind::Ne, bits, u32(0)), k.nested([&] {
      k.emit(For::make("bit", i64(0), i64(32), k.nested([&] {
        Value set = IntOp::make(IntOpKind::And, IntOp::make(IntOpKind::Shr, bits, Cast::make(Type::U32, bit)), u32(1));
        k.emit(If::make(IntOp::make(IntOpKind::Ne, set, u32(0)), k.nested([&] {
          d.add(k.let("target", word * i64(32) + bit), Math::make(ir::Constant::make(weight)));
        })));
      })));
    })));
  }),
                   /*parallel=*/true));
  return k.finish();
}

Kernel build_procedural_delivery_kernel(bool gated, double probability, const ir::WeightInit &weight, ElemType real) {
  ir::internal_check(probability > 0 && probability < 1,
                     "procedural storage of fixed_probability(" + ir::format_real(probability) + ")");
  RowDelivery d(gated_name("procedural", gated) + "." + ir::format_real(probability) + "." + weight_init_text(weight),
                gated, real);
  KernelBuilder &k = d.k;
  Value skip_self = k.scalar("skip_self");
  Value pre = local("pre", Type::I64);
  Value tag = k.let("tag", IntOp::make(IntOpKind::Or, Cast::make(Type::U32, d.projection),
                                       u32(snn_philox_tag(SNN_RNG_CONNECTIVITY, 0))));
  // The target before the first draw is -1; each draw moves past a gap.
  k.emit(Var::make("draws", i64(0)));
  k.emit(Var::make("target", i64(-1)));
  Value draws = local("draws", Type::I64), target = local("target", Type::I64);
  k.emit(While::make(IntOp::make(IntOpKind::Lt, target, d.num_post), k.nested([&] {
    Value self = IntOp::make(IntOpKind::And, nonzero(skip_self), IntOp::make(IntOpKind::Eq, target, pre));
    Value synapse = IntOp::make(IntOpKind::And, IntOp::make(IntOpKind::Le, i64(0), target),
                                IntOp::make(IntOpKind::Eq, self, IntImm::make(Type::Bool, 0)));
    k.emit(If::make(synapse, k.nested([&] {
      Value j = k.let("post", target);
      Value w =
          k.let("w", initial_weight(k, weight, {Cast::make(Type::U32, pre), Cast::make(Type::U32, j)}, d.projection));
      d.add(j, w);
    })));
    // Uniform n = draws: the block n / 2 of the row, its words 0 and 1 for
    // even n, 2 and 3 for odd n (selected by a mask, without a branch).
    k.emit(Philox::make("row", {Cast::make(Type::U32, pre), Cast::make(Type::U32, draws / i64(2)), u32(0), tag},
                        run_key()));
    Value odd = k.let("odd", u32(0) - Cast::make(Type::U32, draws % i64(2)));
    auto pick = [&](int even_word) {
      Value a = Philox::word("row", even_word), b = Philox::word("row", even_word + 2);
      return IntOp::make(IntOpKind::Xor, a, IntOp::make(IntOpKind::And, IntOp::make(IntOpKind::Xor, a, b), odd));
    };
    Value gap = k.let("gap", GeometricSkip::make(pick(0), pick(1), std::log1p(-probability)));
    k.emit(Assign::make("target", target + i64(1) + gap));
    k.emit(Assign::make("draws", draws + i64(1)));
  })));
  return k.finish();
}

namespace {

/// The output positions along one axis whose window (size `k`, `stride`,
/// `pad` before) covers input `i`, as [first, last) bound to `name`.first
/// and `name`.last: those o with o * stride - pad <= i < o * stride - pad +
/// k, clamped to [0, out), as the runtime's covering().
std::pair<Value, Value> covering(KernelBuilder &k, const std::string &name, const Value &i, const Value &size,
                                 const Value &stride, const Value &pad, const Value &out) {
  Value hi = k.let(name + ".hi", i + pad); // o * stride <= hi
  Value lo = k.let(name + ".lo", hi - size + i64(1));
  // first = lo <= 0 ? 0 : ceil(lo / stride); last = min(hi / stride + 1, out).
  k.emit(Var::make(name + ".first", i64(0)));
  Value first = local(name + ".first", Type::I64);
  k.emit(If::make(IntOp::make(IntOpKind::Lt, i64(0), lo),
                  k.nested([&] { k.emit(Assign::make(name + ".first", (lo + stride - i64(1)) / stride)); })));
  k.emit(Var::make(name + ".last", hi / stride + i64(1)));
  Value last = local(name + ".last", Type::I64);
  k.emit(If::make(IntOp::make(IntOpKind::Lt, out, last), k.nested([&] { k.emit(Assign::make(name + ".last", out)); })));
  return {first, last};
}

} // namespace

Kernel build_procedural_window_kernel(bool gated, bool conv, const ir::WeightInit &weight, ElemType real) {
  RowDelivery d(gated_name(conv ? "procedural.conv2d" : "procedural.avg_pool2d", gated) + "." +
                    weight_init_text(weight),
                gated, real);
  KernelBuilder &k = d.k;
  Value c_in = k.scalar("pre_channels"), w_in = k.scalar("pre_width");
  Value h_out = k.scalar("post_height"), w_out = k.scalar("post_width"), c_out = k.scalar("post_channels");
  Value kh = k.scalar("kernel_height"), kw = k.scalar("kernel_width");
  Value sy = k.scalar("stride_y"), sx = k.scalar("stride_x"), py = k.scalar("pad_y"), px = k.scalar("pad_x");
  Value pre = local("pre", Type::I64);
  Value c = k.let("c", pre % c_in), x = k.let("x", (pre / c_in) % w_in), y = k.let("y", pre / (c_in * w_in));
  auto [y0, y1] = covering(k, "rows", y, kh, sy, py, h_out);
  auto [x0, x1] = covering(k, "columns", x, kw, sx, px, w_out);
  Value yo = local("yo", Type::I64), xo = local("xo", Type::I64), co = local("co", Type::I64);
  // The runtime's row order: output rows, columns, then channels ascending.
  // Each output row's targets are its own: its iterations may run at once.
  auto add = [&](const Value &target) {
    Value post = k.let("post", target);
    std::array<Value, 2> pair = {Cast::make(Type::U32, pre), Cast::make(Type::U32, post)};
    if (conv) { // the kernel entry between the two neurons, as the .kernel weight kernel keys it
      Value ky = k.let("ky", y + py - yo * sy), kx = k.let("kx", x + px - xo * sx);
      pair = {Cast::make(Type::U32, k.let("entry", ((ky * kw + kx) * c_in + c) * c_out + co)), u32(0)};
    }
    d.add(post, k.let("w", initial_weight(k, weight, pair, d.projection)));
  };
  k.emit(For::make("yo", y0, y1, k.nested([&] {
    k.emit(For::make("xo", x0, x1, k.nested([&] {
      Value base = k.let("base", (yo * w_out + xo) * c_out);
      if (conv)
        k.emit(For::make("co", i64(0), c_out, k.nested([&] { add(base + co); })));
      else
        add(base + c);
    })));
  }),
                   /*parallel=*/true));
  return k.finish();
}

} // namespace snn::lower
