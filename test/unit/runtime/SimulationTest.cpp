//===- SimulationTest.cpp - The hand-written model through the runtime ----===//
//
// Every expected number below is worked out by hand from TestModel.h and the
// stimulus in TestNetwork.h. Batches: BatchTest.cpp; descriptor checks:
// ModelDescriptionTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "NpzReader.h"
#include "Recorder.h"
#include "TestEnvironment.h"
#include "TestHelpers.h"
#include "TestNetwork.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

namespace snn::rt {
namespace {

using test::ScratchDirectory;
using test::TestNetwork;

using test::error_of;
using test::numpy_dump;

class SimulationTest : public ::testing::TestWithParam<const snn_model_desc *> {
protected:
  ScratchDirectory directory;
  TestNetwork network{GetParam(), directory};
};

TEST_P(SimulationTest, StepsMatchHandComputedValues) {
  Simulation simulation(network.desc(), 42);
  simulation.init();
  EXPECT_EQ(simulation.current_step(), 0u);
  simulation.advance(3); // steps 0, 1, 2
  EXPECT_EQ(simulation.read("in", "v"), (std::vector<double>{0, 0.375, 0}));
  EXPECT_EQ(simulation.spiked("in"), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(simulation.read("out", "i"), (std::vector<double>{1.5, 1.5}));
  EXPECT_EQ(simulation.read("out", "v"), (std::vector<double>{0, 0}));
  EXPECT_EQ(simulation.spike_count("in"), 2u);
  EXPECT_EQ(simulation.spike_count("out"), 0u);

  simulation.step(); // step 3: out takes the 1.5 and spikes
  EXPECT_EQ(simulation.spiked("out"), (std::vector<uint8_t>{1, 1}));
  EXPECT_EQ(simulation.spiked("in"), (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ(simulation.read("out", "v"), (std::vector<double>{0, 0}));
  EXPECT_EQ(simulation.read("in", "v"), (std::vector<double>{0, 0.375, 0.375}));
  EXPECT_EQ(simulation.spike_count(1), 2u);

  simulation.advance(6); // steps 4..9
  EXPECT_EQ(simulation.current_step(), 10u);
  EXPECT_DOUBLE_EQ(simulation.time(), 0.010);
  EXPECT_EQ(simulation.spike_count("in"), 3u);
  EXPECT_EQ(simulation.spike_count("out"), 2u);
  // in[2] spiked in step 5; out: 0.75 in step 6, then halves: 0.09375.
  EXPECT_EQ(simulation.read("in", "v"), (std::vector<double>{0, 0.75, 0}));
  EXPECT_EQ(simulation.read("out", "v"), (std::vector<double>{0.09375, 0.09375}));
}

// On the CPU the observer sees each step right after it, in order, with
// the step's spike lists in last_spikes() (as StepsMatchHandComputedValues: in spikes at
// steps 2 and 5, out at step 3); init starts the steps over.
TEST_P(SimulationTest, SpikeObserverSeesEveryStepInOrder) {
  Simulation simulation(network.desc(), 42);
  std::vector<uint64_t> seen;
  std::vector<std::vector<uint32_t>> in_spikes, out_spikes;
  simulation.observe_spikes([&](uint64_t step) {
    seen.push_back(step);
    in_spikes.push_back(simulation.last_spikes(0));
    out_spikes.push_back(simulation.last_spikes(1));
  });
  simulation.init();
  simulation.advance(6);
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5}));
  using Lists = std::vector<std::vector<uint32_t>>;
  EXPECT_EQ(in_spikes, (Lists{{}, {}, {0, 2}, {}, {}, {2}}));
  EXPECT_EQ(out_spikes, (Lists{{}, {}, {}, {0, 1}, {}, {}}));
  simulation.flush_spikes(); // nothing pending on the CPU
  EXPECT_EQ(seen.size(), 6u);
  simulation.init();
  simulation.step();
  EXPECT_EQ(seen.back(), 0u);
  simulation.observe_spikes(nullptr);
  simulation.step();
  EXPECT_EQ(seen.size(), 7u);
}

/// A device whose memory is the host's and which counts its waits.
int device_waits = 0;
void *device_allocate(uint64_t bytes, char *, uint64_t) { return std::calloc(1, bytes == 0 ? 1 : bytes); }
void device_release(void *memory) { std::free(memory); }
int device_finish(char *, uint64_t) {
  ++device_waits;
  return 0;
}
int device_copy_rows(void *dst, uint64_t dst_pitch, const void *src, uint64_t src_pitch, uint64_t width, uint64_t rows,
                     char *, uint64_t) {
  for (uint64_t r = 0; r < rows; ++r)
    std::memcpy(static_cast<char *>(dst) + r * dst_pitch, static_cast<const char *>(src) + r * src_pitch, width);
  return 0;
}
const snn_device_desc kCountingDevice = {"counting", device_allocate,  device_release,  device_finish, nullptr,
                                         nullptr,    device_copy_rows, device_allocate, device_release};

/// Puts `network` on the counting device with spike blocks of 4 steps.
void on_counting_device(TestNetwork &network) {
  auto block = [&](const char *name, uint32_t owner) {
    network.buffers().push_back(
        {name, "", SNN_ELEM_BITS, SNN_SCOPE_GLOBAL, owner, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_SPIKE_BLOCK, 4 * 32});
    return uint32_t(network.buffers().size() - 1);
  };
  network.populations()[0].spike_block = block("in.spike_block", 0);
  network.populations()[1].spike_block = block("out.spike_block", 1);
  network.desc().spike_block_steps = 4;
  network.desc().device = &kCountingDevice;
}

// On a device with spike blocks of 4 steps, defer_waits lets step() queue
// without waiting until a block is full; anything that reads the state
// waits first. (The hand-written model writes no blocks: only the waits
// are checked here; test_cuda_host_emulation.py checks the spikes.)
TEST_P(SimulationTest, DeferredWaitsOncePerSpikeBlock) {
  on_counting_device(network);
  network.desc().num_stimuli = 0; // the waits of steps alone
  Simulation simulation(network.desc(), 42);
  simulation.init();
  device_waits = 0;
  simulation.advance(4); // one wait per step
  EXPECT_EQ(device_waits, 4);
  simulation.defer_waits(true);
  device_waits = 0;
  simulation.advance(7); // steps 4..10: the block ends after step 7
  EXPECT_EQ(device_waits, 1);
  simulation.read("out", "v"); // waits for steps 8..10 first
  EXPECT_EQ(device_waits, 2);
  simulation.read("out", "v");
  EXPECT_EQ(device_waits, 2);
  simulation.step(); // step 11 ends the block of steps 8..11
  EXPECT_EQ(device_waits, 3);
  simulation.state(); // nothing queued
  EXPECT_EQ(device_waits, 3);
  simulation.advance(2); // steps 12, 13
  EXPECT_EQ(device_waits, 3);
  EXPECT_EQ(simulation.spike_count("in"), 0u); // waits; the blocks were never written here
  EXPECT_EQ(device_waits, 4);
  simulation.defer_waits(false);
  simulation.step();
  EXPECT_EQ(device_waits, 5);
}

// On a device, spike files reach the flags through page-locked slots
// (StimulusStaging), so steps with input queue without waiting too, and
// compute what the CPU does (StepsMatchHandComputedValues).
TEST_P(SimulationTest, SpikeFilesOnADeviceWaitOncePerSpikeBlock) {
  on_counting_device(network);
  Simulation simulation(network.desc(), 42);
  simulation.defer_waits(true);
  simulation.init();
  device_waits = 0;
  simulation.advance(10); // blocks of 4 steps: read after steps 3 and 7
  EXPECT_EQ(device_waits, 2);
  EXPECT_EQ(simulation.read("in", "v"), (std::vector<double>{0, 0.75, 0}));
  EXPECT_EQ(simulation.read("out", "v"), (std::vector<double>{0.09375, 0.09375}));
  simulation.init(); // the flags of the last input step are cleared
  simulation.advance(3);
  EXPECT_EQ(simulation.read("in", "v"), (std::vector<double>{0, 0.375, 0}));
}

// observe_queued_steps sees each step right after its kernels were queued,
// with the state they use, and without waiting for them (a device's
// recorded states are copied there: Recorder::stage_states).
TEST_P(SimulationTest, QueuedStepObserverSeesEachStepWithoutWaiting) {
  on_counting_device(network);
  network.desc().num_stimuli = 0;
  Simulation simulation(network.desc(), 42);
  simulation.init();
  simulation.defer_waits(true);
  std::vector<uint64_t> seen;
  std::vector<int> waits;
  const snn_state *seen_state = nullptr;
  simulation.observe_queued_steps([&](uint64_t step, const snn_state &state) {
    seen.push_back(step);
    waits.push_back(device_waits);
    seen_state = &state;
  });
  device_waits = 0;
  simulation.advance(5); // the block of steps 0..3 is read after step 3
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(waits, (std::vector<int>{0, 0, 0, 0, 1}));
  EXPECT_EQ(seen_state, &simulation.state());
  simulation.observe_queued_steps(nullptr);
  simulation.step();
  EXPECT_EQ(seen.size(), 5u);
}

/// The model's own step, then what a device's spike_block kernels do
/// (lower/SpikeBlocks.h): each population's flags into bit n of row
/// step % steps of its block.
const snn_model_desc *blocked_model = nullptr;
snn_entry_fn model_step = nullptr;
void step_and_pack(snn_state *state, uint64_t step) {
  model_step(state, step);
  const snn_model_desc &m = *blocked_model;
  for (uint32_t p = 0; p < m.num_populations; ++p) {
    const snn_population_desc &pop = m.populations[p];
    const uint64_t words = (pop.size + 31) / 32;
    auto *block = static_cast<uint32_t *>(state->buffers[pop.spike_block]);
    const auto *flags = static_cast<const uint8_t *>(state->buffers[pop.spiked]);
    for (uint32_t b = 0; b < state->batch; ++b) {
      uint32_t *row = block + (uint64_t(b) * m.spike_block_steps + step % m.spike_block_steps) * words;
      std::fill(row, row + words, 0u);
      for (uint32_t n = 0; n < pop.size; ++n)
        if (flags[uint64_t(b) * pop.size + n])
          row[n / 32] |= 1u << (n % 32);
    }
  }
}

// The spikes of a device's blocks are those of the flags, step for step:
// observed in order (a block late, or when asked mid-block), counted once
// even when the observer throws, and started over by init.
TEST_P(SimulationTest, SpikeBlocksGiveTheFlagsSpikes) {
  using Lists = std::vector<std::vector<uint32_t>>;
  auto observe = [](Simulation &simulation, std::vector<Lists> &seen) {
    simulation.observe_spikes([&simulation, &seen](uint64_t step) {
      EXPECT_EQ(step, seen.size());
      seen.push_back({simulation.last_spikes(0, 0), simulation.last_spikes(0, 1), simulation.last_spikes(1, 0),
                      simulation.last_spikes(1, 1)});
    });
  };
  std::vector<Lists> want;
  Simulation cpu(network.desc(), 42, 2);
  observe(cpu, want);
  cpu.init();
  cpu.advance(11);

  on_counting_device(network);
  for (snn_entry_desc &entry : network.entries())
    if (std::string(entry.name) == "step") {
      model_step = entry.fn;
      entry.fn = step_and_pack;
    }
  blocked_model = &network.desc();
  Simulation gpu(network.desc(), 42, 2);
  std::vector<Lists> got;
  observe(gpu, got);
  gpu.init();
  gpu.advance(3);
  EXPECT_TRUE(got.empty()); // the block of steps 0..3 is not full
  gpu.step();
  EXPECT_EQ(got, std::vector<Lists>(want.begin(), want.begin() + 4));
  gpu.advance(2);
  EXPECT_EQ(gpu.last_spikes(0, 1), want[5][1]); // asked mid-block
  EXPECT_EQ(got.size(), 6u);
  // An observer that throws at step 6: that step still counts, once.
  gpu.observe_spikes([&](uint64_t step) {
    if (step == 6)
      throw Error("observer");
  });
  gpu.step();
  EXPECT_THROW(gpu.flush_spikes(), Error);
  observe(gpu, got);
  got.push_back(want[6]);
  gpu.advance(4);
  gpu.flush_spikes();
  EXPECT_EQ(got, want);
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t b = 0; b < 2; ++b)
      EXPECT_EQ(gpu.spike_count(p, b), cpu.spike_count(p, b)) << p << " " << b;
  EXPECT_GT(cpu.spike_count(uint32_t(0)), 0u);
  // init starts over.
  got.clear();
  gpu.init();
  gpu.advance(5);
  gpu.flush_spikes();
  EXPECT_EQ(got, std::vector<Lists>(want.begin(), want.begin() + 5));
}

TEST_P(SimulationTest, ResetDrawsFromTheInitDomainUnderTheExampleKey) {
  Simulation simulation(network.desc(), 0x1234567890ull);
  simulation.init();
  std::vector<double> u = simulation.read("out", "u");
  uint32_t run_key[2], key[2];
  snn_philox_key(0x1234567890ull, run_key);
  snn_example_key(run_key, 0, key);
  for (uint32_t n = 0; n < 2; ++n) {
    uint32_t counter[4] = {n, 1, 0, snn_philox_tag(SNN_RNG_INIT, 1u << 8)};
    uint32_t out[4];
    snn_philox4x32(counter, key, out);
    double expected = snn_uniform01_f64(out[0], out[1]);
    if (GetParam()->real_size == 4)
      expected = double(float(expected));
    EXPECT_EQ(u[n], expected);
  }
  EXPECT_NE(u[0], u[1]);
}

TEST_P(SimulationTest, InitRewindsEverything) {
  Simulation simulation(network.desc(), 42);
  simulation.init();
  simulation.advance(10);
  simulation.init();
  EXPECT_EQ(simulation.current_step(), 0u);
  EXPECT_EQ(simulation.spike_count("in"), 0u);
  EXPECT_EQ(simulation.read("in", "v"), (std::vector<double>{0, 0, 0}));
  simulation.advance(10);
  EXPECT_EQ(simulation.spike_count("in"), 3u);
  EXPECT_EQ(simulation.spike_count("out"), 2u);
}

TEST_P(SimulationTest, ExposesSynapsesWeightsAndState) {
  Simulation simulation(network.desc(), 42);
  EXPECT_EQ(simulation.synapse_count(), 6u);
  SynapseView synapses = simulation.synapses(0);
  EXPECT_EQ(synapses.num_pre, 3u);
  EXPECT_EQ(synapses.num_synapses, 6u);
  EXPECT_EQ(std::vector<uint32_t>(synapses.row_start, synapses.row_start + 4), (std::vector<uint32_t>{0, 2, 4, 6}));
  EXPECT_EQ(std::vector<uint32_t>(synapses.target, synapses.target + 6), (std::vector<uint32_t>{0, 1, 0, 1, 0, 1}));
  // The model's init entry ran in the constructor and stored the weights.
  EXPECT_EQ(simulation.weights(0), std::vector<double>(6, 0.75));
  const snn_state &state = simulation.state();
  EXPECT_EQ(state.seed, 42u);
  EXPECT_EQ(state.batch, 1u);
  EXPECT_EQ(state.first_example, 0u);
  EXPECT_EQ(std::vector<uint64_t>(state.extents, state.extents + TEST_NUM_BUFFERS),
            (std::vector<uint64_t>{3, 2, 2, 2, 3, 2, 3, 4, 6, 6}));
  EXPECT_EQ(state.buffers[TEST_ROW_START], static_cast<const void *>(synapses.row_start));
  for (int b = 0; b < TEST_NUM_BUFFERS; ++b)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(state.buffers[b]) % 64, 0u) << b;
  EXPECT_EQ(simulation.population_index("out"), 1u);
  EXPECT_EQ(&simulation.model(), &network.desc());
  EXPECT_EQ(simulation.seed(), 42u);
  EXPECT_EQ(simulation.batch(), 1u);
  EXPECT_EQ(simulation.first_example(), 0u);
  EXPECT_EQ(error_of([&] { simulation.synapses(1); }).kind(), Error::Kind::Internal);
  EXPECT_EQ(error_of([&] { simulation.weights(1); }).kind(), Error::Kind::Internal);
}

TEST_P(SimulationTest, InitKeepsWeights) {
  Simulation simulation(network.desc(), 42);
  // Weights are shared: a new run of the examples must not redraw or zero them.
  static_cast<char *>(simulation.state().buffers[TEST_WEIGHT])[0] ^= 1;
  std::vector<double> changed = simulation.weights(0);
  EXPECT_NE(changed[0], 0.75);
  simulation.init();
  EXPECT_EQ(simulation.weights(0), changed);
}

TEST_P(SimulationTest, WriteThenReadRoundTrips) {
  Simulation simulation(network.desc(), 42);
  simulation.init();
  simulation.write("out", "v", {0.25, -2.5});
  EXPECT_EQ(simulation.read("out", "v"), (std::vector<double>{0.25, -2.5}));
  simulation.step(); // v = v / 2 + 0
  EXPECT_EQ(simulation.read("out", "v"), (std::vector<double>{0.125, -1.25}));
  EXPECT_STREQ(error_of([&] { simulation.write("out", "v", {1}); }).what(),
               "error: cannot write 1 values to 'out.v' of 2 neurons");
}

TEST_P(SimulationTest, IntegerVariablesTakeIntegersOnly) {
  // A hidden int32 state of "out" (as a refractory counter would be),
  // untouched by the model's entries: the runtime zeroes it in init.
  std::vector<snn_variable_desc> vars = {{"v", TEST_OUT_V, 0, nullptr, nullptr},
                                         {"u", TEST_OUT_U, 0, nullptr, nullptr},
                                         {"ref", TEST_NUM_BUFFERS, 1, nullptr, nullptr}};
  network.populations()[1].state_vars = vars.data();
  network.populations()[1].num_state_vars = 3;
  network.buffers().push_back(
      {"out.ref", "", SNN_ELEM_I32, SNN_SCOPE_NEURON, 1, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STATE, 2});
  Simulation simulation(network.desc(), 42, 2);
  simulation.init();
  simulation.write("out", "ref", {3, -2}, 1);
  EXPECT_EQ(simulation.read("out", "ref", 1), (std::vector<double>{3, -2}));
  EXPECT_EQ(static_cast<const int32_t *>(simulation.state().buffers[TEST_NUM_BUFFERS])[3], -2);
  EXPECT_EQ(simulation.read("out", "ref", 0), (std::vector<double>{0, 0}));
  EXPECT_STREQ(error_of([&] {
                 simulation.write("out", "ref", {0.5, 0});
               }).what(),
               "error: cannot write 0.5 to 'out.ref', which holds int32 values");
  EXPECT_STREQ(error_of([&] {
                 simulation.write("out", "ref", {0, 3e9});
               }).what(),
               "error: cannot write 3e+09 to 'out.ref', which holds int32 values");
  simulation.init();
  EXPECT_EQ(simulation.read("out", "ref", 1), (std::vector<double>{0, 0}));
}

TEST_P(SimulationTest, UnknownNamesAreErrors) {
  Simulation simulation(network.desc(), 42);
  EXPECT_STREQ(error_of([&] { simulation.read("hidden", "v"); }).what(),
               "error: the network has no population 'hidden'");
  EXPECT_STREQ(error_of([&] { simulation.read("in", "w"); }).what(), "error: population 'in' has no variable 'w'");
  EXPECT_STREQ(error_of([&] { simulation.spike_count("x"); }).what(), "error: the network has no population 'x'");
  EXPECT_STREQ(error_of([&] { simulation.read("in", "v", 1); }).what(),
               "error: example 1 is out of range: the batch holds 1 example (0)");
  EXPECT_EQ(error_of([&] { simulation.spike_count(2u); }).kind(), Error::Kind::Internal);
}

TEST_P(SimulationTest, StepBeforeInitIsInternalError) {
  Simulation simulation(network.desc(), 42);
  Error error = error_of([&] { simulation.step(); });
  EXPECT_EQ(error.kind(), Error::Kind::Internal);
  EXPECT_EQ(error.exit_code(), 70);
}

TEST_P(SimulationTest, MovedSimulationKeepsRunning) {
  Simulation first(network.desc(), 42);
  first.init();
  first.advance(3);
  Simulation second = std::move(first);
  second.advance(7);
  EXPECT_EQ(second.spike_count("out"), 2u);
}

TEST_P(SimulationTest, RunRecordsSpikesAndState) {
  std::string out = directory.file("run.npz");
  RunOptions options;
  options.out = out;
  std::ostringstream summary;
  options.summary = &summary;
  RunResult result = run(network.desc(), options);
  EXPECT_EQ(result.steps, 10u);
  EXPECT_DOUBLE_EQ(result.sim_seconds, 0.01);
  EXPECT_GE(result.wall_seconds, 0.0);
  EXPECT_EQ(result.synapses, 6u);
  ASSERT_EQ(result.populations.size(), 2u);
  EXPECT_EQ(result.populations[0].name, "in");
  EXPECT_EQ(result.populations[0].size, 3u);
  EXPECT_EQ(result.populations[0].spikes, 3u);
  EXPECT_DOUBLE_EQ(result.populations[0].rate_hz, 100.0); // 3 / (3 * 0.01 s)
  EXPECT_EQ(result.populations[1].spikes, 2u);
  EXPECT_DOUBLE_EQ(result.populations[1].rate_hz, 100.0);
  EXPECT_EQ(result.files_written, std::vector<std::string>{out});

  std::string text = summary.str();
  EXPECT_EQ(text.rfind("model TestNet: 2 populations, 5 neurons, 1 projection, "
                       "6 synapses\nsimulated 10 ms (10 steps of 1 ms) in ",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find(" s wall: "), std::string::npos);
  EXPECT_NE(text.find("population  size  spikes    rate\n"
                      "in             3       3  100.00 Hz\n"
                      "out            2       2  100.00 Hz\n"
                      "wrote " +
                      out + "\n"),
            std::string::npos)
      << text;

  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  EXPECT_EQ(numpy_dump(out), "in_spikes_b int32 (3,) [0.0, 0.0, 0.0]\n"
                             "in_spikes_i int32 (3,) [0.0, 2.0, 2.0]\n"
                             "in_spikes_t float64 (3,) [0.002, 0.002, 0.005]\n"
                             "out_v float64 (1, 10, 2) [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "
                             "0.0, 0.0, 0.0, 0.0, 0.75, 0.75, 0.375, 0.375, 0.1875, 0.1875, "
                             "0.09375, 0.09375]\n"
                             "out_v_neurons int32 (2,) [0.0, 1.0]\n"
                             "t float64 (10,) [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, "
                             "0.007, 0.008, 0.009, 0.01]\n");
}

TEST_P(SimulationTest, RunHonoursDurationSeedAndQuiet) {
  RunOptions options;
  options.out = directory.file("short.npz");
  options.duration = 0.0054; // rounds to 5 steps
  options.seed = 7;
  options.quiet = true;
  std::ostringstream summary;
  options.summary = &summary;
  RunResult result = run(network.desc(), options);
  EXPECT_EQ(result.steps, 5u);
  EXPECT_EQ(result.populations[0].spikes, 2u); // in[2]'s second spike is step 5
  EXPECT_EQ(result.populations[1].spikes, 2u);
  EXPECT_EQ(summary.str(), "");
}

TEST_P(SimulationTest, SameNamesInOneFileAreDisambiguated) {
  std::string shared = directory.file("shared.npz");
  std::string other = directory.file("other.npz");
  network.records() = {
      {SNN_RECORD_SPIKES, 0, SNN_NO_BUFFER, 0, 3, 1, 1, shared.c_str(), -1, 0, nullptr},
      {SNN_RECORD_SPIKES, 0, SNN_NO_BUFFER, 0, 3, 2, 1, shared.c_str(), -1, 0, nullptr},
      {SNN_RECORD_STATE, 1, TEST_OUT_V, 1, 2, 1, 1, shared.c_str(), -1, 0, nullptr},
      {SNN_RECORD_STATE, 0, TEST_IN_V, 1, 2, 1, 1, other.c_str(), -1, 0, nullptr},
      {SNN_RECORD_STATE, 0, TEST_IN_V, 0, 3, 1, 1, other.c_str(), -1, 0, nullptr},
  };
  RunOptions options;
  options.quiet = true;
  options.out = directory.file("unused.npz");
  RunResult result = run(network.desc(), options);
  EXPECT_EQ(result.files_written, (std::vector<std::string>{shared, other}));
  EXPECT_FALSE(std::filesystem::exists(options.out)); // no record goes there
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  EXPECT_EQ(numpy_dump(shared), "in_spikes_b int32 (3,) [0.0, 0.0, 0.0]\n"
                                "in_spikes_b_2 int32 (3,) [0.0, 0.0, 0.0]\n"
                                "in_spikes_i int32 (3,) [0.0, 2.0, 2.0]\n"
                                "in_spikes_i_2 int32 (3,) [0.0, 2.0, 2.0]\n"
                                "in_spikes_t float64 (3,) [0.002, 0.002, 0.005]\n"
                                "in_spikes_t_2 float64 (3,) [0.002, 0.002, 0.005]\n"
                                "out_v float64 (1, 10, 1) [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.375, "
                                "0.1875, 0.09375]\n"
                                "out_v_neurons int32 (1,) [1.0]\n"
                                "t float64 (10,) [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, "
                                "0.007, 0.008, 0.009, 0.01]\n");
  std::string dump = numpy_dump(other);
  EXPECT_NE(dump.find("in_v float64 (1, 10, 1) [0.0, 0.375, 0.375, 0.375, 0.375, "
                      "0.75, 0.75, 0.75, 0.75, 0.75]\n"),
            std::string::npos)
      << dump;
  EXPECT_NE(dump.find("in_v_2 float64 (1, 10, 3) "), std::string::npos) << dump;
  EXPECT_NE(dump.find("in_v_neurons_2 int32 (3,) [0.0, 1.0, 2.0]\n"), std::string::npos) << dump;
}

// Suffixes are handed out without probing _2, _3, ... again for every
// record: 20,000 records of one population in one file would take minutes.
TEST_P(SimulationTest, ManyRecordsOfOnePopulationGetSuffixesInOrder) {
  std::string shared = directory.file("many.npz");
  constexpr int kRecords = 20000;
  network.records().assign(kRecords, {SNN_RECORD_SPIKES, 0, SNN_NO_BUFFER, 0, 3, 1, 1, shared.c_str(), -1, 0, nullptr});
  network.records().push_back({SNN_RECORD_STATE, 0, TEST_IN_V, 0, 3, 1, 1, shared.c_str(), -1, 0, nullptr});
  network.records().push_back({SNN_RECORD_STATE, 0, TEST_IN_V, 1, 2, 1, 1, shared.c_str(), -1, 0, nullptr});
  Simulation simulation(network.desc(), 42);
  Recorder recorder(network.desc(), directory.file("unused.npz"), 2);
  simulation.init();
  for (uint64_t step = 0; step < 2; ++step) {
    simulation.step();
    recorder.record(step, simulation.state(), Recorder::last_spikes_of(simulation));
  }
  EXPECT_EQ(recorder.write(), std::vector<std::string>{shared});
  NpzArchive archive(shared);
  std::vector<std::string> names = archive.names();
  EXPECT_EQ(names.size(), 3u * kRecords + 2 * 2 + 1); // spikes, states, t
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const char *name :
       {"in_spikes_t", "in_spikes_i", "in_spikes_b", "in_spikes_t_2", "in_spikes_b_3", "in_spikes_i_12345",
        "in_spikes_t_20000", "in_v", "in_v_neurons", "in_v_2", "in_v_neurons_2", "t"})
    EXPECT_TRUE(archive.contains(name)) << name;
  for (const char *name : {"in_spikes_t_1", "in_spikes_t_20001", "in_v_3"})
    EXPECT_FALSE(archive.contains(name)) << name;
}

TEST_P(SimulationTest, RunWithoutRecordsWritesNothing) {
  network.records().clear();
  RunOptions options;
  options.quiet = true;
  options.out = directory.file("none.npz");
  RunResult result = run(network.desc(), options);
  EXPECT_TRUE(result.files_written.empty());
  EXPECT_FALSE(std::filesystem::exists(options.out));
}

INSTANTIATE_TEST_SUITE_P(RealSizes, SimulationTest, ::testing::Values(snn_test_model_f64(), snn_test_model_f32()),
                         [](const auto &info) { return info.param->real_size == 8 ? "Double" : "Float"; });

class RunErrorTest : public ::testing::Test {
protected:
  ScratchDirectory directory;
  TestNetwork network{snn_test_model_f64(), directory};
};

TEST_F(RunErrorTest, RejectsOtherAbiVersion) {
  network.desc().abi_version = SNN_MODEL_ABI_VERSION + 1;
  EXPECT_EQ(std::string(error_of([&] { Simulation(network.desc(), 1); }).what()),
            "error: the model was built for model ABI version " + std::to_string(SNN_MODEL_ABI_VERSION + 1) +
                " but this runtime implements version " + std::to_string(SNN_MODEL_ABI_VERSION) +
                "; rebuild it with a matching snnc");
}

TEST_F(RunErrorTest, RejectsOtherRealSize) {
  network.desc().real_size = 2;
  Error error = error_of([&] { run(network.desc(), RunOptions()); });
  EXPECT_STREQ(error.what(), "error: the model uses reals of 2 bytes; this "
                             "runtime supports 4 (float) and 8 (double)");
  EXPECT_EQ(error.exit_code(), 1);
}

TEST_F(RunErrorTest, MalformedDescriptorIsInternal) {
  network.records()[0].end = 4; // "in" has 3 neurons
  Error error = error_of([&] { Simulation(network.desc(), 1); });
  EXPECT_EQ(error.kind(), Error::Kind::Internal);
  EXPECT_STREQ(error.what(), "internal error: malformed model descriptor: "
                             "record 0 selects neurons 0:4:1 of a population "
                             "of size 3");
}

TEST_F(RunErrorTest, MissingStimulusFileNamesIt) {
  std::filesystem::remove(network.stimulus_path());
  EXPECT_EQ(std::string(error_of([&] { Simulation(network.desc(), 1).init(); }).what()),
            network.stimulus_path() + ": error: cannot open stimulus file: No such file or directory");
}

// A regime's file that set_stimulus replaced is never opened: an
// executable runs away from its model's folder with --input.
TEST_F(RunErrorTest, ReplacedStimulusFileNeedNotExist) {
  std::string moved = network.stimulus_path() + ".moved";
  std::filesystem::rename(network.stimulus_path(), moved);
  Simulation simulation(network.desc(), 42);
  simulation.set_stimulus("in", moved);
  simulation.init();
  simulation.advance(3); // as StepsMatchHandComputedValues: in[0] and in[2] spike in steps 0..2
  EXPECT_EQ(simulation.spike_count("in"), 2u);
  std::vector<std::string> losses = simulation.stimulus_losses(3); // its later spikes, named by the new file
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_NE(losses[0].find("(" + moved + "): 4 spikes at or after the end"), std::string::npos) << losses[0];
}

TEST_F(RunErrorTest, DurationShorterThanOneStep) {
  RunOptions options;
  options.duration = 0.0004;
  EXPECT_STREQ(error_of([&] { run(network.desc(), options); }).what(),
               "error: the duration 0.4 ms is shorter than one time step "
               "(1 ms)");
  options.duration = -1;
  EXPECT_STREQ(error_of([&] { run(network.desc(), options); }).what(),
               "error: the duration must be a positive, finite time, not -1 s");
}

TEST_F(RunErrorTest, UnwritableOutputIsUserError) {
  RunOptions options;
  options.quiet = true;
  options.out = directory.file("missing-dir/out.npz");
  Error error = error_of([&] { run(network.desc(), options); });
  EXPECT_EQ(error.exit_code(), 1);
  EXPECT_EQ(std::string(error.what()), "error: cannot write '" + options.out + "': No such file or directory");
}

} // namespace
} // namespace snn::rt
