//===- test/unit/backend/PhiloxTest.cpp - Random numbers of generated code ===//
//
// Generated code must draw exactly the numbers runtime/include/snn/philox.h
// defines: the same Philox blocks, counters (stream domains), keys and
// conversions to reals. Per-example draws (steps, initial values) use the
// key of the global example first_example + b; weights use the run key.
//
//===----------------------------------------------------------------------===//
#include "TestModels.h"
#include "TestState.h"

#include "snn/philox.h"

#include <gtest/gtest.h>

#include <cmath>

namespace snn::test {
namespace {

using Block = std::array<uint32_t, 4>;

/// The reference block for `counter` under the run key of `seed`.
Block philox(Block counter, uint64_t seed) {
  uint32_t key[2];
  snn_philox_key(seed, key);
  Block out;
  snn_philox4x32(counter.data(), key, out.data());
  return out;
}

/// The reference block for `counter` under the key of global example
/// `example` of a run with `seed`.
Block philox_example(Block counter, uint64_t seed, uint64_t example) {
  uint32_t run[2], key[2];
  snn_philox_key(seed, run);
  snn_example_key(run, example, key);
  Block out;
  snn_philox4x32(counter.data(), key, out.data());
  return out;
}

double uniform(const Block &out, bool dp) { return dp ? snn_uniform01_f64(out[0], out[1]) : snn_uniform01_f32(out[0]); }

double normal(const Block &out, bool dp) { return dp ? snn_normal_f64(out.data()) : snn_normal_f32(out.data()); }

double tolerance(bool dp, double x) { return (dp ? 1e-12 : 1e-6) * std::max(1.0, std::fabs(x)); }

TEST(Philox, ReferenceMatchesRandom123KnownAnswers) {
  // The known-answer vectors of Random123 (kat_vectors, philox4x32 10 rounds).
  EXPECT_EQ(philox({0, 0, 0, 0}, 0), (Block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  uint32_t ones[2] = {0xffffffffu, 0xffffffffu};
  Block out, all = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
  snn_philox4x32(all.data(), ones, out.data());
  EXPECT_EQ(out, (Block{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  Block pi = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
  uint32_t pi_key[2] = {0xa4093822u, 0x299f31d0u};
  snn_philox4x32(pi.data(), pi_key, out.data());
  EXPECT_EQ(out, (Block{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Philox, ExampleKeyIsBlockOfTheExampleUnderTheRunKey) {
  const uint64_t seed = 0x0123456789abcdefull, example = (7ull << 32) + 3;
  uint32_t run[2], key[2];
  snn_philox_key(seed, run);
  EXPECT_EQ(run[0], 0x89abcdefu);
  EXPECT_EQ(run[1], 0x01234567u);
  snn_example_key(run, example, key);
  Block block = philox({3, 7, 0, 5u << 28}, seed);
  EXPECT_EQ(key[0], block[0]);
  EXPECT_EQ(key[1], block[1]);
}

class StepRandom : public ::testing::TestWithParam<bool> {};

TEST_P(StepRandom, DrawsFromTheStepDomainUnderTheExampleKeyAndFiresAtItsRate) {
  bool dp = GetParam();
  const uint32_t size = 500, batch = 2;
  const uint64_t first_example = 3;
  const double p = 0.1;
  // The Poisson population is population 1, so its index shows in the tag.
  ir::Module module = single_population(clock_model(), "clock", 1);
  module.models.push_back(poisson_model(p));
  module.network.populations.push_back({"noise", "Poisson", size, {}, {}, {}, {}, {}, {}});
  auto model = jit(module, precision(dp));
  ASSERT_TRUE(model);
  const uint64_t seed = 0xfeedface12345678ull;
  TestState s(*model->model(), seed, batch, first_example);
  s.init();
  s.reset_example();

  uint64_t spikes = 0;
  double z_sum = 0, z_sq = 0;
  const uint64_t steps = 100,
                 first = (1ull << 32) - 50; // crosses into step bits 32..63
  for (uint64_t step = first; step < first + steps; ++step) {
    s.step(step);
    for (uint32_t b = 0; b < batch; ++b)
      for (uint32_t n = 0; n < size; ++n) {
        uint64_t e = first_example + b;
        Block out = philox_example(
            {n, uint32_t(step), uint32_t(step >> 32), snn_philox_tag(SNN_RNG_STEP, 1u << 8 | 0u)}, seed, e);
        double u = uniform(out, dp);
        ASSERT_EQ(s.value(1, "u", n, b), u) << "step " << step << " example " << b << " neuron " << n;
        ASSERT_EQ(s.spiked(1, n, b), u < (dp ? p : double(float(p))));
        Block z_out = philox_example(
            {n, uint32_t(step), uint32_t(step >> 32), snn_philox_tag(SNN_RNG_STEP, 1u << 8 | 1u)}, seed, e);
        double z = normal(z_out, dp);
        ASSERT_NEAR(s.value(1, "z", n, b), z, tolerance(dp, z));
        spikes += s.spiked(1, n, b);
        z_sum += z;
        z_sq += z * z;
      }
  }
  double trials = double(size * steps * batch);
  double sigma = std::sqrt(trials * p * (1 - p));
  EXPECT_NEAR(double(spikes), trials * p, 3 * sigma);
  EXPECT_NEAR(z_sum / trials, 0.0, 3 / std::sqrt(trials));
  EXPECT_NEAR(z_sq / trials, 1.0, 3 * std::sqrt(2.0 / trials));
}

INSTANTIATE_TEST_SUITE_P(FloatAndDouble, StepRandom, ::testing::Bool(),
                         [](const auto &info) { return info.param ? "Double" : "Float"; });

TEST(Philox, InitialValuesDrawFromTheInitDomainUnderTheExampleKey) {
  for (bool dp : {false, true}) {
    ir::Module module = single_population(clock_model(), "clock", 1);
    module.models.push_back(noisy_init_model());
    module.network.populations.push_back({"noisy", "Noisy", 50, {}, {}, {}, {}, {}, {}});
    auto model = jit(module, precision(dp));
    ASSERT_TRUE(model);
    const uint64_t seed = 99, first_example = 7;
    TestState s(*model->model(), seed, /*batch=*/2, first_example);
    s.init();
    s.reset_example();
    for (uint32_t b = 0; b < 2; ++b)
      for (uint32_t n = 0; n < 50; ++n) {
        // Counter (neuron, state var index, 0, tag(INIT, population << 8 | site)).
        Block a = philox_example({n, 0, 0, snn_philox_tag(SNN_RNG_INIT, 1u << 8 | 0u)}, seed, first_example + b);
        Block z = philox_example({n, 1, 0, snn_philox_tag(SNN_RNG_INIT, 1u << 8 | 1u)}, seed, first_example + b);
        EXPECT_EQ(s.value(1, "a", n, b), uniform(a, dp)) << n;
        EXPECT_NEAR(s.value(1, "b", n, b), normal(z, dp), tolerance(dp, normal(z, dp))) << n;
        EXPECT_EQ(s.value(1, "c", n, b), 2.5);
      }
    EXPECT_NE(s.value(1, "a", 0, 0), s.value(1, "a", 0, 1)) << "examples draw different numbers";
    // A different seed gives different numbers.
    TestState other(*model->model(), seed + 1);
    other.set_first_example(first_example);
    other.init();
    other.reset_example();
    EXPECT_NE(other.value(1, "a", 0), s.value(1, "a", 0));
  }
}

TEST(Philox, InitDrawsWeightsFromTheWeightDomainUnderTheRunKey) {
  for (bool dp : {false, true}) {
    auto model = jit(lif_network(), precision(dp));
    ASSERT_TRUE(model);
    const uint64_t seed = 0xabcdef0123ull;
    // The first example must not matter: weights are shared by the batch.
    TestState s(*model->model(), seed, /*batch=*/3, /*first_example=*/11);
    // Projection 0 (exc -> inh): dense 8 x 5; projection 1 (inh -> exc): a
    // sparse pattern with an empty row.
    std::vector<uint32_t> rows0, targets0;
    for (uint32_t pre = 0; pre < 8; ++pre) {
      rows0.push_back(uint32_t(targets0.size()));
      for (uint32_t post = 0; post < 5; ++post)
        targets0.push_back(post);
    }
    rows0.push_back(uint32_t(targets0.size()));
    std::vector<uint32_t> rows1 = {0, 2, 2, 3, 5, 6}, targets1 = {1, 6, 0, 2, 7, 4};
    s.set_synapses(0, rows0, targets0);
    s.set_synapses(1, rows1, targets1);
    s.init();
    auto f = [dp](double x) { return dp ? x : double(float(x)); };
    for (uint32_t pre = 0; pre < 8; ++pre)
      for (uint32_t k = rows0[pre]; k < rows0[pre + 1]; ++k) {
        // uniform in [0.25, 0.75): a + (b - a) * u
        Block out = philox({pre, targets0[k], 0, snn_philox_tag(SNN_RNG_WEIGHT, 0)}, seed);
        double expected = f(f(0.25) + f(f(0.75) - f(0.25)) * uniform(out, dp));
        EXPECT_NEAR(s.weight(0, k), expected, tolerance(dp, expected)) << pre << " -> " << targets0[k];
        EXPECT_GE(s.weight(0, k), 0.25);
        EXPECT_LT(s.weight(0, k), 0.75);
      }
    for (uint32_t pre = 0; pre < 5; ++pre)
      for (uint32_t k = rows1[pre]; k < rows1[pre + 1]; ++k) {
        // normal of mean -0.05 and sd 0.01: a + b * z
        Block out = philox({pre, targets1[k], 0, snn_philox_tag(SNN_RNG_WEIGHT, 1)}, seed);
        double expected = -0.05 + 0.01 * normal(out, dp);
        EXPECT_NEAR(s.weight(1, k), expected, tolerance(dp, 1.0)) << pre << " -> " << targets1[k];
      }
    EXPECT_TRUE(s.clobbered_guards().empty());
  }
}

TEST(Philox, ConstantWeightsAreWrittenToEverySynapse) {
  auto model = jit(relay_network(3, 4, relay_model(), "n", ir::TargetKind::State), precision(false));
  ASSERT_TRUE(model);
  TestState s(*model->model(), 5);
  s.set_synapses(0, {0, 4, 5, 7}, {0, 1, 2, 3, 1, 0, 3});
  for (uint64_t k = 0; k < 7; ++k)
    s.set_weight(0, k, NAN);
  s.init();
  for (uint64_t k = 0; k < 7; ++k)
    EXPECT_EQ(s.weight(0, k), 0.25) << k;
}

} // namespace
} // namespace snn::test
