/*===- snn/cuda_device.h - What snnc's printed CUDA code includes ---------===*
 *
 * The CUDA target prints one translation unit per model (kernels and entry
 * points, backends/cuda/CudaSource.h) that includes this header only. With
 * nvcc it is CUDA; with a C++ compiler and SNN_CUDA_EMULATION defined, the
 * same text runs on the host. A launch is queued, as on a GPU's stream, and
 * runs when the runtime waits for the device (snn_emulated_synchronize, the
 * emulated device's finish), so host code that reads a buffer without
 * waiting reads it stale, as it could on a GPU. A launch runs its blocks
 * and threads one after another, in increasing order (y, then x, then the
 * thread), and the atomics are plain read-modify-writes. A kernel that
 * synchronises its
 * block (__syncthreads, launched by SNN_LAUNCH_SYNCED) runs each thread of
 * a block as a fiber of its own: each runs up to the barrier in turn, then
 * each on to the next, and __shared__ arrays are one per host thread. The
 * emulation exists to test the printed kernels against the CPU backend on
 * machines without a GPU.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SNN_CUDA_DEVICE_H
#define SNN_CUDA_DEVICE_H

#include <math.h>
#include <stdint.h>

#include "snn/model_abi.h"

#ifdef SNN_CUDA_EMULATION

#include <ucontext.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#define __global__
#define __device__
#define __host__
/* One copy per host thread, shared by the fibers of the block it runs. */
#define __shared__ static thread_local

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

/* A fiber: a stack of its own and where it stopped. On x86-64 it switches
   by saving the callee-saved registers on its stack (about 20 ns there and
   back; the kernels change neither MXCSR nor the x87 control word, so they
   are not saved); elsewhere, and under AddressSanitizer (which follows
   swapcontext's stacks), by ucontext, whose signal-mask system call costs
   microseconds. The switch is defined weak in every file that includes
   this header (one per model), so the linker keeps one. */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SNN_FIBER_STACK_SWITCH 1
extern "C" void snn_fiber_switch_stacks(void **save_sp, void *load_sp);
/* Pushes rbp, rbx, r12-r15 and the return address on the running stack,
   saves its pointer in *save_sp, and pops the same from load_sp's. */
__asm__(".pushsection .text\n"
        ".weak snn_fiber_switch_stacks\n"
        ".type snn_fiber_switch_stacks,@function\n"
        "snn_fiber_switch_stacks:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rdi)\n  movq %rsi, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size snn_fiber_switch_stacks, .-snn_fiber_switch_stacks\n"
        ".popsection\n");
struct snn_fiber {
  void *sp = nullptr;
};
/** Makes `fiber` run `entry` on `stack` when first switched to; `entry`
    never returns (it switches away for the last time). */
inline void snn_fiber_prepare(snn_fiber &fiber, char *stack, size_t bytes, void (*entry)()) {
  void **sp = reinterpret_cast<void **>(reinterpret_cast<uintptr_t>(stack + bytes) & ~uintptr_t(15));
  *--sp = nullptr;                         /* entry's return address: it never returns */
  *--sp = reinterpret_cast<void *>(entry); /* where the first switch returns to */
  for (int r = 0; r < 6; ++r)
    *--sp = nullptr; /* rbp, rbx, r12-r15 */
  fiber.sp = sp;
}
inline void snn_fiber_switch(snn_fiber &from, snn_fiber &to) { snn_fiber_switch_stacks(&from.sp, to.sp); }
#else
struct snn_fiber {
  ucontext_t context;
};
inline void snn_fiber_prepare(snn_fiber &fiber, char *stack, size_t bytes, void (*entry)()) {
  getcontext(&fiber.context);
  fiber.context.uc_stack.ss_sp = stack;
  fiber.context.uc_stack.ss_size = bytes;
  fiber.context.uc_link = nullptr;
  makecontext(&fiber.context, entry, 0);
}
inline void snn_fiber_switch(snn_fiber &from, snn_fiber &to) { swapcontext(&from.context, &to.context); }
#endif

/** The threads of the block a synchronised launch is running, as fibers:
    each runs the kernel on a stack of its own and comes back to the block
    at each __syncthreads() and at its end. */
struct snn_emulated_block {
  static constexpr size_t kStackBytes = 256 * 1024;
  std::vector<snn_fiber> fibers;
  std::vector<char> finished;
  std::unique_ptr<char[]> stacks;
  size_t stack_threads = 0;
  snn_fiber block;
  unsigned current = 0;
  const std::function<void()> *kernel = nullptr;
};
/* The host thread's block (its stacks are reused by every launch) and, while
   a synchronised launch runs, a pointer to it. */
inline thread_local snn_emulated_block snn_emulated_block_state;
inline thread_local snn_emulated_block *snn_running_block = nullptr;

[[noreturn]] inline void snn_emulated_fiber() {
  snn_emulated_block &block = *snn_running_block;
  (*block.kernel)();
  block.finished[block.current] = 1;
  snn_fiber_switch(block.fibers[block.current], block.block);
  std::abort(); /* a finished fiber is never resumed */
}

/** A thread's barrier: back to the block, which resumes the thread when
    every thread of the block has reached it. */
inline void __syncthreads() {
  snn_emulated_block *block = snn_running_block;
  if (!block) {
    std::fprintf(stderr, "snn CUDA emulation: __syncthreads() in a kernel not launched by SNN_LAUNCH_SYNCED\n");
    std::abort();
  }
  snn_fiber_switch(block->fibers[block->current], block->block);
}

/** Runs one block of a synchronised launch: every thread up to its next
    barrier (or its end), in thread order, until all have ended. Threads
    that part at a barrier, some ending while others wait (one passing more
    barriers than another comes to that), are a bug of the kernel
    (undefined on a GPU): it aborts. */
inline void snn_emulate_block(snn_emulated_block &block, unsigned threads) {
  if (block.stack_threads < threads) {
    block.stacks.reset(new char[threads * snn_emulated_block::kStackBytes]);
    block.stack_threads = threads;
  }
  block.fibers.assign(threads, snn_fiber());
  block.finished.assign(threads, 0);
  for (unsigned t = 0; t < threads; ++t)
    snn_fiber_prepare(block.fibers[t], block.stacks.get() + size_t(t) * snn_emulated_block::kStackBytes,
                      snn_emulated_block::kStackBytes, snn_emulated_fiber);
  for (bool running = true; running;) {
    for (unsigned t = 0; t < threads; ++t) {
      block.current = t;
      threadIdx.x = t;
      snn_fiber_switch(block.block, block.fibers[t]);
    }
    unsigned ended = 0;
    for (unsigned t = 0; t < threads; ++t)
      ended += block.finished[t] ? 1 : 0;
    if (ended != 0 && ended != threads) {
      std::fprintf(stderr, "snn CUDA emulation: %u of %u threads of a block ended while the others wait at a barrier\n",
                   ended, threads);
      std::abort();
    }
    running = ended == 0;
  }
}

/** As snn_emulate_launch, for a kernel that synchronises its blocks. */
template <typename F> void snn_emulate_synced_launch(dim3 grid, dim3 block, F &&kernel) {
  snn_emulated_block &state = snn_emulated_block_state;
  const std::function<void()> call = kernel;
  state.kernel = &call;
  gridDim = grid;
  blockDim = block;
  snn_running_block = &state;
  for (unsigned y = 0; y < grid.y; ++y)
    for (unsigned x = 0; x < grid.x; ++x) {
      blockIdx.x = x;
      blockIdx.y = y;
      snn_emulate_block(state, block.x);
    }
  snn_running_block = nullptr;
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

/* The launches queued and not yet run, in order: the emulated device's one
   stream. Models on a device are driven from one host thread. */
inline std::vector<std::function<void()>> snn_emulated_stream;
/* Where launches go: the stream, or while a step is captured (snn_replay),
   the emulated graph's launches. */
inline std::vector<std::function<void()>> *snn_emulated_queue = &snn_emulated_stream;

/** Queues a launch of `kernel` with `args` as they are now (by value, as
    CUDA copies a launch's arguments, and as a CUDA graph keeps those of the
    launches it captured). */
template <typename K, typename... A>
void snn_emulated_enqueue(bool synced, dim3 grid, dim3 block, K kernel, A... args) {
  snn_emulated_queue->push_back([=] {
    if (synced)
      snn_emulate_synced_launch(grid, block, [&] { kernel(args...); });
    else
      snn_emulate_launch(grid, block, [&] { kernel(args...); });
  });
}

/** Runs every queued launch, in order (cudaStreamSynchronize). */
inline void snn_emulated_synchronize() {
  std::vector<std::function<void()>> queued;
  queued.swap(snn_emulated_stream);
  for (const std::function<void()> &launch : queued)
    launch();
}

#define SNN_LAUNCH(kernel, grid, threads, ...) snn_emulated_enqueue(false, grid, dim3(threads), kernel, __VA_ARGS__)
#define SNN_LAUNCH_SYNCED(kernel, grid, threads, ...)                                                                  \
  snn_emulated_enqueue(true, grid, dim3(threads), kernel, __VA_ARGS__)

#else /* CUDA */

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <vector>

/* The stream launches go to: the legacy default stream (0), where the
   runtime's copies and waits are, or while a step is captured (snn_replay)
   the capture stream. */
static cudaStream_t snn_launch_stream = 0;

#define SNN_LAUNCH(kernel, grid, threads, ...) kernel<<<grid, threads, 0, snn_launch_stream>>>(__VA_ARGS__)
#define SNN_LAUNCH_SYNCED(kernel, grid, threads, ...) kernel<<<grid, threads, 0, snn_launch_stream>>>(__VA_ARGS__)

#endif

#include "snn/cuda_graphs.h"

#include "snn/philox.h"

/** The grid of a launch: `blocks` on x, and `examples` on y up to CUDA's
    65535 (each kernel strides over the rest). */
static inline dim3 snn_grid(int64_t blocks, int64_t examples) {
  return dim3((unsigned)blocks, (unsigned)(examples < 65535 ? examples : 65535), 1);
}

/* The step the kernels take (the Program's `step`, and `t` = step * dt), in
   device memory rather than in each launch's arguments, so that a step's
   launches, captured once as a CUDA graph, replay at every step. The host
   knows the value the clock will have once the work queued so far has run
   (snn_clock_queued) and queues a change only where an entry point's step
   differs from it; a replayed step advances it by its stride, so the steps
   of a run, forward or backward, never set it. One per model (a file of
   its own), on the one stream a model's entry points use. */
static __device__ int64_t snn_clock;
static __global__ void snn_set_clock(int64_t step) { snn_clock = step; }
static __global__ void snn_advance_clock(int64_t stride) { snn_clock += stride; }
static int64_t snn_clock_queued = INT64_MIN; /* unknown */

/** Queues the clock's change to `step`, unless it will be `step` anyway. */
static inline void snn_clock_at(uint64_t step) {
  if (snn_clock_queued != (int64_t)step)
    SNN_LAUNCH(snn_set_clock, snn_grid(1, 1), 1, (int64_t)step);
  snn_clock_queued = (int64_t)step;
}

/** The launches of an entry point, for the state given. */
typedef void (*snn_launches_fn)(snn_state *state);

/** An entry point that the runtime calls at consecutive steps (`step`,
    `train_step`, `train_backward`): its launches and the clock's advance,
    captured for one state (its buffers, batch, first example and seed, all
    in the launches' arguments) and replayed while the state is the same. */
struct snn_step_graph {
  bool made = false;
  std::vector<void *> buffers;
  uint32_t batch = 0;
  uint64_t first_example = 0, seed = 0;
#ifdef SNN_CUDA_EMULATION
  std::vector<std::function<void()>> launches;
#else
  cudaStream_t capture = nullptr;
  cudaGraphExec_t exec = nullptr;
#endif
};

static inline bool snn_step_graph_fits(const snn_step_graph &g, const snn_state *state, uint32_t num_buffers) {
  return g.made && g.batch == state->batch && g.first_example == state->first_example && g.seed == state->seed &&
         g.buffers.size() == num_buffers && std::equal(g.buffers.begin(), g.buffers.end(), state->buffers);
}

static inline void snn_step_graph_keep(snn_step_graph &g, const snn_state *state, uint32_t num_buffers) {
  g.buffers.assign(state->buffers, state->buffers + num_buffers);
  g.batch = state->batch;
  g.first_example = state->first_example;
  g.seed = state->seed;
  g.made = true;
}

#ifdef SNN_CUDA_EMULATION
static inline bool snn_capture(snn_step_graph &g, snn_state *state, uint32_t num_buffers, int64_t stride,
                               snn_launches_fn launches) {
  g.launches.clear();
  snn_emulated_queue = &g.launches;
  launches(state);
  SNN_LAUNCH(snn_advance_clock, snn_grid(1, 1), 1, stride);
  snn_emulated_queue = &snn_emulated_stream;
  snn_step_graph_keep(g, state, num_buffers);
  return true;
}

static inline bool snn_launch_graph(const snn_step_graph &g) {
  snn_emulated_stream.insert(snn_emulated_stream.end(), g.launches.begin(), g.launches.end());
  return true;
}

static inline bool snn_graphs_usable() { return true; }
#else
/* Set when the CUDA runtime would not capture, make or launch a graph:
   steps then launch their kernels one by one, with the same results. */
static bool snn_graphs_failed = false;

/** Whether `status` says that graphs cannot be used here, rather than that
    the run failed (an earlier kernel's fault, which the graph functions may
    return too, or memory): only then do steps go on without graphs. */
static inline bool snn_graphs_unsupported(cudaError_t status) {
  switch (status) {
  case cudaErrorNotSupported:
  case cudaErrorStreamCaptureUnsupported:
  case cudaErrorStreamCaptureInvalidated:
  case cudaErrorStreamCaptureMerge:
  case cudaErrorStreamCaptureUnmatched:
  case cudaErrorStreamCaptureUnjoined:
  case cudaErrorStreamCaptureIsolation:
  case cudaErrorStreamCaptureImplicit:
  case cudaErrorStreamCaptureWrongThread:
  case cudaErrorCapturedEvent:
    return true;
  default:
    return false;
  }
}

/** False, after (for an error of graphs) saying once that steps go on
    without them; any other error is left for the wait to report as the
    run's failure (the step's kernels, launched one by one, meet it too). */
static inline bool snn_graphs_fail(const char *what, cudaError_t status) {
  if (!snn_graphs_unsupported(status))
    return false;
  std::fprintf(stderr, "note: CUDA graphs are not available (%s: %s); each step launches its kernels one by one\n",
               what, cudaGetErrorString(status));
  (void)cudaGetLastError(); /* not the run's failure: the steps still run */
  snn_graphs_failed = true;
  return false;
}

static inline bool snn_capture(snn_step_graph &g, snn_state *state, uint32_t num_buffers, int64_t stride,
                               snn_launches_fn launches) {
  if (cudaPeekAtLastError() != cudaSuccess)
    return false; /* an earlier failure, which the wait reports */
  g.made = false;
  cudaError_t status = cudaSuccess;
  if (!g.capture && (status = cudaStreamCreateWithFlags(&g.capture, cudaStreamNonBlocking)) != cudaSuccess)
    return snn_graphs_fail("cudaStreamCreateWithFlags", status);
  if ((status = cudaStreamBeginCapture(g.capture, cudaStreamCaptureModeThreadLocal)) != cudaSuccess)
    return snn_graphs_fail("cudaStreamBeginCapture", status);
  snn_launch_stream = g.capture;
  launches(state);
  SNN_LAUNCH(snn_advance_clock, snn_grid(1, 1), 1, stride);
  snn_launch_stream = 0;
  /* A launch refused during the capture (its error is the launch's) would
     leave its kernel out of the graph: end the capture and drop it. */
  cudaError_t launched = cudaPeekAtLastError();
  cudaGraph_t graph = nullptr;
  status = cudaStreamEndCapture(g.capture, &graph);
  if (launched != cudaSuccess || status != cudaSuccess) {
    if (graph)
      cudaGraphDestroy(graph);
    return snn_graphs_fail("capturing a step", launched != cudaSuccess ? launched : status);
  }
  /* The same launches with other arguments (a later batch's first example)
     update the executable graph in place, without making it again. */
  if (g.exec) {
    cudaGraphExecUpdateResultInfo info;
    if (cudaGraphExecUpdate(g.exec, graph, &info) != cudaSuccess) {
      (void)cudaGetLastError(); /* the update's refusal: no other error was pending */
      cudaGraphExecDestroy(g.exec);
      g.exec = nullptr;
    }
  }
  if (!g.exec)
    status = cudaGraphInstantiate(&g.exec, graph, 0);
  cudaGraphDestroy(graph);
  if (status != cudaSuccess) {
    g.exec = nullptr;
    return snn_graphs_fail("cudaGraphInstantiate", status);
  }
  snn_step_graph_keep(g, state, num_buffers);
  return true;
}

static inline bool snn_launch_graph(const snn_step_graph &g) {
  cudaError_t status = cudaGraphLaunch(g.exec, 0);
  return status == cudaSuccess || snn_graphs_fail("cudaGraphLaunch", status);
}

static inline bool snn_graphs_usable() { return !snn_graphs_failed; }
#endif

/** Takes step `step` of an entry point that the runtime calls at
    consecutive steps, `stride` apart: sets the clock where it is not at
    `step`, then replays the entry point's graph (made again when the state
    changed) or, under SNN_CUDA_GRAPHS=0 or where graphs fail, launches its
    kernels and the clock's advance one by one. */
static inline void snn_replay(snn_step_graph &g, snn_state *state, uint32_t num_buffers, uint64_t step, int64_t stride,
                              snn_launches_fn launches) {
  snn_clock_at(step);
  snn_clock_queued = (int64_t)step + stride;
  if (snn_cuda_graphs_wanted() && snn_graphs_usable() &&
      (snn_step_graph_fits(g, state, num_buffers) || snn_capture(g, state, num_buffers, stride, launches)) &&
      snn_launch_graph(g))
    return;
  launches(state);
  SNN_LAUNCH(snn_advance_clock, snn_grid(1, 1), 1, stride);
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
