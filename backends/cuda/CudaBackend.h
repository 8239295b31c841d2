//===- backends/cuda/CudaBackend.h - The CUDA target ------------*- C++ -*-===//
//
// `--target=cuda`: the Program printed as one CUDA C++ file (CudaSource.h),
// compiled by nvcc into device code and host entry points, and joined with
// a host object holding the model's descriptor (the CPU backend's
// Descriptor.h, pointing at the runtime's snn_cuda_device). The executable
// links libsnnrt_cuda.a and the static CUDA runtime.
//
// Why print CUDA C++ rather than emit NVPTX from LLVM: the printed file is
// what a GPU programmer reads and profiles (Nsight shows its lines), nvcc
// optimises it as well as hand-written CUDA, and the same text compiled as
// host C++ is the host emulation that tests the kernels on machines without
// a GPU. What the kernels compute was decided in lower/; the printer only
// translates, statement for statement, as the CPU backend's IRBuilder does.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "backends/Backend.h"

namespace snn::cuda {

std::unique_ptr<backends::Backend> make_cuda_backend(const backends::BackendOptions &options);

} // namespace snn::cuda
