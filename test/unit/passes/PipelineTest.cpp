//===- test/unit/passes/PipelineTest.cpp - passes::run_pipeline -----------===//
#include "passes/Pipeline.h"

#include "TestCompile.h"
#include "ir/Printer.h"
#include "passes/FoldConstants.h"
#include "passes/ResolveParams.h"

#include <gtest/gtest.h>

#include <sstream>

namespace snn::passes {
namespace {

const char *const kSource = R"(
neuron L {
  param tau = 10 ms
  param tau2 = 2 * tau
  state v = 0 mV
  input i : mV
  dv/dt = (i - v) / (tau + tau2)
}
network N { population p = L x 2 }
simulate N { dt = 0.1 ms; duration = 1 ms }
)";

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto &p : pipeline())
    out.push_back(p.name);
  return out;
}

TEST(Pipeline, ListsThePassesInOrder) {
  EXPECT_EQ(names(), (std::vector<std::string>{"resolve-params", "fold-constants", "discretize-odes", "simplify",
                                               "merge-populations", "eprop", "sparsify"}));
  for (const auto &p : pipeline()) {
    EXPECT_TRUE(is_pass_name(p.name));
    EXPECT_NE(std::string(p.description), "");
  }
  EXPECT_FALSE(is_pass_name("resolve_params"));
  EXPECT_FALSE(is_pass_name(""));
}

TEST(Pipeline, PrintsAfterTheNamedPass) {
  ir::Module m = test::compile_ok(kSource, false);
  std::ostringstream log;
  PipelineOptions opts;
  opts.print_after = {"resolve-params"};
  opts.log = &log;
  test::PassHarness run;
  PassContext &ctx = run.ctx;
  ASSERT_TRUE(run_pipeline(m, opts, ctx));
  std::string text = log.str();
  EXPECT_EQ(text.rfind("; *** IR after resolve-params ***\nneuron L@p {\n", 0), 0u) << text;
  EXPECT_EQ(text.find("IR after fold-constants"), std::string::npos);
  // Parameters are values now; the sum is folded only by fold-constants.
  EXPECT_NE(text.find("  ode dv/dt = (i - v) / (0.01[s] + 0.02[s])\n"), std::string::npos) << text;
}

TEST(Pipeline, PrintAfterAllSaysWhatDidNotChange) {
  ir::Module m = test::compile_ok(kSource, false);
  std::ostringstream log;
  PipelineOptions opts;
  opts.print_after_all = true;
  opts.log = &log;
  test::PassHarness run;
  PassContext &ctx = run.ctx;
  ASSERT_TRUE(run_pipeline(m, opts, ctx));
  std::string text = log.str();
  for (const char *pass : {"resolve-params", "fold-constants", "discretize-odes"})
    EXPECT_NE(text.find(std::string("; *** IR after ") + pass + " ***\n"), std::string::npos) << pass;
  // The final simplify finds nothing left to fold.
  EXPECT_NE(text.find("; *** IR after simplify (unchanged) ***\n"), std::string::npos) << text;
  // The log ends with the module as it is now.
  EXPECT_EQ(text.substr(text.size() - ir::to_string(m).size()), ir::to_string(m));
}

TEST(Pipeline, TimesPasses) {
  ir::Module m = test::compile_ok(kSource, false);
  std::ostringstream log;
  PipelineOptions opts;
  opts.time_passes = true;
  opts.log = &log;
  test::PassHarness run;
  PassContext &ctx = run.ctx;
  ASSERT_TRUE(run_pipeline(m, opts, ctx));
  std::string text = log.str();
  EXPECT_EQ(text.rfind("===- pass execution timing -===\n", 0), 0u) << text;
  for (const auto &n : names())
    EXPECT_NE(text.find("%  " + n + "\n"), std::string::npos) << n;
  EXPECT_NE(text.find(" s  total\n"), std::string::npos);
}

TEST(Pipeline, StopsAtTheFirstUserError) {
  const char *src = R"(
neuron Q {
  state x = 1
  method = exact
  dx/dt = -x * x / 1 s
}
network N { population p = Q x 1 }
)";
  ir::Module m = test::compile_ok(src, false);
  test::PassHarness run;
  PassContext &ctx = run.ctx;
  EXPECT_FALSE(run_pipeline(m, {}, ctx));
  ASSERT_EQ(run.diags.all().size(), 1u);
  EXPECT_EQ(run.diags.all()[0].kind, "nonlinear-exact");
  // discretize-odes failed, so the model is still continuous.
  EXPECT_FALSE(m.models.at(0).discretized);
}

TEST(FoldConstants, FoldsResolvedParameters) {
  ir::Module m = test::compile_ok(kSource, false);
  test::PassHarness run;
  PassContext &ctx = run.ctx;
  ASSERT_TRUE(resolve_params(m, ctx));
  ASSERT_TRUE(fold_constants(m, ctx));
  ASSERT_EQ(m.models.at(0).odes.size(), 1u);
  EXPECT_EQ(ir::to_string(m.models[0].odes[0].rhs), "(i - v) / 0.03[s]");
}

} // namespace
} // namespace snn::passes
