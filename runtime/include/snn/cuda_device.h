/*===- snn/cuda_device.h - What snnc's printed CUDA code includes ---------===*
 *
 * The CUDA target prints one translation unit per model (kernels and entry
 * points, backends/cuda/CudaSource.h) that includes this header only. With
 * nvcc it is CUDA; with a C++ compiler and SNN_CUDA_EMULATION defined, the
 * same text runs on the host: every launch runs its blocks and threads one
 * after another, in increasing order (y, then x, then the thread), and the
 * atomics are plain read-modify-writes. The emulation exists to test the
 * printed kernels against the CPU backend on machines without a GPU.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SNN_CUDA_DEVICE_H
#define SNN_CUDA_DEVICE_H

#include <math.h>
#include <stdint.h>

#include "snn/model_abi.h"

#ifdef SNN_CUDA_EMULATION

#define __global__
#define __device__
#define __host__

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct snn_index3 {
  unsigned x = 0, y = 0, z = 0;
};
inline thread_local snn_index3 threadIdx, blockIdx;
inline thread_local dim3 blockDim, gridDim;

/** Runs `kernel` (a call of the kernel with its arguments) once per thread
    of `grid` x `block`, in order. */
template <typename F> void snn_emulate_launch(dim3 grid, dim3 block, F &&kernel) {
  gridDim = grid;
  blockDim = block;
  for (unsigned y = 0; y < grid.y; ++y)
    for (unsigned x = 0; x < grid.x; ++x)
      for (unsigned t = 0; t < block.x; ++t) {
        blockIdx.x = x;
        blockIdx.y = y;
        threadIdx.x = t;
        kernel();
      }
}

template <typename T> T atomicAdd(T *address, T value) {
  T old = *address;
  *address = old + value;
  return old;
}
inline uint32_t atomicOr(uint32_t *address, uint32_t bits) {
  uint32_t old = *address;
  *address = old | bits;
  return old;
}
inline uint32_t atomicAnd(uint32_t *address, uint32_t bits) {
  uint32_t old = *address;
  *address = old & bits;
  return old;
}

#define SNN_LAUNCH(kernel, grid, threads, ...) snn_emulate_launch(grid, dim3(threads), [&] { kernel(__VA_ARGS__); })

#else /* CUDA */

#include <cuda_runtime.h>

#define SNN_LAUNCH(kernel, grid, threads, ...) kernel<<<grid, threads>>>(__VA_ARGS__)

#endif

#include "snn/philox.h"

/** The grid of a launch: `blocks` on x, and `examples` on y up to CUDA's
    65535 (each kernel strides over the rest). */
static inline dim3 snn_grid(int64_t blocks, int64_t examples) {
  return dim3((unsigned)blocks, (unsigned)(examples < 65535 ? examples : 65535), 1);
}

/** Sets (or clears) bit `index` of packed words: atomic, since neighbouring
    threads share a word. */
static inline __device__ void snn_store_bit(uint32_t *words, int64_t index, bool value) {
  uint32_t mask = 1u << (index & 31);
  if (value)
    atomicOr(&words[index >> 5], mask);
  else
    atomicAnd(&words[index >> 5], ~mask);
}

/** Philox4x32-10 of one counter block under `key`, as snn_philox4x32. */
static inline __device__ void snn_philox4x32_words(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                                                   uint32_t k1, uint32_t out[4]) {
  const uint32_t counter[4] = {c0, c1, c2, c3};
  const uint32_t key[2] = {k0, k1};
  snn_philox4x32(counter, key, out);
}

#endif /* SNN_CUDA_DEVICE_H */
