//===- test/unit/lower/LaunchFusionTest.cpp - lower/LaunchFusion ----------===//
//
// Launches over the same neurons merge where their buffers do not meet and
// no launch between them stands in the way; the merged kernel renames its
// later parts' locals and parameters apart and passes the verifier. (The
// emulated GPU runs every e2e model with its launches fused, bit for bit
// against the CPU: test_cuda_host_emulation.py.)
//
//===----------------------------------------------------------------------===//
#include "ProgramLookup.h"
#include "TestNetwork.h"

#include "lower/KernelBody.h"
#include "lower/KernelBuilder.h"
#include "lower/LaunchFusion.h"
#include "lower/Printer.h"
#include "lower/ProgramBuilder.h"
#include "lower/Schedule.h"
#include "lower/Verifier.h"

#include <gtest/gtest.h>

namespace snn::test {
namespace {

using lower::BatchAxis;
using lower::DomainKind;
using lower::ElemType;
using lower::KernelBuilder;
using lower::Param;
using lower::Program;
using lower::ScopeKind;
using lower::Type;
using lower::Value;

/// `to[n] = from[n]` over neurons(size), or `to[n] = 1` without `from`.
lower::Kernel copy_kernel(bool reads) {
  KernelBuilder k(reads ? "copy" : "fill", DomainKind::Neurons, true);
  int from =
      reads ? k.buffer("from", ElemType::F32, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Read) : -1;
  int to = k.buffer("to", ElemType::F32, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Write);
  Value size = k.scalar("size");
  k.set_extent("size");
  Value index = k.let("index", lower::local("b", Type::I64) * size + lower::local("n", Type::I64));
  k.store(to, index, reads ? k.load(from, index) : lower::Math::make(ir::Constant::make(1.0)));
  return k.finish();
}

/// `to[n]` = a uniform draw from the Philox block `u` of n, or, with
/// `named`, `let u = 2` and `to[n] = u`: a local called as the block.
lower::Kernel draw_kernel(bool named) {
  KernelBuilder k(named ? "named" : "draw", DomainKind::Neurons, true);
  int to = k.buffer("to", ElemType::F32, ScopeKind::Neuron, BatchAxis::PerExample, Param::Access::Write);
  Value size = k.scalar("size");
  k.set_extent("size");
  Value n = lower::local("n", Type::I64);
  Value index = k.let("index", lower::local("b", Type::I64) * size + n);
  if (named) {
    k.let("u", lower::Math::make(ir::Constant::make(2.0)));
    k.store(to, index, lower::Math::make(lower::real_local("u")));
    return k.finish();
  }
  Value zero = lower::u32(0);
  k.emit(lower::Philox::make("u", {lower::Cast::make(Type::U32, n), zero, zero, zero},
                             {lower::local("key.0", Type::U32), lower::local("key.1", Type::U32)}));
  k.store(
      to, index,
      lower::RandomReal::make(ir::Distribution::Uniform01, {lower::Philox::word("u", 0), lower::Philox::word("u", 1),
                                                            lower::Philox::word("u", 2), lower::Philox::word("u", 3)}));
  return k.finish();
}

struct Fused : ::testing::Test {
  Program p = lower::schedule(test_network(), lower::ScheduleOptions{});
  int fill = -1, copy = -1;

  void SetUp() override {
    p.kernels.push_back(copy_kernel(false));
    fill = int(p.kernels.size()) - 1;
    p.kernels.push_back(copy_kernel(true));
    copy = int(p.kernels.size()) - 1;
    int v = buffer_named(p, "exc.v");
    for (const char *name : {"a", "b", "c", "d", "e"}) {
      lower::Buffer buffer = p.buffers[size_t(v)];
      buffer.name = std::string("exc.") + name;
      p.buffers.push_back(buffer);
    }
  }
  lower::Launch launch(int kernel, const std::string &what, const std::string &from, const std::string &to) {
    std::map<std::string, lower::Argument> args = {{"to", lower::buffer_arg(buffer_named(p, "exc." + to))},
                                                   {"size", lower::scalar_arg(8)}};
    if (!from.empty())
      args["from"] = lower::buffer_arg(buffer_named(p, "exc." + from));
    return lower::bind_launch(p, kernel, what, args);
  }
  lower::EntryPoint &probe() {
    for (lower::EntryPoint &e : p.entries)
      if (e.name == "end_example")
        return e;
    throw std::runtime_error("no end_example");
  }
};

TEST_F(Fused, DisjointLaunchesMergeAndDependentOnesStay) {
  ASSERT_TRUE(probe().launches.empty());
  probe().launches = {launch(fill, "fill a", "", "a"), launch(fill, "fill b", "", "b"),
                      launch(copy, "copy a to c", "a", "c"), launch(fill, "fill d", "", "d"),
                      launch(copy, "copy c to e", "c", "e")};
  lower::fuse_launches(p);
  std::vector<std::string> whats;
  for (const lower::Launch &l : probe().launches)
    whats.push_back(l.what);
  // fill d moves up past `copy a to c`, which does not touch d; `copy a to
  // c` reads what fill a writes, and `copy c to e` what it writes.
  EXPECT_EQ(whats, (std::vector<std::string>{"fill a + fill b + fill d", "copy a to c", "copy c to e"}));
  const lower::Kernel &fused = p.kernels[size_t(probe().launches[0].kernel)];
  EXPECT_EQ(fused.name, "fill + fill + fill");
  std::vector<std::string> params;
  for (const Param &param : fused.params)
    params.push_back(param.name);
  EXPECT_EQ(params, (std::vector<std::string>{"to", "size", "to.2", "size.2", "to.3", "size.3"}));
  const lower::Launch &l = probe().launches[0];
  EXPECT_EQ(l.args[2].buffer, buffer_named(p, "exc.b"));
  EXPECT_EQ(l.args[4].buffer, buffer_named(p, "exc.d"));
  for (const std::string &problem : lower::verify(p))
    ADD_FAILURE() << problem;
}

TEST_F(Fused, ALaunchMovesOnlyPastLaunchesItDoesNotConflictWith) {
  // fill b (over 7 neurons, so in no group with them) stands between fill
  // a and copy b to c, and writes what the copy reads: the copy stays.
  probe().launches = {launch(fill, "fill a", "", "a"), launch(fill, "fill b", "", "b"),
                      launch(copy, "copy b to c", "b", "c")};
  probe().launches[1].args[1].scalar = 7;
  EXPECT_EQ(lower::fuse_launches(p), 0);
  ASSERT_EQ(probe().launches.size(), 3u);
  EXPECT_EQ(probe().launches[2].what, "copy b to c");
}

TEST_F(Fused, ALaunchMovesUpPastOneThatLeavesItsBuffersAlone) {
  probe().launches = {launch(fill, "fill a", "", "a"), launch(fill, "fill d", "", "d"),
                      launch(copy, "copy b to c", "b", "c")};
  probe().launches[1].args[1].scalar = 7;
  EXPECT_EQ(lower::fuse_launches(p), 1);
  ASSERT_EQ(probe().launches.size(), 2u);
  EXPECT_EQ(probe().launches[0].what, "fill a + copy b to c");
  EXPECT_EQ(probe().launches[1].what, "fill d");
}

// A local called `u` in a later part meets the words u.0 .. u.3 of an
// earlier part's Philox block `u`: it is renamed past them all.
TEST_F(Fused, RenamedLocalsMissPhiloxWords) {
  p.kernels.push_back(draw_kernel(false));
  int draw = int(p.kernels.size()) - 1;
  p.kernels.push_back(draw_kernel(true));
  int named = int(p.kernels.size()) - 1;
  probe().launches = {launch(draw, "draw a", "", "a"), launch(named, "name b", "", "b")};
  EXPECT_EQ(lower::fuse_launches(p), 1);
  ASSERT_EQ(probe().launches.size(), 1u);
  std::string printed = lower::to_string(p);
  EXPECT_NE(printed.find("let u.4 = 2"), std::string::npos) << printed;
  for (const std::string &problem : lower::verify(p))
    ADD_FAILURE() << problem;
}

TEST_F(Fused, OtherExtentsStayApart) {
  probe().launches = {launch(fill, "fill a", "", "a"), launch(fill, "fill b", "", "b")};
  probe().launches[1].args[1].scalar = 7;
  EXPECT_EQ(lower::fuse_launches(p), 0);
  EXPECT_EQ(probe().launches.size(), 2u);
}

} // namespace
} // namespace snn::test
