//===- Checkpoint.h - Training checkpoints that survive kill -9 -*- C++ -*-===//
//
// A checkpoint is one NPZ file, DIR/checkpoint.npz, holding everything a
// resumed run needs to continue as if it had never stopped:
//   buffer.<name>   every buffer shared across the batch (weights, biases,
//                   optimiser moments, feedback matrices, hyperparameters;
//                   the connectivity, compared on resume), as float64
//                   (exact for f32, f64, u32 and i32 elements)
//   best.<param>    the best epoch's parameters (early stopping's
//                   restore_best)
//   progress        epoch, batches done in it, optimiser steps, the seed,
//                   the running sums of the epoch, the wall time so far
//   order           the epoch's example order
//   schedule, stopping   the schedule's and early stopping's state
//   hypers, run     the hyperparameter values and the options (--lr,
//                   --batch, --no-shuffle, --batches) the run uses
//   metrics         the metrics JSON lines written so far (bytes)
// The RNG needs no state of its own: every random number is keyed by the
// seed and the global example index and step (snn/philox.h), which the
// counters above determine.
//
// Writing: the archive goes to DIR/.checkpoint.npz.partial, is fsynced,
// renamed over DIR/checkpoint.npz, and the directory is fsynced. A kill at
// any moment leaves the previous checkpoint or the new one whole; a stale
// partial file is ignored and replaced.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_CHECKPOINT_H
#define SNN_RUNTIME_CHECKPOINT_H

#include "snn/runtime.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snn::rt {

/// Where a training run stands, besides its buffers.
struct TrainingProgress {
  uint32_t epoch = 1;           ///< the epoch in progress (1-based)
  uint64_t batches_done = 0;    ///< batches of `epoch` already trained
  uint64_t optimizer_steps = 0; ///< apply_gradients calls so far
  uint64_t seed = 0;
  double loss_sum = 0, hits = 0; ///< the epoch's running training sums
  uint64_t examples = 0;
  double seconds = 0; ///< wall time of the run so far
  std::vector<std::size_t> order;
  std::vector<double> schedule, stopping, hypers;
  /// The run's options that shape its result: learning rate, batch size,
  /// shuffling (1/0), the --batches limit (0: none).
  std::vector<double> run;
  std::string metrics; ///< JSON lines
  /// The best epoch's parameter values (by snn_param_desc index; empty
  /// when early stopping keeps none).
  std::vector<std::vector<double>> best;
};

/// Writes `progress` and the shared buffers of `simulation` to
/// DIR/checkpoint.npz atomically (see above); creates DIR if needed.
void write_checkpoint(const std::string &directory, const Simulation &simulation, const TrainingProgress &progress);

/// Reads DIR/checkpoint.npz into `simulation` and returns the progress, or
/// nullopt when there is none. Throws Error when the file is not a
/// checkpoint of this model (other buffers, shapes or connectivity, another
/// seed) or is malformed.
std::optional<TrainingProgress> read_checkpoint(const std::string &directory, Simulation &simulation);

/// DIR/checkpoint.npz.
std::string checkpoint_path(const std::string &directory);

} // namespace snn::rt

#endif // SNN_RUNTIME_CHECKPOINT_H
