//===- Training.h - The training loop of a `train` regime -------*- C++ -*-===//
//
// Drives a model whose snn_model_desc::training is set, following the
// protocol of model_abi.h: epochs of shuffled batches through train_step,
// evaluation of the test and validation sets through step, metrics,
// progress lines, weight and gradient files (docs/training.md, "The
// executable").
//
// One Simulation of the largest batch holds every buffer; a smaller last
// batch runs with snn_state::batch set to its size, using the prefix of
// every per-example buffer.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_TRAINING_H
#define SNN_RUNTIME_TRAINING_H

#include "snn/runtime.h"

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "DataParallel.h"

namespace snn::rt {

/// Overrides of the regime's settings and the files of one training run.
struct TrainOptions {
  std::optional<uint32_t> epochs;    ///< 0: evaluate only
  std::optional<uint32_t> batch;     ///< examples per batch
  std::optional<double> lr;          ///< learning rate, > 0
  std::optional<uint64_t> seed;      ///< run seed (connectivity, weights, splits, shuffles)
  std::optional<uint64_t> batches;   ///< at most this many batches per epoch
  uint32_t threads = 1;              ///< threads that share a batch's examples
  std::string data_train, data_test; ///< override the regime's data paths
  std::string metrics;               ///< JSON lines file, one object per epoch
  std::string weights_in, weights_out, gradients_out;
  /// `--NAME VALUE` overrides of the model's hyperparameters (Hyperparameters.h).
  std::map<std::string, std::string> hypers;
  /// Checkpoint directory (--checkpoint; default: the regime's), and
  /// whether to continue from its checkpoint (--resume).
  std::string checkpoint;
  bool resume = false;
  /// File of the recordings that name none (--out); default
  /// `<network>_recordings.npz`.
  std::string recordings;
  bool shuffle = true; ///< false: train in file order
  /// Run on past NaN or infinite states and gradients (runtime/lib/NonFinite.h).
  bool allow_nonfinite = false;
  bool quiet = false; ///< print nothing on success (warnings still go to `err`)
  /// Carriage-return progress within an epoch (stdout is a terminal).
  bool terminal = false;
  std::ostream *out = nullptr; ///< progress and results; null: std::cout
  std::ostream *err = nullptr; ///< warnings; null: std::cerr
  /// The MPI job this run is a rank of (DataParallel.h); null: one process.
  const DataParallel *parallel = nullptr;
};

/// Loss and accuracy over a set of examples.
struct SetMetrics {
  double loss = 0;     ///< mean of the per-example losses
  double accuracy = 0; ///< fraction with argmax(scores) == label
  uint64_t examples = 0;
};

/// What one epoch measured (epoch 0: the evaluation of --epochs 0).
struct EpochMetrics {
  uint32_t epoch = 0;
  std::optional<SetMetrics> train, validation, test;
  double lr = 0;      ///< the learning rate of the epoch's last batch
  double seconds = 0; ///< wall time of the epoch, evaluation included
  /// Each pruned projection's density (synapses over pairs) after the epoch.
  std::vector<std::pair<std::string, double>> densities;
  /// Deep R: the synapses it replaced in the epoch (-1: no Deep R).
  int64_t rewired = -1;
};

/// What a training run did.
struct TrainResult {
  std::vector<EpochMetrics> epochs;
  std::optional<SetMetrics> final_test; ///< the test metrics after the last epoch
  uint64_t train_examples = 0, validation_examples = 0, test_examples = 0;
  uint64_t optimizer_steps = 0;
  uint32_t best_epoch = 0;    ///< early stopping's best epoch (0: none)
  bool stopped_early = false; ///< early stopping ended the run
  bool resumed = false;       ///< the run continued from a checkpoint
  uint32_t checkpoints = 0;   ///< checkpoints written
  std::vector<std::string> files_written;
};

/// Trains (or, with --epochs 0, evaluates; with --gradients-out, computes
/// one batch's gradient) the training model `model`. Throws Error.
TrainResult train(const snn_model_desc &model, const TrainOptions &options);

/// The JSON object of one epoch's metrics (one line, no newline).
std::string metrics_json(const EpochMetrics &metrics);

/// The progress line of one epoch: "epoch 3/30: train loss 0.4123 accuracy
/// 87.50 %, test loss ... accuracy ... %, 1.23 s, ETA 34 s".
std::string progress_line(const EpochMetrics &metrics, uint32_t epochs, double eta_seconds);

} // namespace snn::rt

#endif // SNN_RUNTIME_TRAINING_H
