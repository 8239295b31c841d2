//===- BatchTest.cpp - Several examples of the test model at once ---------===//
//
// The examples of a batch must behave exactly like single runs of the same
// global examples: the same random draws (per-example keys), the same
// stimulus, independent state. Expected spike counts and recordings are
// worked out by hand from TestModel.h and the stimulus in TestNetwork.h.
//
//===----------------------------------------------------------------------===//

#include "Recorder.h"

#include "TestEnvironment.h"
#include "TestHelpers.h"
#include "TestNetwork.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <sstream>

namespace snn::rt {
namespace {

using test::error_of;
using test::numpy_dump;
using test::ScratchDirectory;
using test::TestNetwork;

class BatchTest : public ::testing::TestWithParam<const snn_model_desc *> {
protected:
  ScratchDirectory directory;
  TestNetwork network{GetParam(), directory};
};

/// u of "out" for global example `example`, computed from snn/philox.h alone.
std::vector<double> expected_u(uint64_t seed, uint64_t example, uint32_t real_size) {
  uint32_t run_key[2], key[2];
  snn_philox_key(seed, run_key);
  snn_example_key(run_key, example, key);
  std::vector<double> u;
  for (uint32_t n = 0; n < 2; ++n) {
    uint32_t counter[4] = {n, 1, 0, snn_philox_tag(SNN_RNG_INIT, 1u << 8)};
    uint32_t out[4];
    snn_philox4x32(counter, key, out);
    double value = snn_uniform01_f64(out[0], out[1]);
    u.push_back(real_size == 4 ? double(float(value)) : value);
  }
  return u;
}

TEST_P(BatchTest, BatchOfThreeEqualsThreeSingleRuns) {
  const uint64_t seed = 99;
  Simulation batch(network.desc(), seed, 3, 0);
  std::vector<Simulation> singles;
  for (uint64_t k = 0; k < 3; ++k)
    singles.emplace_back(network.desc(), seed, 1, k);
  batch.init();
  for (uint32_t k = 0; k < 3; ++k) {
    singles[k].init();
    // Different starting points so the examples' spike trains differ:
    // out.v = {0.6, 2}, {0.8, 1.5}, {1, 1}.
    std::vector<double> v = {0.6 + 0.2 * k, 2.0 - 0.5 * k};
    batch.write("out", "v", v, k);
    singles[k].write("out", "v", v);
    EXPECT_EQ(batch.read("out", "u", k), singles[k].read("out", "u"));
    EXPECT_EQ(batch.read("out", "u", k), expected_u(seed, k, GetParam()->real_size));
  }
  EXPECT_NE(batch.read("out", "u", 0), batch.read("out", "u", 1));
  EXPECT_NE(batch.read("out", "u", 1), batch.read("out", "u", 2));
  for (int step = 0; step < 10; ++step) {
    batch.step();
    for (uint32_t k = 0; k < 3; ++k) {
      singles[k].step();
      ASSERT_EQ(batch.spiked("in", k), singles[k].spiked("in")) << "step " << step << " example " << k;
      ASSERT_EQ(batch.spiked("out", k), singles[k].spiked("out")) << "step " << step << " example " << k;
      ASSERT_EQ(batch.read("out", "v", k), singles[k].read("out", "v")) << "step " << step << " example " << k;
      ASSERT_EQ(batch.read("in", "v", k), singles[k].read("in", "v")) << "step " << step << " example " << k;
      // The spike lists of the step are the set flags, in order.
      for (const char *name : {"in", "out"}) {
        std::vector<uint8_t> flags = batch.spiked(name, k);
        std::vector<uint32_t> set;
        for (uint32_t n = 0; n < flags.size(); ++n)
          if (flags[n])
            set.push_back(n);
        ASSERT_EQ(batch.last_spikes(batch.population_index(name), k), set) << name << " step " << step;
      }
    }
  }
  // out[1] of example 0 starts at 2 and spikes in step 0 (2 / 2 >= 1); then
  // every example's out spikes twice in step 3 from in's spikes in step 2.
  EXPECT_EQ(batch.spike_count("out", 0), 3u);
  EXPECT_EQ(batch.spike_count("out", 1), 2u);
  EXPECT_EQ(batch.spike_count(1u, 2u), 2u);
  EXPECT_EQ(batch.spike_count("out"), 7u);
  EXPECT_EQ(batch.spike_count("in"), 9u); // 3 per example: the same stimulus
  for (uint32_t k = 0; k < 3; ++k)
    EXPECT_EQ(batch.spike_count("in", k), singles[k].spike_count("in"));
}

TEST_P(BatchTest, FirstExampleSelectsTheRandomKey) {
  Simulation late(network.desc(), 5, 2, 1000);
  late.init();
  EXPECT_EQ(late.first_example(), 1000u);
  EXPECT_EQ(late.state().first_example, 1000u);
  EXPECT_EQ(late.read("out", "u", 0), expected_u(5, 1000, GetParam()->real_size));
  EXPECT_EQ(late.read("out", "u", 1), expected_u(5, 1001, GetParam()->real_size));
  // Weights are shared by the batch: still the init entry's constant.
  EXPECT_EQ(late.weights(0), std::vector<double>(6, 0.75));
}

TEST_P(BatchTest, PerExampleBuffersHoldOneCopyPerExample) {
  Simulation simulation(network.desc(), 42, 4);
  const snn_state &state = simulation.state();
  EXPECT_EQ(state.batch, 4u);
  EXPECT_EQ(state.extents[TEST_OUT_V], 2u); // per example, as the ABI says
  simulation.init();
  simulation.write("in", "v", {0.5, 0.25, 0.125}, 3);
  const char *base = static_cast<const char *>(state.buffers[TEST_IN_V]);
  double last = GetParam()->real_size == 4 ? double(reinterpret_cast<const float *>(base)[3 * 3 + 2])
                                           : reinterpret_cast<const double *>(base)[3 * 3 + 2];
  EXPECT_EQ(last, 0.125);
  EXPECT_EQ(simulation.read("in", "v", 2), (std::vector<double>{0, 0, 0}));
  EXPECT_STREQ(error_of([&] { simulation.spiked("in", 4); }).what(),
               "error: example 4 is out of range: the batch holds 4 examples (0 to 3)");
  EXPECT_STREQ(error_of([&] { simulation.spike_count("in", 7); }).what(),
               "error: example 7 is out of range: the batch holds 4 examples (0 to 3)");
}

TEST_P(BatchTest, RunSumsOverTheBatchAndRecordsAnExampleAxis) {
  std::string out = directory.file("batch.npz");
  RunOptions options;
  options.out = out;
  options.batch = 2;
  std::ostringstream summary;
  options.summary = &summary;
  RunResult result = run(network.desc(), options);
  EXPECT_EQ(result.batch, 2u);
  EXPECT_EQ(result.populations[0].spikes, 6u);
  EXPECT_DOUBLE_EQ(result.populations[0].rate_hz, 100.0); // 6 / (3 neurons * 2 examples * 0.01 s)
  EXPECT_EQ(result.populations[1].spikes, 4u);
  EXPECT_DOUBLE_EQ(result.populations[1].rate_hz, 100.0);
  std::string text = summary.str();
  EXPECT_EQ(text.rfind("model TestNet: 2 populations, 5 neurons, 1 projection, 6 synapses, batch of 2 examples\n"
                       "simulated 10 ms (10 steps of 1 ms) in ",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("in             3       6  100.00 Hz\n"), std::string::npos) << text;

  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  // Spikes ordered by step, then example, then neuron.
  EXPECT_EQ(numpy_dump(out), "in_spikes_b int32 (6,) [0.0, 0.0, 1.0, 1.0, 0.0, 1.0]\n"
                             "in_spikes_i int32 (6,) [0.0, 2.0, 0.0, 2.0, 2.0, 2.0]\n"
                             "in_spikes_t float64 (6,) [0.002, 0.002, 0.002, 0.002, 0.005, 0.005]\n"
                             "out_v float64 (2, 10, 2) [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "
                             "0.0, 0.75, 0.75, 0.375, 0.375, 0.1875, 0.1875, 0.09375, 0.09375, 0.0, 0.0, 0.0, 0.0, "
                             "0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.75, 0.375, 0.375, 0.1875, 0.1875, "
                             "0.09375, 0.09375]\n"
                             "out_v_neurons int32 (2,) [0.0, 1.0]\n"
                             "t float64 (10,) [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, "
                             "0.01]\n");
}

TEST_P(BatchTest, RecordingsKeepExamplesApart) {
  std::string path = directory.file("apart.npz");
  network.records() = {{SNN_RECORD_SPIKES, 1, SNN_NO_BUFFER, 0, 2, 1, 1, nullptr, -1, 0, nullptr},
                       {SNN_RECORD_STATE, 1, TEST_OUT_V, 0, 2, 1, 1, nullptr, -1, 0, nullptr}};
  Simulation simulation(network.desc(), 42, 2);
  Recorder recorder(network.desc(), path, 10, 2);
  simulation.init();
  // Example 1: out[0] = 2 spikes in step 0; out[1] = 0.5 halves 3 times
  // before in's spikes (step 2) lift it by 1.5 in step 3.
  simulation.write("out", "v", {2.0, 0.5}, 1);
  for (uint64_t step = 0; step < 10; ++step) {
    simulation.step();
    recorder.record(step, simulation.state(), Recorder::last_spikes_of(simulation));
  }
  EXPECT_EQ(recorder.write(), std::vector<std::string>{path});
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  // out_v is [examples, steps, neurons]: example 0's ten rows, then 1's.
  EXPECT_EQ(numpy_dump(path), "out_spikes_b int32 (5,) [1.0, 0.0, 0.0, 1.0, 1.0]\n"
                              "out_spikes_i int32 (5,) [0.0, 0.0, 1.0, 0.0, 1.0]\n"
                              "out_spikes_t float64 (5,) [0.0, 0.003, 0.003, 0.003, 0.003]\n"
                              "out_v float64 (2, 10, 2) [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "
                              "0.0, 0.75, 0.75, 0.375, 0.375, 0.1875, 0.1875, 0.09375, 0.09375, 0.0, 0.25, 0.0, "
                              "0.125, 0.0, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.75, 0.375, 0.375, 0.1875, "
                              "0.1875, 0.09375, 0.09375]\n"
                              "out_v_neurons int32 (2,) [0.0, 1.0]\n"
                              "t float64 (10,) [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, "
                              "0.01]\n");
}

INSTANTIATE_TEST_SUITE_P(RealSizes, BatchTest, ::testing::Values(snn_test_model_f64(), snn_test_model_f32()),
                         [](const auto &info) { return info.param->real_size == 8 ? "Double" : "Float"; });

TEST(BatchSize, DefaultsToTheModelsAndIsChecked) {
  ScratchDirectory directory;
  TestNetwork network(snn_test_model_f64(), directory);
  network.desc().default_batch = 3;
  EXPECT_EQ(Simulation(network.desc(), 1).batch(), 3u);
  RunOptions options;
  options.quiet = true;
  options.out = directory.file("default.npz");
  EXPECT_EQ(run(network.desc(), options).batch, 3u);

  for (uint32_t bad : {0u, SNN_MAX_BATCH + 1}) {
    Error error = error_of([&] { Simulation(network.desc(), 1, bad); });
    EXPECT_EQ(error.kind(), Error::Kind::User);
    EXPECT_EQ(std::string(error.what()),
              "error: the batch size must be between 1 and 1048576, not " + std::to_string(bad));
  }
  EXPECT_EQ(Simulation(network.desc(), 1, 2, UINT64_MAX - 1).first_example(), UINT64_MAX - 1);
  EXPECT_STREQ(error_of([&] { Simulation(network.desc(), 1, 3, UINT64_MAX - 1); }).what(),
               "error: examples 18446744073709551614 to 18446744073709551614 + 2 go past the last example index, "
               "2^64 - 1");
}

} // namespace
} // namespace snn::rt
