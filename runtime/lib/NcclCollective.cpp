//===- NcclCollective.cpp - Gradients exchanged between GPUs by NCCL ------===//
//
// libsnnrt_cuda.a: snn_nccl_collective, the collective of snn_cuda_device.
// When every rank of a data-parallel run has a GPU of its own, the ranks
// exchange their examples' gradients from device memory to device memory
// with NCCL (NVLink, PCIe or InfiniBand, whichever NCCL finds) instead of
// through the host. The exchange is an in-place all-gather of unequal
// shares: one broadcast per rank of its slots, in one NCCL group, so every
// rank ends with every example's bytes and reduces them in example order as
// with MPI (the sums stay bit-identical to one process).
//
// NCCL is loaded with dlopen when a run first needs it: an executable that
// never runs under mpirun, or runs on a machine without NCCL, does not
// depend on libnccl.so.2 (which the CUDA toolkit and NVIDIA's libnccl2
// package install). NCCL needs one GPU per rank: ranks that share one
// exchange through MPI instead (runtime/lib/DataParallel.h decides).
//
//===----------------------------------------------------------------------===//
#include "snn/model_abi.h"

#include "DeviceError.h"
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

using snn::rt::write_device_error;

/// NCCL's entry points, from libnccl.so.2; `why` says why it did not load.
struct NcclLibrary {
  decltype(&ncclGetUniqueId) get_unique_id = nullptr;
  decltype(&ncclCommInitRank) init_rank = nullptr;
  decltype(&ncclCommDestroy) destroy = nullptr;
  decltype(&ncclBroadcast) broadcast = nullptr;
  decltype(&ncclGroupStart) group_start = nullptr;
  decltype(&ncclGroupEnd) group_end = nullptr;
  decltype(&ncclGetErrorString) error_string = nullptr;
  std::string why;
};

template <typename Fn> bool bind(void *library, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  return fn != nullptr;
}

const NcclLibrary &nccl() {
  static const NcclLibrary library = [] {
    NcclLibrary l;
    void *handle = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      l.why = std::string("cannot load NCCL (") + (why ? why : "libnccl.so.2") +
              "); the CUDA toolkit or NVIDIA's libnccl2 package installs it";
      return l;
    }
    if (!bind(handle, "ncclGetUniqueId", l.get_unique_id) || !bind(handle, "ncclCommInitRank", l.init_rank) ||
        !bind(handle, "ncclCommDestroy", l.destroy) || !bind(handle, "ncclBroadcast", l.broadcast) ||
        !bind(handle, "ncclGroupStart", l.group_start) || !bind(handle, "ncclGroupEnd", l.group_end) ||
        !bind(handle, "ncclGetErrorString", l.error_string))
      l.why = "the NCCL library that loaded (libnccl.so.2) lacks an entry point snnc uses";
    return l;
  }();
  return library;
}

int failed(const char *what, ncclResult_t result, char *error, uint64_t error_size) {
  write_device_error(error, error_size, "NCCL: {} failed: {}", what, nccl().error_string(result));
  return 1;
}

int failed(const char *what, cudaError_t status, char *error, uint64_t error_size) {
  write_device_error(error, error_size, "NCCL: {} failed: {} ({})", what, cudaGetErrorString(status),
                     cudaGetErrorName(status));
  return 1;
}

/// A rank's communicator and the stream its exchanges run on.
struct Group {
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  int ranks = 0;
};

int load(char *error, uint64_t error_size) {
  if (nccl().why.empty())
    return 0;
  write_device_error(error, error_size, "{}", nccl().why);
  return 1;
}

int make_id(void *id, char *error, uint64_t error_size) {
  ncclUniqueId unique;
  if (ncclResult_t result = nccl().get_unique_id(&unique); result != ncclSuccess)
    return failed("ncclGetUniqueId", result, error, error_size);
  std::memcpy(id, &unique, sizeof unique);
  return 0;
}

// ncclCommInitRank is collective: every rank calls it before anything of
// its own can fail (the stream), so that no rank waits in it for one that
// returned early; the runtime then agrees on the outcome.
int join(const void *id, uint32_t rank, uint32_t ranks, void **group, char *error, uint64_t error_size) {
  auto *g = new Group;
  ncclUniqueId unique;
  std::memcpy(&unique, id, sizeof unique);
  if (ncclResult_t result = nccl().init_rank(&g->comm, int(ranks), unique, int(rank)); result != ncclSuccess) {
    delete g;
    return failed("ncclCommInitRank", result, error, error_size);
  }
  if (cudaError_t status = cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking); status != cudaSuccess) {
    nccl().destroy(g->comm);
    delete g;
    return failed("creating a stream", status, error, error_size);
  }
  g->ranks = int(ranks);
  *group = g;
  return 0;
}

// The buffers are managed memory that the entry points' kernels wrote on
// the default stream; the runtime waited for them (snn_device_desc::finish)
// before it gathers, so this stream needs no other ordering with them.
int gather(void *group, void *data, const uint64_t *offsets, const uint64_t *sizes, char *error, uint64_t error_size) {
  auto *g = static_cast<Group *>(group);
  if (ncclResult_t result = nccl().group_start(); result != ncclSuccess)
    return failed("ncclGroupStart", result, error, error_size);
  for (int r = 0; r < g->ranks; ++r) {
    if (sizes[r] == 0)
      continue;
    char *share = static_cast<char *>(data) + offsets[r];
    if (ncclResult_t result = nccl().broadcast(share, share, size_t(sizes[r]), ncclUint8, r, g->comm, g->stream);
        result != ncclSuccess) {
      nccl().group_end();
      return failed("ncclBroadcast", result, error, error_size);
    }
  }
  if (ncclResult_t result = nccl().group_end(); result != ncclSuccess)
    return failed("ncclGroupEnd", result, error, error_size);
  if (cudaError_t status = cudaStreamSynchronize(g->stream); status != cudaSuccess)
    return failed("waiting for the exchange", status, error, error_size);
  return 0;
}

void leave(void *group) {
  auto *g = static_cast<Group *>(group);
  nccl().destroy(g->comm);
  cudaStreamDestroy(g->stream);
  delete g;
}

} // namespace

extern "C" const snn_collective_desc snn_nccl_collective = {"NCCL", sizeof(ncclUniqueId), load, make_id, join, gather,
                                                            leave};
