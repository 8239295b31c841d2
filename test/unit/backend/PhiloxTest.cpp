//===- test/unit/backend/PhiloxTest.cpp - Random numbers of generated code ===//
//
// Generated code must draw exactly the numbers runtime/include/snn/philox.h
// defines: the same Philox blocks, counters (stream domains), keys and
// conversions to reals.
//
//===----------------------------------------------------------------------===//
#include "TestModels.h"
#include "TestState.h"

#include "snn/philox.h"

#include <gtest/gtest.h>

#include <cmath>

namespace snn::test {
namespace {

cpu::CodegenOptions precision(bool double_precision) {
  cpu::CodegenOptions options;
  options.double_precision = double_precision;
  return options;
}

/// The reference block for `counter` under `seed`.
std::array<uint32_t, 4> philox(std::array<uint32_t, 4> counter, uint64_t seed) {
  uint32_t key[2];
  snn_philox_key(seed, key);
  std::array<uint32_t, 4> out;
  snn_philox4x32(counter.data(), key, out.data());
  return out;
}

double uniform(const std::array<uint32_t, 4> &out, bool dp) {
  return dp ? snn_uniform01_f64(out[0], out[1]) : snn_uniform01_f32(out[0]);
}

double normal(const std::array<uint32_t, 4> &out, bool dp) {
  return dp ? snn_normal_f64(out.data()) : snn_normal_f32(out.data());
}

TEST(Philox, ReferenceMatchesRandom123KnownAnswer) {
  auto out = philox({0, 0, 0, 0}, 0);
  EXPECT_EQ(out[0], 0x6627e8d5u);
  EXPECT_EQ(out[1], 0xe169c58du);
  EXPECT_EQ(out[2], 0xbc57ac4cu);
  EXPECT_EQ(out[3], 0x9b00dbd8u);
}

TEST(Philox, GeneratedCodeReproducesKnownAnswer) {
  // Population 0, site 0, neuron 0, step 0, seed 0: counter and key all zero.
  for (bool dp : {false, true}) {
    auto model = jit(single_population(poisson_model(0.5), "p", 1), precision(dp));
    ASSERT_TRUE(model);
    TestState s(*model->model(), /*seed=*/0);
    s.init();
    s.step(0);
    double expected = dp ? ((0x6627e8d5u >> 5) * 67108864.0 + (0xe169c58du >> 6)) * (1.0 / 9007199254740992.0)
                         : (0x6627e8d5u >> 8) * (1.0 / 16777216.0);
    EXPECT_EQ(s.value(0, "u", 0), expected) << (dp ? "double" : "float");
  }
}

class StepRandom : public ::testing::TestWithParam<bool> {};

TEST_P(StepRandom, DrawsFromTheStepDomainAndFiresAtItsRate) {
  bool dp = GetParam();
  const uint32_t size = 1000;
  const double p = 0.1;
  // The Poisson population is population 1, so its index shows in the tag.
  ir::Module module = single_population(clock_model(), "clock", 1);
  module.models.push_back(poisson_model(p));
  module.network.populations.push_back({"noise", "Poisson", size, {}, {}, {}});
  auto model = jit(module, precision(dp));
  ASSERT_TRUE(model);
  const uint64_t seed = 0xfeedface12345678ull;
  TestState s(*model->model(), seed);
  s.init();

  uint64_t spikes = 0;
  double z_sum = 0, z_sq = 0;
  const uint64_t steps = 100,
                 first = (1ull << 32) - 50; // crosses into step bits 32..63
  for (uint64_t step = first; step < first + steps; ++step) {
    s.step(step);
    for (uint32_t n = 0; n < size; ++n) {
      auto out = philox({n, uint32_t(step), uint32_t(step >> 32), snn_philox_tag(SNN_RNG_STEP, 1u << 8 | 0u)}, seed);
      double u = uniform(out, dp);
      ASSERT_EQ(s.value(1, "u", n), u) << "step " << step << " neuron " << n;
      ASSERT_EQ(s.spiked(1, n), u < (dp ? p : double(float(p))));
      auto z_out = philox({n, uint32_t(step), uint32_t(step >> 32), snn_philox_tag(SNN_RNG_STEP, 1u << 8 | 1u)}, seed);
      double z = normal(z_out, dp);
      ASSERT_NEAR(s.value(1, "z", n), z, (dp ? 1e-12 : 1e-6) * std::max(1.0, std::fabs(z)));
      spikes += s.spiked(1, n);
      z_sum += z;
      z_sq += z * z;
    }
  }
  double trials = double(size * steps);
  double sigma = std::sqrt(trials * p * (1 - p));
  EXPECT_NEAR(double(spikes), trials * p, 3 * sigma);
  EXPECT_NEAR(z_sum / trials, 0.0, 3 / std::sqrt(trials));
  EXPECT_NEAR(z_sq / trials, 1.0, 3 * std::sqrt(2.0 / trials));
}

INSTANTIATE_TEST_SUITE_P(FloatAndDouble, StepRandom, ::testing::Bool(),
                         [](const auto &info) { return info.param ? "Double" : "Float"; });

TEST(Philox, InitDrawsFromTheInitDomain) {
  for (bool dp : {false, true}) {
    ir::Module module = single_population(clock_model(), "clock", 1);
    module.models.push_back(noisy_init_model());
    module.network.populations.push_back({"noisy", "Noisy", 50, {}, {}, {}});
    auto model = jit(module, precision(dp));
    ASSERT_TRUE(model);
    const uint64_t seed = 99;
    TestState s(*model->model(), seed);
    s.init();
    for (uint32_t n = 0; n < 50; ++n) {
      // Counter (neuron, state var index, 0, tag(INIT, population << 8 |
      // site)).
      auto a = philox({n, 0, 0, snn_philox_tag(SNN_RNG_INIT, 1u << 8 | 0u)}, seed);
      auto b = philox({n, 1, 0, snn_philox_tag(SNN_RNG_INIT, 1u << 8 | 1u)}, seed);
      EXPECT_EQ(s.value(1, "a", n), uniform(a, dp)) << n;
      double z = normal(b, dp);
      EXPECT_NEAR(s.value(1, "b", n), z, (dp ? 1e-12 : 1e-6) * std::max(1.0, std::fabs(z))) << n;
      EXPECT_EQ(s.value(1, "c", n), 2.5);
    }
    // A different seed gives different numbers.
    TestState other(*model->model(), seed + 1);
    other.init();
    EXPECT_NE(other.value(1, "a", 0), s.value(1, "a", 0));
  }
}

} // namespace
} // namespace snn::test
