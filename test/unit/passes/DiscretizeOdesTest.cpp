//===- test/unit/passes/DiscretizeOdesTest.cpp - passes::discretize_odes --===//
//
// Models come from .snn text through the frontend and the whole pipeline; the
// discretised update map is evaluated numerically and compared with closed
// forms and with reference integrators written here.
//
//===----------------------------------------------------------------------===//
#include "passes/DiscretizeOdes.h"

#include "ExprEvaluator.h"
#include "TestCompile.h"
#include "ir/ExprVisitor.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

namespace snn::passes {
namespace {

using test::assigned;
using test::Bindings;
using test::compile;
using test::compile_ok;
using test::evaluate;

/// |got - want| <= rel * |want|, with a message naming `what`.
void expect_rel(double got, double want, double rel, const std::string &what) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << what;
}

/// A one-population network and a simulate block around `neuron_text`.
std::string with_network(const std::string &neuron_text, const std::string &model, const std::string &dt = "0.1 ms") {
  return neuron_text + "\nnetwork N { population p = " + model + " x 1 }\nsimulate N { dt = " + dt +
         "; duration = 1 s }\n";
}

const ir::NeuronModel &only_model(const ir::Module &m) {
  EXPECT_EQ(m.models.size(), 1u);
  return m.models.at(0);
}

/// Runs the discretised map of `model` once: every update reads the old values.
std::map<std::string, double> step(const ir::NeuronModel &model, const std::map<std::string, double> &state,
                                   const std::map<std::string, double> &inputs, double t = 0) {
  Bindings b;
  for (const auto &[n, v] : state)
    b.state(n, v);
  for (const auto &[n, v] : inputs)
    b.input(n, v);
  b.time(t);
  std::map<std::string, double> next = state;
  for (const auto &a : model.update)
    next[a.state] = evaluate(a.value, b);
  return next;
}

/// The constants of dimension `dim` in `e`, in the order they are found.
std::vector<double> constants_of_dimension(const ir::Expr &e, ir::Dimension dim) {
  std::vector<double> out;
  // Every occurrence counts (not each shared node once), so recurse on operands.
  std::function<void(const ir::Expr &)> walk = [&](const ir::Expr &x) {
    if (const auto *c = x.as<ir::Constant>(); c && !c->is_bool() && c->dim == dim)
      out.push_back(c->value);
    ir::for_each_child(x, walk);
  };
  walk(e);
  return out;
}

const char *const kLif = R"(
neuron L {
  param tau = 10 ms
  state v = 0 mV
  input i : mV
  dv/dt = (i - v) / tau
}
)";

TEST(DiscretizeOdes, LifUsesExactCoefficients) {
  ir::Module m = compile_ok(with_network(kLif, "L"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.name, "L"); // merge-populations: the only user takes the base name
  EXPECT_TRUE(model.discretized);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::Exact);
  EXPECT_TRUE(model.odes.empty());
  ASSERT_EQ(model.update.size(), 1u);
  const double dt = m.regime.dt, tau = 10e-3;
  EXPECT_DOUBLE_EQ(dt, 1e-4);
  const double decay = std::exp(-dt / tau);
  // v' = exp(-dt/tau) v + I / tau: the input is an impulse, integrated
  // without it and then added as the jump d(dv/dt)/di = 1 / tau per unit
  // of arriving weight I (a charge-like mV * s).
  ir::Expr v_next = assigned(model.update, "v");
  ASSERT_TRUE(v_next);
  EXPECT_EQ(v_next->dim, ir::Dimension::voltage());
  expect_rel(evaluate(v_next, Bindings().state("v", 1.0).input("i", 0.0)), decay, 1e-15, "coefficient of v");
  expect_rel(evaluate(v_next, Bindings().state("v", 0.0).input("i", 1.0)), 1 / tau, 1e-15, "coefficient of i");
  // The printed update holds the coefficients themselves: the decay, and one
  // second that turns the summed weights back into the input's dimension.
  std::vector<double> plain = constants_of_dimension(v_next, ir::Dimension());
  std::vector<double> times = constants_of_dimension(v_next, ir::Dimension::time());
  ASSERT_EQ(plain.size(), 1u) << ir::to_string(v_next);
  ASSERT_GE(times.size(), 1u) << ir::to_string(v_next);
  expect_rel(plain[0], decay, 1e-15, "exp(-dt/tau)");
  EXPECT_EQ(times[0], 1.0) << ir::to_string(v_next);
}

TEST(DiscretizeOdes, CoupledLinearSystemMatchesItsClosedForm) {
  // v relaxes towards r_m * ge; ge decays towards the input current i.
  const char *src = R"(
neuron C {
  param tau_m = 20 ms
  param tau_e = 5 ms
  param r_m = 100 Mohm
  state v = 0 mV
  state ge = 0 nA
  input i : nA
  dv/dt = (r_m * ge - v) / tau_m
  dge/dt = (i - ge) / tau_e
}
)";
  ir::Module m = compile_ok(with_network(src, "C"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::Exact);
  const double h = m.regime.dt, a = 1 / 20e-3, b = 1 / 5e-3, r = 100e6;
  const double ea = std::exp(-a * h), eb = std::exp(-b * h);
  // With ge(t) = i + (ge0 - i) e^{-bt}:
  //   v(h) = v0 e^{-ah} + r i (1 - e^{-ah}) + a r (ge0 - i) (e^{-bh} - e^{-ah}) / (a - b).
  const double cross = a * r * ea * std::expm1((a - b) * h) / (a - b); // a r (e^{-bh} - e^{-ah}) / (a - b)
  struct Coefficient {
    const char *state, *from;
    double value;
  };
  const Coefficient expected[] = {
      // An impulse input jumps the states that read it (ge by I / tau_e)
      // after the step; v sees it only from the next step on.
      {"v", "v", ea}, {"v", "ge", cross}, {"v", "i", 0.0}, {"ge", "v", 0.0}, {"ge", "ge", eb}, {"ge", "i", b},
  };
  for (const auto &c : expected) {
    Bindings unit;
    unit.state("v", 0).state("ge", 0).input("i", 0);
    if (std::string(c.from) == "i")
      unit.input("i", 1.0);
    else
      unit.state(c.from, 1.0);
    double got = evaluate(assigned(model.update, c.state), unit);
    std::string what = std::string("d") + c.state + "'/d" + c.from;
    if (c.value == 0)
      EXPECT_EQ(got, 0.0) << what;
    else
      expect_rel(got, c.value, 1e-13, what);
  }
  // One step from a typical state, against the closed form directly.
  double v0 = -0.012, g0 = 2e-10, i = 1.5e-10;
  auto next = step(model, {{"v", v0}, {"ge", g0}}, {{"i", i}});
  expect_rel(next["v"], v0 * ea + a * r * g0 * (eb - ea) / (a - b), 1e-12, "v(h)");
  expect_rel(next["ge"], g0 * eb + i * b, 1e-13, "ge(h)");
}

TEST(DiscretizeOdes, EulerIsOneForwardStep) {
  const char *src = R"(
neuron E {
  param tau = 10 ms
  param k = 2 Hz
  state x = 0.5
  input i
  method = euler
  dx/dt = -k * x * x * x + i / tau
}
)";
  ir::Module m = compile_ok(with_network(src, "E"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::Euler);
  const double h = m.regime.dt, k = 2.0, tau = 10e-3;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-2, 2);
  for (int n = 0; n < 20; ++n) {
    double x = u(rng), i = u(rng);
    double want = x + h * (-k * x * x * x) + i / tau; // the input: an impulse after the step
    expect_rel(step(model, {{"x", x}}, {{"i", i}})["x"], want, 1e-14, "euler step");
  }
  // A linear model asked for euler gets euler, not the exact map.
  ir::Module lin =
      compile_ok(with_network(std::string(kLif).insert(std::string(kLif).find("dv/dt"), "method = euler\n  "), "L"));
  const ir::NeuronModel &l = only_model(lin);
  EXPECT_EQ(l.method_used, ir::IntegrationMethod::Euler);
  double v = 0.004, i = 0.012;
  expect_rel(step(l, {{"v", v}}, {{"i", i}})["v"], v + lin.regime.dt * -v / 10e-3 + i / 10e-3, 1e-15, "linear euler");
}

/// One classical RK4 step of dx/dt = f(x, t).
double rk4_step(const std::function<double(double, double)> &f, double x, double t, double h) {
  double k1 = f(x, t);
  double k2 = f(x + h / 2 * k1, t + h / 2);
  double k3 = f(x + h / 2 * k2, t + h / 2);
  double k4 = f(x + h * k3, t + h);
  return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
}

TEST(DiscretizeOdes, Rk4MatchesAReferenceStep) {
  // Nonlinear in x and driven by the time t, so the stages' t + h/2 matter.
  const char *src = R"(
neuron K {
  param k = 3 Hz
  param a = 40 Hz
  param w = 300 Hz
  state x = 1
  method = rk4
  dx/dt = -k * x ** 3 + a * sin(w * t)
}
)";
  ir::Module m = compile_ok(with_network(src, "K", "1 ms"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::RK4);
  const double h = m.regime.dt;
  auto f = [](double x, double t) { return -3.0 * x * x * x + 40.0 * std::sin(300.0 * t); };
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> ux(-1.5, 1.5), ut(0, 0.1);
  for (int n = 0; n < 20; ++n) {
    double x = ux(rng), t = ut(rng);
    expect_rel(step(model, {{"x", x}}, {}, t)["x"], rk4_step(f, x, t, h), 1e-13, "rk4 step");
  }
}

/// |x(1 s) - 1 / (1 + t)| after integrating dx/dt = -x^2 from x = 1 with step dt.
double rk4_global_error(const std::string &dt, double &h) {
  const char *src = R"(
neuron Q {
  param k = 1 Hz
  state x = 1
  dx/dt = -k * x * x
}
)";
  ir::Module m = compile_ok(with_network(src, "Q", dt));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::RK4); // the default for nonlinear ODEs
  h = m.regime.dt;
  int steps = static_cast<int>(std::lround(1.0 / h));
  std::map<std::string, double> s = {{"x", 1.0}};
  for (int n = 0; n < steps; ++n)
    s = step(model, s, {}, n * h);
  double t = steps * h;
  return std::fabs(s["x"] - 1.0 / (1.0 + t));
}

TEST(DiscretizeOdes, Rk4IsFourthOrderOverManySteps) {
  double h1 = 0, h2 = 0;
  double e1 = rk4_global_error("20 ms", h1), e2 = rk4_global_error("10 ms", h2);
  EXPECT_LT(e1, 1e-9); // 4.9e-10 with a reference RK4 in double
  EXPECT_LT(e2, 1e-10);
  // Halving the step divides the error by about 2^4.
  double ratio = e1 / e2;
  EXPECT_GT(ratio, 13.0) << e1 << " " << e2;
  EXPECT_LT(ratio, 19.0) << e1 << " " << e2;
}

TEST(DiscretizeOdes, AutoPicksExactForLinearAndRk4ForNonlinear) {
  EXPECT_EQ(only_model(compile_ok(with_network(kLif, "L"))).method_used, ir::IntegrationMethod::Exact);
  const char *nonlinear = R"(
neuron N2 {
  param tau = 10 ms
  state v = 0 mV
  input i : mV
  dv/dt = (i - v) / tau - v * v / (tau * 1 V)
}
)";
  EXPECT_EQ(only_model(compile_ok(with_network(nonlinear, "N2"))).method_used, ir::IntegrationMethod::RK4);
  // An input that scales a state is an impulse too (a jump of -g v / tau,
  // read at the decayed v); without it the ODE is linear: exact.
  const char *input_coefficient = R"(
neuron G {
  param tau = 10 ms
  state v = 0 mV
  input g
  dv/dt = -g * v / tau
}
)";
  EXPECT_EQ(only_model(compile_ok(with_network(input_coefficient, "G"))).method_used, ir::IntegrationMethod::Exact);
  // No ODE at all: nothing to integrate, reported as exact.
  const char *static_model = R"(
neuron S {
  state v = 0 mV
  input i : mV
  spike when i > 1 mV
}
)";
  ir::Module s_module = compile_ok(with_network(static_model, "S"));
  const ir::NeuronModel &s = only_model(s_module);
  EXPECT_EQ(s.method_used, ir::IntegrationMethod::Exact);
  EXPECT_TRUE(s.update.empty());
}

/// The single error of compiling `neuron_text` with `method = exact`.
Diagnostic exact_error(const std::string &neuron_text, const std::string &model) {
  test::Compiled c = compile(with_network(neuron_text, model));
  EXPECT_FALSE(c.module.has_value());
  EXPECT_EQ(c.diagnostics.size(), 1u) << c.rendered;
  return c.diagnostics.empty() ? Diagnostic() : c.diagnostics.back();
}

TEST(DiscretizeOdes, ExactOnANonlinearSystemSaysWhy) {
  const char *src = R"(neuron Q {
  param k = 1 Hz
  state x = 1
  method = exact
  dx/dt = -k * x * x
}
)";
  Diagnostic d = exact_error(src, "Q");
  EXPECT_EQ(d.kind, "nonlinear-exact");
  EXPECT_EQ(d.severity, Severity::Error);
  EXPECT_EQ(d.message, "cannot integrate model 'Q' exactly: dx/dt is nonlinear in 'x'");
  // It points at the method, line 4 `  method = exact`.
  EXPECT_EQ(d.location.file, "test.snn");
  EXPECT_EQ(d.location.line, 4u);
  EXPECT_EQ(d.location.column, 12u);
  EXPECT_EQ(d.location.length, 5u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].message.find("use 'method = rk4' or 'method = euler'"), std::string::npos);
  EXPECT_EQ(render(d).substr(0, render(d).find('\n')),
            "test.snn:4:12: error: cannot integrate model 'Q' exactly: dx/dt is nonlinear in 'x' [nonlinear-exact]");

  struct Reason {
    const char *equation, *why;
  };
  const Reason reasons[] = {
      // A state without an ODE (an input would be an impulse, outside the ODE).
      {"dx/dt = -w * x * k", "the coefficient of 'x' in dx/dt depends on 'w'"},
      {"dx/dt = if x > 0.5 then -k * x else k * x", "dx/dt depends on a state through a comparison or rounding"},
      {"dx/dt = -k * floor(x)", "dx/dt depends on a state through a comparison or rounding"},
      {"dx/dt = -k * x + k * sin(k * t)", "dx/dt depends on the time t"},
      {"dx/dt = -k * exp(x)", "dx/dt is nonlinear in 'x'"},
  };
  for (const auto &r : reasons) {
    std::string text =
        std::string("neuron Q {\n  param k = 1 Hz\n  state x = 1\n  state w = 2\n  input g\n  method = exact\n  ") +
        r.equation + "\n}\n";
    Diagnostic e = exact_error(text, "Q");
    EXPECT_EQ(e.message, std::string("cannot integrate model 'Q' exactly: ") + r.why) << r.equation;
  }
}

const char *const kRefractoryLif = R"(
neuron R {
  param tau = 10 ms
  param t_ref = 5 ms
  state v = 0 mV
  input i : mV
  refractory = t_ref
  dv/dt = (i - v) / tau  unless refractory
  spike when v > 10 mV
  on spike { v = 0 mV }
}
)";

TEST(DiscretizeOdes, RefractoryCounterSelectSpikeAndReset) {
  ir::Module m = compile_ok(with_network(kRefractoryLif, "R"));
  const ir::NeuronModel &model = only_model(m);
  // The hidden counter: a dimensionless state starting at 0.
  const ir::StateVar *c = model.find_state("refractory_steps");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->hidden);
  EXPECT_TRUE(c->dim.dimensionless());
  EXPECT_EQ(evaluate(c->initial, Bindings()), 0.0);
  EXPECT_FALSE(model.refractory_period);
  // The reset restarts it at round(5 ms / 0.1 ms) = 50 steps.
  ir::Expr restart = assigned(model.reset, "refractory_steps");
  ASSERT_TRUE(restart);
  EXPECT_EQ(evaluate(restart, Bindings()), 50.0);
  // It counts down to 0 and stays there.
  ir::Expr countdown = assigned(model.update, "refractory_steps");
  ASSERT_TRUE(countdown);
  for (double n : {50.0, 2.0, 1.0, 0.0})
    EXPECT_EQ(evaluate(countdown, Bindings().state("refractory_steps", n)), std::max(n - 1, 0.0)) << n;
  // v is a select: held while more than one step is left, else the exact step.
  ir::Expr v_next = assigned(model.update, "v");
  ASSERT_NE(v_next.as<ir::Select>(), nullptr) << ir::to_string(v_next);
  const double decay = std::exp(-m.regime.dt / 10e-3);
  for (double n : {50.0, 10.0, 2.0}) {
    Bindings b;
    b.state("v", 0.004).input("i", 0.02).state("refractory_steps", n);
    EXPECT_EQ(evaluate(v_next, b), 0.004) << "frozen with " << n << " steps left";
  }
  for (double n : {1.0, 0.0}) {
    Bindings b;
    b.state("v", 0.004).input("i", 0.02).state("refractory_steps", n);
    expect_rel(evaluate(v_next, b), 0.004 * decay + 0.02 / 10e-3, 1e-14, "integrating, then the jump");
  }
  // The spike condition (over the updated values) also needs the counter at 0.
  ASSERT_TRUE(model.spike_condition && model.spike_condition->is_bool());
  auto spikes = [&](double v, double n) {
    return evaluate(model.spike_condition, Bindings().state("v", v).state("refractory_steps", n)) != 0;
  };
  EXPECT_TRUE(spikes(0.011, 0));
  EXPECT_FALSE(spikes(0.009, 0));
  EXPECT_FALSE(spikes(0.011, 1));
  EXPECT_FALSE(spikes(0.011, 49));
}

TEST(DiscretizeOdes, RefractorySimulationFollowsBrian2) {
  // Under a strong input the neuron fires as soon as it may: the membrane
  // stays at the reset value for 49 steps and the next spike comes 50 steps
  // (t_ref / dt) after the last one.
  ir::Module m = compile_ok(with_network(kRefractoryLif, "R"));
  const ir::NeuronModel &model = only_model(m);
  std::map<std::string, double> s = {{"v", 0.0}, {"refractory_steps", 0.0}};
  std::vector<int> spike_steps;
  int held_after_last = 0;
  for (int n = 0; n < 400; ++n) {
    double before = s["v"];
    s = step(model, s, {{"i", 10.0}}); // 10 V: crosses 10 mV in one step
    if (!spike_steps.empty() && s["v"] == before && before == 0.0)
      ++held_after_last;
    Bindings b;
    for (const auto &[k, v] : s)
      b.state(k, v);
    if (evaluate(model.spike_condition, b) != 0) {
      if (spike_steps.size() == 1) {
        EXPECT_EQ(held_after_last, 49);
      }
      spike_steps.push_back(n);
      std::map<std::string, double> reset = s;
      for (const auto &a : model.reset)
        reset[a.state] = evaluate(a.value, b);
      s = reset;
    }
  }
  ASSERT_GE(spike_steps.size(), 3u);
  for (size_t k = 1; k < spike_steps.size(); ++k)
    EXPECT_EQ(spike_steps[k] - spike_steps[k - 1], 50) << k;
}

TEST(DiscretizeOdes, NoCounterWithoutRefractoryPeriodOrSpikes) {
  std::string zero = kRefractoryLif;
  zero.replace(zero.find("5 ms"), 4, "0 ms");
  ir::Module z_module = compile_ok(with_network(zero, "R"));
  const ir::NeuronModel &z = only_model(z_module);
  EXPECT_EQ(z.find_state("refractory_steps"), nullptr);
  EXPECT_EQ(assigned(z.update, "v").as<ir::Select>(), nullptr);
  // A name clash moves the counter aside.
  std::string clash = kRefractoryLif;
  clash.replace(clash.find("state v"), 0, "state refractory_steps = 3\n  ");
  ir::Module c_module = compile_ok(with_network(clash, "R"));
  const ir::NeuronModel &c = only_model(c_module);
  EXPECT_NE(c.find_state("refractory_steps_"), nullptr);
  EXPECT_FALSE(c.find_state("refractory_steps")->hidden);
}

TEST(DiscretizeOdes, NegativeRefractoryPeriodIsAnError) {
  std::string src = kRefractoryLif;
  src.replace(src.find("5 ms"), 4, "-1 ms");
  test::Compiled c = compile(with_network(src, "R"));
  EXPECT_FALSE(c.module.has_value());
  ASSERT_EQ(c.diagnostics.size(), 1u) << c.rendered;
  const Diagnostic &d = c.diagnostics[0];
  EXPECT_EQ(d.kind, "negative-refractory-period");
  // Caught before the pipeline, where the population gives the value: at
  // the population's model name (line 13: `network N { population p = R x 1 }`).
  EXPECT_EQ(d.message, "the refractory period of population 'p' must be a non-negative time, found -0.001 s");
  EXPECT_EQ(d.location.line, 13u);
  EXPECT_EQ(d.location.column, 28u);
}

TEST(DiscretizeOdes, FrozenStateCoupledToAnother) {
  // w follows v; while v is frozen, the exact map is that of dv/dt = 0:
  // v' = v and w' = v + (w - v) e^{-h/tau_w}.
  const char *src = R"(
neuron F {
  param tau_m = 10 ms
  param tau_w = 30 ms
  state v = 0 mV
  state w = 0 mV
  input i : mV
  refractory = 2 ms
  dv/dt = (i - v) / tau_m  unless refractory
  dw/dt = (v - w) / tau_w
  spike when v > 10 mV
  on spike { v = 0 mV }
}
)";
  ir::Module m = compile_ok(with_network(src, "F"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::Exact);
  const double h = m.regime.dt, a = 1 / 10e-3, b = 1 / 30e-3;
  const double ea = std::exp(-a * h), eb = std::exp(-b * h);
  ASSERT_NE(assigned(model.update, "w").as<ir::Select>(), nullptr);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-0.02, 0.02);
  for (int n = 0; n < 10; ++n) {
    double v = u(rng), w = u(rng), i = u(rng);
    auto frozen = step(model, {{"v", v}, {"w", w}, {"refractory_steps", 7}}, {{"i", i}});
    EXPECT_EQ(frozen["v"], v);
    expect_rel(frozen["w"], v + (w - v) * eb, 1e-13, "frozen w");
    // Free: v decays and jumps by a i (the impulse, after the step); w
    // follows the decaying v: w(h) = w0 e^{-bh} + b v0 (e^{-ah} - e^{-bh}) / (b - a).
    auto free = step(model, {{"v", v}, {"w", w}, {"refractory_steps", 0}}, {{"i", i}});
    expect_rel(free["v"], v * ea + a * i, 1e-13, "free v");
    expect_rel(free["w"], w * eb + b * v * (ea - eb) / (b - a), 1e-12, "free w");
  }
}

TEST(DiscretizeOdes, StateNotReadingTheFrozenOneNeedsNoSelect) {
  // ge drives v but does not depend on it: its update is the same either way.
  const char *src = R"(
neuron D {
  param tau_m = 10 ms
  param tau_e = 5 ms
  state v = 0 mV
  state ge = 0 mV
  input i : mV
  refractory = 2 ms
  dv/dt = (ge - v) / tau_m  unless refractory
  dge/dt = (i - ge) / tau_e
  spike when v > 10 mV
  on spike { v = 0 mV }
}
)";
  ir::Module m = compile_ok(with_network(src, "D"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_NE(assigned(model.update, "v").as<ir::Select>(), nullptr);
  EXPECT_EQ(assigned(model.update, "ge").as<ir::Select>(), nullptr) << ir::to_string(assigned(model.update, "ge"));
}

TEST(DiscretizeOdes, ExplicitMethodsHoldFrozenStates) {
  std::string src = kRefractoryLif;
  src.replace(src.find("refractory = t_ref"), 0, "method = rk4\n  ");
  ir::Module m = compile_ok(with_network(src, "R"));
  const ir::NeuronModel &model = only_model(m);
  EXPECT_EQ(model.method_used, ir::IntegrationMethod::RK4);
  auto held = step(model, {{"v", 0.003}, {"refractory_steps", 20}}, {{"i", 0.5}});
  EXPECT_EQ(held["v"], 0.003);
  auto free = step(model, {{"v", 0.003}, {"refractory_steps", 0}}, {{"i", 0.5}});
  // RK4 of a linear ODE is the degree-4 Taylor polynomial of the exact map.
  double x = -m.regime.dt / 10e-3;
  double taylor = 1 + x + x * x / 2 + x * x * x / 6 + x * x * x * x / 24;
  expect_rel(free["v"], 0.003 * taylor + 0.5 / 10e-3, 1e-13, "rk4 of a linear ODE, then the jump");
}

} // namespace
} // namespace snn::passes
