//===- backends/cuda/CudaSource.h - A Program as one CUDA file --*- C++ -*-===//
//
// The translation unit the CUDA target compiles: every kernel of the
// Program (KernelPrinter.h) and one host function per entry point,
// `snn_cuda_entry_<name>(snn_state *, uint64_t step)`, which launches the
// entry's kernels in the Program's order on the default stream. Buffers are
// the state's pointers: memory the device can address, allocated by the
// runtime through the model's snn_device_desc. The same text compiles with
// nvcc for a GPU, or as C++ against snn/cuda_device.h's host emulation.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include <string>

namespace snn::cuda {

/// The host function implementing entry point `name`.
std::string entry_symbol(const std::string &name);

/// The whole CUDA C++ translation unit of `program`.
std::string print_source(const lower::Program &program);

} // namespace snn::cuda
