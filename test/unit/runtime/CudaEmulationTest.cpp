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

} // namespace
