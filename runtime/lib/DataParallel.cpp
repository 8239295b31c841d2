//===- DataParallel.cpp - A training run split over MPI ranks -------------===//

#include "DataParallel.h"

#include "snn/runtime.h"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
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

Exchange parse_exchange(std::string_view text) {
  if (text == "auto")
    return Exchange::Auto;
  if (text == "mpi")
    return Exchange::Mpi;
  if (text == "nccl")
    return Exchange::Device;
  throw Error("option '--exchange' needs auto, mpi or nccl, not '" + std::string(text) + "'");
}

std::optional<std::pair<uint32_t, uint32_t>> shared_unit(const std::vector<UnitIdentity> &units) {
  for (uint32_t b = 1; b < units.size(); ++b)
    for (uint32_t a = 0; a < b; ++a)
      if (units[a] == units[b])
        return std::make_pair(a, b);
  return std::nullopt;
}

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
  if (group_)
    collective_->leave(group_);
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

std::optional<std::string> DataParallel::first_failure(bool ok, const std::string &why) const {
#ifdef SNN_HAVE_MPI
  // The first rank that failed tells every rank why, so that whichever
  // rank's message reaches the terminal before MPI_Abort names the cause.
  int mine = ok ? int(size_) : int(rank_), first = 0;
  check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  if (first == int(size_))
    return std::nullopt;
  char text[1024] = "";
  if (int(rank_) == first)
    *fmt::format_to_n(text, sizeof text - 1, "{}", why).out = '\0';
  check(MPI_Bcast(text, sizeof text, MPI_CHAR, first, MPI_COMM_WORLD), "MPI_Bcast");
  text[sizeof text - 1] = 0;
  return std::string(text) + (int(rank_) == first ? "" : " (on rank " + std::to_string(first) + ")");
#else
  if (ok)
    return std::nullopt;
  return why;
#endif
}

void DataParallel::agree(bool ok, const std::string &why) const {
  if (std::optional<std::string> failure = first_failure(ok, why))
    throw Error(*failure);
}

void DataParallel::choose_exchange(const snn_device_desc *device, Exchange asked) {
  if (!distributed())
    return; // one process exchanges nothing
#ifdef SNN_HAVE_MPI
  const snn_collective_desc *collective = device ? device->collective : nullptr;
  if (asked == Exchange::Device && !collective)
    throw Error(device ? "--exchange nccl: the " + std::string(device->name) +
                             " device has no collective of its own; its ranks exchange through MPI (--exchange mpi)"
                       : std::string("--exchange nccl: the model runs on the CPU, whose ranks exchange through MPI "
                                     "(--exchange mpi); NCCL is for --target=cuda models"));
  // Each rank takes a unit of its machine, before anything is allocated.
  std::vector<UnitIdentity> units;
  if (device && device->select_unit) {
    MPI_Comm machine;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, int(rank_), MPI_INFO_NULL, &machine),
          "MPI_Comm_split_type");
    int local_rank = 0;
    MPI_Comm_rank(machine, &local_rank);
    MPI_Comm_free(&machine);
    UnitIdentity mine{};
    char error[512] = "";
    bool ok = device->select_unit(uint32_t(local_rank), mine.data(), error, sizeof error) == 0;
    agree(ok, "cannot run on the " + std::string(device->name) + " device: " + error);
    units.resize(size_);
    check(MPI_Allgather(mine.data(), int(mine.size()), MPI_BYTE, units.data(), int(mine.size()), MPI_BYTE,
                        MPI_COMM_WORLD),
          "MPI_Allgather");
  }
  if (asked == Exchange::Mpi || !collective)
    return;
  const std::string name = collective->name;
  if (std::optional<std::pair<uint32_t, uint32_t>> shared = shared_unit(units)) {
    std::string why = "ranks " + std::to_string(shared->first) + " and " + std::to_string(shared->second) +
                      " share one " + device->name + " device, and " + name + " needs one per rank";
    if (asked == Exchange::Device)
      throw Error("--exchange nccl: " + why + " (run as many ranks as GPUs, or --exchange mpi)");
    exchange_ = "MPI (" + why + ")";
    return;
  }
  char error[1024] = "";
  bool loaded = collective->load(error, sizeof error) == 0;
  if (asked == Exchange::Device)
    agree(loaded, "--exchange nccl: " + std::string(error));
  int mine = loaded, everywhere = 0;
  check(MPI_Allreduce(&mine, &everywhere, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  if (!everywhere) {
    exchange_ = "MPI (" + (loaded ? name + " does not load on every rank" : std::string(error)) + ")";
    return;
  }
  // A collective that fails to start stops the run when asked for by name;
  // under auto the ranks exchange through MPI, and the header says why.
  auto falls_back = [&](bool ok) {
    if (asked == Exchange::Device) {
      agree(ok, error + std::string("; --exchange mpi exchanges through MPI instead"));
      return false;
    }
    std::optional<std::string> failure = first_failure(ok, error);
    if (failure)
      exchange_ = "MPI (" + *failure + ")"; // the collective's message names it
    return failure.has_value();
  };
  std::vector<char> id(collective->id_bytes);
  // (The call first: `error` holds its message only once it returned.)
  bool made = rank_ != 0 || collective->make_id(id.data(), error, sizeof error) == 0;
  if (falls_back(made))
    return;
  check(MPI_Bcast(id.data(), int(id.size()), MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
  collective_ = collective; // the destructor leaves a group joined when another rank throws
  bool joined = collective->join(id.data(), rank_, size_, &group_, error, sizeof error) == 0;
  if (falls_back(joined)) {
    if (joined) // a rank that joined leaves the group the others could not
      collective->leave(group_);
    group_ = nullptr;
    collective_ = nullptr;
    return;
  }
  use_collective_ = true;
  exchange_ = name;
#else
  (void)device;
  (void)asked;
#endif
}

void DataParallel::gather_examples(void *data, uint64_t bytes_per_example, uint32_t count, uint32_t capacity) const {
  if (!distributed() || bytes_per_example == 0)
    return;
  if (use_collective_) {
    std::vector<uint64_t> offsets(size_), sizes(size_);
    for (uint32_t r = 0; r < size_; ++r) {
      auto [first, end] = example_share(r, size_, count, capacity);
      offsets[r] = first * bytes_per_example;
      sizes[r] = (end - first) * bytes_per_example;
    }
    char error[1024] = "";
    if (collective_->gather(group_, data, offsets.data(), sizes.data(), error, sizeof error) != 0)
      throw Error(error);
    return;
  }
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
