//===- CudaDevice.cpp - The CUDA device of CUDA-target models -------------===//
//
// libsnnrt_cuda.a: the snn_device_desc that a model built with
// --target=cuda refers to (snn_cuda_device). Buffers are CUDA managed
// memory, so the runtime's host code (connectivity, stimulus, recording,
// training's host side) reads and writes them where they are, and the
// kernels of the entry points run on the device. `finish` synchronises the
// device after each entry point and reports any failed launch. Under
// mpirun each rank takes a GPU of its machine (select_unit), and ranks on
// GPUs of their own exchange gradients with NCCL (NcclCollective.cpp).
//
//===----------------------------------------------------------------------===//
#include "snn/cuda_graphs.h"
#include "snn/model_abi.h"

#include "CudaErrorHint.h"
#include "DeviceError.h"
#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

using snn::rt::write_device_error;

/// The GPU in use and the driver, as far as CUDA can still tell after an
/// error (what it cannot is left empty, and the hint leaves it out).
snn::rt::CudaFacts facts() {
  snn::rt::CudaFacts facts;
  facts.runtime_version = CUDART_VERSION;
  if (cudaDriverGetVersion(&facts.driver_version) != cudaSuccess)
    facts.driver_version = -1;
  int device = 0;
  cudaDeviceProp properties;
  if (cudaGetDevice(&device) == cudaSuccess && cudaGetDeviceProperties(&properties, device) == cudaSuccess) {
    facts.gpu = properties.name;
    facts.major = properties.major;
    facts.minor = properties.minor;
  }
  return facts;
}

/// What to do about `status`, as "; ..." to append, or "" where that is
/// not known.
std::string remedy(cudaError_t status) {
  std::string hint = snn::rt::cuda_error_hint(cudaGetErrorName(status), facts());
  return hint.empty() ? hint : "; " + hint;
}

/// CUDA's words for `status`, its name, and what to do where that is known.
void describe(cudaError_t status, char *error, uint64_t size) {
  write_device_error(error, size, "{} ({}){}", cudaGetErrorString(status), cudaGetErrorName(status), remedy(status));
}

/// Whether the machine has a GPU this CUDA runtime can use; asked once.
cudaError_t usable() {
  static const cudaError_t status = [] {
    int count = 0;
    cudaError_t s = cudaGetDeviceCount(&count);
    return s == cudaSuccess && count == 0 ? cudaErrorNoDevice : s;
  }();
  return status;
}

void no_gpu(cudaError_t status, char *error, uint64_t error_size) {
  write_device_error(error, error_size, "this machine has no usable NVIDIA GPU ({}: {}){}", cudaGetErrorName(status),
                     cudaGetErrorString(status), remedy(status));
}

void *allocate(uint64_t bytes, char *error, uint64_t error_size) {
  if (cudaError_t status = usable(); status != cudaSuccess) {
    no_gpu(status, error, error_size);
    return nullptr;
  }
  if (snn_cuda_graphs_check(error, error_size) != 0)
    return nullptr;
  // Managed memory can be asked for beyond the GPU's free memory, and a
  // program that touches it all then can hang the GPU: refuse first.
  size_t free_bytes = 0, total_bytes = 0;
  if (cudaError_t status = cudaMemGetInfo(&free_bytes, &total_bytes); status != cudaSuccess) {
    describe(status, error, error_size);
    return nullptr;
  }
  if (bytes > free_bytes) {
    write_device_error(error, error_size,
                       "out of GPU memory: a buffer of {:.3g} GB, and {:.3g} GB of the GPU's {:.3g} GB are free",
                       double(bytes) / 1e9, double(free_bytes) / 1e9, double(total_bytes) / 1e9);
    return nullptr;
  }
  void *memory = nullptr;
  cudaError_t status = cudaMallocManaged(&memory, bytes == 0 ? 1 : bytes);
  if (status == cudaSuccess)
    status = cudaMemset(memory, 0, bytes == 0 ? 1 : bytes);
  if (status == cudaSuccess)
    status = cudaDeviceSynchronize();
  if (status != cudaSuccess) {
    describe(status, error, error_size);
    if (memory)
      cudaFree(memory);
    return nullptr;
  }
  return memory;
}

void release(void *memory) { cudaFree(memory); }

void *allocate_staging(uint64_t bytes, char *error, uint64_t error_size) {
  if (cudaError_t status = usable(); status != cudaSuccess) {
    no_gpu(status, error, error_size);
    return nullptr;
  }
  void *memory = nullptr;
  if (cudaError_t status = cudaHostAlloc(&memory, bytes == 0 ? 1 : bytes, cudaHostAllocPortable);
      status != cudaSuccess) {
    describe(status, error, error_size);
    return nullptr;
  }
  std::memset(memory, 0, bytes == 0 ? 1 : bytes);
  return memory;
}

// Copies queued from the memory may still be running.
void release_staging(void *memory) {
  cudaDeviceSynchronize();
  cudaFreeHost(memory);
}

int finish(char *error, uint64_t error_size) {
  cudaError_t status = cudaGetLastError();
  if (status == cudaSuccess)
    status = cudaDeviceSynchronize();
  if (status == cudaSuccess)
    return 0;
  describe(status, error, error_size);
  return 1;
}

// On the stream the kernels are launched on (the default one), so the copy
// runs after the steps queued before it and before those queued after.
// cudaMemcpy2DAsync takes pitches up to the device's memPitch (2^31 - 1
// bytes on current GPUs); longer ones are copied a row at a time.
int copy_rows(void *dst, uint64_t dst_pitch, const void *src, uint64_t src_pitch, uint64_t width, uint64_t rows,
              char *error, uint64_t error_size) {
  constexpr uint64_t kMaxPitch = (uint64_t(1) << 31) - 1;
  cudaError_t status = cudaSuccess;
  if (dst_pitch <= kMaxPitch && src_pitch <= kMaxPitch)
    status = cudaMemcpy2DAsync(dst, size_t(dst_pitch), src, size_t(src_pitch), size_t(width), size_t(rows),
                               cudaMemcpyDefault, nullptr);
  else
    for (uint64_t r = 0; r < rows && status == cudaSuccess; ++r)
      status = cudaMemcpyAsync(static_cast<char *>(dst) + r * dst_pitch, static_cast<const char *>(src) + r * src_pitch,
                               size_t(width), cudaMemcpyDefault, nullptr);
  if (status == cudaSuccess)
    return 0;
  describe(status, error, error_size);
  return 1;
}

// Ranks on one machine take its GPUs in turn (local rank modulo their
// number), as mpirun users expect without CUDA_VISIBLE_DEVICES per rank.
int select_unit(uint32_t local_rank, uint8_t identity[16], char *error, uint64_t error_size) {
  if (cudaError_t status = usable(); status != cudaSuccess) {
    no_gpu(status, error, error_size);
    return 1;
  }
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  int device = count > 0 ? int(local_rank % uint32_t(count)) : 0;
  if (status == cudaSuccess)
    status = cudaSetDevice(device);
  cudaDeviceProp properties;
  if (status == cudaSuccess)
    status = cudaGetDeviceProperties(&properties, device);
  if (status != cudaSuccess) {
    describe(status, error, error_size);
    return 1;
  }
  std::memcpy(identity, properties.uuid.bytes, 16);
  return 0;
}

} // namespace

#ifdef SNN_HAVE_NCCL
extern "C" const snn_collective_desc snn_nccl_collective; // NcclCollective.cpp
#define SNN_CUDA_COLLECTIVE &snn_nccl_collective
#else
#define SNN_CUDA_COLLECTIVE nullptr
#endif

extern "C" const snn_device_desc snn_cuda_device = {
    "CUDA", allocate, release, finish, select_unit, SNN_CUDA_COLLECTIVE, copy_rows, allocate_staging, release_staging};
