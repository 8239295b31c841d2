//===- EmulatedCudaDevice.cpp - CUDA models on the host, for tests --------===//
//
// libsnnrt_cuda_emulation.a: the snn_cuda_device of a CUDA-target model
// whose printed kernels were compiled as host C++ (snn/cuda_device.h with
// SNN_CUDA_EMULATION). Buffers are ordinary aligned host memory. As on a
// GPU, an entry point only queues its launches: they run when the runtime
// waits (finish), so a read of a buffer that does not wait first reads it
// stale, and the tests that compare the emulation with the CPU catch it.
//
// Under mpirun every rank is an emulated GPU of its own (its identity is
// its local rank), and the collective stands in for NCCL with the same
// algorithm, one broadcast per rank of its share, made of MPI broadcasts:
// the runtime's choice of exchange, the group id's journey and the shares'
// offsets run in the tests exactly as they would with NCCL on GPUs.
//
//===----------------------------------------------------------------------===//
#define SNN_CUDA_EMULATION 1
#include "snn/cuda_device.h"
#include "snn/cuda_graphs.h"
#include "snn/model_abi.h"

#ifdef SNN_HAVE_MPI
// The C API only: Open MPI's deprecated C++ bindings need another library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include "DeviceError.h"
#include <mpi.h>
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace {

using snn::rt::write_device_error;

void *allocate(uint64_t bytes, char *error, uint64_t error_size) {
  if (snn_cuda_graphs_check(error, error_size) != 0)
    return nullptr;
  uint64_t rounded = (bytes + 63) / 64 * 64;
  void *memory = rounded < bytes ? nullptr : std::aligned_alloc(64, rounded == 0 ? 64 : size_t(rounded));
  if (!memory) {
    write_device_error(error, error_size, "out of host memory for {} bytes", bytes);
    return nullptr;
  }
  std::memset(memory, 0, rounded == 0 ? 64 : size_t(rounded));
  return memory;
}

// As cudaFree, after the queued launches that may use the memory.
void release(void *memory) {
  snn_emulated_synchronize();
  std::free(memory);
}

int finish(char *, uint64_t) {
  snn_emulated_synchronize();
  return 0;
}

// Queued behind the launches, as on the GPU's stream.
int copy_rows(void *dst, uint64_t dst_pitch, const void *src, uint64_t src_pitch, uint64_t width, uint64_t rows, char *,
              uint64_t) {
  snn_emulated_stream.push_back([=] {
    for (uint64_t r = 0; r < rows; ++r)
      std::memcpy(static_cast<char *>(dst) + r * dst_pitch, static_cast<const char *>(src) + r * src_pitch,
                  size_t(width));
  });
  return 0;
}

// A GPU of its own per rank: the machine and the local rank name it.
int select_unit(uint32_t local_rank, uint8_t identity[16], char *, uint64_t) {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  uint64_t machine = 1469598103934665603ull; // FNV-1a of the host name
  for (const char *c = host; *c; ++c)
    machine = (machine ^ uint8_t(*c)) * 1099511628211ull;
  std::memset(identity, 0, 16);
  std::memcpy(identity, &machine, sizeof machine);
  std::memcpy(identity + 8, &local_rank, sizeof local_rank);
  return 0;
}

/// The id rank 0 makes; every rank checks that it received it.
constexpr char kGroupId[] = "emulated NCCL group";

int load(char *error, uint64_t error_size) {
#ifdef SNN_HAVE_MPI
  (void)error;
  (void)error_size;
  return 0;
#else
  write_device_error(error, error_size, "the emulated NCCL needs MPI, and this runtime was built without it");
  return 1;
#endif
}

/// Whether the test asks `step` to fail on `rank`: SNN_EMULATED_NCCL_FAIL
/// is "STEP" (every rank) or "STEP@RANK" (make_id runs on rank 0 alone), so
/// that the runtime's failure paths run in the tests too.
bool asked_to_fail(const char *step, uint32_t rank, char *error, uint64_t error_size) {
  const char *fail = std::getenv("SNN_EMULATED_NCCL_FAIL");
  std::size_t length = std::strlen(step);
  if (!fail || std::strncmp(fail, step, length) != 0 ||
      (fail[length] != 0 && !(fail[length] == '@' && std::strtoul(fail + length + 1, nullptr, 10) == rank)))
    return false;
  write_device_error(error, error_size, "emulated NCCL: {} failed on rank {} (SNN_EMULATED_NCCL_FAIL)", step, rank);
  return true;
}

int make_id(void *id, char *error, uint64_t error_size) {
  if (asked_to_fail("make_id", 0, error, error_size))
    return 1;
  std::memcpy(id, kGroupId, sizeof kGroupId);
  return 0;
}

/// A rank's place in the emulated group.
struct Group {
  uint32_t ranks = 0;
};

int join(const void *id, uint32_t rank, uint32_t ranks, void **group, char *error, uint64_t error_size) {
  if (asked_to_fail("join", rank, error, error_size))
    return 1;
  if (std::memcmp(id, kGroupId, sizeof kGroupId) != 0) {
    write_device_error(error, error_size, "emulated NCCL: this rank received another group's id");
    return 1;
  }
  *group = new Group{ranks};
  return 0;
}

int gather(void *group, void *data, const uint64_t *offsets, const uint64_t *sizes, char *error, uint64_t error_size) {
#ifdef SNN_HAVE_MPI
  for (uint32_t r = 0; r < static_cast<Group *>(group)->ranks; ++r)
    for (uint64_t done = 0; done < sizes[r];) {
      int chunk = int(std::min<uint64_t>(sizes[r] - done, uint64_t(1) << 30));
      if (MPI_Bcast(static_cast<char *>(data) + offsets[r] + done, chunk, MPI_BYTE, int(r), MPI_COMM_WORLD) !=
          MPI_SUCCESS) {
        write_device_error(error, error_size, "emulated NCCL: MPI_Bcast failed");
        return 1;
      }
      done += uint64_t(chunk);
    }
  return 0;
#else
  (void)group, (void)data, (void)offsets, (void)sizes;
  return load(error, error_size);
#endif
}

void leave(void *group) { delete static_cast<Group *>(group); }

const snn_collective_desc kEmulatedNccl = {
    "NCCL (emulated by MPI broadcasts)", sizeof kGroupId, load, make_id, join, gather, leave};

} // namespace

// Host memory is all the emulation has: staging memory is the same kind.
extern "C" const snn_device_desc snn_cuda_device = {"CUDA host emulation", allocate,  release,  finish, select_unit,
                                                    &kEmulatedNccl,        copy_rows, allocate, release};
