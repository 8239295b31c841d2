//===- PhiloxTest.cpp - Philox4x32-10 and its conversions -----------------===//

#include "snn/philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace {

struct KnownAnswer {
  uint32_t counter[4];
  uint32_t key[2];
  uint32_t expected[4];
};

// Random123's kat_vectors for philox4x32 with 10 rounds.
const KnownAnswer kKnownAnswers[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(Philox, MatchesRandom123KnownAnswers) {
  for (const KnownAnswer &answer : kKnownAnswers) {
    uint32_t out[4];
    snn_philox4x32(answer.counter, answer.key, out);
    for (int w = 0; w < 4; ++w)
      EXPECT_EQ(out[w], answer.expected[w]) << "word " << w;
  }
}

TEST(Philox, OutputMayAliasCounter) {
  const KnownAnswer &answer = kKnownAnswers[2];
  uint32_t words[4] = {answer.counter[0], answer.counter[1], answer.counter[2], answer.counter[3]};
  snn_philox4x32(words, answer.key, words);
  for (int w = 0; w < 4; ++w)
    EXPECT_EQ(words[w], answer.expected[w]);
}

TEST(Philox, KeyIsSeedLowWordFirst) {
  uint32_t key[2];
  snn_philox_key(0x0123456789abcdefull, key);
  EXPECT_EQ(key[0], 0x89abcdefu);
  EXPECT_EQ(key[1], 0x01234567u);
}

TEST(Philox, TagPutsDomainInTopFourBits) {
  EXPECT_EQ(snn_philox_tag(SNN_RNG_STEP, 0), 0u);
  EXPECT_EQ(snn_philox_tag(SNN_RNG_INIT, (3u << 8) | 2), 0x10000302u);
  EXPECT_EQ(snn_philox_tag(SNN_RNG_CONNECTIVITY, 7), 0x20000007u);
  EXPECT_EQ(snn_philox_tag(SNN_RNG_WEIGHT, 7), 0x30000007u);
  EXPECT_EQ(snn_philox_tag(SNN_RNG_RUNTIME, SNN_RNG_INDEX_MASK), 0x4fffffffu);
  // An index too large for 28 bits never leaks into the domain.
  EXPECT_EQ(snn_philox_tag(SNN_RNG_CONNECTIVITY, 0xffffffffu), 0x2fffffffu);
}

TEST(Philox, DifferentDomainsGiveDifferentStreams) {
  uint32_t key[2];
  snn_philox_key(1, key);
  std::set<uint32_t> first_words;
  for (uint32_t domain = 0; domain <= SNN_RNG_RUNTIME; ++domain) {
    uint32_t counter[4] = {0, 0, 0, snn_philox_tag(domain, 0)};
    uint32_t out[4];
    snn_philox4x32(counter, key, out);
    first_words.insert(out[0]);
  }
  EXPECT_EQ(first_words.size(), 5u);
}

TEST(Uniform, Float32ConversionUsesTop24Bits) {
  EXPECT_EQ(snn_uniform01_f32(0), 0.0f);
  EXPECT_EQ(snn_uniform01_f32(0xff), 0.0f);
  EXPECT_EQ(snn_uniform01_f32(0x100), std::ldexp(1.0f, -24));
  EXPECT_EQ(snn_uniform01_f32(0x80000000u), 0.5f);
  EXPECT_EQ(snn_uniform01_f32(0xffffffffu), 1.0f - std::ldexp(1.0f, -24));
}

TEST(Uniform, Float64ConversionUses53Bits) {
  EXPECT_EQ(snn_uniform01_f64(0, 0), 0.0);
  EXPECT_EQ(snn_uniform01_f64(0x1f, 0x3f), 0.0);
  EXPECT_EQ(snn_uniform01_f64(0, 0x40), std::ldexp(1.0, -53));
  EXPECT_EQ(snn_uniform01_f64(0x80000000u, 0), 0.5);
  EXPECT_EQ(snn_uniform01_f64(0xffffffffu, 0xffffffffu), 1.0 - std::ldexp(1.0, -53));
}

TEST(Normal, BoxMullerUsesCosineBranchAndOneMinusU1) {
  // u1 = 0 gives log(1) = 0, so the result is 0 (finite, not -inf).
  EXPECT_EQ(snn_box_muller(0.0, 0.3), 0.0);
  // u2 = 0: cos(0) = 1, so the value is sqrt(-2 ln(1 - u1)).
  EXPECT_DOUBLE_EQ(snn_box_muller(1 - std::exp(-0.5), 0.0), 1.0);
  EXPECT_DOUBLE_EQ(snn_box_muller(1 - std::exp(-2.0), 0.5), -2.0);
  EXPECT_FLOAT_EQ(snn_box_muller_f32(1 - std::exp(-2.0f), 0.0f), 2.0f);
  // The largest u1 still gives a finite value.
  EXPECT_TRUE(std::isfinite(snn_box_muller(1.0 - std::ldexp(1.0, -53), 0.0)));
}

TEST(Normal, Float64FromOneBlockUsesAllFourWords) {
  uint32_t out[4] = {0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321};
  EXPECT_EQ(snn_normal_f64(out), snn_box_muller(snn_uniform01_f64(out[0], out[1]), snn_uniform01_f64(out[2], out[3])));
  EXPECT_EQ(snn_normal_f32(out), snn_box_muller_f32(snn_uniform01_f32(out[0]), snn_uniform01_f32(out[1])));
}

/// Mean and variance of n draws of `draw(block)` over consecutive counters.
template <typename Draw> std::pair<double, double> moments(int n, Draw draw) {
  uint32_t key[2];
  snn_philox_key(20240601, key);
  double sum = 0, sum_squares = 0;
  for (int i = 0; i < n; ++i) {
    uint32_t counter[4] = {uint32_t(i), 0, 0, snn_philox_tag(SNN_RNG_RUNTIME, 0)};
    uint32_t out[4];
    snn_philox4x32(counter, key, out);
    double x = draw(out);
    sum += x;
    sum_squares += x * x;
  }
  double mean = sum / n;
  return {mean, sum_squares / n - mean * mean};
}

// With n = 200000 the standard error of a uniform mean is 0.00065 and of a
// normal mean 0.0022; the bounds below are about 5 standard errors.
TEST(Uniform, MomentsMatchUniformDistribution) {
  auto f64 = moments(200000, [](const uint32_t *o) { return snn_uniform01_f64(o[0], o[1]); });
  EXPECT_NEAR(f64.first, 0.5, 0.0035);
  EXPECT_NEAR(f64.second, 1.0 / 12, 0.002);
  auto f32 = moments(200000, [](const uint32_t *o) { return double(snn_uniform01_f32(o[3])); });
  EXPECT_NEAR(f32.first, 0.5, 0.0035);
  EXPECT_NEAR(f32.second, 1.0 / 12, 0.002);
}

TEST(Normal, MomentsMatchStandardNormal) {
  auto f64 = moments(200000, [](const uint32_t *o) { return snn_normal_f64(o); });
  EXPECT_NEAR(f64.first, 0.0, 0.011);
  EXPECT_NEAR(f64.second, 1.0, 0.016);
  auto f32 = moments(200000, [](const uint32_t *o) { return double(snn_normal_f32(o)); });
  EXPECT_NEAR(f32.first, 0.0, 0.011);
  EXPECT_NEAR(f32.second, 1.0, 0.016);
}

} // namespace
