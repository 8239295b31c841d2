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
// A process not started by an MPI launcher is a job of one rank and never
// calls MPI. A runtime built without MPI (no libopenmpi-dev) says so when
// started by one.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_DATAPARALLEL_H
#define SNN_RUNTIME_DATAPARALLEL_H

#include <cstdint>
#include <utility>

namespace snn::rt {

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
  /// Leaves the MPI job (MPI_Finalize) if it joined one.
  ~DataParallel();
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
  uint32_t rank_ = 0, size_ = 1;
  bool joined_ = false;
};

/// Whether an MPI launcher started this process with more than one rank.
bool launched_as_mpi_job();

} // namespace snn::rt

#endif // SNN_RUNTIME_DATAPARALLEL_H
