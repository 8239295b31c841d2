//===- DataParallel.cpp - A training run split over MPI ranks -------------===//

#include "DataParallel.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#ifdef SNN_HAVE_MPI
// The C API only: Open MPI's deprecated C++ bindings need another library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace snn::rt {
namespace {

/// The job size an MPI launcher put in the environment (Open MPI, PMIx,
/// MPICH's PMI), or 0.
long launcher_size() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"})
    if (const char *value = std::getenv(name))
      return std::strtol(value, nullptr, 10);
  return std::getenv("PMIX_RANK") ? 1 : 0;
}

#ifdef SNN_HAVE_MPI
void check(int status, const char *what) {
  if (status != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING] = "";
    int length = 0;
    MPI_Error_string(status, text, &length);
    throw Error(std::string("MPI: ") + what + " failed: " + text);
  }
}
#endif

} // namespace

bool launched_as_mpi_job() { return launcher_size() > 1; }

DataParallel::DataParallel() {
  if (launcher_size() < 1)
    return;
#ifdef SNN_HAVE_MPI
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    check(MPI_Init(nullptr, nullptr), "MPI_Init");
    joined_ = true;
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rank_ = uint32_t(rank);
  size_ = uint32_t(size);
#else
  if (launched_as_mpi_job())
    throw Error("this executable was started by an MPI launcher, but snnc's runtime was built without MPI; install "
                "libopenmpi-dev (scripts/setup.sh) and rebuild snnc to train data-parallel");
#endif
}

DataParallel::~DataParallel() {
#ifdef SNN_HAVE_MPI
  if (joined_) {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised)
      MPI_Finalize();
  }
#endif
}

std::pair<uint32_t, uint32_t> example_share(uint32_t rank, uint32_t ranks, uint32_t count, uint32_t capacity) {
  auto edge = [&](uint32_t r) { return uint32_t(std::min<uint64_t>(count, uint64_t(capacity) * r / ranks)); };
  return {edge(rank), edge(rank + 1)};
}

void DataParallel::gather_examples(void *data, uint64_t bytes_per_example, uint32_t count, uint32_t capacity) const {
  if (!distributed() || bytes_per_example == 0)
    return;
#ifdef SNN_HAVE_MPI
  if (bytes_per_example > uint64_t(std::numeric_limits<int>::max()))
    throw Error("MPI: an example's share of a buffer is " + std::to_string(bytes_per_example) +
                " bytes, more than one MPI message holds");
  MPI_Datatype example;
  check(MPI_Type_contiguous(int(bytes_per_example), MPI_BYTE, &example), "MPI_Type_contiguous");
  check(MPI_Type_commit(&example), "MPI_Type_commit");
  std::vector<int> counts(size_), displacements(size_);
  for (uint32_t r = 0; r < size_; ++r) {
    auto [first, end] = example_share(r, size_, count, capacity);
    counts[r] = int(end - first);
    displacements[r] = int(first);
  }
  int status = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), displacements.data(), example,
                              MPI_COMM_WORLD);
  MPI_Type_free(&example);
  check(status, "MPI_Allgatherv");
#else
  (void)data;
  (void)count;
  (void)capacity;
#endif
}

void DataParallel::abort(int code) const {
#ifdef SNN_HAVE_MPI
  if (distributed())
    MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

} // namespace snn::rt
