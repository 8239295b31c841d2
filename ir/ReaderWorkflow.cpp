//===- ir/ReaderWorkflow.cpp - Reads printed workflow statements ----------===//

#include "ir/ReaderWorkflow.h"

#include "ir/Printer.h"
#include "ir/ReaderExpr.h"

#include <cmath>

namespace snn::ir::reader {
namespace {

using diag::DiagKind;

class WorkflowReader {
public:
  WorkflowReader(TokenStream &in, const Module &m, Workflow &w) : in_(in), m_(m), w_(w) {}

  bool statement(const Token &k) {
    const std::string &s = k.text;
    if (s == "optimizer") {
      in_.expect("=");
      Token name = in_.expect(TokenKind::Ident, "an optimizer");
      auto kind = optimizer_named(name.text);
      if (!kind)
        in_.fail(DiagKind::ir_expected, name.loc, "an optimizer", describe(name));
      w_.set_optimizer(*kind);
      in_.expect("(");
      options(options_of(*kind), w_.optimizer_options, nullptr, nullptr);
      in_.expect(")");
    } else if (s == "schedule") {
      schedule();
    } else if (s == "warmup") {
      in_.expect("=");
      w_.warmup = uint32_t(parse_integer(in_, "the warmup", 1, UINT32_MAX));
      w_.warmup_unit = unit();
    } else if (s == "clip_gradients") {
      Token how = in_.expect(TokenKind::Ident, "norm or value");
      if (how.text != "norm" && how.text != "value")
        in_.fail(DiagKind::ir_expected, how.loc, "norm or value", describe(how));
      (how.text == "norm" ? w_.clip_norm : w_.clip_value) = parse_real(in_);
    } else if (s == "regularize") {
      regularize();
    } else if (s == "clamp_weights") {
      in_.expect("(");
      expect_label(in_, "min");
      w_.clamp_min = parse_real(in_);
      in_.expect(",");
      expect_label(in_, "max");
      w_.clamp_max = parse_real(in_);
      in_.expect(")");
      w_.clamp = true;
    } else if (s == "dropout") {
      in_.expect("(");
      Dropout d;
      d.population = population();
      in_.expect(",");
      expect_label(in_, "rate");
      d.rate = parse_real(in_);
      in_.expect(")");
      w_.dropouts.push_back(d);
    } else if (s == "early_stopping") {
      EarlyStopping &e = w_.early_stopping;
      e.enabled = true;
      in_.expect("(");
      expect_label(in_, "monitor");
      e.monitor = metric();
      in_.expect(",");
      expect_label(in_, "patience");
      e.patience = uint32_t(parse_integer(in_, "the patience", 0, UINT32_MAX));
      in_.expect(",");
      expect_label(in_, "min_delta");
      e.min_delta = parse_real(in_);
      in_.expect(",");
      expect_label(in_, "restore_best");
      e.restore_best = parse_bool(in_);
      in_.expect(")");
    } else if (s == "checkpoint") {
      in_.expect("every");
      w_.checkpoint.every = uint32_t(parse_integer(in_, "the checkpoint period", 1, UINT32_MAX));
      w_.checkpoint.unit = unit();
      in_.expect("to");
      w_.checkpoint.directory = in_.expect(TokenKind::String, "a directory name in quotes").text;
    } else if (s == "prune") {
      prune();
    } else if (s == "rewire") {
      rewire();
    } else {
      return false;
    }
    return true;
  }

private:
  /// `PRE -> POST` naming projections of the network; sets the rule's names
  /// and location.
  template <typename Rule> void projection(Rule &rule, const char *what) {
    Token pre = in_.peek();
    rule.pre = population();
    in_.expect("->");
    rule.post = population();
    rule.loc = pre.loc;
    bool found = false;
    for (const Projection &pr : m_.network.projections)
      found = found || (pr.pre == rule.pre && pr.post == rule.post);
    if (!found)
      in_.fail(DiagKind::ir_invalid_module, pre.loc, "no projection " + rule.pre + " -> " + rule.post + " to " + what);
  }

  /// `rewire PRE -> POST by deep_r(l1: A, temperature: T)`.
  void rewire() {
    RewireRule r;
    projection(r, "rewire");
    in_.expect("by");
    in_.expect("deep_r");
    in_.expect("(");
    expect_label(in_, "l1");
    Token at = in_.peek();
    r.l1 = parse_real(in_);
    in_.expect(",");
    expect_label(in_, "temperature");
    Token at_t = in_.peek();
    r.temperature = parse_real(in_);
    in_.expect(")");
    if (!(r.l1 >= 0 && std::isfinite(r.l1)))
      in_.fail(DiagKind::ir_expected, at.loc, "an L1 strength >= 0", format_real(r.l1));
    if (!(r.temperature >= 0 && std::isfinite(r.temperature)))
      in_.fail(DiagKind::ir_expected, at_t.loc, "a temperature >= 0", format_real(r.temperature));
    w_.rewire.push_back(r);
  }

  /// `prune PRE -> POST to D by magnitude every|after N epoch(s)`.
  void prune() {
    PruneRule p;
    projection(p, "prune");
    in_.expect("to");
    Token at = in_.peek();
    p.density = parse_real(in_);
    if (!(p.density > 0 && p.density < 1))
      in_.fail(DiagKind::ir_expected, at.loc, "a density between 0 and 1", format_real(p.density));
    in_.expect("by");
    in_.expect("magnitude");
    Token when = in_.expect(TokenKind::Ident, "every or after");
    if (when.text != "every" && when.text != "after")
      in_.fail(DiagKind::ir_expected, when.loc, "every or after", describe(when));
    p.gradual = when.text == "every";
    p.epochs = uint32_t(parse_integer(in_, "the pruning period", 1, UINT32_MAX));
    if (unit() != PeriodUnit::Epochs)
      in_.fail(DiagKind::ir_expected, when.loc, "a period in epochs", "batches");
    w_.prune.push_back(p);
  }

  void schedule() {
    in_.expect("=");
    Token name = in_.expect(TokenKind::Ident, "a schedule");
    auto kind = schedule_named(name.text);
    if (!kind || *kind == ScheduleKind::Constant)
      in_.fail(DiagKind::ir_expected, name.loc, "a schedule", describe(name));
    w_.set_schedule(*kind);
    in_.expect("(");
    if (*kind == ScheduleKind::ReduceOnPlateau) {
      expect_label(in_, "monitor");
      w_.schedule_monitor = metric();
      in_.expect(",");
    }
    options(options_of(*kind), w_.schedule_options, period_option(*kind), &w_.schedule_unit);
    in_.expect(")");
  }

  void regularize() {
    Token what = in_.expect(TokenKind::Ident, "l1, l2 or firing_rate");
    in_.expect("(");
    if (what.text == "l1" || what.text == "l2") {
      (what.text == "l1" ? w_.l1 : w_.l2) = parse_real(in_);
    } else if (what.text == "firing_rate") {
      RateRegularizer r;
      r.population = population();
      in_.expect(",");
      expect_label(in_, "target");
      r.target = parse_quantity(in_, "Hz");
      in_.expect(",");
      expect_label(in_, "strength");
      r.strength = parse_real(in_);
      in_.expect(",");
      expect_label(in_, "tau");
      r.tau = parse_quantity(in_, "s");
      w_.rate_regularizers.push_back(r);
    } else {
      in_.fail(DiagKind::ir_expected, what.loc, "l1, l2 or firing_rate", describe(what));
    }
    in_.expect(")");
  }

  /// `NAME: VALUE, ...` for every option of `specs`, in order; the option
  /// `unit_option` is followed by a period unit.
  void options(const std::vector<OptionSpec> &specs, OptionValues &v, const char *unit_option, PeriodUnit *unit_out) {
    for (size_t i = 0; i < specs.size(); ++i) {
      if (i)
        in_.expect(",");
      expect_label(in_, specs[i].name);
      v.values[i] = specs[i].boolean ? (parse_bool(in_) ? 1 : 0) : parse_real(in_);
      if (unit_option && std::string(specs[i].name) == unit_option)
        *unit_out = unit();
    }
  }

  PeriodUnit unit() {
    Token u = in_.expect(TokenKind::Ident, "epochs or batches");
    if (u.text == "epoch" || u.text == "epochs")
      return PeriodUnit::Epochs;
    if (u.text != "batch" && u.text != "batches")
      in_.fail(DiagKind::ir_expected, u.loc, "epochs or batches", describe(u));
    return PeriodUnit::Batches;
  }

  Metric metric() {
    Token t = in_.expect(TokenKind::Ident, "a metric");
    auto m = metric_named(t.text);
    if (!m)
      in_.fail(DiagKind::ir_expected, t.loc, "a metric", describe(t));
    return *m;
  }

  std::string population() {
    Token name = in_.expect(TokenKind::Ident, "a population name");
    if (!m_.network.find_population(name.text))
      in_.fail(DiagKind::unknown_population, name.loc, name.text);
    return name.text;
  }

  TokenStream &in_;
  const Module &m_;
  Workflow &w_;
};

} // namespace

bool read_workflow_statement(TokenStream &in, const Token &keyword, const Module &m, Workflow &w) {
  return WorkflowReader(in, m, w).statement(keyword);
}

} // namespace snn::ir::reader
