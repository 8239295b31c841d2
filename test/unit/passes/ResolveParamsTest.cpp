//===- test/unit/passes/ResolveParamsTest.cpp - passes::resolve_params ----===//
#include "passes/ResolveParams.h"

#include "ExprEvaluator.h"
#include "TestCompile.h"
#include "ir/Simplify.h"
#include "ir/Verifier.h"

#include <gtest/gtest.h>

namespace snn::passes {
namespace {

using test::assigned;
using test::Bindings;
using test::compile_ok;
using test::evaluate;

const char *const kSource = R"(
neuron L {
  param tau = 10 ms
  param tau_slow = 3 * tau
  param v_rest = -65 mV
  param v_th = v_rest + 15 mV
  state v = v_rest
  state a = 0 mV
  input i : mV
  dv/dt = (v_rest - v + i - a) / tau
  da/dt = -a / tau_slow
  spike when v > v_th
  on spike { v = v_rest; a += 1 mV }
}
neuron Unused {
  state x = 0
  dx/dt = -x / 1 s
}
network N {
  population fast = L(tau: 5 ms) x 4
  population slow = L(tau: 40 ms, v_rest: -70 mV) x 2
  population plain = L x 1
}
simulate N {
  dt = 0.1 ms
  duration = 10 ms
  init slow.v = -50 mV
  init plain.a = 2 mV
}
)";

/// The module after resolve_params alone.
ir::Module resolved() {
  ir::Module m = compile_ok(kSource, /*run_passes=*/false);
  test::PassHarness run;
  PassContext &ctx = run.ctx;
  EXPECT_TRUE(resolve_params(m, ctx));
  EXPECT_TRUE(run.diags.all().empty());
  return m;
}

bool reads_params(const ir::Expr &e) {
  return e && ir::mentions(e, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::Param; });
}

/// d(state)/dt of `model` at the given state and input values.
double rate(const ir::NeuronModel &model, const std::string &state, const Bindings &b) {
  for (const auto &o : model.odes)
    if (o.state == state)
      return evaluate(o.rhs, b);
  ADD_FAILURE() << "no ODE for " << state;
  return 0;
}

TEST(ResolveParams, OneModelPerPopulationNamedModelAtPop) {
  ir::Module m = resolved();
  ASSERT_EQ(m.models.size(), 3u); // Unused is gone
  EXPECT_EQ(m.models[0].name, "L@fast");
  EXPECT_EQ(m.models[1].name, "L@slow");
  EXPECT_EQ(m.models[2].name, "L@plain");
  for (const auto &p : m.network.populations) {
    EXPECT_EQ(p.model, "L@" + p.name);
    EXPECT_TRUE(p.overrides.empty());
    EXPECT_TRUE(p.inits.empty());
  }
  for (const auto &model : m.models) {
    SCOPED_TRACE(model.name);
    EXPECT_TRUE(model.params.empty());
    for (const auto &s : model.states)
      EXPECT_FALSE(reads_params(s.initial));
    for (const auto &o : model.odes)
      EXPECT_FALSE(reads_params(o.rhs));
    for (const auto &r : model.reset)
      EXPECT_FALSE(reads_params(r.value));
    EXPECT_FALSE(reads_params(model.spike_condition));
  }
  EXPECT_TRUE(ir::verify(m).empty());
}

TEST(ResolveParams, OverridesReplaceDefaultsAndDerivedDefaultsFollow) {
  ir::Module m = resolved();
  struct Expected {
    double tau, v_rest;
  };
  const Expected expected[] = {{5e-3, -65e-3}, {40e-3, -70e-3}, {10e-3, -65e-3}};
  for (size_t k = 0; k < 3; ++k) {
    const ir::NeuronModel &model = m.models[k];
    SCOPED_TRACE(model.name);
    const double tau = expected[k].tau, v_rest = expected[k].v_rest;
    // dv/dt = (v_rest - v + i - a) / tau at v = a = i = 0.
    Bindings zero;
    zero.state("v", 0).state("a", 0).input("i", 0);
    EXPECT_NEAR(rate(model, "v", zero), v_rest / tau, 1e-12 * std::fabs(v_rest / tau));
    // da/dt = -a / tau_slow with tau_slow = 3 tau (a default over an override).
    Bindings one = zero;
    one.state("a", 1.0);
    EXPECT_NEAR(rate(model, "a", one), -1.0 / (3 * tau), 1e-12 / (3 * tau));
    // v_th = v_rest + 15 mV.
    auto spikes = [&](double v) { return evaluate(model.spike_condition, Bindings(zero).state("v", v)) != 0; };
    EXPECT_TRUE(spikes(v_rest + 15e-3 + 1e-6));
    EXPECT_FALSE(spikes(v_rest + 15e-3 - 1e-6));
    EXPECT_NEAR(evaluate(assigned(model.reset, "v"), zero), v_rest, 1e-15);
  }
}

TEST(ResolveParams, RegimeInitsReplaceInitialValues) {
  ir::Module m = resolved();
  auto initial = [&](size_t model, const std::string &state) {
    return evaluate(m.models[model].find_state(state)->initial, Bindings());
  };
  EXPECT_NEAR(initial(0, "v"), -65e-3, 1e-15); // the default, v_rest
  EXPECT_NEAR(initial(1, "v"), -50e-3, 1e-15); // init slow.v, not v_rest = -70 mV
  EXPECT_EQ(initial(1, "a"), 0.0);
  EXPECT_NEAR(initial(2, "v"), -65e-3, 1e-15);
  EXPECT_NEAR(initial(2, "a"), 2e-3, 1e-15); // init plain.a
  EXPECT_EQ(initial(0, "a"), 0.0);
}

TEST(ResolveParams, TheModuleStillCompilesThroughThePipeline) {
  ir::Module m = compile_ok(kSource);
  ASSERT_EQ(m.models.size(), 3u);
  for (const auto &model : m.models) {
    EXPECT_TRUE(model.discretized);
    EXPECT_EQ(model.method_used, ir::IntegrationMethod::Exact);
  }
}

} // namespace
} // namespace snn::passes
