//===- Trainer.h - One training run's simulation and batches ----*- C++ -*-===//
//
// Internal to runtime/lib/Training.cpp: the Simulation of a training run and
// what runs a batch through it. A batch's examples run forward (and, in
// training, backward: the adjoint strategy's reverse pass, with segments
// recomputed from checkpoints, HistorySegments.h) as one group, in groups on
// threads of their own (--threads), or as this MPI rank's share
// (DataParallel.h); then the batch's losses, scores and gradients are
// reduced in example order, so every split gives the same bits.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_TRAINER_H
#define SNN_RUNTIME_TRAINER_H

#include "AlignedBuffer.h"
#include "DataParallel.h"
#include "EntryPoint.h"
#include "HistorySegments.h"
#include "Hyperparameters.h"
#include "Rewiring.h"
#include "Training.h"
#include "TrainingData.h"
#include "TrainingRecorder.h"

#include "snn/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::rt {

/// Examples of one set: the data set and the indices into it.
struct Subset {
  const ExampleSet *set = nullptr;
  std::vector<std::size_t> indices;
  const char *name = "";
  std::size_t size() const { return indices.size(); }
};

/// What a batch is run for: a training step, the gradient alone
/// (--gradients-out), or evaluation (no backward pass).
enum class Pass { Train, Gradient, Evaluate };

/// Throws Error unless `model` can train split over MPI ranks: entries that
/// run on a share of the batch alone (batch-separable: no shared buffer
/// written) and no training recordings (an example's record would be on
/// whichever rank simulated it). Validation already required each trained
/// parameter's per-example gradient, which the ranks exchange.
void check_data_parallel(const snn_model_desc &model);

/// The state of one run: the simulation, its entry points and scratch.
class Trainer {
public:
  /// `history_steps`: the steps the adjoint strategy's histories hold
  /// (choose_history_steps); fewer than `steps` recomputes segments.
  Trainer(const snn_model_desc &model, uint64_t seed, uint32_t batch, uint32_t steps, uint32_t history_steps,
          uint32_t threads, const DataParallel *parallel);

  /// Whether the adjoint strategy recomputes the forward pass in segments.
  bool segmented() const { return training_.backward_pass && history_steps_ < steps_; }
  uint32_t history_steps() const { return history_steps_; }
  const SegmentCheckpoints &checkpoints() const { return checkpoints_; }

  /// Writes the hyperparameters into the model's buffer, `history-steps`
  /// as this run chose it.
  void store_hypers(const Hyperparameters &hypers);

  Simulation &simulation() { return simulation_; }

  void set_learning_rate(double lr);

  /// Runs examples `first .. first + count - 1` of `order` (indices into
  /// `subset`) as one batch; adds their losses and hits to `sums`.
  void run_batch(const Subset &subset, const std::vector<std::size_t> &order, std::size_t first, uint32_t count,
                 Pass pass, uint64_t first_example, const std::string &where, SetMetrics &sums);

  /// Loss and accuracy of `subset` (in its order), by `step`.
  SetMetrics evaluate(const Subset &subset, const std::string &when);

  static SetMetrics averaged(SetMetrics sums) {
    if (sums.examples > 0) {
      sums.loss /= double(sums.examples);
      sums.accuracy /= double(sums.examples);
    }
    return sums;
  }

  uint64_t optimizer_steps() const { return optimizer_steps_; }
  /// The synapses Deep R has replaced in this run (0 without Deep R).
  uint64_t rewired() const { return rewired_; }
  void set_optimizer_steps(uint64_t steps) { optimizer_steps_ = steps; }
  /// Records the examples of `set` (the training data) that `recorder` names.
  void set_recorder(TrainingRecorder *recorder, const ExampleSet *set) {
    recorder_ = recorder;
    recorded_set_ = set;
  }
  void set_epoch(uint32_t epoch) { epoch_ = epoch; }
  void set_check_finite(bool check) { check_finite_ = check; }

private:
  /// The entry points each example of a batch runs on its own.
  struct ExampleEntries {
    EntryPoint reset_example, step, train_step, end_example, train_end_example, train_backward;
    ExampleEntries() = default;
    /// Each call split by example over `pool` (null: on the calling thread).
    ExampleEntries(const snn_model_desc &model, ExampleThreads *pool)
        : reset_example(model, "reset_example", pool), step(model, "step", pool), train_step(model, "train_step", pool),
          end_example(model, "end_example", pool), train_end_example(model, "train_end_example", pool),
          train_backward(model, "train_backward", pool) {}
  };

  /// Runs `mine` in groups of examples (ExampleThreads::run_groups), each
  /// whole (forward, backward) on a thread of the pool, with the direct
  /// entries: the same instructions per example as one group, so the same
  /// bits. The first error of a group is rethrown.
  void simulate_in_groups(snn_state &mine, Pass pass, const std::string &where);

  /// The forward pass (and, training, the backward pass) of the examples of
  /// `mine` (the batch, this rank's share of it or a thread's group), with
  /// `entries`; `recording`: the recorder records every step.
  void simulate(snn_state &mine, Pass pass, const std::string &where, const ExampleEntries &entries, bool recording);

  /// Per-example buffer `k` of every rank's share, on every rank.
  void gather(uint32_t k, uint32_t count);

  const snn_model_desc &model_;
  const snn_training_desc &training_;
  uint64_t seed_;
  uint32_t batch_;
  uint32_t steps_;                    ///< per example: the run's `timesteps`
  uint32_t history_steps_;            ///< what a history holds (the adjoint strategy)
  const DataParallel *parallel_;      ///< the MPI job of two or more ranks, or null
  std::vector<void *> share_buffers_; ///< the buffer table of this rank's share of the batch
  Simulation simulation_;
  ExampleEntries pooled_; ///< each call split by example over the threads
  ExampleEntries direct_; ///< for a group of examples with a thread of its own
  EntryPoint reduce_gradients_, apply_gradients_;
  bool groups_allowed_ = false; ///< whether groups of examples may run whole on threads
  uint32_t neurons_ = 0;
  /// batch x steps x neurons input flags of the current batch, where the
  /// device reads them: it copies a step's flags itself (simulate's
  /// set_stimulus).
  AlignedBuffer raster_;
  SegmentCheckpoints checkpoints_; ///< segmented(): a copy per segment but the last, and one aside
  uint64_t optimizer_steps_ = 0;
  Rewiring rewiring_;    ///< Deep R's rewiring after each optimiser step
  uint64_t rewired_ = 0; ///< synapses Deep R replaced so far
  TrainingRecorder *recorder_ = nullptr;
  const ExampleSet *recorded_set_ = nullptr;
  uint32_t epoch_ = 0;
  bool check_finite_ = true;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_TRAINER_H
