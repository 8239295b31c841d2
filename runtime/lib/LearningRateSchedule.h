//===- LearningRateSchedule.h - Schedules and early stopping ----*- C++ -*-===//
//
// The host side of a train regime's workflow (docs/training.md): the
// learning rate of every batch from the schedule and the warm-up, and
// early stopping on a monitored metric. Both follow Keras's definitions
// (ReduceLROnPlateau, EarlyStopping). Their state is a few numbers that a
// checkpoint saves and restores exactly.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_LEARNINGRATESCHEDULE_H
#define SNN_RUNTIME_LEARNINGRATESCHEDULE_H

#include "Hyperparameters.h"

#include "snn/model_abi.h"

#include <cstdint>
#include <vector>

namespace snn::rt {

class LearningRateSchedule {
public:
  LearningRateSchedule(const snn_training_desc &training, const Hyperparameters &hypers, double base_lr);

  /// The rate of the batch that follows `epochs_done` complete epochs and
  /// `steps_done` optimiser steps:
  ///   step         lr0 * factor^floor(t / every)
  ///   exponential  lr0 * factor^(t / every)
  ///   power        lr0 / (1 + t / every)^power
  ///   cosine       min_lr + (lr0 - min_lr) (1 + cos(pi min(t, over) / over)) / 2
  ///   reduce_on_plateau   the current reduced rate
  /// with t counted in the schedule's unit, times the warm-up factor
  /// min(1, (u + 1) / warmup), u in the warm-up's unit.
  double rate(uint64_t epochs_done, uint64_t steps_done) const;

  /// After an epoch, with the monitored metric's value (reduce on plateau).
  void end_epoch(double metric);

  /// Whether a reduction happened at the last end_epoch (to report it).
  bool reduced() const { return reduced_; }

  std::vector<double> state() const;
  /// Restores what state() returned; throws Error on a malformed vector.
  void restore(const std::vector<double> &state);

private:
  uint32_t kind_, unit_, warmup_unit_;
  bool lower_is_better_;
  double lr0_, factor_ = 1, every_ = 1, power_ = 1, over_ = 1, min_lr_ = 0, patience_ = 0, min_delta_ = 0,
               cooldown_ = 0, warmup_ = 0;
  // Reduce on plateau (Keras's ReduceLROnPlateau).
  double plateau_lr_, best_, wait_ = 0, cooldown_counter_ = 0;
  bool reduced_ = false;
};

/// Keras's EarlyStopping: stops after `patience` epochs whose metric did
/// not improve on the best by more than `min_delta`.
class EarlyStopping {
public:
  EarlyStopping(const snn_training_desc &training, const Hyperparameters &hypers);
  bool enabled() const { return enabled_; }
  /// After epoch `epoch`: returns whether training should stop; sets
  /// improved() when this epoch is the new best.
  bool end_epoch(uint32_t epoch, double metric);
  bool improved() const { return improved_; }
  bool restore_best() const { return restore_best_; }
  uint32_t best_epoch() const { return best_epoch_; }
  double best() const { return best_; }

  std::vector<double> state() const;
  void restore(const std::vector<double> &state);

private:
  bool enabled_ = false, lower_is_better_ = true, restore_best_ = false, improved_ = false;
  double patience_ = 0, min_delta_ = 0, best_, wait_ = 0;
  uint32_t best_epoch_ = 0;
};

/// Whether a lower value of `metric` (enum snn_metric) is better.
bool lower_is_better(uint32_t metric);

} // namespace snn::rt

#endif // SNN_RUNTIME_LEARNINGRATESCHEDULE_H
