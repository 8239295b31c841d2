//===- test/unit/lower/VerifierTest.cpp - lower::verify -------------------===//
//
// Each check listed in lower/Verifier.h rejects a Program broken in just
// that way, with a message naming the problem; well-formed Programs (the
// schedule's, a hand-built one) have no problems.
//
//===----------------------------------------------------------------------===//
#include "ProgramLookup.h"
#include "TestNetwork.h"

#include "lower/KernelBuilder.h"
#include "lower/Schedule.h"
#include "lower/Verifier.h"

#include <gtest/gtest.h>

#include <functional>

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

Program scheduled() { return lower::schedule(test_network(), lower::ScheduleOptions{}); }

int kernel_named(const Program &p, const std::string &name) {
  for (size_t k = 0; k < p.kernels.size(); ++k)
    if (p.kernels[k].name == name)
      return int(k);
  ADD_FAILURE() << "no kernel " << name;
  return -1;
}

/// The problems of the scheduled Program after `breakage`, all in one string.
std::string problems_after(const std::function<void(Program &)> &breakage) {
  Program p = scheduled();
  breakage(p);
  std::string all;
  for (const std::string &problem : lower::verify(p))
    all += problem + "\n";
  return all;
}

/// Whether the problems after `breakage` include one containing `text`.
::testing::AssertionResult has_problem(const std::function<void(Program &)> &breakage, const std::string &text) {
  std::string problems = problems_after(breakage);
  if (problems.find(text) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected a problem containing: " << text << "\ngot:\n" << problems;
}

/// EXPECT_PROBLEM(breakage, text): a variadic macro, so that lambdas with
/// commas pass through.
#define EXPECT_PROBLEM(...) EXPECT_TRUE(has_problem(__VA_ARGS__))

/// A kernel over the neurons of one example set with a read-only real
/// buffer "in", a write-only i32 buffer "out" and a body from `body`.
lower::Kernel test_kernel(const std::function<void(KernelBuilder &, int in, int out)> &body,
                          DomainKind kind = DomainKind::Neurons) {
  KernelBuilder k("probe", kind, true);
  int in = k.buffer("in", ElemType::F32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int out = k.buffer("out", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("size");
  k.set_extent("size");
  body(k, in, out);
  return k.finish();
}

/// The problems of the scheduled Program with `kernel` added (not launched).
std::string problems_with(lower::Kernel kernel) {
  return problems_after([&](Program &p) { p.kernels.push_back(kernel); });
}

/// Whether the problems with `kernel` added include "kernel probe: <text>".
::testing::AssertionResult has_kernel_problem(const lower::Kernel &kernel, const std::string &text) {
  std::string problems = problems_with(kernel);
  if (problems.find("kernel probe: " + text) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected: kernel probe: " << text << "\ngot:\n" << problems;
}

#define EXPECT_KERNEL_PROBLEM(...) EXPECT_TRUE(has_kernel_problem(__VA_ARGS__))

TEST(Verifier, AcceptsTheSchedulesProgramAndAWellFormedKernel) {
  EXPECT_EQ(problems_after([](Program &) {}), "");
  EXPECT_EQ(problems_with(test_kernel([](KernelBuilder &k, int in, int out) {
              Value n = lower::local("n", Type::I64);
              k.let("x", k.load(in, n));
              k.store(out, n, lower::IntImm::make(Type::I32, 1));
            })),
            "");
}

TEST(Verifier, ChecksTheSettings) {
  EXPECT_PROBLEM([](Program &p) { p.real = ElemType::U8; }, "the real type is u8");
  EXPECT_PROBLEM([](Program &p) { p.batch = 0; }, "the default batch is 0");
}

TEST(Verifier, ChecksBuffers) {
  EXPECT_PROBLEM([](Program &p) { p.buffers[buffer_named(p, "exc.v")].type = ElemType::F64; },
                 "buffer exc.v is f64 in a f32 program");
  EXPECT_PROBLEM([](Program &p) { p.buffers[buffer_named(p, "exc.v")].scope.owner = 9; },
                 "buffer exc.v belongs to no population");
  EXPECT_PROBLEM([](Program &p) { p.buffers[buffer_named(p, "exc.v")].extent = 7; },
                 "buffer exc.v has 7 elements for 8 neurons");
  EXPECT_PROBLEM([](Program &p) { p.buffers[buffer_named(p, "relay -> exc.i.weight")].scope.owner = 2; },
                 "buffer relay -> exc.i.weight belongs to no projection");
  // relay has 3 neurons: 4 row offsets.
  EXPECT_PROBLEM([](Program &p) { p.buffers[buffer_named(p, "relay -> exc.i.row_start")].extent = 3; },
                 "buffer relay -> exc.i.row_start has 3 elements, expected 4");
  EXPECT_PROBLEM(
      [](Program &p) {
        int k = buffer_named(p, "exc.v");
        p.buffers[k].scope = {ScopeKind::Post, 0};
        p.buffers[k].extent = 4;
      },
      "buffer exc.v has 4 elements, expected 8");
}

TEST(Verifier, ChecksKernelDomains) {
  EXPECT_PROBLEM([](Program &p) { p.kernels[0].domain.extent = -1; },
                 "kernel " + scheduled().kernels[0].name + ": its domain has no i64 extent parameter");
  EXPECT_PROBLEM(
      [](Program &p) {
        lower::Kernel &k = p.kernels[kernel_named(p, "deliver")];
        k.domain.spikes = k.param("row_start");
      },
      "kernel deliver: its domain's spike flags are not a u8 buffer parameter");
  EXPECT_PROBLEM(
      [](Program &p) {
        lower::Kernel &k = p.kernels[kernel_named(p, "deliver")];
        k.domain.kind = DomainKind::Synapses;
        k.domain.rows = k.param("weight");
      },
      "kernel deliver: its domain's row offsets are not a u32 buffer parameter");
  lower::Kernel unbatched = test_kernel([](KernelBuilder &, int, int) {}, DomainKind::BatchReduction);
  unbatched.domain.batched = false;
  EXPECT_KERNEL_PROBLEM(unbatched, "a batch reduction must be batched");
}

TEST(Verifier, ChecksKernelParametersAndBody) {
  lower::Kernel twice = test_kernel([](KernelBuilder &, int, int) {});
  twice.params.push_back(twice.params[0]);
  EXPECT_KERNEL_PROBLEM(twice, "parameter 'in' declared twice");
  lower::Kernel precision = test_kernel([](KernelBuilder &, int, int) {});
  precision.params[0].elem = ElemType::F64;
  EXPECT_KERNEL_PROBLEM(precision, "buffer parameter 'in' is f64 in a f32 program");
  lower::Kernel bodiless = test_kernel([](KernelBuilder &, int, int) {});
  bodiless.body = lower::Stmt();
  EXPECT_KERNEL_PROBLEM(bodiless, "it has no body");
}

TEST(Verifier, ChecksLocals) {
  Value n = lower::local("n", Type::I64);
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.let("x", n);
                          k.let("x", n);
                        }),
                        "'x' is bound twice");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) { k.let("n", n); }), "'n' is bound twice");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) { k.let("x", lower::local("y", Type::I64)); }),
                        "'y' is read where it is not bound");
  // A local of a nested block is gone after it.
  EXPECT_KERNEL_PROBLEM(
      test_kernel([&](KernelBuilder &k, int, int) {
        k.emit(lower::If::make(lower::IntImm::make(Type::Bool, 1), k.nested([&] { k.let("inner", n); })));
        k.let("x", lower::local("inner", Type::I64));
      }),
      "'inner' is read where it is not bound");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) { k.let("x", lower::local("n", Type::I32)); }),
                        "'n' is read as i32 but bound as i64");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.let("x", lower::Math::make(ir::Variable::make(ir::VarKind::State, "v", {})));
                        }),
                        "an expression reads state 'v'");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.let("x", lower::Math::make(ir::Random::make(ir::Distribution::Uniform01, 0)));
                        }),
                        "an expression draws a random number outside a Philox block");
}

TEST(Verifier, ChecksVarsAndWhileLoops) {
  Value n = lower::local("n", Type::I64);
  auto loop = [&](KernelBuilder &k, const Value &assigned) {
    k.emit(lower::Var::make("count", lower::i64(0)));
    Value count = lower::local("count", Type::I64);
    k.emit(lower::While::make(lower::IntOp::make(lower::IntOpKind::Lt, count, n), k.nested([&] {
      k.let("next", count + lower::i64(1));
      k.emit(lower::Assign::make("count", assigned));
    })));
  };
  // A counting loop is well formed.
  EXPECT_EQ(problems_with(test_kernel([&](KernelBuilder &k, int, int) { loop(k, lower::local("next", Type::I64)); })),
            "");
  // Only a Var's local changes, with a value of its type.
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.let("x", n);
                          k.emit(lower::Assign::make("x", n));
                        }),
                        "it assigns 'x', which is not a var");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) { loop(k, lower::IntImm::make(Type::I32, 1)); }),
                        "'count' is read as i32 but bound as i64");
  // A Var is gone after its block, and bound once.
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.emit(lower::If::make(lower::IntImm::make(Type::Bool, 1),
                                                 k.nested([&] { k.emit(lower::Var::make("v", n)); })));
                          k.emit(lower::Assign::make("v", n));
                        }),
                        "'v' is read where it is not bound");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.emit(lower::Var::make("v", n));
                          k.emit(lower::Var::make("v", n));
                        }),
                        "'v' is bound twice");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.emit(lower::While::make(lower::IntImm::make(Type::Bool, 0), k.nested([&] {
                            k.let("gap", lower::GeometricSkip::make(lower::u32(1), lower::local("g", Type::U32), -0.1));
                          })));
                        }),
                        "'g' is read where it is not bound");
}

TEST(Verifier, ChecksStages) {
  Value n = lower::local("n", Type::I64), tile = lower::local("tile", Type::I64);
  auto stage = [&](KernelBuilder &k, int param, Value base) {
    k.emit(lower::Stage::make("tile", param, std::move(base), lower::local("size", Type::I64), 64,
                              k.nested([&] { k.let("x", k.load(param, tile)); })));
  };
  auto staged_kernel = [&](const std::function<void(KernelBuilder &, int in, int out)> &body) {
    lower::Kernel kernel = test_kernel(body);
    kernel.domain.runs_past_extent = true;
    return kernel;
  };
  // A stage of a read-only buffer at the top of the body, by uniform bounds.
  EXPECT_EQ(problems_with(staged_kernel([&](KernelBuilder &k, int in, int) { stage(k, in, lower::i64(0)); })), "");
  // Every point of a block reaches it: not in a domain that stops at its
  // extent, not inside an if, and its bounds are the same at every point.
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int in, int) { stage(k, in, lower::i64(0)); }),
                        "a stage in a domain that does not run past its extent");
  EXPECT_KERNEL_PROBLEM(staged_kernel([&](KernelBuilder &k, int in, int) {
                          k.emit(lower::If::make(lower::IntOp::make(lower::IntOpKind::Lt, n, lower::i64(3)),
                                                 k.nested([&] { stage(k, in, lower::i64(0)); })));
                        }),
                        "a stage inside an if, a loop or another stage");
  EXPECT_KERNEL_PROBLEM(staged_kernel([&](KernelBuilder &k, int in, int) { stage(k, in, n); }),
                        "a stage's base reads 'n', which differs between points");
  EXPECT_KERNEL_PROBLEM(
      staged_kernel([&](KernelBuilder &k, int in, int) { stage(k, in, k.let("start", lower::i64(0))); }),
      "a stage's base reads 'start', which differs between points");
  // The staged buffer is read only.
  EXPECT_KERNEL_PROBLEM(
      staged_kernel([&](KernelBuilder &k, int, int out) {
        k.emit(lower::Stage::make("tile", out, lower::i64(0), lower::local("size", Type::I64), 64,
                                  k.nested([&] { k.store(out, tile, lower::IntImm::make(Type::I32, 0)); })));
      }),
      "it stages 'out', which it writes");
  // Only a Neurons domain runs past its extent.
  lower::Kernel rows = test_kernel([](KernelBuilder &, int, int) {}, DomainKind::BatchReduction);
  rows.domain.runs_past_extent = true;
  EXPECT_KERNEL_PROBLEM(rows, "only a Neurons domain runs past its extent");
}

TEST(Verifier, ChecksLoadsAndStores) {
  Value n = lower::local("n", Type::I64);
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int out) { k.let("x", k.load(out, n)); }),
                        "it loads from write-only parameter 'out'");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int) {
                          k.let("x", lower::Load::make(2, n, Type::I64)); // "size", a scalar
                        }),
                        "a load of parameter 2, which is not a buffer");
  EXPECT_KERNEL_PROBLEM(
      test_kernel([&](KernelBuilder &k, int in, int) { k.let("x", lower::Load::make(in, n, Type::I32)); }),
      "a load from 'in' has type i32");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int in, int) { k.store(in, n, lower::real_value(1)); }),
                        "a store to read-only parameter 'in'");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int out) { k.store(out, n, lower::real_value(1)); }),
                        "a store to 'out' is real, expected i32");
  EXPECT_KERNEL_PROBLEM(test_kernel([&](KernelBuilder &k, int, int out) {
                          k.emit(lower::AtomicAdd::make(out, n, lower::real_value(1)));
                        }),
                        "an atomic add to write-only parameter 'out'");
}

TEST(Verifier, ChecksEntryPoints) {
  EXPECT_PROBLEM([](Program &p) { p.entries.pop_back(); }, "it has 8 entry points");
  EXPECT_PROBLEM([](Program &p) { std::swap(p.entries[0], p.entries[1]); },
                 "entry point 0 is 'reset_example', expected 'init'");
}

TEST(Verifier, ChecksLaunches) {
  // The first launch of step updates population exc with kernel update.Leaky
  // (state.v, input.i, spiked, size).
  auto first_step_launch = [](Program &p) -> lower::Launch & { return p.entries[2].launches.at(0); };
  EXPECT_PROBLEM([&](Program &p) { first_step_launch(p).kernel = 99; },
                 "launch in step (population exc) of unknown kernel 99");
  EXPECT_PROBLEM([&](Program &p) { first_step_launch(p).args.pop_back(); },
                 "launch of update.Leaky in step (population exc) has 3 arguments for 4 parameters");
  EXPECT_PROBLEM(
      [&](Program &p) {
        lower::Launch &l = first_step_launch(p);
        l.args[size_t(p.kernels[l.kernel].param("size"))].buffer = 0;
      },
      "launch of update.Leaky in step (population exc) binds scalar 'size' to a buffer");
  EXPECT_PROBLEM(
      [&](Program &p) {
        lower::Launch &l = first_step_launch(p);
        l.args[size_t(p.kernels[l.kernel].param("spiked"))].buffer = 1000;
      },
      "launch of update.Leaky in step (population exc) binds 'spiked' to no buffer");
  EXPECT_PROBLEM(
      [&](Program &p) {
        lower::Launch &l = first_step_launch(p);
        l.args[size_t(p.kernels[l.kernel].param("spiked"))].buffer = buffer_named(p, "exc.v");
      },
      "binds 'spiked' to buffer exc.v of another type, scope or batch axis");
  EXPECT_PROBLEM(
      [&](Program &p) {
        lower::Launch &l = first_step_launch(p);
        l.args[size_t(p.kernels[l.kernel].param("input.i"))].buffer = buffer_named(p, "exc.v");
      },
      "binds buffer exc.v to several parameters, one of them written");
}

TEST(Verifier, ChecksTheNetworkNamesBuffers) {
  EXPECT_PROBLEM([](Program &p) { p.populations[0].states[0].buffer = -1; }, "state exc.v names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.populations[0].inputs[0].buffer = 500; }, "input exc.i names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.populations[0].spiked = -1; }, "the spike flags of exc names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.populations[1].stimulus = 500; }, "the stimulus of relay names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.projections[0].row_start = -1; }, "the rows of relay -> exc.i names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.projections[0].target = -1; }, "the targets of relay -> exc.i names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.projections[1].weight = -1; }, "the weights of exc -> exc.v names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.records[0].population = 7; }, "a record of no population");
  EXPECT_PROBLEM([](Program &p) { p.records[0].end = 9; }, "a record of exc has an invalid neuron range");
  EXPECT_PROBLEM([](Program &p) { p.records[0].stride = 0; }, "a record of exc has an invalid neuron range");
  EXPECT_PROBLEM([](Program &p) { p.records[1].buffer = -1; }, "a state record names no buffer");
  EXPECT_PROBLEM([](Program &p) { p.stimuli[0].population = 0; },
                 "a stimulus of a population without a stimulus buffer");
}

TEST(Verifier, ChecksTheSegmentCheckpoint) {
  auto with_segment = [](std::vector<int> buffers, lower::BufferRole role) {
    return [=](Program &p) {
      p.training.backward_pass = true;
      p.training.segment_state = buffers;
      p.buffers[size_t(buffers.front())].role = role;
    };
  };
  EXPECT_PROBLEM(with_segment({0, 500}, lower::BufferRole::State), "the segment checkpoint names no buffer");
  EXPECT_PROBLEM(with_segment({1, 0}, lower::BufferRole::State),
                 "the segment checkpoint's buffers are not in ascending order");
  EXPECT_PROBLEM(with_segment({0}, lower::BufferRole::History), "the segment checkpoint holds the history");
  EXPECT_PROBLEM([](Program &p) { p.training.segment_state = {0}; }, "a segment checkpoint without a backward pass");
  EXPECT_PROBLEM(
      [](Program &p) {
        lower::TrainedParamInfo param;
        param.name = "relay->exc";
        param.value = p.projections[0].weight;
        p.training.params.push_back(param);
      },
      "trained parameter relay->exc has no per-example gradient");
}

} // namespace
} // namespace snn::test
