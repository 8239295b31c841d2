//===- LearningRateSchedule.cpp - Schedules and early stopping ------------===//

#include "LearningRateSchedule.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace snn::rt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

double option(const Hyperparameters &h, const char *name, double fallback) {
  return h.has(name) ? h.get(name) : fallback;
}

/// Keras's comparison: `current` improves on `best` by more than `delta`.
bool improves(double current, double best, double delta, bool lower_is_better) {
  return lower_is_better ? current < best - delta : current > best + delta;
}

} // namespace

bool lower_is_better(uint32_t metric) {
  return metric == SNN_METRIC_TRAIN_LOSS || metric == SNN_METRIC_VALIDATION_LOSS || metric == SNN_METRIC_TEST_LOSS;
}

LearningRateSchedule::LearningRateSchedule(const snn_training_desc &t, const Hyperparameters &h, double base_lr)
    : kind_(t.schedule), unit_(t.schedule_unit), warmup_unit_(t.warmup_unit),
      lower_is_better_(lower_is_better(t.schedule_monitor)), lr0_(base_lr), plateau_lr_(base_lr),
      best_(lower_is_better(t.schedule_monitor) ? kInf : -kInf) {
  factor_ = option(h, "schedule-factor", 1);
  every_ = option(h, "schedule-every", 1);
  power_ = option(h, "schedule-power", 1);
  over_ = option(h, "schedule-over", 1);
  min_lr_ = option(h, "schedule-min-lr", 0);
  patience_ = option(h, "schedule-patience", 0);
  min_delta_ = option(h, "schedule-min-delta", 0);
  cooldown_ = option(h, "schedule-cooldown", 0);
  warmup_ = option(h, "warmup", 0);
}

double LearningRateSchedule::rate(uint64_t epochs_done, uint64_t steps_done) const {
  double t = double(unit_ == SNN_PERIOD_BATCHES ? steps_done : epochs_done);
  double lr = lr0_;
  switch (kind_) {
  case SNN_SCHEDULE_STEP:
    lr = lr0_ * std::pow(factor_, std::floor(t / every_));
    break;
  case SNN_SCHEDULE_EXPONENTIAL:
    lr = lr0_ * std::pow(factor_, t / every_);
    break;
  case SNN_SCHEDULE_POWER:
    lr = lr0_ / std::pow(1 + t / every_, power_);
    break;
  case SNN_SCHEDULE_COSINE:
    lr = min_lr_ + (lr0_ - min_lr_) * (1 + std::cos(kPi * std::min(t, over_) / over_)) / 2;
    break;
  case SNN_SCHEDULE_REDUCE_ON_PLATEAU:
    lr = plateau_lr_;
    break;
  default:
    break;
  }
  if (warmup_ > 0) {
    double u = double(warmup_unit_ == SNN_PERIOD_BATCHES ? steps_done : epochs_done);
    lr *= std::min(1.0, (u + 1) / warmup_);
  }
  return lr;
}

void LearningRateSchedule::end_epoch(double metric) {
  reduced_ = false;
  if (kind_ != SNN_SCHEDULE_REDUCE_ON_PLATEAU || std::isnan(metric))
    return;
  // Keras's ReduceLROnPlateau.on_epoch_end, step for step.
  if (cooldown_counter_ > 0) {
    cooldown_counter_ -= 1;
    wait_ = 0;
  }
  if (improves(metric, best_, min_delta_, lower_is_better_)) {
    best_ = metric;
    wait_ = 0;
  } else if (!(cooldown_counter_ > 0)) {
    wait_ += 1;
    if (wait_ >= patience_) {
      if (plateau_lr_ > min_lr_) {
        plateau_lr_ = std::max(plateau_lr_ * factor_, min_lr_);
        reduced_ = true;
      }
      cooldown_counter_ = cooldown_;
      wait_ = 0;
    }
  }
}

std::vector<double> LearningRateSchedule::state() const { return {plateau_lr_, best_, wait_, cooldown_counter_}; }

void LearningRateSchedule::restore(const std::vector<double> &s) {
  if (s.size() != 4)
    throw Error("the checkpoint's schedule state has " + std::to_string(s.size()) + " numbers, expected 4");
  plateau_lr_ = s[0];
  best_ = s[1];
  wait_ = s[2];
  cooldown_counter_ = s[3];
}

EarlyStopping::EarlyStopping(const snn_training_desc &t, const Hyperparameters &h)
    : enabled_(t.early_stopping != 0), lower_is_better_(lower_is_better(t.early_stopping_monitor)),
      best_(lower_is_better(t.early_stopping_monitor) ? kInf : -kInf) {
  if (!enabled_)
    return;
  patience_ = h.get("patience");
  min_delta_ = h.get("min-delta");
  restore_best_ = h.get("restore-best") != 0;
}

bool EarlyStopping::end_epoch(uint32_t epoch, double metric) {
  improved_ = false;
  if (!enabled_ || std::isnan(metric))
    return false;
  if (improves(metric, best_, min_delta_, lower_is_better_)) {
    best_ = metric;
    best_epoch_ = epoch;
    wait_ = 0;
    improved_ = true;
    return false;
  }
  wait_ += 1;
  return wait_ >= patience_;
}

std::vector<double> EarlyStopping::state() const { return {best_, wait_, double(best_epoch_)}; }

void EarlyStopping::restore(const std::vector<double> &s) {
  if (s.size() != 3)
    throw Error("the checkpoint's early-stopping state has " + std::to_string(s.size()) + " numbers, expected 3");
  best_ = s[0];
  wait_ = s[1];
  best_epoch_ = uint32_t(s[2]);
}

} // namespace snn::rt
