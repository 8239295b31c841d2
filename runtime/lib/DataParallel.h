//===- DataParallel.h - A training run split over MPI ranks -----*- C++ -*-===//
//
// `mpirun -np K ./model` trains data-parallel: every rank holds the whole
// model and batch, simulates a contiguous share of each batch's example
// slots (the same slots every batch, so state a slot keeps across batches
// stays on one rank), then all ranks exchange what each example left for
// the batch (its per-example gradients, loss and scores: MPI_Allgatherv in
// place) and every rank reduces the gradients over the whole batch in
// example order and applies the same update. The weights are the same bits
// as one process with the same batch, for any K. Rank 0 prints and writes
// the run's files; an error on any rank ends every rank (MPI_Abort).
//
// A model whose buffers live on a device (the CUDA target) has each rank
// take a unit of its machine (a GPU: local rank modulo their number). When
// every rank has its own, they exchange device memory through the device's
// collective (NCCL) instead of MPI: the same bytes to the same places, so
// the results are the same bits either way. Ranks sharing a unit (NCCL
// refuses that) exchange through MPI. `--exchange auto|mpi|nccl` chooses.
//
// A process not started by an MPI launcher is a job of one rank and never
// calls MPI. A runtime built without MPI (no libopenmpi-dev) says so when
// started by one.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_DATAPARALLEL_H
#define SNN_RUNTIME_DATAPARALLEL_H

#include "snn/model_abi.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snn::rt {

/// How the ranks exchange gradients (`--exchange`).
enum class Exchange : uint8_t {
  Auto,  ///< the device's collective when every rank has its own unit, else MPI
  Mpi,   ///< MPI, on host-visible memory
  Device ///< the device's collective (NCCL), or an error saying why not
};

/// `--exchange`'s value; throws Error naming the valid ones.
Exchange parse_exchange(std::string_view text);

/// A device unit's identity (a GPU's UUID).
using UnitIdentity = std::array<uint8_t, 16>;

/// The first two ranks whose units are the same, if any.
std::optional<std::pair<uint32_t, uint32_t>> shared_unit(const std::vector<UnitIdentity> &units);

/// The example slots [first, end) rank `rank` of `ranks` simulates of a
/// batch of `count` examples in `capacity` slots: slots capacity r / ranks
/// up to capacity (r + 1) / ranks, cut at `count`.
std::pair<uint32_t, uint32_t> example_share(uint32_t rank, uint32_t ranks, uint32_t count, uint32_t capacity);

class DataParallel {
public:
  /// Joins the MPI job when an MPI launcher started this process (its
  /// environment says so), else a job of one rank. Throws Error when
  /// started by one without MPI support.
  DataParallel();
  /// Leaves the device's group and the MPI job (MPI_Finalize) if it
  /// joined them.
  ~DataParallel();

  /// Before the model allocates anything: each rank takes its unit of
  /// `device` (null: the CPU) and the ranks agree on how they exchange
  /// (`asked`). Collective: every rank calls it, and every rank throws the
  /// same Error when it fails (the rank where it failed says why).
  void choose_exchange(const snn_device_desc *device, Exchange asked);

  /// How the ranks exchange, for the run's header: "MPI" or the
  /// collective's name, and why MPI where a device has a collective.
  const std::string &exchange() const { return exchange_; }
  DataParallel(const DataParallel &) = delete;
  DataParallel &operator=(const DataParallel &) = delete;

  uint32_t rank() const { return rank_; }
  uint32_t size() const { return size_; }
  bool distributed() const { return size_ > 1; }

  /// The example slots [first, end) of a batch of `count` examples this
  /// rank simulates: its share of the `capacity` slots, cut at `count`
  /// (possibly empty).
  std::pair<uint32_t, uint32_t> share(uint32_t count, uint32_t capacity) const {
    return example_share(rank_, size_, count, capacity);
  }

  /// Every rank's share of a per-example buffer (`bytes_per_example` bytes
  /// per example, `data` its example 0) into every rank's copy.
  void gather_examples(void *data, uint64_t bytes_per_example, uint32_t count, uint32_t capacity) const;

  /// Ends every rank of the job with `code` (after this rank printed why).
  [[noreturn]] void abort(int code) const;

private:
  /// Throws the same Error on every rank unless every rank's `ok`; the
  /// ranks that failed give `why`, the others name the first that failed.
  void agree(bool ok, const std::string &why) const;
  /// Collective: nothing when every rank's `ok`, else the message `agree`
  /// would throw, on every rank.
  std::optional<std::string> first_failure(bool ok, const std::string &why) const;

  uint32_t rank_ = 0, size_ = 1;
  bool joined_ = false;
  std::string exchange_ = "MPI";
  const snn_collective_desc *collective_ = nullptr; ///< the device's, once joined
  void *group_ = nullptr;                           ///< this rank's place in its group
  bool use_collective_ = false;                     ///< every rank joined: gather through it
};

/// Whether an MPI launcher started this process with more than one rank.
bool launched_as_mpi_job();

} // namespace snn::rt

#endif // SNN_RUNTIME_DATAPARALLEL_H
