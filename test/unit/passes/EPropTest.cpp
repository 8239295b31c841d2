//===- test/unit/passes/EPropTest.cpp - passes::eprop ---------------------===//
//
// Which traces the pass derives (LIF: only the presynaptic trace; ALIF: also
// the adaptation trace), and the derivation itself: for a user-written
// quadratic integrate-and-fire neuron with an adaptation current, the
// Jacobian entries, input gains and spike gains the pass adds to the model
// equal finite differences of the discretised update along a trajectory, and
// the eligibility vectors built from them equal finite-difference
// derivatives of the trajectory with respect to the input weight.
//
//===----------------------------------------------------------------------===//
#include "passes/EProp.h"

#include "ExprEvaluator.h"
#include "TestCompile.h"
#include "ir/Printer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace snn::passes {
namespace {

using test::Bindings;
using test::evaluate;

const char *kNetwork = R"(
neuron Source {
  spike when stimulus()
}
neuron Out {
  param tau = 20 ms
  state y = 0
  input i : Hz
  dy/dt = -y / tau + i
}
network Net {
  population input = Source x 2
  population hidden = HIDDEN x 3
  population output = Out x 2
  connect input -> hidden : dense, delay 0, weight 0
  connect hidden -> output : dense, delay 0, weight 0
}
simulate Net { dt = 1 ms; duration = 50 ms }
)";

/// `neuron_text` with the network above around it, the hidden population
/// of model `model`, through the whole pipeline with a train regime.
ir::Module train(const std::string &neuron_text, const std::string &model, bool differentiate_reset = false) {
  std::string source = neuron_text + kNetwork;
  source.replace(source.find("HIDDEN"), 6, model);
  test::Compiled c = test::compile(source, false);
  EXPECT_TRUE(c.module) << c.rendered;
  if (!c.module)
    return {};
  ir::Training tr;
  tr.timesteps = 50;
  tr.input = "input";
  tr.readout = "output";
  tr.readout_variable = "y";
  tr.differentiate_reset = differentiate_reset;
  c.module->regime.training = tr;
  test::PassHarness h;
  EXPECT_TRUE(run_pipeline(*c.module, {}, h.ctx));
  for (const auto &d : h.diags.all())
    ADD_FAILURE() << render(d);
  return std::move(*c.module);
}

const ir::TrainedProjection &trained(const ir::Module &m, const std::string &pre) {
  for (const ir::TrainedProjection &tp : m.regime.training->trained)
    if (m.network.projections[tp.projection].pre == pre)
      return tp;
  throw std::runtime_error("projection from " + pre + " not trained");
}

double constant(const ir::Expr &e) {
  double v = NAN;
  EXPECT_TRUE(ir::constant_value(e, v)) << ir::to_string(e);
  return v;
}

const char *kLif = R"(
neuron Lif {
  param tau = 20 ms
  param v_th = 0.6
  state v = 0
  input i : Hz
  dv/dt = -v / tau + i
  spike when v >= v_th
  on spike next step { v -= v_th }
  surrogate = 0.3 / v_th * max(0, 1 - abs(v - v_th) / v_th)
}
)";

const char *kAlif = R"(
neuron Alif {
  param tau = 20 ms
  param tau_a = 200 ms
  param v_th = 0.6
  param beta = 0.07
  state v = 0
  state a = 0
  input i : Hz
  dv/dt = -v / tau + i
  da/dt = -a / tau_a
  spike when v >= v_th + beta * a
  on spike next step { v -= v_th; a += 1 }
  surrogate = 0.3 / v_th * max(0, 1 - abs(v - v_th - beta * a) / v_th)
}
)";

TEST(EProp, LifHasOnlyThePresynapticTrace) {
  ir::Module m = train(kLif, "Lif");
  const ir::TrainedProjection &in = trained(m, "input");
  ASSERT_EQ(in.traces.size(), 1u);
  EXPECT_EQ(in.traces[0].state, "v");
  EXPECT_TRUE(in.traces[0].per_pre);
  EXPECT_NEAR(constant(in.traces[0].jacobian[0]), std::exp(-1.0 / 20), 1e-12);
  EXPECT_NEAR(constant(in.traces[0].input_gain), 1.0, 1e-12);
  EXPECT_FALSE(in.readout);
  const ir::TrainedProjection &out = trained(m, "hidden");
  EXPECT_TRUE(out.readout);
  ASSERT_EQ(out.traces.size(), 1u);
  EXPECT_TRUE(out.traces[0].per_pre);
  EXPECT_NEAR(m.regime.training->readout_decay, std::exp(-1.0 / 20), 1e-12);
}

TEST(EProp, AlifAlsoHasTheAdaptationTrace) {
  ir::Module m = train(kAlif, "Alif");
  const ir::TrainedProjection &in = trained(m, "input");
  ASSERT_EQ(in.traces.size(), 2u);
  EXPECT_EQ(in.traces[0].state, "v");
  EXPECT_TRUE(in.traces[0].per_pre) << "the membrane's reset path is not differentiated (Bellec et al.)";
  EXPECT_EQ(in.traces[1].state, "a");
  EXPECT_FALSE(in.traces[1].per_pre);
  // d a[t] / d a[t-1] = rho - beta psi[t-1]: a state the neuron update computes.
  double unused = 0;
  EXPECT_FALSE(ir::constant_value(in.traces[1].jacobian[1], unused));
}

TEST(EProp, DifferentiatingTheResetMakesTheMembraneTracePerSynapse) {
  ir::Module m = train(kAlif, "Alif", true);
  const ir::TrainedProjection &in = trained(m, "input");
  ASSERT_EQ(in.traces.size(), 2u);
  EXPECT_FALSE(in.traces[0].per_pre);
}

// A quadratic integrate-and-fire neuron with an adaptation current, written
// by a user, integrated with Euler: nothing here is linear.
const char *kQif = R"(
neuron Qif {
  param tau = 10 ms
  param tau_w = 50 ms
  param v_th = 1
  param coupling = 0.4
  param jump = 0.3
  state v = 0.1
  state w = 0
  input i : Hz
  dv/dt = (v * v - w) / tau + i
  dw/dt = (coupling * v - w) / tau_w
  spike when v >= v_th
  on spike next step { v -= v_th; w += jump }
  surrogate = 0.5 * max(0, 1 - abs(v - v_th) / 0.4)
  method = euler
}
)";

/// The discretised map of `model`: every state's next value, hidden ones included.
std::map<std::string, double> next_state(const ir::NeuronModel &model, const std::map<std::string, double> &h,
                                         double input, bool last_spike) {
  Bindings b;
  for (const auto &[n, v] : h)
    b.state(n, v);
  b.input("i", input);
  b.set(ir::VarKind::LastSpike, "last_spike", last_spike ? 1 : 0);
  b.time(0);
  std::map<std::string, double> out = h;
  for (const ir::Assignment &a : model.update)
    out[a.state] = evaluate(a.value, b);
  return out;
}

void check_derivation(bool differentiate_reset) {
  ir::Module m = train(kQif, "Qif", differentiate_reset);
  const ir::TrainedProjection &tp = trained(m, "input");
  const ir::NeuronModel *model = nullptr;
  for (const ir::NeuronModel &candidate : m.models)
    if (candidate.find_state("eprop@dz@v"))
      model = &candidate;
  ASSERT_NE(model, nullptr);
  std::vector<std::string> real_states = {"v", "w"};
  // A trajectory with spikes: v >= 1 some of the time.
  std::mt19937 rng(5);
  std::bernoulli_distribution fire(0.4);
  const double weight = 0.35, v_th = 1;
  std::map<std::string, double> h;
  for (const ir::StateVar &s : model->states)
    h[s.name] = s.name == "v" ? 0.1 : 0;
  auto psi = [](double v) { return 0.5 * std::max(0.0, 1 - std::fabs(v - 1) / 0.4); };
  bool z = false;
  int spikes = 0;
  for (int t = 0; t < 60; ++t) {
    double input = fire(rng) ? weight : 0;
    std::map<std::string, double> next = next_state(*model, h, input, z);
    // Finite differences of the real update F(h, i, z) at (h[t-1], i[t], z[t-1]).
    const double eps = 1e-6;
    for (const std::string &k : real_states) {
      for (const std::string &mm : real_states) {
        std::map<std::string, double> up = h, down = h;
        up[mm] += eps;
        down[mm] -= eps;
        double direct = (next_state(*model, up, input, z)[k] - next_state(*model, down, input, z)[k]) / (2 * eps);
        // The path through z[t-1]: the reset's jump times the spike's
        // pseudo-derivative psi * dg/dh_m at t - 1 (g = v - v_th).
        double jump = next_state(*model, h, input, true)[k] - next_state(*model, h, input, false)[k];
        // (Before the first step there is no spike and no pseudo-derivative.)
        double dz = mm == "v" && t > 0 ? psi(h["v"]) * 1.0 : 0.0;
        bool cut = k == "v" && !differentiate_reset;
        double want = direct + (cut ? 0 : jump * dz);
        double got = 0;
        std::string name = jacobian_state(k, mm);
        if (next.count(name))
          got = next[name];
        else
          for (size_t a = 0; a < tp.traces.size(); ++a)
            for (size_t b = 0; b < tp.traces.size(); ++b)
              if (tp.traces[a].state == k && tp.traces[b].state == mm)
                got = constant(tp.traces[a].jacobian[b]);
        EXPECT_NEAR(got, want, 1e-6 * (1 + std::fabs(want))) << "J[" << k << "][" << mm << "] at step " << t;
      }
      std::map<std::string, double> up = next_state(*model, h, input + eps, z),
                                    down = next_state(*model, h, input - eps, z);
      double gain = (up[k] - down[k]) / (2 * eps);
      std::string name = input_gain_state(k, "i");
      double got = next.count(name) ? next[name] : NAN;
      for (const ir::EligibilityTrace &e : tp.traces)
        if (e.state == k && std::isnan(got))
          got = constant(e.input_gain);
      if (!std::isnan(got)) {
        EXPECT_NEAR(got, gain, 1e-6) << "d" << k << "/di at step " << t;
      }
    }
    // The spike gain of v at t: psi(v[t]) * dg/dv.
    EXPECT_NEAR(next[spike_gain_state("v")], psi(next["v"]), 1e-12) << "step " << t;
    z = next["v"] >= v_th;
    spikes += z;
    h = next;
  }
  EXPECT_GT(spikes, 3) << "the trajectory should spike";
}

TEST(EProp, DerivedQuantitiesEqualFiniteDifferencesAlongATrajectory) { check_derivation(false); }
TEST(EProp, DerivedQuantitiesWithTheResetPathEqualFiniteDifferences) { check_derivation(true); }

/// Below threshold, where there is no spike and the pseudo-derivative is 0
/// (v < 0.6), the eligibility vectors, run forward from the derived
/// quantities, are exactly d h[t] / d W for the input weight W.
TEST(EProp, EligibilityVectorsEqualTheTrajectoryDerivativeBelowThreshold) {
  ir::Module m = train(kQif, "Qif", true);
  const ir::TrainedProjection &tp = trained(m, "input");
  const ir::NeuronModel *model = nullptr;
  for (const ir::NeuronModel &candidate : m.models)
    if (candidate.find_state("eprop@dz@v"))
      model = &candidate;
  ASSERT_NE(model, nullptr);
  std::mt19937 rng(11);
  std::bernoulli_distribution fire(0.3);
  std::vector<double> x(25);
  for (double &f : x)
    f = fire(rng);
  auto run = [&](double weight, std::vector<double> *eps_v, std::vector<double> *eps_w) {
    std::map<std::string, double> h;
    for (const ir::StateVar &s : model->states)
      h[s.name] = s.name == "v" ? 0.1 : 0;
    std::map<std::string, double> eps = {{"v", 0}, {"w", 0}};
    for (double xt : x) {
      std::map<std::string, double> next = next_state(*model, h, weight * xt, false);
      EXPECT_LT(next["v"], 0.6) << "the trajectory must stay where psi = 0";
      std::map<std::string, double> e_next;
      for (size_t a = 0; a < tp.traces.size(); ++a) {
        const ir::EligibilityTrace &tr = tp.traces[a];
        auto value = [&](const ir::Expr &c) {
          double v = 0;
          if (ir::constant_value(c, v))
            return v;
          return next.at(c.as<ir::Variable>()->name);
        };
        double sum = value(tr.input_gain) * xt;
        for (size_t b = 0; b < tp.traces.size(); ++b)
          sum += value(tr.jacobian[b]) * eps[tp.traces[b].state];
        e_next[tr.state] = sum;
      }
      for (auto &[k, v] : e_next)
        eps[k] = v;
      h = next;
    }
    if (eps_v)
      *eps_v = {eps["v"], h["v"]};
    if (eps_w)
      *eps_w = {eps["w"], h["w"]};
    return h;
  };
  std::vector<double> ev, ew;
  run(0.02, &ev, &ew);
  const double d = 1e-6;
  std::map<std::string, double> up = run(0.02 + d, nullptr, nullptr), down = run(0.02 - d, nullptr, nullptr);
  EXPECT_NEAR(ev[0], (up["v"] - down["v"]) / (2 * d), 1e-6);
  EXPECT_NEAR(ew[0], (up["w"] - down["w"]) / (2 * d), 1e-6);
  EXPECT_GT(std::fabs(ew[0]), 1e-4) << "the adaptation current carries a trace";
}

} // namespace
} // namespace snn::passes
