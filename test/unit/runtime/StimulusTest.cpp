//===- StimulusTest.cpp - Spike-time files and the per-step schedule ------===//

#include "Stimulus.h"

#include "TestEnvironment.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <vector>

namespace snn::rt {
namespace {

std::vector<SpikeEvent> parse(const std::string &text, uint32_t size = 10) {
  return parse_spike_times(text, "spikes.csv", "input", size);
}

/// The message of the error that parsing `text` throws.
std::string error_of(const std::string &text, uint32_t size = 10) {
  try {
    parse(text, size);
  } catch (const Error &error) {
    EXPECT_EQ(error.kind(), Error::Kind::User);
    EXPECT_EQ(error.exit_code(), 1);
    return error.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(StimulusFile, ParsesSpikesCommentsBlankLinesAndHeader) {
  std::vector<SpikeEvent> events = parse("time,neuron\n"
                                         "# a comment\n"
                                         "\n"
                                         "0.5,3\n"
                                         "  1e-3 , 0   # trailing comment\n"
                                         "\t2,9\r\n"
                                         "0,0");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].time, 0.5);
  EXPECT_EQ(events[0].neuron, 3u);
  EXPECT_EQ(events[1].time, 1e-3);
  EXPECT_EQ(events[1].neuron, 0u);
  EXPECT_EQ(events[2].time, 2.0);
  EXPECT_EQ(events[2].neuron, 9u);
  EXPECT_EQ(events[3].time, 0.0);
  EXPECT_EQ(events[3].neuron, 0u);
}

TEST(StimulusFile, HeaderMayFollowComments) { EXPECT_EQ(parse("# spikes\n\ntime , neuron\n1,1\n").size(), 1u); }

TEST(StimulusFile, EmptyFileHasNoSpikes) {
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse("# nothing\n\n").empty());
  EXPECT_TRUE(parse("time,neuron\n").empty());
}

TEST(StimulusFile, HeaderOnlyOnFirstLine) {
  EXPECT_EQ(error_of("1,1\ntime,neuron\n"), "spikes.csv:2:1: error: invalid spike time 'time': expected a "
                                            "number of seconds");
}

TEST(StimulusFile, BadTime) {
  EXPECT_EQ(error_of("0.1,1\nabc,2\n"), "spikes.csv:2:1: error: invalid spike time 'abc': expected a "
                                        "number of seconds");
  EXPECT_EQ(error_of("  1.5x ,2\n"), "spikes.csv:1:3: error: invalid spike time '1.5x': expected a "
                                     "number of seconds");
  EXPECT_EQ(error_of("0x10,2\n"), "spikes.csv:1:1: error: invalid spike time '0x10': expected a "
                                  "number of seconds");
  EXPECT_EQ(error_of(" ,2\n"), "spikes.csv:1:2: error: missing spike time");
}

TEST(StimulusFile, NegativeTime) {
  EXPECT_EQ(error_of("\n\n-0.25,1\n"), "spikes.csv:3:1: error: spike time -0.25 s is negative");
}

TEST(StimulusFile, NonFiniteTime) {
  EXPECT_EQ(error_of("nan,1\n"), "spikes.csv:1:1: error: spike time 'nan' is not a finite number");
  EXPECT_EQ(error_of("1,1\n inf,1\n"), "spikes.csv:2:2: error: spike time 'inf' is not a finite number");
  EXPECT_EQ(error_of("1e999,1\n"), "spikes.csv:1:1: error: spike time '1e999' is not a finite number");
}

TEST(StimulusFile, BadNeuronIndex) {
  EXPECT_EQ(error_of("0.1,x\n"), "spikes.csv:1:5: error: invalid neuron index 'x': expected a "
                                 "non-negative integer");
  EXPECT_EQ(error_of("0.1, -1\n"), "spikes.csv:1:6: error: invalid neuron index '-1': expected a "
                                   "non-negative integer");
  EXPECT_EQ(error_of("0.1,2.0\n"), "spikes.csv:1:5: error: invalid neuron index '2.0': expected a "
                                   "non-negative integer");
  EXPECT_EQ(error_of("0.1,\n"), "spikes.csv:1:5: error: missing neuron index");
}

TEST(StimulusFile, NeuronIndexOutOfRange) {
  EXPECT_EQ(error_of("0.1,10\n"), "spikes.csv:1:5: error: neuron index 10 is out of range: "
                                  "population 'input' has 10 neurons");
  EXPECT_EQ(error_of("0.1,99999999999999999999999\n"), "spikes.csv:1:5: error: neuron index 99999999999999999999999 is "
                                                       "out of range: population 'input' has 10 neurons");
  EXPECT_EQ(parse("0.1,0009\n")[0].neuron, 9u);
}

TEST(StimulusFile, WrongColumnCount) {
  EXPECT_EQ(error_of("0.1\n"), "spikes.csv:1:4: error: expected 2 columns 'time,neuron' but "
                               "found 1");
  EXPECT_EQ(error_of("0.1,2,3\n"), "spikes.csv:1:6: error: expected 2 columns 'time,neuron' but "
                                   "found 3");
  EXPECT_EQ(error_of("0.1 2 # no comma\n"), "spikes.csv:1:6: error: expected 2 columns 'time,neuron' but "
                                            "found 1");
}

TEST(StimulusFile, UnreadableFile) {
  test::ScratchDirectory directory;
  std::string missing = directory.file("missing.csv");
  try {
    read_spike_times(missing, "input", 10);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(error.location(), missing);
    EXPECT_EQ(std::string(error.what()), missing + ": error: cannot open stimulus file: No such file or "
                                                   "directory");
  }
  // A directory opens but cannot be read.
  try {
    read_spike_times(directory.path().string(), "input", 10);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()),
              directory.path().string() + ": error: cannot read stimulus file: Is a directory");
  }
}

TEST(StimulusFile, ReadsFileAndLocatesErrorsInIt) {
  test::ScratchDirectory directory;
  std::string good = directory.write("good.csv", "time,neuron\n0.25,1\n");
  ASSERT_EQ(read_spike_times(good, "input", 2).size(), 1u);
  std::string bad = directory.write("bad.csv", "0.25,1\n0.5,2\n");
  try {
    read_spike_times(bad, "input", 2);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(error.location(), bad + ":2:5");
    EXPECT_EQ(error.message(), "neuron index 2 is out of range: population 'input' has 2 "
                               "neurons");
  }
}

TEST(StimulusSchedule, StepOfTimeIsRobustToRounding) {
  EXPECT_EQ(step_of_time(0.0, 1e-3), 0u);
  EXPECT_EQ(step_of_time(0.003, 1e-3),
            3u); // 0.003 / 0.001 = 2.9999999999999996
  EXPECT_EQ(step_of_time(0.0035, 1e-3), 3u);
  EXPECT_EQ(step_of_time(0.0039999, 1e-3), 3u);
  EXPECT_EQ(step_of_time(0.7, 1e-4), 7000u);
  EXPECT_EQ(step_of_time(1e30, 1e-4), UINT64_MAX);
}

TEST(StimulusSchedule, SetsFlagsOfEachStepAndClearsThemAfter) {
  StimulusSchedule schedule({{0.002, 1}, {0.0, 0}, {0.002, 3}, {0.0025, 1}, {0.005, 2}}, 1e-3);
  // Neuron 1's spikes at 2 and 2.5 ms fall in step 2: one spike.
  EXPECT_EQ(schedule.size(), 4u);
  EXPECT_EQ(schedule.merged(), 1u);
  // A run of 5 steps (0..4) never reaches the spike of step 5.
  EXPECT_EQ(schedule.from_step(5), 1u);
  EXPECT_EQ(schedule.from_step(3), 1u);
  EXPECT_EQ(schedule.from_step(2), 3u);
  EXPECT_EQ(schedule.from_step(6), 0u);
  uint8_t flags[4] = {0, 0, 0, 0};
  auto expect_flags = [&](uint64_t step, std::vector<uint8_t> expected) {
    schedule.apply(step, flags);
    EXPECT_EQ(std::vector<uint8_t>(flags, flags + 4), expected) << "step " << step;
  };
  expect_flags(0, {1, 0, 0, 0});
  expect_flags(1, {0, 0, 0, 0});
  expect_flags(2, {0, 1, 0, 1}); // the duplicate of neuron 1 is harmless
  expect_flags(3, {0, 0, 0, 0});
  expect_flags(4, {0, 0, 0, 0});
  expect_flags(5, {0, 0, 1, 0});
  expect_flags(6, {0, 0, 0, 0});
  // Out of order: found by search.
  expect_flags(2, {0, 1, 0, 1});
  expect_flags(0, {1, 0, 0, 0});
  // Rewound (the caller zeroes the flags) it starts over.
  flags[0] = 0;
  schedule.rewind();
  expect_flags(0, {1, 0, 0, 0});
  expect_flags(1, {0, 0, 0, 0});
}

TEST(StimulusSchedule, EveryCopyOfABatchGetsTheSameFlags) {
  // Three examples of a 3-neuron population, 3 bytes apart; a marker byte
  // that belongs to no copy must stay untouched.
  StimulusSchedule schedule({{0.0, 0}, {0.001, 2}, {0.001, 1}}, 1e-3);
  uint8_t flags[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  schedule.apply(0, flags, 3, 3);
  EXPECT_EQ(std::vector<uint8_t>(flags, flags + 10), (std::vector<uint8_t>{1, 0, 0, 1, 0, 0, 1, 0, 0, 7}));
  schedule.apply(1, flags, 3, 3);
  EXPECT_EQ(std::vector<uint8_t>(flags, flags + 10), (std::vector<uint8_t>{0, 1, 1, 0, 1, 1, 0, 1, 1, 7}));
  schedule.apply(2, flags, 3, 3);
  EXPECT_EQ(std::vector<uint8_t>(flags, flags + 10), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 7}));
}

} // namespace
} // namespace snn::rt

TEST(StimulusBom, ALeadingByteOrderMarkIsIgnored) {
  std::vector<snn::rt::SpikeEvent> events =
      snn::rt::parse_spike_times("\xEF\xBB\xBFtime,neuron\n0.5,1\n", "bom.csv", "in", 3);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].neuron, 1u);
  EXPECT_DOUBLE_EQ(events[0].time, 0.5);
}
