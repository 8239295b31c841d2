//===- ModelDescriptionTest.cpp - Checks of descriptors and memory --------===//
//
// A descriptor that contradicts itself is a compiler bug (internal error,
// exit 70); a network or batch too large for the machine is the user's to
// fix (error, exit 1), and must be refused before anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "TestEnvironment.h"
#include "TestHelpers.h"
#include "TestNetwork.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include <unistd.h>

namespace snn::rt {
namespace {

using test::error_of;
using test::ScratchDirectory;
using test::TestNetwork;

class ModelDescriptionTest : public ::testing::Test {
protected:
  /// The message of the internal error that building the network throws.
  std::string internal_error() {
    Error error = error_of([&] { Simulation(network.desc(), 1); });
    EXPECT_EQ(error.kind(), Error::Kind::Internal) << error.what();
    EXPECT_EQ(error.exit_code(), 70);
    return error.what();
  }

  ScratchDirectory directory;
  TestNetwork network{snn_test_model_f64(), directory};
};

const std::string kMalformed = "internal error: malformed model descriptor: ";

TEST_F(ModelDescriptionTest, BufferIndexOutOfRange) {
  network.populations()[0].spiked = 99;
  EXPECT_EQ(internal_error(), kMalformed + "population 'in': spike flags is buffer 99 of 10");
}

TEST_F(ModelDescriptionTest, BufferOfAnotherPopulation) {
  network.populations()[0].spiked = TEST_OUT_SPIKED;
  EXPECT_EQ(internal_error(), kMalformed + "population 'in': spike flags is buffer 'out.spiked' (role spiked, "
                                           "neuron scope of 1, per example); expected role spiked, neuron scope "
                                           "of 0, per example");
}

TEST_F(ModelDescriptionTest, BufferNamedTwice) {
  network.populations()[0].stimulus = TEST_IN_SPIKED;
  EXPECT_EQ(internal_error(),
            kMalformed + "population 'in': stimulus flags is buffer 'in.spiked', which is named twice");
}

TEST_F(ModelDescriptionTest, SharedWeightsAreRequired) {
  network.buffers()[TEST_WEIGHT].batch = SNN_BATCH_PER_EXAMPLE;
  EXPECT_EQ(internal_error(), kMalformed + "buffer 'in -> out.i.weight' with role weight is float64, synapse scope, "
                                           "per example; expected float64, synapse scope, shared");
}

TEST_F(ModelDescriptionTest, NeuronExtentMustBeThePopulationSize) {
  network.buffers()[TEST_IN_V].extent = 4;
  EXPECT_EQ(internal_error(), kMalformed + "buffer 'in.v' has extent 4 but its neuron scope has 3 elements");
  network.buffers()[TEST_IN_V].extent = 3;
  network.buffers()[TEST_ROW_START].extent = 3;
  EXPECT_EQ(internal_error(),
            kMalformed + "buffer 'in -> out.i.row_start' has extent 3 but its row scope has 4 elements");
}

TEST_F(ModelDescriptionTest, UnknownEnumerators) {
  network.buffers()[TEST_OUT_U].type = 6;
  EXPECT_EQ(internal_error(), kMalformed + "buffer 'out.u' has element type 6");
  network.buffers()[TEST_OUT_U].type = SNN_ELEM_F64;
  network.buffers()[TEST_OUT_U].scope = 9;
  EXPECT_EQ(internal_error(), kMalformed + "buffer 'out.u' has scope 9");
}

TEST_F(ModelDescriptionTest, StateRecordMustNameAStateBuffer) {
  network.records()[1].buffer = TEST_OUT_I; // an input, not a state
  EXPECT_EQ(internal_error(), kMalformed + "record 1 records buffer 3, which is no state variable of 'out'");
  network.records()[1].buffer = TEST_OUT_V;
  network.records()[0].buffer = 0;
  EXPECT_EQ(internal_error(), kMalformed + "record 0 records spikes or a rate but names buffer 0");
}

TEST_F(ModelDescriptionTest, EntryPoints) {
  network.entries().pop_back();
  EXPECT_EQ(internal_error(), kMalformed + "entry point 'step' is missing");
  network.entries() = {{"init", nullptr, 0}};
  EXPECT_EQ(internal_error(), kMalformed + "entry point 'init' is missing");
  network.entries() = {{"x", nullptr, 0}, {"x", nullptr, 0}};
  EXPECT_EQ(internal_error(), kMalformed + "two entry points are called 'x'");
}

TEST_F(ModelDescriptionTest, UnknownEntriesAreAllowed) {
  // A newer compiler may add entries (end_example, backward, ...) that this
  // runtime does not call.
  network.entries().push_back({"backward", nullptr, 0});
  Simulation simulation(network.desc(), 42);
  simulation.init();
  simulation.advance(10);
  EXPECT_EQ(simulation.spike_count("out"), 2u);
}

TEST_F(ModelDescriptionTest, StimulusNeedsAStimulusBuffer) {
  network.populations()[0].stimulus = SNN_NO_BUFFER;
  EXPECT_EQ(internal_error(), kMalformed + "stimulus 0 drives population 'in', which has no stimulus buffer");
}

TEST_F(ModelDescriptionTest, DefaultBatchMustBeValid) {
  network.desc().default_batch = 0;
  EXPECT_EQ(internal_error(), kMalformed + "default batch 0 is not in 1..1048576");
}

double physical_memory() { return double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGE_SIZE)); }

TEST_F(ModelDescriptionTest, SharedBuffersBeyondMemoryAreRefusedBeforeAllocating) {
  // 2^60 doubles: 8 EiB. Allocating would throw bad_alloc, not this Error.
  network.buffers().push_back(
      {"huge", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_SHARED, SNN_ROLE_STATE, uint64_t(1) << 60});
  Error error = error_of([&] { Simulation(network.desc(), 1); });
  EXPECT_EQ(error.kind(), Error::Kind::User);
  std::string message = error.what();
  EXPECT_EQ(message.rfind("error: the model needs 8 EiB of memory for a batch of 1 example but this machine has ", 0),
            0u)
      << message;
  std::string tail = "; its shared buffers alone need 8 EiB, so no batch size fits";
  ASSERT_GE(message.size(), tail.size());
  EXPECT_EQ(message.substr(message.size() - tail.size()), tail) << message;
}

TEST_F(ModelDescriptionTest, BatchBeyondMemorySuggestsWhatFits) {
  // One GiB per example, plus what the test model needs: 80 bytes per
  // example (4 x 2-or-3 doubles, 3 x 2-or-3 flags) and 88 shared bytes
  // (4 row starts, 6 targets, 6 weights).
  const uint64_t per_example = (uint64_t(1) << 30) + 80, shared = 88;
  network.buffers().push_back(
      {"big", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STATE, uint64_t(1) << 27});
  RunOptions options;
  options.batch = SNN_MAX_BATCH; // 1 PiB
  Error error = error_of([&] { run(network.desc(), options); });
  EXPECT_EQ(error.exit_code(), 1);
  std::string message = error.what();
  EXPECT_EQ(
      message.rfind("error: the model needs 1 PiB of memory for a batch of 1048576 examples but this machine has ", 0),
      0u)
      << message;
  uint64_t fit = uint64_t((physical_memory() - shared) / per_example);
  std::string tail = "; use a smaller --batch (at most " + std::to_string(fit) + " fit)";
  ASSERT_GE(message.size(), tail.size());
  EXPECT_EQ(message.substr(message.size() - tail.size()), tail) << message;
}

// A device's spike blocks (lower/SpikeBlocks.h): a power of two of steps,
// a block per population, rows of whole words.
TEST_F(ModelDescriptionTest, SpikeBlocks) {
  auto block = [&](const char *name, uint32_t owner, uint64_t extent) {
    network.buffers().push_back(
        {name, "", SNN_ELEM_BITS, SNN_SCOPE_GLOBAL, owner, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_SPIKE_BLOCK, extent});
    return uint32_t(network.buffers().size() - 1);
  };
  network.populations()[0].spike_block = block("in.spike_block", 0, 4 * 32);
  network.populations()[1].spike_block = block("out.spike_block", 1, 4 * 32);
  network.desc().spike_block_steps = 4;
  EXPECT_EQ(internal_error(), kMalformed + "spike blocks on the CPU, which reads the spike flags every step");
  static const snn_device_desc device = {
      "host",
      [](uint64_t bytes, char *, uint64_t) { return std::calloc(1, bytes ? bytes : 1); },
      std::free,
      [](char *, uint64_t) { return 0; },
      nullptr,
      nullptr,
      [](void *, uint64_t, const void *, uint64_t, uint64_t, uint64_t, char *, uint64_t) { return 0; },
      [](uint64_t bytes, char *, uint64_t) { return std::calloc(1, bytes ? bytes : 1); },
      std::free};
  network.desc().device = &device;
  network.desc().spike_block_steps = 3;
  EXPECT_EQ(internal_error(), kMalformed + "spike blocks of 3 steps, not a power of two");
  network.desc().spike_block_steps = 8;
  EXPECT_EQ(internal_error(), kMalformed + "population 'in': its spike block does not hold 8 rows of whole words");
  network.desc().spike_block_steps = 4;
  network.populations()[1].spike_block = network.populations()[0].spike_block;
  EXPECT_EQ(internal_error(),
            kMalformed + "population 'out': spike block is buffer 'in.spike_block', which is named twice");
  network.desc().spike_block_steps = 0; // the CPU: no blocks, whatever the populations name
  Simulation(network.desc(), 1);
}

TEST_F(ModelDescriptionTest, BitBuffersArePackedIntoWords) {
  // 3 bits per example x 11 examples = 33 bits: two words, not 11 bytes.
  network.buffers().push_back(
      {"in.mask", "", SNN_ELEM_BITS, SNN_SCOPE_NEURON, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STATE, 3});
  std::vector<snn_variable_desc> vars = {{"v", TEST_IN_V, 0, nullptr, nullptr},
                                         {"mask", TEST_NUM_BUFFERS, 1, nullptr, nullptr}};
  network.populations()[0].state_vars = vars.data();
  network.populations()[0].num_state_vars = 2;
  Simulation simulation(network.desc(), 1, 11);
  simulation.init();
  simulation.write("in", "mask", {1, 0, 1}, 10); // bits 30 and 32
  const uint32_t *words = static_cast<const uint32_t *>(simulation.state().buffers[TEST_NUM_BUFFERS]);
  EXPECT_EQ(words[0], 1u << 30);
  EXPECT_EQ(words[1], 1u);
  EXPECT_EQ(simulation.read("in", "mask", 10), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(simulation.read("in", "mask", 9), (std::vector<double>{0, 0, 0}));
}

} // namespace
} // namespace snn::rt
