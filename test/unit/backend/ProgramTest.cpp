//===- test/unit/backend/ProgramTest.cpp - Hand-built lowered Programs ----===//
//
// Programs built directly with lower/KernelBuilder.h, exercising what the
// schedule does not produce yet (batched synapse kernels, batch reductions,
// bit-packed buffers, integer semantics, if/else, raw Philox blocks). Each
// must verify, then runs through build_module, the JIT and a TestState, and
// is checked against values computed here.
//
//===----------------------------------------------------------------------===//
#include "TestModels.h"
#include "TestState.h"

#include "lower/KernelBuilder.h"
#include "lower/Verifier.h"

#include "snn/philox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace snn::test {
namespace {

using lower::BatchAxis;
using lower::BufferRole;
using lower::DomainKind;
using lower::ElemType;
using lower::IntOpKind;
using lower::KernelBuilder;
using lower::Param;
using lower::ScopeKind;
using lower::Type;
using lower::Value;

constexpr uint32_t kNeurons = 4;
constexpr uint64_t kSynapses = 7;
/// The CSR of projection 0 (kNeurons -> kNeurons), with an empty row.
const std::vector<uint32_t> kRows = {0, 3, 3, 5, 7}, kTargets = {1, 2, 3, 0, 0, 2, 3};

/// A Program with population "pop" (kNeurons neurons, spike flags) and
/// projection "pop -> pop.x" (kSynapses synapses): the network that the
/// buffers of a test may belong to. Its entry points are empty.
struct TestProgram {
  lower::Program p;

  explicit TestProgram(ElemType real = ElemType::F32) {
    p.name = "hand_built";
    p.real = real;
    p.dt = 1e-3;
    for (const std::string &name : lower::entry_point_names())
      p.entries.push_back({name, {}});
    lower::PopulationInfo pop;
    pop.name = "pop";
    pop.model = "none";
    pop.size = kNeurons;
    p.populations.push_back(pop);
    p.populations[0].spiked =
        add("pop.spiked", ElemType::U8, {ScopeKind::Neuron, 0}, BatchAxis::PerExample, BufferRole::Spiked, kNeurons);
    lower::ProjectionInfo proj;
    proj.name = "pop -> pop.x";
    proj.pre = proj.post = 0;
    proj.row_start =
        add("rows", ElemType::U32, {ScopeKind::Row, 0}, BatchAxis::Shared, BufferRole::RowStart, kNeurons + 1);
    proj.target =
        add("targets", ElemType::U32, {ScopeKind::Synapse, 0}, BatchAxis::Shared, BufferRole::Target, kSynapses);
    proj.weight = add("weights", real, {ScopeKind::Synapse, 0}, BatchAxis::Shared, BufferRole::Weight, kSynapses);
    p.projections.push_back(proj);
  }

  /// Adds a buffer; returns its index.
  int add(const std::string &name, ElemType type, lower::Scope scope, BatchAxis batch, BufferRole role,
          uint64_t extent) {
    lower::Buffer b;
    b.name = name;
    b.type = type;
    b.scope = scope;
    b.batch = batch;
    b.role = role;
    b.extent = extent;
    p.buffers.push_back(b);
    return int(p.buffers.size() - 1);
  }
  /// A global buffer of `extent` elements.
  int global(const std::string &name, ElemType type, BatchAxis batch, uint64_t extent) {
    return add(name, type, {ScopeKind::Global, -1}, batch, BufferRole::State, extent);
  }

  /// Adds `kernel` and a launch of it at the end of "step", binding the
  /// parameters in order to `args` (buffer indices, or scalars).
  void launch(lower::Kernel kernel, std::vector<lower::Argument> args) {
    p.kernels.push_back(std::move(kernel));
    lower::Launch l;
    l.kernel = int(p.kernels.size() - 1);
    l.args = std::move(args);
    l.what = "test";
    p.entries[2].launches.push_back(std::move(l));
  }
};

lower::Argument buf(int index) { return {index, 0}; }
lower::Argument scalar(int64_t value) { return {-1, value}; }

/// A model-IR variable reading local `name`.
ir::Expr ir_local(const std::string &name, ir::ScalarType type = ir::ScalarType::Real) {
  return ir::Variable::make(ir::VarKind::Local, name, {}, type);
}

cpu::CodegenOptions options_for(const lower::Program &p) {
  cpu::CodegenOptions options;
  options.double_precision = p.real == ElemType::F64;
  return options;
}

/// Verifies and JIT-compiles `p`; null (after a test failure) when either fails.
std::unique_ptr<cpu::JitModel> compile(const lower::Program &p) {
  std::vector<std::string> problems = lower::verify(p);
  EXPECT_TRUE(problems.empty()) << problems.front();
  if (!problems.empty())
    return nullptr;
  return jit(p, options_for(p));
}

TEST(HandBuiltProgram, BatchedSynapseKernelWritesPerExampleSynapseBuffers) {
  TestProgram t;
  int out = t.add("out", ElemType::F32, {ScopeKind::Synapse, 0}, BatchAxis::PerExample, BufferRole::State, kSynapses);
  KernelBuilder k("synapse_labels", DomainKind::Synapses, true);
  int rows = k.buffer("rows", ElemType::U32, ScopeKind::Row, BatchAxis::Shared, Param::Access::Read);
  int weight = k.buffer("weight", ElemType::F32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  int dst = k.buffer("out", ElemType::F32, ScopeKind::Synapse, BatchAxis::PerExample, Param::Access::Write);
  k.scalar("num_pre");
  Value num_synapses = k.scalar("num_synapses");
  k.set_extent("num_pre");
  k.set_rows(rows);
  Value b = lower::local("b", Type::I64), pre = lower::local("pre", Type::I64), s = lower::local("s", Type::I64);
  k.let("w", k.load(weight, s));
  k.let("label", lower::Cast::make(Type::Real, b * lower::i64(1000) + pre * lower::i64(100) + s));
  k.store(dst, b * num_synapses + s, lower::Math::make(ir_local("w") + ir_local("label")));
  t.launch(k.finish(), {buf(t.p.projections[0].row_start), buf(t.p.projections[0].weight), buf(out), scalar(kNeurons),
                        scalar(int64_t(kSynapses))});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  const uint32_t batch = 3;
  TestState state(*model->model(), 1, batch);
  state.set_synapses(0, kRows, kTargets);
  for (uint64_t k = 0; k < kSynapses; ++k)
    state.set_weight(0, k, 0.5 * double(k));
  state.step(0);
  uint32_t o = state.buffer_named("out");
  EXPECT_EQ(state.extent(o), kSynapses);
  for (uint32_t e = 0; e < batch; ++e)
    for (uint32_t p = 0; p < kNeurons; ++p)
      for (uint32_t syn = kRows[p]; syn < kRows[p + 1]; ++syn)
        EXPECT_EQ(state.get(o, syn, e), 0.5 * syn + 1000.0 * e + 100.0 * p + syn) << e << " " << p << " " << syn;
  EXPECT_TRUE(state.clobbered_guards().empty());
}

TEST(HandBuiltProgram, BatchReductionSumsTheExamplesInOrder) {
  TestProgram t(ElemType::F64);
  const uint64_t extent = 5;
  int x = t.global("x", ElemType::F64, BatchAxis::PerExample, extent);
  int sum = t.global("sum", ElemType::F64, BatchAxis::Shared, extent);
  int horner = t.global("horner", ElemType::F64, BatchAxis::Shared, extent);
  KernelBuilder k("reduce", DomainKind::BatchReduction, true);
  int px = k.buffer("x", ElemType::F64, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  int psum = k.buffer("sum", ElemType::F64, ScopeKind::Global, BatchAxis::Shared, Param::Access::ReadWrite);
  int phorner = k.buffer("horner", ElemType::F64, ScopeKind::Global, BatchAxis::Shared, Param::Access::ReadWrite);
  Value count = k.scalar("count");
  k.set_extent("count");
  Value i = lower::local("i", Type::I64), b = lower::local("b", Type::I64);
  k.let("xi", k.load(px, b * count + i));
  k.let("si", k.load(psum, i));
  k.let("hi", k.load(phorner, i));
  k.store(psum, i, lower::Math::make(ir_local("si") + ir_local("xi")));
  // horner := 10 * horner + x: the digits show the order of the examples.
  k.store(phorner, i, lower::Math::make(ir::real(10.0) * ir_local("hi") + ir_local("xi")));
  t.launch(k.finish(), {buf(x), buf(sum), buf(horner), scalar(int64_t(extent))});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  const uint32_t batch = 4;
  TestState s(*model->model(), 1, batch);
  for (uint32_t e = 0; e < batch; ++e)
    for (uint32_t n = 0; n < extent; ++n)
      s.put(uint32_t(x), n, double((n + e) % 9 + 1), e);
  s.step(0);
  for (uint32_t n = 0; n < extent; ++n) {
    double expected_sum = 0, expected_horner = 0;
    for (uint32_t e = 0; e < batch; ++e) {
      expected_sum += double((n + e) % 9 + 1);
      expected_horner = 10 * expected_horner + double((n + e) % 9 + 1);
    }
    EXPECT_EQ(s.get(uint32_t(sum), n), expected_sum) << n;
    EXPECT_EQ(s.get(uint32_t(horner), n), expected_horner) << n;
  }
  EXPECT_EQ(s.get(uint32_t(horner), 0), 1234.0);
}

TEST(HandBuiltProgram, BitBuffersStoreAndLoadSingleBits) {
  TestProgram t;
  const uint64_t extent = 70; // three words per example, the last one partial
  int bits = t.global("bits", ElemType::Bits, BatchAxis::PerExample, extent);
  int copy = t.global("copy", ElemType::U8, BatchAxis::PerExample, extent);
  // Writer: bit n of example b := ((5n + b) & 4) != 0.
  KernelBuilder w("write_bits", DomainKind::Neurons, true);
  int wbits = w.buffer("bits", ElemType::Bits, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  Value size = w.scalar("size");
  w.set_extent("size");
  Value b = lower::local("b", Type::I64), n = lower::local("n", Type::I64);
  Value index = w.let("index", b * size + n);
  w.store(wbits, index, lower::nonzero(lower::IntOp::make(IntOpKind::And, n * lower::i64(5) + b, lower::i64(4))));
  t.launch(w.finish(), {buf(bits), scalar(int64_t(extent))});
  // Reader: copy[b, n] := bits[b, n].
  KernelBuilder r("read_bits", DomainKind::Neurons, true);
  int rbits = r.buffer("bits", ElemType::Bits, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Read);
  int rcopy = r.buffer("copy", ElemType::U8, ScopeKind::Global, BatchAxis::PerExample, Param::Access::Write);
  Value rsize = r.scalar("size");
  r.set_extent("size");
  Value rindex = r.let("index", b * rsize + n);
  r.store(rcopy, rindex, lower::Cast::make(Type::I32, r.load(rbits, rindex)));
  t.launch(r.finish(), {buf(bits), buf(copy), scalar(int64_t(extent))});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  const uint32_t batch = 2;
  TestState s(*model->model(), 1, batch);
  s.fill(0xFF); // every bit set: the writer must clear bits as well as set them
  s.step(0);
  const uint32_t *words = static_cast<const uint32_t *>(s.data(uint32_t(bits)));
  for (uint32_t e = 0; e < batch; ++e)
    for (uint32_t k = 0; k < extent; ++k) {
      bool expected = ((5 * k + e) & 4) != 0;
      uint64_t at = uint64_t(e) * extent + k; // element k of example e
      EXPECT_EQ((words[at / 32] >> (at % 32)) & 1u, expected ? 1u : 0u) << e << " " << k;
      EXPECT_EQ(s.get(uint32_t(copy), k, e), expected ? 1.0 : 0.0) << e << " " << k;
    }
  // Bits past the last element of the last example were not touched.
  EXPECT_EQ(words[4] >> (2 * extent - 128), 0xFFFFFFFFu >> (2 * extent - 128));
  EXPECT_EQ(words[5], 0xFFFFFFFFu);
  EXPECT_TRUE(s.clobbered_guards().empty());
}

TEST(HandBuiltProgram, IntegerOperationsFollowTheirSignedness) {
  TestProgram t(ElemType::F64);
  int in_i = t.global("in_i32", ElemType::I32, BatchAxis::Shared, 3);
  int in_u = t.global("in_u32", ElemType::U32, BatchAxis::Shared, 3);
  int out_i = t.global("out_i32", ElemType::I32, BatchAxis::Shared, 10);
  int out_u = t.global("out_u32", ElemType::U32, BatchAxis::Shared, 7);
  int out_r = t.global("out_real", ElemType::F64, BatchAxis::Shared, 2);
  KernelBuilder k("integers", DomainKind::Neurons, false);
  int pi = k.buffer("in_i32", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int pu = k.buffer("in_u32", ElemType::U32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int poi = k.buffer("out_i32", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  int pou = k.buffer("out_u32", ElemType::U32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  int por = k.buffer("out_real", ElemType::F64, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("one");
  k.set_extent("one");
  auto at = [](int64_t i) { return lower::i64(i); };
  // Loaded, so that nothing folds at compile time.
  Value m16 = k.let("m16", k.load(pi, at(0))), p1 = k.let("p1", k.load(pi, at(1))), m1 = k.let("m1", k.load(pi, at(2)));
  Value big = k.let("big", k.load(pu, at(0))), u1 = k.let("u1", k.load(pu, at(1))),
        max = k.let("max", k.load(pu, at(2)));
  auto op = [](IntOpKind o, Value a, Value b) { return lower::IntOp::make(o, a, b); };
  auto as_i32 = [](Value v) { return lower::Cast::make(Type::I32, v); };
  auto i32 = [](int32_t v) { return lower::IntImm::make(Type::I32, v); };
  k.store(poi, at(0), op(IntOpKind::Shr, m16, i32(2)));     // arithmetic: -4
  k.store(poi, at(1), as_i32(op(IntOpKind::Lt, m1, p1)));   // signed: -1 < 1
  k.store(poi, at(2), as_i32(op(IntOpKind::Lt, max, u1)));  // unsigned: 2^32-1 < 1 is false
  k.store(poi, at(3), as_i32(op(IntOpKind::Le, m16, m1)));  // signed: -16 <= -1
  k.store(poi, at(4), as_i32(op(IntOpKind::Le, big, max))); // unsigned: true
  k.store(poi, at(5), op(IntOpKind::Mul, m16, m1));         // 16
  Value wide = lower::Cast::make(Type::I64, m1);            // sign extension: -1
  k.store(poi, at(6), as_i32(op(IntOpKind::Shr, wide, lower::i64(40))));
  k.store(poi, at(7), as_i32(op(IntOpKind::Xor, p1, m16)));    // -15
  k.store(poi, at(8), op(IntOpKind::Div, m16, i32(3)));        // truncates: -5
  k.store(poi, at(9), op(IntOpKind::Rem, m16, i32(3)));        // -1
  k.store(pou, at(5), op(IntOpKind::Div, big, lower::u32(3))); // unsigned: 0x55555550
  k.store(pou, at(6), op(IntOpKind::Rem, big, lower::u32(7))); // 4294967280 % 7 = 1
  k.store(pou, at(0), op(IntOpKind::Shr, big, lower::u32(2))); // logical: 0x3FFFFFFC
  k.store(pou, at(1), op(IntOpKind::Shl, u1, lower::u32(31))); // 0x80000000
  k.store(pou, at(2), op(IntOpKind::Add, max, u1));            // wraps to 0
  Value zwide = lower::Cast::make(Type::I64, max);             // zero extension: 2^32 - 1
  k.store(pou, at(3), lower::Cast::make(Type::U32, op(IntOpKind::Shr, zwide, lower::i64(4))));
  k.store(pou, at(4), lower::Cast::make(Type::U32, m16));  // 2^32 - 16
  k.store(por, at(0), lower::Cast::make(Type::Real, big)); // unsigned to real
  k.store(por, at(1), lower::Cast::make(Type::Real, m16)); // signed to real
  t.launch(k.finish(), {buf(in_i), buf(in_u), buf(out_i), buf(out_u), buf(out_r), scalar(1)});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  TestState s(*model->model(), 1);
  const int32_t ins[3] = {-16, 1, -1};
  const uint32_t uns[3] = {0xFFFFFFF0u, 1, 0xFFFFFFFFu};
  std::memcpy(s.data(uint32_t(in_i)), ins, sizeof ins);
  std::memcpy(s.data(uint32_t(in_u)), uns, sizeof uns);
  s.step(0);
  const int32_t *oi = static_cast<const int32_t *>(s.data(uint32_t(out_i)));
  const uint32_t *ou = static_cast<const uint32_t *>(s.data(uint32_t(out_u)));
  EXPECT_EQ(oi[0], -16 >> 2);
  EXPECT_EQ(oi[1], 1);
  EXPECT_EQ(oi[2], 0);
  EXPECT_EQ(oi[3], 1);
  EXPECT_EQ(oi[4], 1);
  EXPECT_EQ(oi[5], 16);
  EXPECT_EQ(oi[6], -1);
  EXPECT_EQ(oi[7], 1 ^ -16);
  EXPECT_EQ(oi[8], -16 / 3);
  EXPECT_EQ(oi[9], -16 % 3);
  EXPECT_EQ(ou[5], 0xFFFFFFF0u / 3);
  EXPECT_EQ(ou[6], 0xFFFFFFF0u % 7);
  EXPECT_EQ(ou[0], 0xFFFFFFF0u >> 2);
  EXPECT_EQ(ou[1], 0x80000000u);
  EXPECT_EQ(ou[2], 0u);
  EXPECT_EQ(ou[3], 0x0FFFFFFFu);
  EXPECT_EQ(ou[4], 0xFFFFFFF0u);
  EXPECT_EQ(s.get(uint32_t(out_r), 0), 4294967280.0);
  EXPECT_EQ(s.get(uint32_t(out_r), 1), -16.0);
}

TEST(HandBuiltProgram, IfTakesTheThenOrTheElseBranch) {
  TestProgram t;
  const uint64_t extent = 6;
  int x = t.global("x", ElemType::F32, BatchAxis::Shared, extent);
  int y = t.global("y", ElemType::I32, BatchAxis::Shared, extent);
  KernelBuilder k("branches", DomainKind::Neurons, false);
  int px = k.buffer("x", ElemType::F32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int py = k.buffer("y", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("size");
  k.set_extent("size");
  Value n = lower::local("n", Type::I64);
  k.let("xn", k.load(px, n));
  Value negative =
      k.let("negative", lower::Math::make(ir::Binary::make(ir::BinaryOp::Lt, ir_local("xn"), ir::real(0))));
  Value even = k.let(
      "even", lower::IntOp::make(IntOpKind::Eq, lower::IntOp::make(IntOpKind::And, n, lower::i64(1)), lower::i64(0)));
  // if x < 0 { y = 10 } else { if n is even { y = 20 } }  (odd: untouched)
  k.emit(lower::If::make(negative, k.nested([&] { k.store(py, n, lower::IntImm::make(Type::I32, 10)); }), k.nested([&] {
    k.emit(lower::If::make(even, k.nested([&] { k.store(py, n, lower::IntImm::make(Type::I32, 20)); })));
  })));
  t.launch(k.finish(), {buf(x), buf(y), scalar(int64_t(extent))});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  TestState s(*model->model(), 1);
  const double xs[extent] = {-2, -1, 0, 1, 2, 3};
  for (uint32_t i = 0; i < extent; ++i) {
    s.put(uint32_t(x), i, xs[i]);
    s.put(uint32_t(y), i, 7);
  }
  s.step(0);
  for (uint32_t i = 0; i < extent; ++i) {
    double expected = xs[i] < 0 ? 10 : i % 2 == 0 ? 20 : 7;
    EXPECT_EQ(s.get(uint32_t(y), i), expected) << i;
  }
}

TEST(HandBuiltProgram, WhileLoopsCarryVarsFromOneIterationToTheNext) {
  // The Collatz steps of n + 1: a trip count only the loop itself finds.
  TestProgram t;
  const uint64_t extent = 12;
  int y = t.global("y", ElemType::I32, BatchAxis::Shared, extent);
  KernelBuilder k("collatz", DomainKind::Neurons, false);
  int py = k.buffer("y", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("size");
  k.set_extent("size");
  Value n = lower::local("n", Type::I64);
  k.emit(lower::Var::make("x", n + lower::i64(1)));
  k.emit(lower::Var::make("steps", lower::IntImm::make(Type::I32, 0)));
  Value x = lower::local("x", Type::I64), steps = lower::local("steps", Type::I32);
  k.emit(lower::While::make(lower::IntOp::make(IntOpKind::Ne, x, lower::i64(1)), k.nested([&] {
    Value odd = k.let("odd", lower::IntOp::make(IntOpKind::Eq, x % lower::i64(2), lower::i64(1)));
    k.emit(lower::If::make(odd, k.nested([&] { k.emit(lower::Assign::make("x", x * lower::i64(3) + lower::i64(1))); }),
                           k.nested([&] { k.emit(lower::Assign::make("x", x / lower::i64(2))); })));
    k.emit(lower::Assign::make("steps", steps + lower::IntImm::make(Type::I32, 1)));
  })));
  k.store(py, n, steps);
  t.launch(k.finish(), {buf(y), scalar(int64_t(extent))});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  TestState s(*model->model(), 1);
  s.step(0);
  for (uint32_t i = 0; i < extent; ++i) {
    int expected = 0;
    for (uint64_t v = i + 1; v != 1; v = v % 2 ? 3 * v + 1 : v / 2)
      ++expected;
    EXPECT_EQ(s.get(uint32_t(y), i), expected) << i + 1;
  }
}

TEST(HandBuiltProgram, GeometricSkipIsTheRuntimesGap) {
  // Words spread over the whole range (u near 0 and near 1), in a float
  // program: the gap is computed in double all the same.
  TestProgram t;
  const uint64_t extent = 64;
  const double p = 0.3, log_q = std::log1p(-p);
  int y = t.global("gap", ElemType::I32, BatchAxis::Shared, extent);
  KernelBuilder k("gaps", DomainKind::Neurons, false);
  int py = k.buffer("gap", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("size");
  k.set_extent("size");
  Value n = lower::local("n", Type::I64);
  Value hi = k.let("hi", lower::Cast::make(Type::U32, n) * lower::u32(67108864u) + lower::u32(4095u));
  Value lo = k.let("lo", lower::IntOp::make(IntOpKind::Xor, hi * lower::u32(2654435761u), lower::u32(0x9e3779b9u)));
  k.store(py, n, lower::Cast::make(Type::I32, lower::GeometricSkip::make(hi, lo, log_q)));
  t.launch(k.finish(), {buf(y), scalar(int64_t(extent))});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  TestState s(*model->model(), 1);
  s.step(0);
  int largest = 0;
  for (uint32_t i = 0; i < extent; ++i) {
    uint32_t h = i * 67108864u + 4095u, l = (h * 2654435761u) ^ 0x9e3779b9u;
    int64_t expected = snn_geometric_skip(h, l, log_q);
    EXPECT_EQ(s.get(uint32_t(y), i), double(expected)) << i;
    largest = std::max(largest, int(expected));
  }
  EXPECT_GT(largest, 8); // u up to 0.98 reaches past 8: the test spans the range
}

TEST(HandBuiltProgram, PhiloxStatementReproducesKnownAnswersUnderTheRunKey) {
  TestProgram t;
  int counter = t.global("counter", ElemType::U32, BatchAxis::Shared, 4);
  int out = t.global("out", ElemType::U32, BatchAxis::Shared, 4);
  int real = t.global("uniform", ElemType::F32, BatchAxis::Shared, 1);
  KernelBuilder k("philox", DomainKind::Neurons, false);
  int pc = k.buffer("counter", ElemType::U32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int po = k.buffer("out", ElemType::U32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  int pr = k.buffer("uniform", ElemType::F32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("one");
  k.set_extent("one");
  std::array<Value, 4> c;
  for (int w = 0; w < 4; ++w)
    c[w] = k.load(pc, lower::i64(w));
  k.emit(lower::Philox::make("blk", c, {lower::local("key.0", Type::U32), lower::local("key.1", Type::U32)}));
  std::array<Value, 4> words;
  for (int w = 0; w < 4; ++w) {
    words[w] = lower::Philox::word("blk", w);
    k.store(po, lower::i64(w), words[w]);
  }
  k.store(pr, lower::i64(0), lower::RandomReal::make(ir::Distribution::Uniform01, words));
  t.launch(k.finish(), {buf(counter), buf(out), buf(real), scalar(1)});
  auto model = compile(t.p);
  ASSERT_TRUE(model);

  using Block = std::array<uint32_t, 4>;
  // Random123's known answers; the key is the seed's low word, then its high word.
  struct Case {
    uint64_t seed;
    Block counter, expected;
  } cases[] = {
      {0, {0, 0, 0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
      {~0ull, {~0u, ~0u, ~0u, ~0u}, {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
      {0x299f31d0a4093822ull,
       {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
       {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
  };
  for (const Case &c : cases) {
    TestState s(*model->model(), c.seed);
    std::memcpy(s.data(uint32_t(counter)), c.counter.data(), sizeof(Block));
    s.step(0);
    Block got;
    std::memcpy(got.data(), s.data(uint32_t(out)), sizeof(Block));
    EXPECT_EQ(got, c.expected) << "seed " << c.seed;
    EXPECT_EQ(s.get(uint32_t(real), 0), double(c.expected[0] >> 8) / 16777216.0) << "seed " << c.seed;
  }
}

} // namespace
} // namespace snn::test
