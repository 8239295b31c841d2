//===- frontend/TrainingWorkflow.cpp - The workflow of a train regime -----===//
//
// Every numeric option is checked against its ir::OptionSpec (the one table
// the printer, the reader, lower/ and the executable's command line share);
// names come from fixed lists with "did you mean"; periods are counts with
// a unit (`50 epochs`, `100 batches`).
//
//===----------------------------------------------------------------------===//
#include "frontend/TrainingWorkflow.h"

#include "frontend/CallArguments.h"
#include "frontend/ExprLowering.h"
#include "frontend/OutputPaths.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace snn::frontend {

using diag::DiagKind;

namespace {

using ir::Dimension;

const std::vector<std::string> kStatements = {"regularize", "clip_gradients", "clamp_weights",
                                              "dropout",    "early_stopping", "checkpoint",
                                              "freeze",     "prune",          "rewire"};
const std::vector<std::string> kRegularizers = {"l1", "l2", "firing_rate"};
const std::vector<std::string> kClipModes = {"norm", "value"};

std::vector<std::string> spec_names(const std::vector<ir::OptionSpec> &specs) {
  std::vector<std::string> out;
  for (const auto &s : specs)
    out.push_back(s.name);
  return out;
}

class WorkflowLowering {
public:
  WorkflowLowering(ir::Module &m, ir::Training &t, diag::Diagnostics &diags, const FunctionTable *functions)
      : m_(m), t_(t), w_(t.workflow), diags_(diags), exprs_(diags, functions) {}

  void lower(const ast::TrainDecl &decl, const std::map<std::string, const ast::Setting *> &settings) {
    auto setting = [&](const char *name) -> const ast::Setting * {
      auto it = settings.find(name);
      return it == settings.end() ? nullptr : it->second;
    };
    if (const ast::Setting *s = setting("optimizer"))
      optimizer(*s->value);
    if (const ast::Setting *s = setting("schedule"))
      schedule(*s->value);
    if (const ast::Setting *s = setting("warmup"))
      if (auto p = period(*s->value, "the warmup")) {
        w_.warmup = p->first;
        w_.warmup_unit = p->second;
      }
    std::map<std::string, SourceLocation> seen;
    // `freeze` first: the firing-rate check asks which populations are trained.
    for (const auto &d : decl.directives)
      if (d.keyword.name == "freeze")
        freeze(d, decl);
    for (const auto &d : decl.directives) {
      const std::string &k = d.keyword.name;
      if (std::find(kStatements.begin(), kStatements.end(), k) == kStatements.end()) {
        diags_.report(DiagKind::unknown_setting, d.keyword.loc, "train", k);
        diags_.suggest(k, kStatements, d.keyword.loc);
        continue;
      }
      bool repeatable = k == "regularize" || k == "dropout" || k == "freeze" || k == "clip_gradients" || k == "prune" ||
                        k == "rewire";
      if (!repeatable && !diags_.define_once(seen, k, d.keyword.loc, "statement"))
        continue;
      if (k == "regularize")
        regularize(d);
      else if (k == "clip_gradients")
        clip(d);
      else if (k == "clamp_weights")
        clamp(d);
      else if (k == "dropout")
        dropout(d);
      else if (k == "early_stopping")
        early_stopping(d);
      else if (k == "checkpoint")
        checkpoint(d);
      else if (k == "prune")
        prune(d, decl);
      else if (k == "rewire")
        rewire(d, decl);
    }
  }

private:
  // ------------------------------------------------------------ options

  /// `NAME` or `NAME(opt: v, ...)`: the callee and its arguments.
  struct Callee {
    std::string name;
    SourceLocation loc;
    const std::vector<ast::Arg> *args = nullptr;
  };
  std::optional<Callee> callee(const ast::Expr &e, const std::string &what, const std::string &expected) {
    if (const auto *call = ast::dyn_cast<ast::CallExpr>(&e))
      return Callee{call->callee.name, call->callee.loc, &call->args};
    if (const auto *name = ast::dyn_cast<ast::NameExpr>(&e))
      return Callee{name->name, name->loc(), nullptr};
    diags_.report(DiagKind::expected_choice, e.loc(), what, expected);
    return std::nullopt;
  }

  /// Sets the options named in `args` (checked against `specs`); the
  /// option `unit_option` is a period and sets `*unit`. `extra` names
  /// further arguments the caller handles (returned in `rest`).
  bool options(const std::string &callee, const std::vector<ast::Arg> *args, const std::vector<ir::OptionSpec> &specs,
               ir::OptionValues &values, const char *unit_option = nullptr, ir::PeriodUnit *unit = nullptr,
               const std::vector<std::string> &extra = {}, NamedArgs *rest = nullptr) {
    if (!args)
      return true;
    std::vector<std::string> names = spec_names(specs);
    names.insert(names.end(), extra.begin(), extra.end());
    auto named = check_call_args(*args, callee, names, 0, nullptr, diags_);
    if (!named)
      return false;
    bool ok = true;
    for (const auto &[name, value] : *named) {
      auto spec = std::find_if(specs.begin(), specs.end(), [&](const ir::OptionSpec &s) { return name == s.name; });
      if (spec == specs.end()) {
        if (rest)
          rest->emplace_back(name, value);
        continue;
      }
      std::optional<double> v;
      if (unit_option && name == unit_option) {
        if (auto p = period(*value, "'" + name + "' of " + callee)) {
          v = p->first;
          *unit = p->second;
        }
      } else {
        v = option_value(*spec, *value, callee);
      }
      if (!v) {
        ok = false;
        continue;
      }
      values.values[size_t(spec - specs.begin())] = *v;
    }
    return ok;
  }

  /// The value of one option: a boolean for a flag, else a dimensionless
  /// number within the spec's range.
  std::optional<double> option_value(const ir::OptionSpec &spec, const ast::Expr &e, const std::string &of) {
    std::string what = "'" + std::string(spec.name) + "'";
    if (spec.boolean) {
      auto b = boolean(e, what);
      if (!b)
        return std::nullopt;
      return *b ? 1.0 : 0.0;
    }
    auto v = exprs_.constant(e, what, Dimension());
    if (!v)
      return std::nullopt;
    return checked(spec, *v, of, e.loc());
  }

  std::optional<double> checked(const ir::OptionSpec &spec, double v, const std::string &of, const SourceLocation &at) {
    if (ir::in_range(spec, v))
      return v;
    diags_.report(DiagKind::option_out_of_range, at, spec.name, of, ir::range_text(spec), ir::format_real(v));
    return std::nullopt;
  }

  std::optional<bool> boolean(const ast::Expr &e, const std::string &what) {
    ir::Expr v = exprs_.lower(e, ExprLowering::constant_scope(what));
    if (!v)
      return std::nullopt;
    v = ir::simplify(v);
    const auto *b = v.as<ir::Constant>();
    if (!b || !b->is_bool()) {
      diags_.report(DiagKind::expected_true_or_false, e.loc(), what);
      return std::nullopt;
    }
    return b->value != 0;
  }

  /// `N epochs` or `N batches`, N a whole number >= 1.
  std::optional<std::pair<uint32_t, ir::PeriodUnit>> period(const ast::Expr &e, const std::string &what) {
    const auto *q = ast::dyn_cast<ast::QuantityExpr>(&e);
    std::optional<ir::PeriodUnit> unit;
    if (q && (q->unit == "epoch" || q->unit == "epochs"))
      unit = ir::PeriodUnit::Epochs;
    else if (q && (q->unit == "batch" || q->unit == "batches"))
      unit = ir::PeriodUnit::Batches;
    if (!unit) {
      diags_.report(DiagKind::expected_period, e.loc(), what);
      return std::nullopt;
    }
    ir::OptionSpec spec{"period", 1, 1, 4294967295.0};
    spec.integer = true;
    if (!checked(spec, q->value, what, e.loc()))
      return std::nullopt;
    return std::make_pair(uint32_t(q->value), *unit);
  }

  std::optional<ir::Metric> metric(const ast::Expr &e, const std::string &what) {
    const auto *n = ast::dyn_cast<ast::NameExpr>(&e);
    if (!n) {
      diags_.report(DiagKind::expected_choice, e.loc(), what, alternatives(ir::metric_names()));
      return std::nullopt;
    }
    auto m = ir::metric_named(n->name);
    if (!m) {
      diags_.report(DiagKind::unknown_choice, e.loc(), "metric", n->name, alternatives(ir::metric_names()));
      diags_.suggest(n->name, ir::metric_names(), e.loc());
      return std::nullopt;
    }
    // A metric the runtime computes: validation needs a split, test data.
    bool validation = *m == ir::Metric::ValidationLoss || *m == ir::Metric::ValidationAccuracy;
    bool test = *m == ir::Metric::TestLoss || *m == ir::Metric::TestAccuracy;
    if (validation && t_.validation_split <= 0) {
      diags_.report(DiagKind::metric_not_computed, e.loc(), what, n->name, "there is no validation_split");
      return std::nullopt;
    }
    if (test && !t_.test.present() && t_.test_split <= 0) {
      diags_.report(DiagKind::metric_not_computed, e.loc(), what, n->name, "there is no 'data test' nor test_split");
      return std::nullopt;
    }
    if (test)
      diags_.report(DiagKind::monitors_test_set, e.loc(), what, n->name,
                    *m == ir::Metric::TestLoss ? "loss" : "accuracy");
    return m;
  }

  // ----------------------------------------------------------- settings

  void optimizer(const ast::Expr &e) {
    auto c = callee(e, "the optimizer", "adam(lr: ...), sgd(lr: ...), ...");
    if (!c)
      return;
    auto kind = ir::optimizer_named(c->name);
    if (!kind) {
      diags_.report(DiagKind::unknown_choice, c->loc, "optimizer", c->name, alternatives(ir::optimizer_names()));
      diags_.suggest(c->name, ir::optimizer_names(), c->loc);
      return;
    }
    w_.set_optimizer(*kind);
    options(c->name, c->args, ir::options_of(*kind), w_.optimizer_options);
  }

  void schedule(const ast::Expr &e) {
    auto c = callee(e, "the schedule", "exponential(factor: ..., every: N epochs), cosine(over: N epochs), ...");
    if (!c)
      return;
    auto kind = ir::schedule_named(c->name);
    if (!kind) {
      diags_.report(DiagKind::unknown_choice, c->loc, "schedule", c->name, alternatives(ir::schedule_names()));
      diags_.suggest(c->name, ir::schedule_names(), c->loc);
      return;
    }
    w_.set_schedule(*kind);
    bool plateau = *kind == ir::ScheduleKind::ReduceOnPlateau;
    const char *unit_option = ir::period_option(*kind);
    NamedArgs rest;
    std::vector<std::string> extra;
    if (plateau)
      extra.push_back("monitor");
    if (!options(c->name, c->args, ir::options_of(*kind), w_.schedule_options, unit_option, &w_.schedule_unit, extra,
                 &rest))
      return;
    // The period is required: the defaults of 1 would decay every epoch.
    if (unit_option && !(c->args && std::any_of(c->args->begin(), c->args->end(), [&](const ast::Arg &a) {
                           return a.name && a.name->name == unit_option;
                         })))
      diags_.report(DiagKind::missing_argument, c->loc, "'" + c->name + "'", unit_option);
    if (plateau) {
      const ast::Expr *monitor = find_arg(rest, "monitor");
      if (!monitor)
        diags_.report(DiagKind::missing_argument, c->loc, "'" + c->name + "'", "monitor");
      else if (auto m = metric(*monitor, "the schedule"))
        w_.schedule_monitor = *m;
    }
  }

  // --------------------------------------------------------- statements

  void regularize(const ast::Directive &d) {
    const ast::CallExpr *call = d.words.size() == 1 ? ast::dyn_cast<ast::CallExpr>(d.words[0].get()) : nullptr;
    if (d.is_call || !call) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc,
                    "'regularize l1(S)', 'regularize l2(S)' or 'regularize firing_rate(POP, target: R Hz, "
                    "strength: S)'");
      return;
    }
    const std::string &n = call->callee.name;
    if (std::find(kRegularizers.begin(), kRegularizers.end(), n) == kRegularizers.end()) {
      diags_.report(DiagKind::unknown_choice, call->callee.loc, "regularizer", n, alternatives(kRegularizers));
      diags_.suggest(n, kRegularizers, call->callee.loc);
      return;
    }
    std::vector<const ast::Expr *> unnamed;
    bool rate = n == "firing_rate";
    auto args = check_call_args(call->args, n,
                                rate ? std::vector<std::string>{"target", "strength", "tau"}
                                     : std::vector<std::string>{"strength"},
                                1, &unnamed, diags_);
    if (!args)
      return;
    ir::OptionSpec strength_spec{"strength", 0, 0, INFINITY, true, true};
    if (!rate) {
      const ast::Expr *s = unnamed.empty() ? find_arg(*args, "strength") : unnamed[0];
      if (!s || (!unnamed.empty() && find_arg(*args, "strength"))) {
        diags_.report(DiagKind::missing_argument, call->callee.loc, "'" + n + "'", "strength");
        return;
      }
      if (auto v = exprs_.constant(*s, "the strength", Dimension()))
        if (auto c = checked(strength_spec, *v, n, s->loc()))
          (n == "l1" ? w_.l1 : w_.l2) = *c;
      return;
    }
    if (unnamed.empty()) {
      diags_.report(DiagKind::missing_argument, call->callee.loc, "'firing_rate'", "the population");
      return;
    }
    ir::RateRegularizer r;
    const ir::Population *pop = trained_population(*unnamed[0], "firing-rate regularisation");
    if (!pop)
      return;
    r.population = pop->name;
    const ast::Expr *target = find_arg(*args, "target");
    if (!target) {
      diags_.report(DiagKind::missing_argument, call->callee.loc, "'firing_rate'", "target");
      return;
    }
    ir::OptionSpec target_spec{"target", 0, 0, INFINITY, false, true};
    ir::OptionSpec tau_spec{"tau", 0, 0, INFINITY, true, true};
    auto value = [&](const char *name, Dimension dim, const ir::OptionSpec &spec, double &out) {
      if (const ast::Expr *e = find_arg(*args, name))
        if (auto v = exprs_.constant(*e, std::string("'") + name + "'", dim))
          if (auto c = checked(spec, *v, "firing_rate", e->loc()))
            out = *c;
    };
    value("target", Dimension::frequency(), target_spec, r.target);
    value("strength", Dimension(), strength_spec, r.strength);
    value("tau", Dimension::time(), tau_spec, r.tau);
    for (const auto &other : w_.rate_regularizers)
      if (other.population == r.population) {
        diags_.report(DiagKind::duplicate_definition, unnamed[0]->loc(), "firing-rate regularisation of", r.population);
        return;
      }
    w_.rate_regularizers.push_back(r);
  }

  void clip(const ast::Directive &d) {
    const ast::NameExpr *mode = d.words.size() == 2 ? ast::dyn_cast<ast::NameExpr>(d.words[0].get()) : nullptr;
    if (d.is_call || !mode) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc, "'clip_gradients norm C' or 'clip_gradients value C'");
      return;
    }
    if (std::find(kClipModes.begin(), kClipModes.end(), mode->name) == kClipModes.end()) {
      diags_.report(DiagKind::unknown_choice, mode->loc(), "clipping", mode->name, alternatives(kClipModes));
      diags_.suggest(mode->name, kClipModes, mode->loc());
      return;
    }
    bool norm = mode->name == "norm";
    double &out = norm ? w_.clip_norm : w_.clip_value;
    if (out > 0) {
      diags_.report(DiagKind::duplicate_definition, mode->loc(), "clipping by", mode->name);
      return;
    }
    ir::OptionSpec spec{mode->name == "norm" ? "norm" : "value", 0, 0, INFINITY, true, true};
    if (auto v = exprs_.constant(*d.words[1], "the clipping " + mode->name, Dimension()))
      if (auto c = checked(spec, *v, "clip_gradients", d.words[1]->loc()))
        out = *c;
  }

  void clamp(const ast::Directive &d) {
    if (!d.is_call) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc, "'clamp_weights(min: LO, max: HI)'");
      return;
    }
    auto args = check_call_args(d.args, "clamp_weights", {"min", "max"}, 0, nullptr, diags_);
    if (!args)
      return;
    std::optional<double> lo, hi;
    for (const char *name : {"min", "max"}) {
      const ast::Expr *e = find_arg(*args, name);
      if (!e) {
        diags_.report(DiagKind::missing_argument, d.keyword.loc, "'clamp_weights'", name);
        return;
      }
      (name[1] == 'i' ? lo : hi) = exprs_.constant(*e, std::string("'") + name + "'", Dimension());
    }
    if (!lo || !hi)
      return;
    if (!(*lo < *hi)) {
      diags_.report(DiagKind::empty_range, d.keyword.loc, "clamp_weights", ir::format_real(*lo), ir::format_real(*hi));
      return;
    }
    w_.clamp = true;
    w_.clamp_min = *lo;
    w_.clamp_max = *hi;
  }

  void dropout(const ast::Directive &d) {
    if (!d.is_call) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc, "'dropout(POP, rate: R)'");
      return;
    }
    std::vector<const ast::Expr *> unnamed;
    auto args = check_call_args(d.args, "dropout", {"rate"}, 1, &unnamed, diags_);
    if (!args)
      return;
    const ast::Expr *rate = find_arg(*args, "rate");
    if (unnamed.empty() || !rate) {
      diags_.report(DiagKind::missing_argument, d.keyword.loc, "'dropout'",
                    unnamed.empty() ? "the population" : "rate");
      return;
    }
    const ir::Population *pop = population(*unnamed[0]);
    if (!pop)
      return;
    const ir::NeuronModel *model = m_.find_model(pop->model);
    if (!model || !model->spike_condition) {
      diags_.report(DiagKind::not_spiking_population, unnamed[0]->loc(), "dropout", pop->name, pop->model);
      return;
    }
    if (pop->name == t_.readout) {
      diags_.report(DiagKind::dropout_of_readout, unnamed[0]->loc(), pop->name);
      return;
    }
    for (const auto &other : w_.dropouts)
      if (other.population == pop->name) {
        diags_.report(DiagKind::duplicate_definition, unnamed[0]->loc(), "dropout of", pop->name);
        return;
      }
    ir::OptionSpec spec{"rate", 0, 0, 1, false, true};
    if (auto v = exprs_.constant(*rate, "the dropout rate", Dimension()))
      if (auto c = checked(spec, *v, "dropout", rate->loc()))
        w_.dropouts.push_back({pop->name, *c});
  }

  void early_stopping(const ast::Directive &d) {
    if (!d.is_call) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc,
                    "'early_stopping(monitor: METRIC, patience: N, min_delta: D, restore_best: B)'");
      return;
    }
    auto args = check_call_args(d.args, "early_stopping", {"monitor", "patience", "min_delta", "restore_best"}, 0,
                                nullptr, diags_);
    if (!args)
      return;
    ir::EarlyStopping e;
    e.enabled = true;
    bool ok = true;
    if (const ast::Expr *m = find_arg(*args, "monitor")) {
      auto metric_value = metric(*m, "early stopping");
      ok = metric_value.has_value();
      if (metric_value)
        e.monitor = *metric_value;
    } else if (t_.validation_split <= 0) {
      diags_.report(DiagKind::metric_not_computed, d.keyword.loc, "early stopping", "validation_loss",
                    "there is no validation_split (or name another metric with 'monitor:')");
      ok = false;
    }
    if (const ast::Expr *p = find_arg(*args, "patience")) {
      if (auto v = exprs_.integer(*p, "'patience'", 0, UINT32_MAX))
        e.patience = uint32_t(*v);
      else
        ok = false;
    }
    if (const ast::Expr *md = find_arg(*args, "min_delta")) {
      ir::OptionSpec spec{"min_delta", 0, 0, INFINITY, false, true};
      auto v = exprs_.constant(*md, "'min_delta'", Dimension());
      if (v)
        v = checked(spec, *v, "early_stopping", md->loc());
      ok = ok && v;
      if (v)
        e.min_delta = *v;
    }
    if (const ast::Expr *rb = find_arg(*args, "restore_best")) {
      auto b = boolean(*rb, "'restore_best'");
      ok = ok && b;
      if (b)
        e.restore_best = *b;
    }
    if (ok)
      w_.early_stopping = e;
  }

  void checkpoint(const ast::Directive &d) {
    const ast::NameExpr *every = d.words.size() == 2 ? ast::dyn_cast<ast::NameExpr>(d.words[0].get()) : nullptr;
    if (d.is_call || !every || every->name != "every" || !d.file) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc, "'checkpoint every N epochs to \"DIR\"'");
      return;
    }
    auto p = period(*d.words[1], "the checkpoint period");
    if (!p)
      return;
    if (d.file->empty() || d.file->find_first_of("\"\n") != std::string::npos) {
      diags_.report(DiagKind::expected_file_name, d.file_loc, "the checkpoint directory");
      return;
    }
    if (!check_checkpoint_directory(*d.file, d.file_loc, diags_))
      return;
    w_.checkpoint.every = p->first;
    w_.checkpoint.unit = p->second;
    w_.checkpoint.directory = *d.file;
  }

  void freeze(const ast::Directive &d, const ast::TrainDecl &decl) {
    if (d.projections.empty()) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc, "'freeze PRE -> POST, ...'");
      return;
    }
    for (const auto &[pre, post] : d.projections)
      if (projections_named(pre, post, decl))
        for (auto &pr : m_.network.projections)
          if (pr.pre == pre.name && pr.post == post.name)
            pr.frozen = true;
  }

  /// Whether the network has a projection `pre -> post`; reports it (with
  /// suggestions) when not.
  bool projections_named(const ast::Ident &pre, const ast::Ident &post, const ast::TrainDecl &decl) {
    for (const auto &pr : m_.network.projections)
      if (pr.pre == pre.name && pr.post == post.name)
        return true;
    diags_.report(DiagKind::unknown_projection, pre.loc, decl.network.name, pre.name + " -> " + post.name);
    std::vector<std::string> names;
    for (const auto &pr : m_.network.projections)
      names.push_back(pr.pre + " -> " + pr.post);
    diags_.suggest(pre.name + " -> " + post.name, names, pre.loc);
    return false;
  }

  /// `rewire PRE -> POST by deep_r(l1: A, temperature: T)`: ir::RewireRule
  /// (both options >= 0, default 0). The sparsify pass checks the rest.
  void rewire(const ast::Directive &d, const ast::TrainDecl &decl) {
    const auto *by = d.words.size() == 2 ? ast::dyn_cast<ast::NameExpr>(d.words[0].get()) : nullptr;
    const auto *call = d.words.size() == 2 ? ast::dyn_cast<ast::CallExpr>(d.words[1].get()) : nullptr;
    if (d.projections.size() != 1 || !by || by->name != "by" || !call) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc,
                    "'rewire PRE -> POST by deep_r(l1: A, temperature: T)'");
      return;
    }
    static const std::vector<std::string> kRules = {"deep_r"};
    if (call->callee.name != "deep_r") {
      diags_.report(DiagKind::unknown_choice, call->callee.loc, "rewiring rule", call->callee.name,
                    alternatives(kRules));
      diags_.suggest(call->callee.name, kRules, call->callee.loc);
      return;
    }
    const auto &[pre, post] = d.projections.front();
    if (!projections_named(pre, post, decl))
      return;
    static const std::vector<ir::OptionSpec> kSpecs = {{"l1", 0, 0, INFINITY, false, true},
                                                       {"temperature", 0, 0, INFINITY, false, true}};
    ir::OptionValues values;
    values.values = {0, 0};
    if (!options("deep_r", &call->args, kSpecs, values))
      return;
    ir::RewireRule rule;
    rule.pre = pre.name;
    rule.post = post.name;
    rule.l1 = values.values[0];
    rule.temperature = values.values[1];
    rule.loc = pre.loc;
    w_.rewire.push_back(rule);
  }

  /// `prune PRE -> POST to D % by magnitude every N epochs` (or `after N
  /// epochs`): ir::PruneRule. The sparsify pass checks what needs the
  /// trained projections and their densities.
  void prune(const ast::Directive &d, const ast::TrainDecl &decl) {
    auto word = [&](size_t k) {
      return d.words.size() == 5 ? ast::dyn_cast<ast::NameExpr>(d.words[k].get()) : nullptr;
    };
    const ast::NameExpr *by = word(1), *criterion = word(2), *when = word(3);
    if (d.projections.size() != 1 || !by || by->name != "by" || !criterion || !when) {
      diags_.report(DiagKind::expected_directive, d.keyword.loc,
                    "'prune PRE -> POST to D % by magnitude every N epochs' (or 'after N epochs')");
      return;
    }
    static const std::vector<std::string> kCriteria = {"magnitude"}, kWhen = {"every", "after"};
    for (auto [given, choices, what] : {std::make_tuple(criterion, &kCriteria, "pruning criterion"),
                                        std::make_tuple(when, &kWhen, "pruning schedule")})
      if (std::find(choices->begin(), choices->end(), given->name) == choices->end()) {
        diags_.report(DiagKind::unknown_choice, given->loc(), what, given->name, alternatives(*choices));
        diags_.suggest(given->name, *choices, given->loc());
        return;
      }
    const auto &[pre, post] = d.projections.front();
    if (!projections_named(pre, post, decl))
      return;
    ir::OptionSpec spec{"density (percent)", 0, 0, 100, true, true};
    auto density = exprs_.constant(*d.words[0], "the density", Dimension());
    if (!density || !checked(spec, *density, "prune", d.words[0]->loc()))
      return;
    auto p = period(*d.words[4], "the pruning period");
    if (!p)
      return;
    if (p->second != ir::PeriodUnit::Epochs) {
      diags_.report(DiagKind::expected_choice, d.words[4]->loc(), "the pruning period", "a count of epochs");
      return;
    }
    ir::PruneRule rule;
    rule.pre = pre.name;
    rule.post = post.name;
    rule.density = *density / 100;
    rule.gradual = when->name == "every";
    rule.epochs = p->first;
    rule.loc = pre.loc;
    w_.prune.push_back(rule);
  }

  // -------------------------------------------------------- populations

  const ir::Population *population(const ast::Expr &e) {
    const auto *n = ast::dyn_cast<ast::NameExpr>(&e);
    if (!n) {
      diags_.report(DiagKind::expected_choice, e.loc(), "the first argument", "a population name");
      return nullptr;
    }
    if (const ir::Population *p = m_.network.find_population(n->name))
      return p;
    diags_.report(DiagKind::unknown_population, e.loc(), n->name);
    std::vector<std::string> names;
    for (const auto &p : m_.network.populations)
      names.push_back(p.name);
    diags_.suggest(n->name, names, e.loc());
    return nullptr;
  }

  /// A population that e-prop trains: spiking, not the readout, with a
  /// projection into it that is not frozen.
  const ir::Population *trained_population(const ast::Expr &e, const std::string &what) {
    const ir::Population *p = population(e);
    if (!p)
      return nullptr;
    const ir::NeuronModel *model = m_.find_model(p->model);
    if (!model || !model->spike_condition) {
      diags_.report(DiagKind::not_spiking_population, e.loc(), what, p->name, p->model);
      return nullptr;
    }
    bool trained = p->name != t_.readout &&
                   std::any_of(m_.network.projections.begin(), m_.network.projections.end(),
                               [&](const ir::Projection &pr) { return pr.post == p->name && !pr.frozen; });
    if (!trained) {
      diags_.report(DiagKind::untrained_population, e.loc(), what, p->name);
      return nullptr;
    }
    return p;
  }

  ir::Module &m_;
  ir::Training &t_;
  ir::Workflow &w_;
  diag::Diagnostics &diags_;
  ExprLowering exprs_;
};

} // namespace

void lower_workflow(const ast::TrainDecl &decl, const std::map<std::string, const ast::Setting *> &settings,
                    ir::Module &m, ir::Training &t, diag::Diagnostics &diags, const FunctionTable *functions) {
  WorkflowLowering(m, t, diags, functions).lower(decl, settings);
}

const std::vector<std::string> &workflow_statements() { return kStatements; }

} // namespace snn::frontend
