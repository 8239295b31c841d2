//===- backends/cuda/KernelPrinter.h - Kernels as CUDA C++ ------*- C++ -*-===//
//
// Prints each kernel of a lowered Program as an `extern "C" __global__`
// function. One thread runs one point of the kernel's domain:
//   Neurons         thread (n) of the x grid, examples b on the y grid.
//                   Where the domain runs past its extent, the threads past
//                   it stay (the body guards itself), so that a whole block
//                   reaches the body's Stage: the block copies each tile
//                   into a __shared__ array between two __syncthreads(),
//                   and the body's loads of the staged buffer read it;
//   SpikingRows     thread (pre), examples on the y grid; a row runs only
//                   where its spike flag is set. When the row's loop is a
//                   parallel For and nothing outside it writes memory, a
//                   warp takes the row instead: its kLanes lanes stride over
//                   the row's synapses (GeNN's presynaptic strategy);
//   Synapses        a warp per row (pre): its lanes stride over the row's
//                   synapses s = rows[pre] .. rows[pre+1];
//   BatchReduction  thread (i) sums over b = 0 .. batch - 1 in order, so the
//                   sum is the CPU's, bit for bit.
// The y grid strides over the examples, so any batch up to SNN_MAX_BATCH
// fits the 65535 blocks of CUDA's y dimension.
//
// Every identifier that comes from the Program (locals, parameters) is
// printed as `v_<name>` with a number added when two names would collide,
// and nothing the printer introduces starts with `v_`: no user name can
// clash with a generated one, a C keyword or a CUDA built-in.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include <string>

namespace snn::cuda {

/// Threads per block of every launch: a block of points of the Program's
/// domains, which share a Stage's tile in shared memory.
constexpr int kThreadsPerBlock = lower::kDeviceBlockPoints;
/// The most blocks of the y grid (CUDA's limit); examples beyond it are
/// taken by the same blocks in turn.
constexpr int kMaxGridY = 65535;

/// Lanes of a warp: the threads that share one row of a warp-mapped kernel.
constexpr int kLanes = 32;

/// Threads per point of `kernel`'s domain: kLanes for a Synapses kernel and
/// a SpikingRows kernel whose rows a warp takes, else 1.
int threads_per_point(const lower::Kernel &kernel);

/// Rows one warp of a warp-mapped SpikingRows kernel takes in turn. Most
/// presynaptic neurons do not spike in a step: a warp per row would spend
/// a warp (and, over a large population and batch, the block scheduler's
/// time) on each flag, where a warp that reads 32 flags costs one access
/// each, as the cost model (lower/DeliveryStrategy.h) counts them.
constexpr int kRowsPerWarp = 32;

/// The threads of the x grid a launch of `kernel` over `extent` points
/// runs.
int64_t device_threads(const lower::Kernel &kernel, int64_t extent);

/// The C type of a buffer's elements (Bits: the u32 words).
const char *c_type(lower::ElemType type);
/// The C type of a lowered value; `f64` picks the Real type.
const char *c_type(lower::Type type, bool f64);

/// The name of the __global__ function of kernel `index`.
std::string kernel_symbol(int index);

/// The definition of kernel `index` of `program`, as CUDA C++.
std::string print_kernel(const lower::Program &program, int index);

} // namespace snn::cuda
