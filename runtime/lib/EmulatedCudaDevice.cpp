//===- EmulatedCudaDevice.cpp - CUDA models on the host, for tests --------===//
//
// libsnnrt_cuda_emulation.a: the snn_cuda_device of a CUDA-target model
// whose printed kernels were compiled as host C++ (snn/cuda_device.h with
// SNN_CUDA_EMULATION). Buffers are ordinary aligned host memory and every
// launch has finished when its entry point returns.
//
//===----------------------------------------------------------------------===//
#include "snn/model_abi.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void *allocate(uint64_t bytes, char *error, uint64_t error_size) {
  uint64_t rounded = (bytes + 63) / 64 * 64;
  void *memory = rounded < bytes ? nullptr : std::aligned_alloc(64, rounded == 0 ? 64 : size_t(rounded));
  if (!memory) {
    std::snprintf(error, size_t(error_size), "out of host memory for %llu bytes", (unsigned long long)bytes);
    return nullptr;
  }
  std::memset(memory, 0, rounded == 0 ? 64 : size_t(rounded));
  return memory;
}

void release(void *memory) { std::free(memory); }

int finish(char *, uint64_t) { return 0; }

} // namespace

extern "C" const snn_device_desc snn_cuda_device = {"CUDA host emulation", allocate, release, finish};
