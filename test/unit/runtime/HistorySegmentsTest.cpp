//===- test/unit/runtime/HistorySegmentsTest.cpp - Segmented histories -----===//
//
// choose_history_steps against sizes worked out by hand, history_memory on
// a small descriptor, and SegmentCheckpoints copying exactly the segment
// buffers out and back.
//
//===----------------------------------------------------------------------===//
#include "HistorySegments.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <vector>

namespace snn::rt {
namespace {

TEST(HistorySegments, RequestedStepsWinUpToTheExample) {
  HistoryMemory memory{10, 30, 100};
  EXPECT_EQ(choose_history_steps(100, 7, memory, 0), 7u);
  EXPECT_EQ(choose_history_steps(100, 250, memory, 0), 100u);
}

TEST(HistorySegments, EveryStepWhenItFits) {
  HistoryMemory memory{10, 30, 100};
  // 100 + 100 x 10 = 1100 bytes.
  EXPECT_EQ(choose_history_steps(100, 0, memory, 1100), 100u);
  EXPECT_EQ(choose_history_steps(100, 0, memory, std::numeric_limits<double>::infinity()), 100u);
}

TEST(HistorySegments, OtherwiseTheLongestSegmentsThatFit) {
  HistoryMemory memory{10, 30, 100};
  // Budget 600: 10 S + 30 ceil(100 / S) <= 500. S in 50..99 (2 segments)
  // needs 10 S + 60 <= 500, S <= 44: none; S in 34..49 (3 segments)
  // needs 10 S + 90 <= 500: S = 41.
  EXPECT_EQ(choose_history_steps(100, 0, memory, 600), 41u);
  // Budget 1099: S in 50..99, 10 S + 60 <= 999: S = 93.
  EXPECT_EQ(choose_history_steps(100, 0, memory, 1099), 93u);
}

TEST(HistorySegments, NothingFitsIsAnErrorWithARemedy) {
  HistoryMemory memory{10, 30, 100};
  // The least is S = 17 or 20: 100 + 170 + 6 x 30 = 100 + 200 + 5 x 30 =
  // 450 bytes (S = 15: 460, S = 25: 470).
  try {
    choose_history_steps(100, 0, memory, 150);
    FAIL() << "expected an Error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("at least 450 bytes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("smaller --batch"), std::string::npos) << e.what();
  }
  EXPECT_THROW(choose_history_steps(1, 0, memory, 50), Error);
}

/// Two per-example real buffers and a shared one; a history; the
/// checkpoint holds buffers 0 and 2.
struct SmallModel {
  snn_buffer_desc buffers[4] = {
      {"a", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STATE, 3},
      {"b", "1", SNN_ELEM_F32, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STATE, 5},
      {"c", "1", SNN_ELEM_U8, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_SHARED, SNN_ROLE_RUNNING, 6},
      {"h", "1", SNN_ELEM_F32, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_HISTORY, 4}};
  uint32_t segment[2] = {0, 2};
  snn_training_desc training{};
  snn_model_desc model{};
  SmallModel() {
    training.backward_pass = 1;
    training.num_segment_buffers = 2;
    training.segment_buffers = segment;
    model.num_buffers = 4;
    model.buffers = buffers;
    model.training = &training;
  }
};

TEST(HistorySegments, MemoryOfABatch) {
  SmallModel m;
  HistoryMemory memory = history_memory(m.model, 2);
  EXPECT_DOUBLE_EQ(memory.per_step, 2 * 4 * 4);
  EXPECT_DOUBLE_EQ(memory.checkpoint, 2 * 3 * 8 + 6);
  EXPECT_DOUBLE_EQ(memory.other, 2 * 3 * 8 + 2 * 5 * 4 + 6);
}

TEST(HistorySegments, CheckpointsCopyTheSegmentBuffersOnly) {
  SmallModel m;
  std::vector<double> a(6);
  std::vector<float> b(10);
  std::vector<uint8_t> c(6);
  std::vector<float> h(8);
  void *buffers[4] = {a.data(), b.data(), c.data(), h.data()};
  uint64_t extents[4] = {3, 5, 6, 4};
  snn_state state{buffers, extents, 2, 0, 1};
  SegmentCheckpoints checkpoints(m.model, state, 2, 2);
  EXPECT_EQ(checkpoints.bytes_per_copy(), 2u * 3 * 8 + 6);
  auto fill = [&](double base) {
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = base + double(i);
    for (size_t i = 0; i < b.size(); ++i)
      b[i] = float(base) + float(i);
    for (size_t i = 0; i < c.size(); ++i)
      c[i] = uint8_t(base + double(i));
  };
  fill(1);
  checkpoints.save(state, 0, 0, 2);
  fill(50);
  checkpoints.save(state, 1, 0, 2);
  fill(100);
  checkpoints.restore(state, 0, 0, 2);
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[5], 6);
  EXPECT_EQ(c[5], 6);
  EXPECT_EQ(b[0], 100); // not a segment buffer: untouched
  checkpoints.restore(state, 1, 0, 2);
  EXPECT_EQ(a[5], 55);
  EXPECT_EQ(c[0], 50);
  // Example 1 alone: a[3..5] back from copy 0; example 0 and the shared
  // buffer c (only with example 0) keep copy 1's values.
  checkpoints.restore(state, 0, 1, 1);
  EXPECT_EQ(a[2], 52);
  EXPECT_EQ(a[3], 4);
  EXPECT_EQ(c[0], 50);
}

TEST(HistorySegments, SegmentCount) {
  EXPECT_EQ(segment_count(40, 7), 6u);
  EXPECT_EQ(segment_count(40, 20), 2u);
  EXPECT_EQ(segment_count(40, 40), 1u);
  EXPECT_EQ(segment_count(40, 1), 40u);
}

} // namespace
} // namespace snn::rt
