//===- ir/Workflow.cpp - Optimisers, schedules and regularisers -----------===//

#include "ir/Workflow.h"

#include "ir/Printer.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace snn::ir {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

OptionSpec real(const char *name, double value, double min, double max, bool min_open, bool max_open,
                const char *help) {
  OptionSpec s{name, value, min, max};
  s.min_open = min_open;
  s.max_open = max_open;
  s.help = help;
  return s;
}
OptionSpec positive(const char *name, double value, const char *help) {
  return real(name, value, 0, kInf, true, true, help);
}
OptionSpec non_negative(const char *name, double value, const char *help) {
  return real(name, value, 0, kInf, false, true, help);
}
OptionSpec fraction(const char *name, double value, const char *help) {
  return real(name, value, 0, 1, false, true, help);
}
OptionSpec count(const char *name, double value, double min, const char *help) {
  OptionSpec s = real(name, value, min, 4294967295.0, false, false, help);
  s.integer = true;
  return s;
}
OptionSpec flag(const char *name, bool value, const char *help) {
  OptionSpec s = real(name, value ? 1 : 0, 0, 1, false, false, help);
  s.boolean = true;
  return s;
}

const OptionSpec kLr = positive("lr", 1e-3, "learning rate");

template <typename Kind> struct Named {
  Kind kind;
  const char *name;
};

const Named<OptimizerKind> kOptimizers[] = {{OptimizerKind::Sgd, "sgd"},
                                            {OptimizerKind::Adagrad, "adagrad"},
                                            {OptimizerKind::Rmsprop, "rmsprop"},
                                            {OptimizerKind::Adam, "adam"},
                                            {OptimizerKind::AdamW, "adamw"}};
const Named<ScheduleKind> kSchedules[] = {
    {ScheduleKind::Constant, "constant"},       {ScheduleKind::Step, "step"},
    {ScheduleKind::Exponential, "exponential"}, {ScheduleKind::Power, "power"},
    {ScheduleKind::Cosine, "cosine"},           {ScheduleKind::ReduceOnPlateau, "reduce_on_plateau"}};
const Named<Metric> kMetrics[] = {{Metric::TrainLoss, "train_loss"},
                                  {Metric::TrainAccuracy, "train_accuracy"},
                                  {Metric::ValidationLoss, "validation_loss"},
                                  {Metric::ValidationAccuracy, "validation_accuracy"},
                                  {Metric::TestLoss, "test_loss"},
                                  {Metric::TestAccuracy, "test_accuracy"}};

template <typename Kind, size_t N> const char *find_name(const Named<Kind> (&table)[N], Kind k) {
  for (const auto &e : table)
    if (e.kind == k)
      return e.name;
  return "?";
}
template <typename Kind, size_t N> std::optional<Kind> find_kind(const Named<Kind> (&table)[N], const std::string &n) {
  for (const auto &e : table)
    if (n == e.name)
      return e.kind;
  return std::nullopt;
}
template <typename Kind, size_t N> std::vector<std::string> names(const Named<Kind> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto &e : table)
    out.push_back(e.name);
  return out;
}

std::string number_text(double v) { return format_real(v); }

/// `name: value, ...` for every option of `specs`; the option
/// `unit_option` (a period) is followed by `unit`.
void print_options(std::ostream &os, const std::vector<OptionSpec> &specs, const OptionValues &v,
                   const char *unit_option = nullptr, const char *unit = "") {
  for (size_t i = 0; i < specs.size(); ++i) {
    os << (i ? ", " : "") << specs[i].name << ": ";
    if (specs[i].boolean)
      os << (v.values[i] != 0 ? "true" : "false");
    else
      os << number_text(v.values[i]);
    if (unit_option && std::string(specs[i].name) == unit_option)
      os << ' ' << unit;
  }
}

OptionValues defaults(const std::vector<OptionSpec> &specs) {
  OptionValues v;
  for (const auto &s : specs)
    v.values.push_back(s.default_value);
  return v;
}

} // namespace

bool in_range(const OptionSpec &s, double v) {
  if (!std::isfinite(v) && !(v == kInf && s.max == kInf && !s.max_open))
    return false;
  if (v < s.min || (s.min_open && v == s.min) || v > s.max || (s.max_open && v == s.max))
    return false;
  return !s.integer || v == std::floor(v);
}

std::string range_text(const OptionSpec &s) {
  if (s.boolean)
    return "true or false";
  std::string out = s.integer ? "an integer " : "";
  bool upper = s.max != kInf;
  if (!upper)
    return out + (s.min_open ? "> " : ">= ") + number_text(s.min);
  return out + "from " + number_text(s.min) + (s.min_open ? " (excluded)" : "") + " to " + number_text(s.max) +
         (s.max_open ? " (excluded)" : "");
}

double OptionValues::get(const std::vector<OptionSpec> &specs, const std::string &name) const {
  for (size_t i = 0; i < specs.size() && i < values.size(); ++i)
    if (name == specs[i].name)
      return values[i];
  return 0;
}

const char *name_of(OptimizerKind k) { return find_name(kOptimizers, k); }
std::optional<OptimizerKind> optimizer_named(const std::string &n) { return find_kind(kOptimizers, n); }
const std::vector<std::string> &optimizer_names() {
  static const std::vector<std::string> out = names(kOptimizers);
  return out;
}

const std::vector<OptionSpec> &options_of(OptimizerKind k) {
  static const OptionSpec sgd_lr = positive("lr", 0.01, "learning rate");
  static const OptionSpec eps8 = positive("epsilon", 1e-8, "added to the denominator");
  static const OptionSpec beta1 = fraction("beta1", 0.9, "decay of the first moment");
  static const OptionSpec beta2 = fraction("beta2", 0.999, "decay of the second moment");
  static const std::vector<OptionSpec> sgd = {
      sgd_lr, fraction("momentum", 0, "momentum factor"), flag("nesterov", false, "Nesterov momentum"),
      non_negative("weight_decay", 0, "L2 penalty added to the gradient (coupled)")};
  static const std::vector<OptionSpec> adagrad = {
      sgd_lr, non_negative("initial_accumulator", 0, "initial sum of squared gradients"),
      positive("epsilon", 1e-10, "added to the denominator")};
  static const std::vector<OptionSpec> rmsprop = {sgd_lr, fraction("rho", 0.99, "decay of the mean square"),
                                                  fraction("momentum", 0, "momentum factor"), eps8};
  static const std::vector<OptionSpec> adam = {kLr, beta1, beta2, eps8};
  static const std::vector<OptionSpec> adamw = {kLr, beta1, beta2, eps8,
                                                non_negative("weight_decay", 0.01, "decoupled weight decay")};
  switch (k) {
  case OptimizerKind::Sgd:
    return sgd;
  case OptimizerKind::Adagrad:
    return adagrad;
  case OptimizerKind::Rmsprop:
    return rmsprop;
  case OptimizerKind::Adam:
    return adam;
  case OptimizerKind::AdamW:
    break;
  }
  return adamw;
}

const char *name_of(ScheduleKind k) { return find_name(kSchedules, k); }
std::optional<ScheduleKind> schedule_named(const std::string &n) { return find_kind(kSchedules, n); }
const std::vector<std::string> &schedule_names() {
  static const std::vector<std::string> out = names(kSchedules);
  return out;
}

const std::vector<OptionSpec> &options_of(ScheduleKind k) {
  static const OptionSpec every = count("every", 1, 1, "period of the decay (in the schedule's unit)");
  static const std::vector<OptionSpec> none;
  static const std::vector<OptionSpec> step = {positive("factor", 0.1, "multiplies the rate once per period"), every};
  static const std::vector<OptionSpec> exponential = {
      positive("factor", 0.1, "multiplies the rate over one period, continuously"), every};
  static const std::vector<OptionSpec> power = {positive("power", 1, "exponent of the decay"), every};
  static const std::vector<OptionSpec> cosine = {count("over", 1, 1, "length of the cosine decay"),
                                                 non_negative("min_lr", 0, "rate at the end of the decay")};
  static const std::vector<OptionSpec> plateau = {
      real("factor", 0.1, 0, 1, true, true, "multiplies the rate on a plateau"),
      count("patience", 10, 0, "epochs without improvement before reducing"),
      non_negative("min_delta", 1e-4, "smallest change that counts as an improvement"),
      count("cooldown", 0, 0, "epochs to wait after a reduction"),
      non_negative("min_lr", 0, "lower bound of the rate")};
  switch (k) {
  case ScheduleKind::Constant:
    return none;
  case ScheduleKind::Step:
    return step;
  case ScheduleKind::Exponential:
    return exponential;
  case ScheduleKind::Power:
    return power;
  case ScheduleKind::Cosine:
    return cosine;
  case ScheduleKind::ReduceOnPlateau:
    break;
  }
  return plateau;
}

const char *period_option(ScheduleKind k) {
  if (k == ScheduleKind::Cosine)
    return "over";
  return k == ScheduleKind::Constant || k == ScheduleKind::ReduceOnPlateau ? nullptr : "every";
}

const char *name_of(PeriodUnit u, bool plural) {
  if (u == PeriodUnit::Epochs)
    return plural ? "epochs" : "epoch";
  return plural ? "batches" : "batch";
}

const char *name_of(Metric m) { return find_name(kMetrics, m); }
std::optional<Metric> metric_named(const std::string &n) { return find_kind(kMetrics, n); }
const std::vector<std::string> &metric_names() {
  static const std::vector<std::string> out = names(kMetrics);
  return out;
}

Workflow::Workflow() {
  set_optimizer(OptimizerKind::Adam);
  set_schedule(ScheduleKind::Constant);
}

double Workflow::lr() const { return optimizer_options.values.at(0); }

void Workflow::set_optimizer(OptimizerKind kind) {
  optimizer = kind;
  optimizer_options = defaults(options_of(kind));
}

void Workflow::set_schedule(ScheduleKind kind) {
  schedule = kind;
  schedule_options = defaults(options_of(kind));
}

std::string to_string(const Workflow &w, const std::string &indent) {
  std::ostringstream os;
  os << indent << "optimizer = " << name_of(w.optimizer) << '(';
  print_options(os, options_of(w.optimizer), w.optimizer_options);
  os << ")\n";
  if (w.schedule != ScheduleKind::Constant) {
    os << indent << "schedule = " << name_of(w.schedule) << '(';
    if (w.schedule == ScheduleKind::ReduceOnPlateau)
      os << "monitor: " << name_of(w.schedule_monitor) << ", ";
    print_options(os, options_of(w.schedule), w.schedule_options, period_option(w.schedule), name_of(w.schedule_unit));
    os << ")\n";
  }
  if (w.warmup)
    os << indent << "warmup = " << w.warmup << ' ' << name_of(w.warmup_unit) << '\n';
  if (w.clip_norm > 0)
    os << indent << "clip_gradients norm " << number_text(w.clip_norm) << '\n';
  if (w.clip_value > 0)
    os << indent << "clip_gradients value " << number_text(w.clip_value) << '\n';
  if (w.l1 > 0)
    os << indent << "regularize l1(" << number_text(w.l1) << ")\n";
  if (w.l2 > 0)
    os << indent << "regularize l2(" << number_text(w.l2) << ")\n";
  for (const auto &r : w.rate_regularizers)
    os << indent << "regularize firing_rate(" << r.population << ", target: " << number_text(r.target)
       << " [Hz], strength: " << number_text(r.strength) << ", tau: " << number_text(r.tau) << " [s])\n";
  if (w.clamp)
    os << indent << "clamp_weights(min: " << number_text(w.clamp_min) << ", max: " << number_text(w.clamp_max) << ")\n";
  for (const auto &d : w.dropouts)
    os << indent << "dropout(" << d.population << ", rate: " << number_text(d.rate) << ")\n";
  if (w.early_stopping.enabled) {
    const EarlyStopping &e = w.early_stopping;
    os << indent << "early_stopping(monitor: " << name_of(e.monitor) << ", patience: " << e.patience
       << ", min_delta: " << number_text(e.min_delta) << ", restore_best: " << (e.restore_best ? "true" : "false")
       << ")\n";
  }
  for (const auto &p : w.prune)
    os << indent << "prune " << p.pre << " -> " << p.post << " to " << number_text(p.density) << " by magnitude "
       << (p.gradual ? "every " : "after ") << p.epochs << ' ' << (p.epochs == 1 ? "epoch" : "epochs") << '\n';
  for (const auto &r : w.rewire)
    os << indent << "rewire " << r.pre << " -> " << r.post << " by deep_r(l1: " << number_text(r.l1)
       << ", temperature: " << number_text(r.temperature) << ")\n";
  if (w.checkpoint.every)
    os << indent << "checkpoint every " << w.checkpoint.every << ' '
       << name_of(w.checkpoint.unit, w.checkpoint.every != 1) << " to \"" << w.checkpoint.directory << "\"\n";
  return os.str();
}

} // namespace snn::ir
