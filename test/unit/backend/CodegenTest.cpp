//===- test/unit/backend/CodegenTest.cpp - init/step against references ---===//
//
// Each test schedules and JIT-compiles a hand-built model, runs its entry
// points on a state the test owns, and compares every value with a
// double-precision reference computed here from the values before the step
// (so float rounding cannot accumulate across steps and hide or fake a
// mismatch).
//
//===----------------------------------------------------------------------===//
#include "TestModels.h"
#include "TestState.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace snn::test {
namespace {

/// Relative tolerance of each real mode; values below 1 in magnitude are
/// compared absolutely (they come out of sums of order-one terms).
double tolerance(bool double_precision) { return double_precision ? 1e-12 : 1e-6; }

#define EXPECT_REAL(actual, expected, dp)                                                                              \
  EXPECT_NEAR(actual, expected, tolerance(dp) * std::max(1.0, std::fabs(expected)))

/// The LIF model of TestModels.h, one neuron, in double.
struct Lif {
  double v, w, i;
  /// The update; returns whether the neuron spikes.
  bool update() {
    v = v * 0.99 + 0.01 * (i + 1.0);
    w = w * 0.9;
    return v > 0.5;
  }
  void reset() {
    double v_before = v, w_before = w;
    v = v_before - 0.5;
    w = w_before + v_before;
  }
};

class LifPopulation : public ::testing::TestWithParam<bool> {};

TEST_P(LifPopulation, InitAndStepMatchReference) {
  bool dp = GetParam();
  const uint32_t size = 37; // not a multiple of the vector width: a remainder loop runs
  auto model = jit(single_population(lif_model(), "exc", size), precision(dp));
  ASSERT_TRUE(model);
  TestState s(*model->model(), 42);
  s.fill(0xFF); // NaN everywhere: reset_example must write every value
  s.init();
  s.reset_example();
  for (uint32_t n = 0; n < size; ++n) {
    EXPECT_EQ(s.value(0, "v", n), dp ? 0.1 : double(0.1f));
    EXPECT_EQ(s.value(0, "w", n), 0.0);
    EXPECT_EQ(s.value(0, "i", n), 0.0);
    EXPECT_EQ(s.spiked_byte(0, n), 0);
  }
  EXPECT_TRUE(s.clobbered_guards().empty()) << "reset_example wrote past " << s.clobbered_guards().front();

  int spikes = 0;
  for (uint64_t step = 0; step < 25; ++step) {
    std::vector<Lif> expected(size);
    std::vector<bool> expected_spike(size);
    for (uint32_t n = 0; n < size; ++n) {
      s.set(0, "i", n, 0.9 * n + 0.37 * double(step % 3));
      Lif &x = expected[n];
      x = {s.value(0, "v", n), s.value(0, "w", n), s.value(0, "i", n)};
      expected_spike[n] = x.update();
      if (expected_spike[n])
        x.reset();
    }
    s.step(step);
    for (uint32_t n = 0; n < size; ++n) {
      SCOPED_TRACE("step " + std::to_string(step) + " neuron " + std::to_string(n));
      EXPECT_REAL(s.value(0, "v", n), expected[n].v, dp);
      EXPECT_REAL(s.value(0, "w", n), expected[n].w, dp);
      EXPECT_EQ(s.value(0, "i", n), 0.0) << "inputs are consumed by the update";
      EXPECT_EQ(s.spiked_byte(0, n), expected_spike[n] ? 1 : 0);
      spikes += expected_spike[n];
    }
  }
  EXPECT_GT(spikes, 20);
  EXPECT_LT(spikes, 25 * int(size) / 2);
  EXPECT_TRUE(s.clobbered_guards().empty());
}

INSTANTIATE_TEST_SUITE_P(FloatAndDouble, LifPopulation, ::testing::Bool(),
                         [](const auto &info) { return info.param ? "Double" : "Float"; });

/// Synapses of one projection, as the test sets them after init.
struct Synapses {
  std::vector<uint32_t> row_start, target;
  std::vector<double> weight;
};

Synapses dense_exc_to_inh() {
  Synapses syn;
  for (uint32_t pre = 0; pre < 8; ++pre) {
    syn.row_start.push_back(syn.target.size());
    for (uint32_t post = 0; post < 5; ++post) {
      syn.target.push_back(post);
      syn.weight.push_back(3.0 + 0.5 * pre + 0.1 * post);
    }
  }
  syn.row_start.push_back(syn.target.size());
  return syn;
}

Synapses sparse_inh_to_exc() {
  Synapses syn;
  for (uint32_t pre = 0; pre < 5; ++pre) {
    syn.row_start.push_back(syn.target.size());
    for (uint32_t post : {pre, pre + 3}) {
      syn.target.push_back(post);
      syn.weight.push_back(-0.03 * (pre + 1));
    }
  }
  syn.row_start.push_back(syn.target.size());
  return syn;
}

class LifNetwork : public ::testing::TestWithParam<bool> {};

TEST_P(LifNetwork, DeliversSpikesBeforeResets) {
  bool dp = GetParam();
  auto model = jit(lif_network(), precision(dp));
  ASSERT_TRUE(model);
  const uint32_t batch = 3;
  TestState s(*model->model(), 7, batch);
  Synapses to_inh = dense_exc_to_inh(), to_exc = sparse_inh_to_exc();
  s.set_synapses(0, to_inh.row_start, to_inh.target);
  s.set_synapses(1, to_exc.row_start, to_exc.target);
  s.init();
  // init drew the weights (see PhiloxTest); this test needs its own.
  for (size_t k = 0; k < to_inh.weight.size(); ++k)
    s.set_weight(0, k, to_inh.weight[k]);
  for (size_t k = 0; k < to_exc.weight.size(); ++k)
    s.set_weight(1, k, to_exc.weight[k]);
  s.reset_example();

  const uint32_t sizes[2] = {8, 5};
  const Synapses *synapses[2] = {&to_inh, &to_exc};
  int spikes[batch][2] = {};
  for (uint64_t step = 0; step < 30; ++step) {
    for (uint32_t b = 0; b < batch; ++b) {
      // Drive exc from outside, differently per example; inh's input is
      // what exc delivered last step.
      for (uint32_t n = 0; n < 8; ++n)
        s.set(0, "i", n, 2.0 + 1.5 * n - 0.6 * b, b);
    }
    // The reference of every example, each from its own values only.
    std::vector<Lif> x[batch][2];
    std::vector<bool> fired[batch][2];
    for (uint32_t b = 0; b < batch; ++b) {
      for (uint32_t p = 0; p < 2; ++p)
        for (uint32_t n = 0; n < sizes[p]; ++n) {
          x[b][p].push_back({s.value(p, "v", n, b), s.value(p, "w", n, b), s.value(p, "i", n, b)});
          fired[b][p].push_back(x[b][p].back().update());
          x[b][p].back().i = 0;
        }
      // exc -> inh.i (input), inh -> exc.v (state), in synapse order.
      const uint32_t pre_of[2] = {0, 1}, post_of[2] = {1, 0};
      for (uint32_t j = 0; j < 2; ++j) {
        const Synapses &syn = *synapses[j];
        for (uint32_t pre = 0; pre < sizes[pre_of[j]]; ++pre) {
          if (!fired[b][pre_of[j]][pre])
            continue;
          for (uint32_t k = syn.row_start[pre]; k < syn.row_start[pre + 1]; ++k) {
            Lif &post = x[b][post_of[j]][syn.target[k]];
            double w = dp ? syn.weight[k] : double(float(syn.weight[k]));
            (j == 0 ? post.i : post.v) += w;
          }
        }
      }
      for (uint32_t p = 0; p < 2; ++p)
        for (uint32_t n = 0; n < sizes[p]; ++n)
          if (fired[b][p][n])
            x[b][p][n].reset();
    }

    s.step(step);
    for (uint32_t b = 0; b < batch; ++b)
      for (uint32_t p = 0; p < 2; ++p)
        for (uint32_t n = 0; n < sizes[p]; ++n) {
          SCOPED_TRACE("step " + std::to_string(step) + " example " + std::to_string(b) + " population " +
                       std::to_string(p) + " neuron " + std::to_string(n));
          EXPECT_REAL(s.value(p, "v", n, b), x[b][p][n].v, dp);
          EXPECT_REAL(s.value(p, "w", n, b), x[b][p][n].w, dp);
          EXPECT_REAL(s.value(p, "i", n, b), x[b][p][n].i, dp);
          EXPECT_EQ(s.spiked(p, n, b), fired[b][p][n]);
          spikes[b][p] += fired[b][p][n];
        }
  }
  for (uint32_t b = 0; b < batch; ++b) {
    EXPECT_GT(spikes[b][0], 10) << "example " << b;
    EXPECT_GT(spikes[b][1], 3) << "example " << b;
  }
  // The examples were driven differently, so they must differ.
  EXPECT_NE(spikes[0][0], spikes[batch - 1][0]);
  EXPECT_TRUE(s.clobbered_guards().empty());
}

INSTANTIATE_TEST_SUITE_P(FloatAndDouble, LifNetwork, ::testing::Bool(),
                         [](const auto &info) { return info.param ? "Double" : "Float"; });

TEST(Codegen, ResultsDoNotDependOnOptimisationLevelOrCpu) {
  const uint32_t size = 21;
  std::vector<double> reference;
  for (auto [opt, cpu] :
       {std::pair<int, const char *>{2, "x86-64-v3"}, {0, "x86-64-v3"}, {1, "x86-64"}, {3, "native"}}) {
    cpu::CodegenOptions options = precision(false, opt);
    options.cpu = cpu;
    auto model = jit(single_population(lif_model(), "exc", size), options);
    ASSERT_TRUE(model) << cpu;
    TestState s(*model->model(), 1);
    s.init();
    s.reset_example();
    std::vector<double> values;
    for (uint64_t step = 0; step < 12; ++step) {
      for (uint32_t n = 0; n < size; ++n)
        s.set(0, "i", n, 1.1 * n);
      s.step(step);
      for (uint32_t n = 0; n < size; ++n)
        values.push_back(s.value(0, "v", n) + 10 * s.value(0, "w", n) + s.spiked(0, n));
    }
    if (reference.empty())
      reference = values;
    else
      EXPECT_EQ(values, reference) << "-O" << opt << " " << cpu;
  }
}

TEST(Codegen, TimeIsStepTimesDt) {
  for (bool dp : {false, true}) {
    auto model = jit(single_population(clock_model(), "clock", 3), precision(dp));
    ASSERT_TRUE(model);
    TestState s(*model->model(), 1);
    s.init();
    s.reset_example();
    EXPECT_EQ(s.value(0, "c", 2), -1.0);
    for (uint64_t step : {0ull, 1ull, 7ull, 1000000ull, (1ull << 33) + 5}) {
      s.step(step);
      double t = double(step) * 1e-3;
      EXPECT_EQ(s.value(0, "c", 1), dp ? t : double(float(t))) << "step " << step;
    }
  }
}

TEST(Codegen, StimulusIsReadPerExampleByEveryPopulationThatReadsIt) {
  ir::Module module = single_population(relay_model(), "relay", 10);
  ir::Population second = module.network.populations[0];
  second.name = "quiet";
  module.network.populations.push_back(second);
  module.regime.stimuli = {{"relay", "in.csv"}};
  auto model = jit(module, precision(false));
  ASSERT_TRUE(model);
  EXPECT_NE(model->model()->populations[0].stimulus, SNN_NO_BUFFER);
  // Flags for quiet too (the executable's --input may drive it); unset, it
  // never fires.
  EXPECT_NE(model->model()->populations[1].stimulus, SNN_NO_BUFFER);
  TestState s(*model->model(), 1, /*batch=*/2);
  s.init();
  s.reset_example();
  auto fires = [](uint32_t n, uint32_t b) { return b == 0 ? (n == 2 || n == 7) : n == 3; };
  for (uint32_t b = 0; b < 2; ++b)
    for (uint32_t n = 0; n < 10; ++n)
      s.set_stimulus(0, n, fires(n, b), b);
  s.step(0);
  for (uint32_t b = 0; b < 2; ++b)
    for (uint32_t n = 0; n < 10; ++n) {
      SCOPED_TRACE("example " + std::to_string(b) + " neuron " + std::to_string(n));
      EXPECT_EQ(s.spiked(0, n, b), fires(n, b));
      EXPECT_EQ(s.value(0, "n", n, b), fires(n, b) ? 1.0 : 0.0);
      EXPECT_FALSE(s.spiked(1, n, b));
      EXPECT_EQ(s.value(1, "n", n, b), 0.0);
    }
  // The runtime clears the flags before the next step; the counts stay.
  for (uint32_t b = 0; b < 2; ++b)
    for (uint32_t n = 0; n < 10; ++n)
      s.set_stimulus(0, n, false, b);
  s.step(1);
  for (uint32_t b = 0; b < 2; ++b)
    for (uint32_t n = 0; n < 10; ++n) {
      EXPECT_FALSE(s.spiked(0, n, b)) << n;
      EXPECT_EQ(s.value(0, "n", n, b), fires(n, b) ? 1.0 : 0.0) << n;
    }
}

class MathFunctions : public ::testing::TestWithParam<bool> {};

TEST_P(MathFunctions, MatchTheCLibrary) {
  bool dp = GetParam();
  const std::vector<double> xs = {0.05, 0.23, 0.37, 0.45, 0.77, 1.3, 2.0, 2.5};
  auto model = jit(single_population(math_model(), "m", uint32_t(xs.size())), precision(dp));
  ASSERT_TRUE(model);
  TestState s(*model->model(), 1);
  s.init();
  s.reset_example();
  for (uint32_t n = 0; n < xs.size(); ++n)
    s.set(0, "x", n, xs[n]);
  s.step(0);

  // A constant or a product as the generated code sees it: rounded to the
  // real type (floor and ceil would otherwise magnify the difference).
  auto c = [dp](double v) { return dp ? v : double(float(v)); };
  std::vector<std::pair<std::string, std::function<double(double)>>> expected = {
      {"exp", [](double x) { return std::exp(x); }},
      {"log", [](double x) { return std::log(x); }},
      {"sqrt", [](double x) { return std::sqrt(x); }},
      {"abs", [](double x) { return std::fabs(-x); }},
      {"sin", [](double x) { return std::sin(x); }},
      {"cos", [](double x) { return std::cos(x); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"floor", [&](double x) { return std::floor(c(x * 10)); }},
      {"ceil", [&](double x) { return std::ceil(c(x * 10)); }},
      {"pow3", [](double x) { return x * x * x; }},
      {"pow_m2", [](double x) { return 1 / (x * x); }},
      {"pow0", [](double) { return 1.0; }},
      {"pow_half", [](double x) { return std::sqrt(x); }},
      {"pow_m_half", [](double x) { return 1 / std::sqrt(x); }},
      {"pow_1_7", [&](double x) { return std::pow(x, c(1.7)); }},
      {"pow_x", [](double x) { return std::pow(2.0, x); }},
      {"min", [&](double x) { return std::min(x, c(0.4)); }},
      {"max", [&](double x) { return std::max(x, c(0.4)); }},
      {"select",
       [&](double x) {
         bool cond = (x > c(0.25) && !(x == c(0.45))) || x <= c(0.1) || (x >= 2.0 && x != 2.5) || x < -1.0;
         return cond ? x * x : 7.0 - x;
       }},
      {"div", [](double x) { return 1.0 / (x + 1.0); }},
  };
  for (uint32_t n = 0; n < xs.size(); ++n) {
    double x = s.value(0, "x", n);
    for (const auto &[name, f] : expected)
      EXPECT_REAL(s.value(0, name, n), f(x), dp) << name << "(" << x << ")";
  }
  // x == 0.45 takes the false branch of the first clause.
  EXPECT_REAL(s.value(0, "select", 3), 7.0 - s.value(0, "x", 3), dp);
}

INSTANTIATE_TEST_SUITE_P(FloatAndDouble, MathFunctions, ::testing::Bool(),
                         [](const auto &info) { return info.param ? "Double" : "Float"; });

} // namespace
} // namespace snn::test
