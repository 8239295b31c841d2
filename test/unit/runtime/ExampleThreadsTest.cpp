//===- ExampleThreadsTest.cpp - Entry points split by example -------------===//
//
// ExampleThreads::run calls a batch-separable entry point on contiguous
// groups of examples: each group's state must point its per-example
// buffers at the group's first example, leave shared buffers alone, count
// the group's examples and advance first_example; the groups together must
// cover the batch once. A per-example bit buffer whose examples do not start
// on whole words runs unsplit.
//
//===----------------------------------------------------------------------===//
#include "ExampleThreads.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <mutex>
#include <vector>

namespace snn::rt {
namespace {

constexpr uint64_t kExtent = 5;

struct Call {
  uint32_t batch;
  uint64_t first_example;
};
std::mutex calls_mutex;
std::vector<Call> calls;

/// Writes, for each of its examples b and element i, the global example
/// index into the per-example buffer and counts the shared one's writes
/// (it must see the whole, unshifted shared buffer).
void entry(snn_state *state, uint64_t step) {
  auto *per_example = static_cast<uint32_t *>(state->buffers[0]);
  auto *shared = static_cast<uint32_t *>(state->buffers[1]);
  for (uint32_t b = 0; b < state->batch; ++b)
    for (uint64_t i = 0; i < kExtent; ++i)
      per_example[b * kExtent + i] = uint32_t(state->first_example + b + 100 * step);
  std::lock_guard<std::mutex> lock(calls_mutex);
  calls.push_back({state->batch, state->first_example});
  shared[0] += 1;
}

struct Model {
  std::vector<snn_buffer_desc> buffers{
      {"per_example", "", SNN_ELEM_U32, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_TRAINING, kExtent},
      {"shared", "", SNN_ELEM_U32, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_SHARED, SNN_ROLE_TRAINING, 1},
      {"bits", "", SNN_ELEM_BITS, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_TRAINING, 64}};
  snn_model_desc desc{};
  std::vector<uint32_t> per_example, shared{0};
  std::vector<uint32_t> bits;
  std::vector<void *> pointers;
  std::vector<uint64_t> extents;
  snn_state state{};

  Model(uint32_t batch, uint64_t bit_extent) {
    buffers[2].extent = bit_extent;
    desc.num_buffers = uint32_t(buffers.size());
    desc.buffers = buffers.data();
    per_example.assign(batch * kExtent, 0);
    bits.assign(batch * (bit_extent + 31) / 32 + 1, 0);
    pointers = {per_example.data(), shared.data(), bits.data()};
    extents = {kExtent, 1, bit_extent};
    state.buffers = pointers.data();
    state.extents = extents.data();
    state.batch = batch;
    state.first_example = 40;
  }
};

TEST(ExampleThreads, GroupsCoverTheBatchOnceWithShiftedPerExampleBuffers) {
  Model m(7, 64);
  ExampleThreads threads(m.desc);
  threads.set_threads(3);
  EXPECT_EQ(threads.threads(), 3u);
  calls.clear();
  threads.run(entry, &m.state, 2);
  ASSERT_EQ(calls.size(), 3u);
  std::vector<Call> sorted = calls;
  std::sort(sorted.begin(), sorted.end(),
            [](const Call &a, const Call &b) { return a.first_example < b.first_example; });
  // 7 examples over 3 threads: 3, 2, 2, from example 40 on.
  EXPECT_EQ(sorted[0].batch, 3u);
  EXPECT_EQ(sorted[0].first_example, 40u);
  EXPECT_EQ(sorted[1].batch, 2u);
  EXPECT_EQ(sorted[1].first_example, 43u);
  EXPECT_EQ(sorted[2].batch, 2u);
  EXPECT_EQ(sorted[2].first_example, 45u);
  for (uint32_t b = 0; b < 7; ++b)
    for (uint64_t i = 0; i < kExtent; ++i)
      EXPECT_EQ(m.per_example[b * kExtent + i], 40 + b + 200) << "example " << b;
  EXPECT_EQ(m.shared[0], 3u);
  // Again, and with fewer examples than threads: one group per example.
  calls.clear();
  Model small(2, 64);
  threads.run(entry, &small.state, 0);
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_EQ(small.per_example[kExtent], 41u);
}

TEST(ExampleThreads, OneThreadOrMisalignedBitsRunUnsplit) {
  Model m(6, 64);
  ExampleThreads threads(m.desc);
  calls.clear();
  threads.run(entry, &m.state, 0);
  EXPECT_EQ(calls.size(), 1u);
  Model odd(6, 33);
  ExampleThreads split(odd.desc);
  split.set_threads(2);
  calls.clear();
  split.run(entry, &odd.state, 0);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].batch, 6u);
  split.set_threads(1);
  EXPECT_EQ(split.threads(), 1u);
}

} // namespace
} // namespace snn::rt
