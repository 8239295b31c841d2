//===- lower/Hyperparameters.cpp - The numbers a run may override ---------===//
#include "lower/Hyperparameters.h"

#include <limits>

namespace snn::lower {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// `weight_decay` -> `weight-decay`: options are written with dashes.
std::string option_name(const std::string &name) {
  std::string out = name;
  for (char &c : out)
    if (c == '_')
      c = '-';
  return out;
}

class Builder {
public:
  explicit Builder(Hyperparameters &h) : h_(h) {}

  int add(const std::string &name, const std::string &help, double value, const ir::OptionSpec &spec) {
    HyperInfo info;
    info.name = name;
    info.help = help;
    info.value = value;
    info.min = spec.min;
    info.max = spec.max;
    info.min_open = spec.min_open;
    info.max_open = spec.max_open;
    info.integer = spec.integer;
    info.boolean = spec.boolean;
    h_.list.push_back(std::move(info));
    return int(h_.list.size() - 1);
  }
  int add(const std::string &name, const std::string &help, double value, double min, double max, bool min_open = false,
          bool max_open = true, bool integer = false) {
    ir::OptionSpec spec{"", value, min, max, min_open, max_open, integer};
    return add(name, help, value, spec);
  }

private:
  Hyperparameters &h_;
};

} // namespace

Hyperparameters training_hyperparameters(const ir::Training &t, bool adjoint) {
  Hyperparameters h;
  Builder b(h);
  const ir::Workflow &w = t.workflow;
  // The optimiser's options; `lr` is the runtime's --lr and the `lr` buffer.
  const auto &specs = ir::options_of(w.optimizer);
  for (size_t i = 0; i < specs.size(); ++i) {
    if (std::string(specs[i].name) == "lr")
      continue;
    h.slots.optimizer[specs[i].name] =
        b.add(option_name(specs[i].name), std::string(ir::name_of(w.optimizer)) + ": " + specs[i].help,
              w.optimizer_options.values[i], specs[i]);
  }
  h.slots.clip_norm = b.add("clip-norm", "clip the gradients to this global norm (0: off)", w.clip_norm, 0, kInf);
  h.slots.clip_value = b.add("clip-value", "clip each gradient to [-C, C] (0: off)", w.clip_value, 0, kInf);
  h.slots.l1 = b.add("l1", "L1 weight penalty: adds l1 * sum |w| to the loss", w.l1, 0, kInf);
  h.slots.l2 = b.add("l2", "L2 weight penalty: adds l2 * sum w^2 to the loss", w.l2, 0, kInf);
  h.slots.clamp_min = b.add("clamp-min", "lower bound of every trained weight", w.clamp ? w.clamp_min : -kInf, -kInf,
                            kInf, false, false);
  h.slots.clamp_max = b.add("clamp-max", "upper bound of every trained weight", w.clamp ? w.clamp_max : kInf, -kInf,
                            kInf, false, false);
  const auto &schedule = ir::options_of(w.schedule);
  for (size_t i = 0; i < schedule.size(); ++i)
    b.add("schedule-" + option_name(schedule[i].name),
          std::string(ir::name_of(w.schedule)) + " schedule: " + schedule[i].help, w.schedule_options.values[i],
          schedule[i]);
  b.add("warmup", std::string("linear warm-up of the learning rate, in ") + ir::name_of(w.warmup_unit) + " (0: none)",
        w.warmup, 0, 4294967295.0, false, false, true);
  if (w.early_stopping.enabled) {
    const ir::EarlyStopping &e = w.early_stopping;
    b.add("patience", std::string("early stopping: epochs without improvement of ") + ir::name_of(e.monitor),
          e.patience, 0, 4294967295.0, false, false, true);
    b.add("min-delta", "early stopping: smallest change that counts as an improvement", e.min_delta, 0, kInf);
    ir::OptionSpec flag{"", 0, 0, 1};
    flag.boolean = true;
    b.add("restore-best", "early stopping: end with the weights of the best epoch", e.restore_best ? 1 : 0, flag);
  }
  b.add("checkpoint-every",
        std::string("write a checkpoint every N ") + ir::name_of(w.checkpoint.unit) + " (with --checkpoint DIR)",
        w.checkpoint.every ? w.checkpoint.every : 1, 1, 4294967295.0, false, false, true);
  // Steps per example: the loss kernels read it, so a run may change it. A
  // last-N readout needs at least N.
  h.timesteps = b.add("timesteps", "steps per example", t.timesteps,
                      t.readout_kind == ir::ReadoutKind::LastSteps ? t.last_steps : 1, kInf, false, false, true);
  if (adjoint)
    h.history_steps = b.add("history-steps",
                            "adjoint strategy: steps of history kept; longer examples recompute the forward pass in "
                            "segments of this many steps from checkpoints (0: every step, or what fits in half the "
                            "memory)",
                            0, 0, 4294967295.0, false, false, true);
  b.add("validation-split", "hold out this fraction of the training data for validation", t.validation_split, 0, 1);
  b.add("test-split", "hold out this fraction of the training data as test data (without test data)", t.test_split, 0,
        1);
  for (const ir::RateRegularizer &r : w.rate_regularizers) {
    h.rate_target[r.population] =
        b.add("rate-target." + r.population, "firing-rate regularisation: target rate of " + r.population + " (Hz)",
              r.target, 0, kInf);
    h.rate_strength[r.population] =
        b.add("rate-strength." + r.population, "firing-rate regularisation: strength for " + r.population, r.strength,
              0, kInf, false, true);
    h.rate_tau[r.population] = b.add("rate-tau." + r.population,
                                     "firing-rate regularisation: filter time constant of " + r.population + " (s)",
                                     r.tau, 0, kInf, true, true);
  }
  for (const ir::Dropout &d : w.dropouts)
    h.dropout[d.population] =
        b.add("dropout." + d.population, "probability that a spike of " + d.population + " is dropped in training",
              d.rate, 0, 1);
  return h;
}

} // namespace snn::lower
