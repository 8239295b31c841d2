//===- ir/Workflow.h - Optimisers, schedules and regularisers ---*- C++ -*-===//
//
// The training workflow of a `train` regime beyond the gradient itself: the
// optimiser, the learning-rate schedule and warm-up, gradient clipping,
// weight regularisation and clamping, firing-rate regularisation, dropout,
// early stopping and checkpoints (docs/training.md, "The training
// workflow").
//
// Every numeric setting is an `Option` of a fixed table (its name, default
// and valid range), so that the frontend checks it, the printer and reader
// round-trip it, lower/ turns it into a hyperparameter of the model ABI and
// the executable overrides it from its command line, all from one list.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_IR_WORKFLOW_H
#define SNN_IR_WORKFLOW_H

#include "snn/Diagnostic.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snn::ir {

/// The valid values of a numeric option.
struct OptionSpec {
  const char *name; ///< as written in the regime: `beta1`, `every`, ...
  double default_value;
  double min, max;       ///< bounds
  bool min_open = false; ///< min itself is not allowed
  bool max_open = false; ///< max itself is not allowed
  bool integer = false;  ///< a whole number (patience, counts)
  bool boolean = false;  ///< true or false, stored as 1 or 0
  const char *help = ""; ///< one line for `--help`
};

/// Whether `value` lies within `spec`'s range (and is whole for integers).
bool in_range(const OptionSpec &spec, double value);
/// The range as text: "0 <= x < 1", "> 0", "an integer >= 1", "true or false".
std::string range_text(const OptionSpec &spec);

/// Optimisers, with PyTorch's update rules (docs/training.md).
enum class OptimizerKind : uint8_t { Sgd, Adagrad, Rmsprop, Adam, AdamW };
const char *name_of(OptimizerKind k);
/// The options of an optimiser, `lr` first.
const std::vector<OptionSpec> &options_of(OptimizerKind k);
std::optional<OptimizerKind> optimizer_named(const std::string &name);
const std::vector<std::string> &optimizer_names();

/// Learning-rate schedules (Constant: none).
enum class ScheduleKind : uint8_t { Constant, Step, Exponential, Power, Cosine, ReduceOnPlateau };
const char *name_of(ScheduleKind k);
const std::vector<OptionSpec> &options_of(ScheduleKind k);
/// The option of schedule `k` that is a period with a unit (`every: 50
/// epochs`, `over: 1000 batches`), or null.
const char *period_option(ScheduleKind k);
std::optional<ScheduleKind> schedule_named(const std::string &name);
const std::vector<std::string> &schedule_names();

/// What a period counts: epochs, or batches (optimiser steps).
enum class PeriodUnit : uint8_t { Epochs, Batches };
const char *name_of(PeriodUnit u, bool plural = true);

/// A metric the runtime computes after every epoch.
enum class Metric : uint8_t { TrainLoss, TrainAccuracy, ValidationLoss, ValidationAccuracy, TestLoss, TestAccuracy };
const char *name_of(Metric m);
std::optional<Metric> metric_named(const std::string &name);
const std::vector<std::string> &metric_names();
/// Losses improve downwards, accuracies upwards.
inline bool lower_is_better(Metric m) {
  return m == Metric::TrainLoss || m == Metric::ValidationLoss || m == Metric::TestLoss;
}

/// A call with numeric options, such as `adam(lr: 1e-3, beta1: 0.9)`:
/// `values` holds every option of the kind's table, in table order.
struct OptionValues {
  std::vector<double> values;
  double get(const std::vector<OptionSpec> &specs, const std::string &name) const;
};

/// `checkpoint every N epochs to "DIR"`.
struct Checkpoint {
  uint32_t every = 0; ///< 0: none
  PeriodUnit unit = PeriodUnit::Epochs;
  std::string directory;
};

/// `regularize firing_rate(POP, target: 10 Hz, strength: 1e-3, tau: 500 ms)`:
/// mlGeNN's form (Bellec et al. 2020): a filtered rate per neuron,
/// f[t] = a f[t-1] + (1 - a) z[t] with a = exp(-dt / tau), and the gradient
/// term strength * (f[t] - target dt) * e_ji[t] added every step.
struct RateRegularizer {
  std::string population;
  double target = 10; ///< Hz
  double strength = 1e-3;
  double tau = 0.5; ///< s
};

/// `dropout(POP, rate: 0.2)`: during training, each spike of POP is dropped
/// (not transmitted) with probability `rate`.
struct Dropout {
  std::string population;
  double rate = 0;
};

/// `early_stopping(monitor: validation_loss, patience: 10, min_delta: 0,
/// restore_best: false)`.
struct EarlyStopping {
  bool enabled = false;
  Metric monitor = Metric::ValidationLoss;
  uint32_t patience = 10;
  double min_delta = 0;
  bool restore_best = false;
};

/// `prune PRE -> POST to D % by magnitude every N epochs` (or `after N
/// epochs`): at the end of pruning epochs, the synapses of the trained
/// projections PRE -> POST with the smallest |w| leave the storage, down
/// to a density (synapses over pairs) of
///   every N: d_k = D + (d_0 - D) (1 - k / K)^3 at epoch k N, k = 1..K,
///            K = floor(epochs / N) (Zhu & Gupta 2017's gradual schedule,
///            reaching D at the last multiple of N);
///   after N: D at epoch N, once.
/// d_0 is the density before training.
struct PruneRule {
  std::string pre, post;
  double density = 0;  ///< D, in (0, 1)
  bool gradual = true; ///< every (true) or after
  uint32_t epochs = 1; ///< N >= 1
  SourceLocation loc;  ///< the pre population's name in the statement
};

/// `rewire PRE -> POST by deep_r(l1: ALPHA, temperature: T)`: Deep R
/// (Bellec et al. 2018) on the trained projections PRE -> POST. Each pair
/// (i, j) has a sign s fixed at creation, the sign of the weight the
/// projection's initialiser draws for it; a synapse is active while s w >=
/// 0. After each optimiser step, every active synapse takes the L1 and noise
/// terms, w += -lr ALPHA s + sqrt(2 lr T) nu (nu ~ N(0, 1)); those whose s w
/// fell below 0 become dormant and leave the storage, and as many dormant
/// pairs, drawn uniformly, become active with w = 0, so that the number of
/// active synapses stays the one the projection was created with.
struct RewireRule {
  std::string pre, post;
  double l1 = 0, temperature = 0;
  SourceLocation loc; ///< the pre population's name in the statement
};

struct Workflow {
  OptimizerKind optimizer = OptimizerKind::Adam;
  OptionValues optimizer_options; ///< options_of(optimizer)
  ScheduleKind schedule = ScheduleKind::Constant;
  OptionValues schedule_options; ///< options_of(schedule)
  PeriodUnit schedule_unit = PeriodUnit::Epochs;
  Metric schedule_monitor = Metric::ValidationLoss; ///< ReduceOnPlateau
  uint32_t warmup = 0;                              ///< linear warm-up length, 0: none
  PeriodUnit warmup_unit = PeriodUnit::Epochs;
  double clip_norm = 0, clip_value = 0; ///< 0: none
  double l1 = 0, l2 = 0;                ///< weight penalties l1 sum|w| and l2 sum w^2
  bool clamp = false;
  double clamp_min = 0, clamp_max = 0;
  std::vector<RateRegularizer> rate_regularizers;
  std::vector<Dropout> dropouts;
  EarlyStopping early_stopping;
  Checkpoint checkpoint;
  std::vector<PruneRule> prune;
  std::vector<RewireRule> rewire;

  Workflow();
  double lr() const;
  /// Sets every option of `kind` to its default.
  void set_optimizer(OptimizerKind kind);
  void set_schedule(ScheduleKind kind);
};

/// The workflow as regime statements, one per line with `indent`, in the
/// form the IR reader reads back.
std::string to_string(const Workflow &w, const std::string &indent);

} // namespace snn::ir

#endif // SNN_IR_WORKFLOW_H
