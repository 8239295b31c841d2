//===- frontend/CurrentSources.cpp - Parameters driven over time ----------===//
#include "frontend/CurrentSources.h"

#include "frontend/CallArguments.h"
#include "ir/Printer.h"

#include <cmath>
#include <limits>

namespace snn::frontend {

using diag::DiagKind;

namespace {

/// The parameter a current source drives, or null after reporting why `var`
/// is not one of `model`'s.
const ir::Parameter *driven_parameter(const ir::NeuronModel &model, const ast::Ident &var, diag::Diagnostics &diags) {
  if (model.find_state(var.name) || model.find_input(var.name)) {
    diags.report(DiagKind::drive_not_parameter, var.loc, var.name, model.name,
                 model.find_state(var.name) ? "a state" : "an input");
    return nullptr;
  }
  if (const ir::Parameter *p = model.find_param(var.name))
    return p;
  diags.report(DiagKind::unknown_variable, var.loc, model.name, "parameter", var.name);
  std::vector<std::string> names;
  for (const auto &p : model.params)
    names.push_back(p.name);
  diags.suggest(var.name, names, var.loc);
  return nullptr;
}

/// `dc(amplitude, start: T0, stop: T1)`: the amplitude in the steps that
/// start at T0 <= t < T1, else 0 (NEST's dc_generator); `start` defaults to
/// 0, `stop` to never.
ir::Expr dc(const ast::CallExpr &c, const Scope &scope, double dt, ExprLowering &exprs, diag::Diagnostics &diags) {
  std::vector<const ast::Expr *> unnamed;
  auto args = check_call_args(c.args, "dc", {"amplitude", "start", "stop"}, 1, &unnamed, diags);
  if (!args)
    return {};
  const ast::Expr *amplitude = unnamed.empty() ? find_arg(*args, "amplitude") : unnamed[0];
  if (!amplitude) {
    diags.report(DiagKind::missing_argument, c.loc(), "dc()", "amplitude");
    return {};
  }
  ir::Expr a = exprs.lower(*amplitude, scope);
  if (!a)
    return {};
  if (a->is_bool()) {
    diags.report(DiagKind::expected_number, amplitude->loc(), "the amplitude of dc()");
    return {};
  }
  auto time_of = [&](const char *name, double fallback) -> std::optional<double> {
    const ast::Expr *e = find_arg(*args, name);
    return e ? exprs.constant(*e, std::string("the ") + name + " of dc()", ir::Dimension::time()) : fallback;
  };
  std::optional<double> start = time_of("start", 0.0);
  std::optional<double> stop = time_of("stop", std::numeric_limits<double>::infinity());
  if (!start || !stop)
    return {};
  // Times past 2^53 steps have no step index (nor does the run).
  const double last = 9007199254740992.0 * dt;
  for (const char *name : {"start", "stop"}) {
    const ast::Expr *e = find_arg(*args, name);
    double value = std::string(name) == "start" ? *start : *stop;
    if (e && std::fabs(value) > last) {
      diags.report(DiagKind::value_out_of_range, e->loc(), std::string("the ") + name + " of dc()",
                   ir::format_real(-last) + " s", ir::format_real(last) + " s", ir::format_real(value) + " s");
      return {};
    }
  }
  if (!(*stop > *start) || std::ceil(*stop / dt - 1e-9) <= std::ceil(*start / dt - 1e-9)) {
    diags.report(DiagKind::empty_current_interval, find_arg(*args, "stop")->loc(), *stop, *start);
    return {};
  }
  // On in the steps whose start time t has start <= t < stop, decided in
  // whole steps (to within 1e-9 of one, so `start: 20 ms` with dt = 0.1 ms
  // is step 200 whatever the rounding of 20 ms / 0.1 ms), and compared with
  // t at the middle between two steps, where rounding cannot flip it.
  auto first_step = [dt](double time) { return std::ceil(time / dt - 1e-9); };
  ir::Expr t = ir::Variable::make(ir::VarKind::Time, "t", ir::Dimension::time());
  auto between = [&](double step) { return ir::Constant::make((step - 0.5) * dt, ir::Dimension::time()); };
  ir::Expr on;
  if (first_step(*start) > 0)
    on = ir::Binary::make(ir::BinaryOp::Gt, t, between(first_step(*start)));
  if (std::isfinite(*stop)) {
    ir::Expr before = ir::Binary::make(ir::BinaryOp::Lt, t, between(first_step(*stop)));
    on = on ? ir::Binary::make(ir::BinaryOp::And, on, before) : before;
  }
  if (!on)
    return a;
  return ir::Select::make(on, a, ir::Constant::make(0.0, a->dim));
}

} // namespace

void lower_current_source(const ast::StimulusDecl &s, const ir::Population &pop, ir::Module &m, ExprLowering &exprs,
                          std::map<std::string, SourceLocation> &sources, diag::Diagnostics &diags) {
  const ir::NeuronModel *model = m.find_model(pop.model);
  const ir::Parameter *param = driven_parameter(*model, *s.variable, diags);
  if (!param)
    return;
  ir::Population &target = m.network.populations[m.network.population_index(pop.name)];
  uint32_t sites = 0;
  Scope scope;
  scope.context = "a current source";
  scope.names = {"t"};
  scope.lookup = [](const std::string &n) {
    return n == "t" ? ir::Variable::make(ir::VarKind::Time, "t", ir::Dimension::time()) : ir::Expr();
  };
  scope.allow_random = true;
  scope.random_sites = &sites;
  scope.extra_call = [&](const ast::CallExpr &c) -> std::optional<ir::Expr> {
    if (c.callee.name != "dc")
      return std::nullopt;
    return dc(c, scope, m.regime.dt, exprs, diags);
  };
  ir::Expr value = exprs.lower(*s.source, scope);
  if (!value)
    return;
  if (value->is_bool()) {
    diags.report(DiagKind::expected_number, s.source->loc(), "a current source");
    return;
  }
  if (!exprs.expect_dimension(value, param->dim, "the current source of '" + param->name + "'", s.source->loc()))
    return;
  for (const auto &init : target.inits)
    if (init.state == param->name) {
      diags.report(DiagKind::driven_and_initialised, s.variable->loc, param->name, pop.name);
      return;
    }
  if (diags.define_once(sources, pop.name + "." + param->name, s.variable->loc, "current source of"))
    target.drives.push_back({param->name, value});
}

} // namespace snn::frontend
