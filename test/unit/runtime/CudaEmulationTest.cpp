//===- test/unit/runtime/CudaEmulationTest.cpp - The host emulation -------===//
//
// snn/cuda_device.h compiled as host C++ (SNN_CUDA_EMULATION): launches
// are queued and run, in order, when the host waits; a launch that
// synchronises its blocks runs their threads as fibers, so a kernel
// that exchanges values through __shared__ memory between __syncthreads()
// computes what it would on a GPU; a kernel whose threads part at a barrier
// is stopped with a message.
//
//===----------------------------------------------------------------------===//
#include "snn/cuda_device.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace {

constexpr unsigned kThreads = 8;

/// Each block reverses its part of `in` through shared memory: thread t
/// writes element t and reads element kThreads - 1 - t, written by another
/// thread, so without a barrier the threads before it would read nothing.
__global__ void reverse_blocks(const int *in, int *out, int n) {
  __shared__ int tile[kThreads];
  int i = int(blockIdx.x * blockDim.x + threadIdx.x);
  tile[threadIdx.x] = i < n ? in[i] : -1;
  __syncthreads();
  int j = int(blockIdx.x * blockDim.x + (blockDim.x - 1 - threadIdx.x));
  if (i < n && j < n)
    out[i] = tile[blockDim.x - 1 - threadIdx.x];
}

/// Inclusive prefix sums of each block's part, Hillis-Steele: log2(threads)
/// rounds of two barriers each, every thread reading its neighbours'
/// values of the round before.
__global__ void block_prefix_sums(const int *in, int *out) {
  __shared__ int sums[kThreads];
  unsigned t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
  sums[t] = in[i];
  for (unsigned offset = 1; offset < blockDim.x; offset *= 2) {
    __syncthreads();
    int add = t >= offset ? sums[t - offset] : 0;
    __syncthreads();
    sums[t] += add;
  }
  out[i] = sums[t];
}

__global__ void diverging_barrier(int *out) {
  if (threadIdx.x == 0)
    __syncthreads();
  out[threadIdx.x] = 1;
}

TEST(CudaEmulation, BarriersOrderTheThreadsOfABlock) {
  // The last block is short: its first threads' mirror images are past n.
  const int n = 3 * int(kThreads) - 2;
  std::vector<int> in(n), out(n, 0);
  std::iota(in.begin(), in.end(), 100);
  SNN_LAUNCH_SYNCED(reverse_blocks, dim3(3), kThreads, in.data(), out.data(), n);
  snn_emulated_synchronize();
  for (int i = 0; i < n; ++i) {
    int block = i / int(kThreads), t = i % int(kThreads);
    int mirror = block * int(kThreads) + (int(kThreads) - 1 - t);
    EXPECT_EQ(out[i], mirror < n ? 100 + mirror : 0) << "element " << i;
  }
}

TEST(CudaEmulation, SharedMemoryCarriesValuesAcrossManyBarriers) {
  const unsigned blocks = 2;
  std::vector<int> in(blocks * kThreads), out(in.size());
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = int(i * i % 7) + 1;
  SNN_LAUNCH_SYNCED(block_prefix_sums, dim3(blocks, 2), kThreads, in.data(), out.data());
  snn_emulated_synchronize();
  for (unsigned b = 0; b < blocks; ++b) {
    int sum = 0;
    for (unsigned t = 0; t < kThreads; ++t) {
      sum += in[b * kThreads + t];
      EXPECT_EQ(out[b * kThreads + t], sum) << "block " << b << ", thread " << t;
    }
  }
}

TEST(CudaEmulationDeathTest, ThreadsPartingAtABarrierAreStopped) {
  std::vector<int> out(kThreads);
  EXPECT_DEATH(
      {
        SNN_LAUNCH_SYNCED(diverging_barrier, dim3(1), kThreads, out.data());
        snn_emulated_synchronize();
      },
      "7 of 8 threads of a block ended while the others wait at a barrier");
  EXPECT_DEATH(
      {
        SNN_LAUNCH(diverging_barrier, dim3(1), kThreads, out.data());
        snn_emulated_synchronize();
      },
      "__syncthreads\\(\\) in a kernel not launched by SNN_LAUNCH_SYNCED");
}

/// Adds `value` to every element of `data`.
__global__ void add(int *data, int value) { data[blockIdx.x * blockDim.x + threadIdx.x] += value; }

TEST(CudaEmulation, LaunchesRunInOrderWhenTheHostWaits) {
  // As on a GPU's stream: nothing has run before the wait, the arguments
  // are those of the launch, and the launches run in order.
  std::vector<int> data(2 * kThreads, 1);
  int value = 10;
  SNN_LAUNCH(add, dim3(2), kThreads, data.data(), value);
  value = 100;
  SNN_LAUNCH(add, dim3(2), kThreads, data.data(), value);
  SNN_LAUNCH_SYNCED(block_prefix_sums, dim3(2), kThreads, data.data(), data.data());
  EXPECT_EQ(data[0], 1);
  snn_emulated_synchronize();
  for (unsigned i = 0; i < data.size(); ++i)
    EXPECT_EQ(data[i], int(111 * (i % kThreads + 1))) << "element " << i;
  EXPECT_TRUE(snn_emulated_stream.empty());
}

/// Writes, at the device clock's step, the step plus `offset`.
__global__ void record_clock(int64_t *out, int64_t offset) { out[snn_clock] = snn_clock + offset; }

/// The launches of an entry point for `record_clock`, counting the calls
/// (each capture calls it once; a replay does not).
int launches_made = 0;
void record_clock_launches(snn_state *state) {
  ++launches_made;
  SNN_LAUNCH(record_clock, dim3(1), 1, static_cast<int64_t *>(state->buffers[0]), int64_t(state->first_example));
}

/// A state of one example whose one buffer is `*buffer`.
snn_state one_buffer(void **buffer) {
  snn_state state{};
  state.buffers = buffer;
  state.batch = 1;
  launches_made = 0;
  return state;
}

TEST(CudaEmulation, StepsReplayOneCaptureWithTheClockAdvancing) {
  std::vector<int64_t> out(16, -1);
  void *buffers[1] = {out.data()};
  snn_state state = one_buffer(buffers);
  snn_step_graph graph;
  // Forward steps 0..4: one capture; each replay reads the clock that the
  // step before advanced.
  for (uint64_t step = 0; step < 5; ++step)
    snn_replay(graph, &state, 1, step, 1, record_clock_launches);
  EXPECT_EQ(launches_made, 1);
  EXPECT_EQ(out[0], -1) << "nothing runs before the host waits";
  snn_emulated_synchronize();
  for (int64_t step = 0; step < 5; ++step)
    EXPECT_EQ(out[size_t(step)], step) << "step " << step;
  // A jump (a run resumed from a checkpoint) sets the clock first.
  snn_replay(graph, &state, 1, 9, 1, record_clock_launches);
  snn_emulated_synchronize();
  EXPECT_EQ(out[9], 9);
  EXPECT_EQ(out[5], -1);
  // Another first example is in the launches' arguments: captured again.
  state.first_example = 100;
  snn_replay(graph, &state, 1, 10, 1, record_clock_launches);
  snn_emulated_synchronize();
  EXPECT_EQ(launches_made, 2);
  EXPECT_EQ(out[10], 110);
  // So is another buffer.
  std::vector<int64_t> other(16, -1);
  buffers[0] = other.data();
  snn_replay(graph, &state, 1, 11, 1, record_clock_launches);
  snn_emulated_synchronize();
  EXPECT_EQ(launches_made, 3);
  EXPECT_EQ(other[11], 111);
  EXPECT_EQ(out[11], -1);
}

TEST(CudaEmulation, ReverseStepsReplayWithTheClockGoingBack) {
  std::vector<int64_t> out(8, -1);
  void *buffers[1] = {out.data()};
  snn_state state = one_buffer(buffers);
  snn_step_graph forward, backward;
  for (uint64_t step = 0; step < 4; ++step)
    snn_replay(forward, &state, 1, step, 1, record_clock_launches);
  snn_emulated_synchronize();
  // An entry called once in between (train_end_example at step 0).
  snn_clock_at(0);
  state.first_example = 10;
  for (uint64_t step = 4; step-- > 0;)
    snn_replay(backward, &state, 1, step, -1, record_clock_launches);
  snn_emulated_synchronize();
  EXPECT_EQ(launches_made, 2);
  for (int64_t step = 0; step < 4; ++step)
    EXPECT_EQ(out[size_t(step)], step + 10) << "step " << step;
  EXPECT_EQ(out[4], -1);
}

TEST(CudaGraphs, TheEnvironmentSettingIsZeroOrOne) {
  EXPECT_EQ(snn_cuda_graphs_setting(nullptr), 1);
  EXPECT_EQ(snn_cuda_graphs_setting(""), 1);
  EXPECT_EQ(snn_cuda_graphs_setting("1"), 1);
  EXPECT_EQ(snn_cuda_graphs_setting("0"), 0);
  EXPECT_EQ(snn_cuda_graphs_setting("off"), -1);
  EXPECT_EQ(snn_cuda_graphs_setting("10"), -1);
}

} // namespace
