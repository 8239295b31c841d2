//===- EncodersTest.cpp - Latency, Poisson and current encoders -----------===//

#include "Encoders.h"

#include "Dataset.h"
#include "TestHelpers.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cmath>

namespace snn::rt {
namespace {

using test::error_of;

/// One example per row, 10 classes, labels 0.
DenseDataset dataset(std::vector<std::vector<double>> rows) {
  DenseDataset data;
  data.source = "test.csv";
  data.features = uint32_t(rows.at(0).size());
  for (const auto &row : rows) {
    data.values.insert(data.values.end(), row.begin(), row.end());
    data.labels.push_back(0);
  }
  return data;
}

TEST(LatencyEncoder, LargerValuesSpikeEarlierZeroNever) {
  DenseDataset data = dataset({{0, 16, 8, 4, 1, 12}, {16, 0, 0, 0, 0, 0}});
  const uint64_t steps = 11;
  SpikeRaster raster = encode_latency(data, 0, 16, steps);
  ASSERT_EQ(raster.neurons, 6u);
  ASSERT_EQ(raster.steps, steps);
  ASSERT_EQ(raster.flags.size(), 66u);
  // Hand-computed round((1 - v/16) * 10): v=16 -> 0, 8 -> 5, 4 -> 7.5 -> 8,
  // 1 -> 9.375 -> 9, 12 -> 2.5 -> 3 (round half away from zero); 0: none.
  const int expected[6] = {-1, 0, 5, 8, 9, 3};
  for (uint32_t i = 0; i < 6; ++i)
    for (uint64_t s = 0; s < steps; ++s)
      EXPECT_EQ(raster.spiked(s, i), int(s) == expected[i]) << "neuron " << i << " step " << s;
  SpikeRaster one = encode_latency(data, 1, 16, 1);
  EXPECT_EQ(one.flags, (std::vector<uint8_t>{1, 0, 0, 0, 0, 0}));
}

TEST(LatencyEncoder, RejectsBadArguments) {
  DenseDataset data = dataset({{0, 17}, {-1, 0}});
  EXPECT_NE(std::string(error_of([&] { encode_latency(data, 0, 16, 10); }).what())
                .find("test.csv: error: example 0, feature 1: value 17 lies outside [0, 16]"),
            std::string::npos);
  EXPECT_NE(std::string(error_of([&] { encode_latency(data, 1, 16, 10); }).what()).find("value -1 lies outside"),
            std::string::npos);
  EXPECT_NE(std::string(error_of([&] { encode_latency(data, 2, 16, 10); }).what()).find("example 2 does not exist"),
            std::string::npos);
  EXPECT_NE(std::string(error_of([&] { encode_latency(data, 0, 0, 10); }).what()).find("must be positive"),
            std::string::npos);
  EXPECT_NE(std::string(error_of([&] { encode_latency(data, 0, 16, 0); }).what()).find("at least one step"),
            std::string::npos);
}

TEST(PoissonEncoder, CountsMatchTheRateWithinBounds) {
  std::vector<double> row;
  for (int i = 0; i <= 16; ++i)
    row.push_back(i);
  DenseDataset data = dataset({row});
  const double rate = 200, dt = 1e-3; // p = x * 0.2
  const uint64_t steps = 20000;
  SpikeRaster raster = encode_poisson(data, 0, 16, rate, dt, steps, 1234);
  for (uint32_t i = 0; i < data.features; ++i) {
    double p = double(i) / 16 * rate * dt;
    uint64_t count = 0;
    for (uint64_t s = 0; s < steps; ++s)
      count += raster.spiked(s, i);
    double mean = p * double(steps), sd = std::sqrt(mean * (1 - p));
    EXPECT_LE(std::fabs(double(count) - mean), 5 * sd + 1e-9) << "neuron " << i << ": " << count << " vs " << mean;
    if (i == 0) {
      EXPECT_EQ(count, 0u);
    }
  }
  // Certain spikes when p = 1.
  SpikeRaster full = encode_poisson(dataset({{16}}), 0, 16, 1000, 1e-3, 100, 1);
  EXPECT_EQ(full.flags, std::vector<uint8_t>(100, 1));
}

TEST(PoissonEncoder, ExampleSpikesDoNotDependOnTheBatch) {
  DenseDataset data = dataset({{3, 9, 16, 1}, {8, 8, 8, 8}, {8, 8, 8, 8}, {16, 0, 4, 12}});
  const double rate = 100, dt = 1e-3;
  const uint64_t steps = 500;
  std::vector<SpikeRaster> a = encode_poisson_batch(data, {1, 3}, 16, rate, dt, steps, 77);
  std::vector<SpikeRaster> b = encode_poisson_batch(data, {3, 0, 2, 1}, 16, rate, dt, steps, 77);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(a[0].flags, b[3].flags); // example 1 at batch positions 0 and 3
  EXPECT_EQ(a[1].flags, b[0].flags); // example 3 at batch positions 1 and 0
  EXPECT_EQ(a[0].flags, encode_poisson(data, 1, 16, rate, dt, steps, 77).flags);
  // Equal features in another example, or another seed: other spikes.
  EXPECT_NE(b[3].flags, b[2].flags);
  EXPECT_NE(a[0].flags, encode_poisson(data, 1, 16, rate, dt, steps, 78).flags);
}

TEST(PoissonEncoder, DrawsFollowTheDocumentedCounterLayout) {
  DenseDataset data = dataset({{16, 0}, {4, 0}, {12, 8}});
  const uint64_t steps = 300, seed = 0x1234567890abcdefull;
  SpikeRaster raster = encode_poisson(data, 2, 16, 400, 1e-3, steps, seed);
  uint32_t run_key[2] = {0x90abcdefu, 0x12345678u}, key[2];
  snn_example_key(run_key, 2, key);
  const double p[2] = {12.0 / 16 * 0.4, 8.0 / 16 * 0.4};
  for (uint32_t i = 0; i < 2; ++i)
    for (uint64_t s = 0; s < steps; ++s) {
      uint32_t counter[4] = {i, uint32_t(s), 0, (4u << 28) | 0u}, out[4];
      snn_philox4x32(counter, key, out);
      EXPECT_EQ(raster.spiked(s, i), snn_uniform01_f64(out[0], out[1]) < p[i]) << i << "," << s;
    }
}

TEST(PoissonEncoder, RejectsProbabilityAboveOne) {
  DenseDataset data = dataset({{1}});
  Error error = error_of([&] { encode_poisson(data, 0, 16, 2000, 1e-3, 10, 1); });
  EXPECT_NE(std::string(error.what()).find("max_rate * dt = 2 exceeds 1"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error_of([&] { encode_poisson(data, 0, 16, 100, 0, 10, 1); }).what()).find("dt > 0"),
            std::string::npos);
}

TEST(CurrentEncoder, ConstantScaledValues) {
  DenseDataset data = dataset({{0, 4, 16}, {2, 1, 8}});
  CurrentFrames frames = encode_current(data, 1, 16, 2.5e-9, 4);
  ASSERT_EQ(frames.neurons, 3u);
  ASSERT_EQ(frames.steps, 4u);
  ASSERT_EQ(frames.values.size(), 12u);
  const double expected[3] = {2.0 / 16 * 2.5e-9, 1.0 / 16 * 2.5e-9, 8.0 / 16 * 2.5e-9};
  for (uint64_t s = 0; s < 4; ++s)
    for (uint32_t i = 0; i < 3; ++i)
      EXPECT_DOUBLE_EQ(frames.values[s * 3 + i], expected[i]) << s << "," << i;
  EXPECT_NE(
      std::string(error_of([&] { encode_current(data, 0, 8, 1, 4); }).what()).find("value 16 lies outside [0, 8]"),
      std::string::npos);
}

} // namespace
} // namespace snn::rt
