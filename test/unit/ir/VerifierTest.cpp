//===- test/unit/ir/VerifierTest.cpp - ir::verify -------------------------===//
#include "ir/Verifier.h"

#include "TestModule.h"

#include <gtest/gtest.h>

namespace snn::ir {
namespace {

const Dimension V = Dimension::voltage();

/// The problems of `m`, each expected to contain one of `expected`, in order.
void expect_problems(const Module &m, const std::vector<std::string> &expected) {
  std::vector<std::string> problems = verify(m);
  ASSERT_EQ(problems.size(), expected.size()) << (problems.empty() ? "" : problems.front());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NE(problems[i].find(expected[i]), std::string::npos) << problems[i];
}

TEST(Verifier, AcceptsAWellFormedModule) { expect_problems(test::small_module(), {}); }

TEST(Verifier, UpdateOfUnknownState) {
  Module m = test::small_module();
  m.models[0].update.push_back({"w", real(0.0, V)});
  expect_problems(m, {"model LIF@p: update of unknown state 'w'"});
}

TEST(Verifier, ExpressionReadingUnknownState) {
  Module m = test::small_module();
  m.models[0].update[0].value = Variable::make(VarKind::State, "u", V);
  m.models[0].reset[0].value = Variable::make(VarKind::Input, "j", V);
  expect_problems(m,
                  {"update of v reads unknown or removed state 'u'", "reset of v reads unknown or removed input 'j'"});
}

TEST(Verifier, DimensionMismatches) {
  Module m = test::small_module();
  m.models[0].update[0].value = real(1.0, Dimension::time());
  // A read of v with the wrong dimension.
  m.models[0].spike_condition = Binary::make(BinaryOp::Gt, Variable::make(VarKind::State, "v", {}), real(0.0));
  expect_problems(m, {"update of v has dimension s, expected V", "spike condition reads 'v' with dimension 1"});
}

TEST(Verifier, ProjectionWeightDimension) {
  Module m = test::small_module();
  m.network.projections[0].weight.dim = Dimension::current();
  expect_problems(m, {"projection p -> p weight dimension A differs from its target's V"});
}

TEST(Verifier, ProjectionTargets) {
  Module m = test::small_module();
  m.network.projections[0].target = "v";
  expect_problems(m, {"projection targets unknown input 'v'"});
  m.network.projections[0].target_kind = TargetKind::State;
  expect_problems(m, {});
  m.network.projections[0].post = "q";
  expect_problems(m, {"projection p -> q names an unknown population"});
}

TEST(Verifier, DiscretizedModelsKeepNoOdesParamsOrDt) {
  Module m = test::small_module();
  NeuronModel &model = m.models[0];
  model.params.push_back({"tau", Dimension::time(), real(0.01, Dimension::time())});
  model.odes.push_back({"v", real(0.0, V / Dimension::time()), false, {}});
  model.update[0].value =
      model.update[0].value + Variable::make(VarKind::Dt, "dt", Dimension::time()) * real(0.0, V / Dimension::time());
  expect_problems(m, {"discretized model still has ODEs", "discretized model still has parameters",
                      "update of v reads unknown or removed dt 'dt'"});
}

TEST(Verifier, ContinuousModels) {
  Module m = test::small_module();
  NeuronModel &model = m.models[0];
  model.discretized = false;
  model.update.clear();
  Expr v = Variable::make(VarKind::State, "v", V);
  model.odes.push_back({"v", -v / real(0.01, Dimension::time()), false, {}});
  expect_problems(m, {});
  model.odes.push_back({"w", -v, false, {}});
  model.odes[0].rhs = -v;
  expect_problems(m, {"dv/dt has dimension V, expected V/s", "ODE of unknown state 'w'"});
}

TEST(Verifier, SurrogateAndRefractoryPeriod) {
  Module m = test::small_module();
  NeuronModel &model = m.models[0];
  model.surrogate = Variable::make(VarKind::State, "v", V) + Variable::make(VarKind::State, "h", V);
  expect_problems(m, {"surrogate has dimension V, expected 1", "surrogate reads unknown or removed state 'h'"});
  model.surrogate = Expr();
  model.refractory_period = real(2e-3, Dimension::time());
  expect_problems(m, {"discretized model still has a refractory period"});
  model.discretized = false;
  model.update.clear();
  expect_problems(m, {});
  model.refractory_period = real(2e-3, V);
  expect_problems(m, {"refractory period has dimension V, expected s"});
}

TEST(Verifier, NetworkAndRegime) {
  Module m = test::small_module();
  m.network.populations.push_back(m.network.populations[0]);
  m.network.populations.back().size = 0;
  m.network.populations.back().model = "ALIF";
  m.regime.records[1].end = 11;
  m.regime.records[0].variable = "";
  m.regime.records.push_back({RecordKind::State, "p", "a", 0, 1, 1, {}, 1, ""});
  m.regime.dt = 0;
  expect_problems(m, {"population 'p' defined twice", "population 'p' uses unknown model 'ALIF'",
                      "population 'p' is empty", "record of p has an invalid neuron range",
                      "record of unknown state 'a'", "regime dt must be positive"});
}

TEST(Verifier, OneToOneNeedsEqualSizes) {
  Module m = test::small_module();
  Population q = m.network.populations[0];
  q.name = "q";
  q.size = 5;
  m.network.populations.push_back(q);
  m.network.projections[0].post = "q";
  m.network.projections[0].connectivity = ConnectivityKind::OneToOne;
  expect_problems(m, {"one_to_one projection between populations of different sizes"});
}

} // namespace
} // namespace snn::ir
