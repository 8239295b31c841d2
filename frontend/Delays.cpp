//===- frontend/Delays.cpp - Projection delays and their order ------------===//
#include "frontend/Delays.h"

#include "frontend/ExprLowering.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <cmath>
#include <functional>
#include <map>
#include <optional>

namespace snn::frontend {

using diag::DiagKind;

namespace {

/// A delay value in steps (a time divided by dt, or a number of steps), or
/// nothing after reporting why it has none. `what` names it in messages.
std::optional<double> steps_of(const ast::Expr &expr, double dt, const std::string &what, diag::Diagnostics &diags,
                               const FunctionTable *functions) {
  ExprLowering exprs(diags, functions);
  ir::Expr e = exprs.lower(expr, ExprLowering::constant_scope(what));
  if (!e)
    return std::nullopt;
  if (e->is_bool() || (!e->dim.dimensionless() && e->dim != ir::Dimension::time())) {
    diags.report(DiagKind::dimension_mismatch, expr.loc(), what, e->is_bool() ? "boolean" : describe(e->dim),
                 "1 (dimensionless, steps) or s (a time)");
    return std::nullopt;
  }
  double value = 0;
  if (!ir::constant_value(ir::simplify(e), value)) {
    diags.report(DiagKind::non_constant_value, expr.loc(), what);
    return std::nullopt;
  }
  double steps = e->dim == ir::Dimension::time() ? value / dt : value;
  if (!std::isfinite(steps) || steps < 0 || steps > double(ir::kMaxDelaySteps) + 0.5) {
    diags.report(DiagKind::delay_out_of_range, expr.loc(), what, ir::kMaxDelaySteps, ir::format_real(dt),
                 ir::format_real(value), e->dim == ir::Dimension::time() ? " s" : " steps");
    return std::nullopt;
  }
  // A time that is a whole number of steps, up to rounding of the decimal values.
  if (std::fabs(steps - std::round(steps)) <= 1e-9 * std::max(1.0, steps))
    steps = std::round(steps);
  return steps;
}

/// The whole number of steps of a delay: the nearest one, and at least one
/// step for a positive delay (a spike cannot act before the step after its
/// own, except with an explicit `delay 0`). Warns where it rounds.
uint32_t whole_steps(double steps, const ast::Expr &expr, double dt, diag::Diagnostics &diags) {
  if (steps == std::round(steps))
    return uint32_t(steps);
  // Half a step rounds up, up to rounding of the decimal values (0.15 ms / 0.1 ms).
  uint32_t rounded = uint32_t(std::max(1.0, std::floor(steps + 0.5 + 1e-9 * std::max(1.0, steps))));
  if (steps < 1)
    diags.report(DiagKind::delay_below_step, expr.loc(), ir::format_real(steps * dt), ir::format_real(dt));
  else
    diags.report(DiagKind::delay_not_whole_steps, expr.loc(), ir::format_real(steps * dt), ir::format_real(dt), rounded,
                 ir::format_real(rounded * dt));
  return rounded;
}

/// The delay of `c`, or nothing after reporting why it has none.
bool delay_of(const ast::ConnectDecl &c, double dt, ir::Projection &out, diag::Diagnostics &diags,
              const FunctionTable *functions) {
  out.delay_steps = 1;
  out.delay_range.reset();
  if (!c.delay)
    return true;
  if (!c.delay_is_distribution) {
    std::optional<double> steps = steps_of(*c.delay, dt, "the delay", diags, functions);
    if (!steps)
      return false;
    out.delay_steps = whole_steps(*steps, *c.delay, dt, diags);
    return true;
  }
  // delay ~ uniform(lo, hi): per synapse, the whole step nearest each draw.
  const auto *call = ast::dyn_cast<ast::CallExpr>(c.delay.get());
  if (!call || call->callee.name != "uniform" || call->args.size() != 2 || call->args[0].name || call->args[1].name) {
    diags.report(DiagKind::unsupported_delay_distribution, c.delay->loc());
    if (call && call->callee.name != "uniform")
      diags.suggest(call->callee.name, {"uniform"}, call->callee.loc);
    return false;
  }
  std::optional<double> lo = steps_of(*call->args[0].value, dt, "the shortest delay", diags, functions);
  std::optional<double> hi = steps_of(*call->args[1].value, dt, "the longest delay", diags, functions);
  if (!lo || !hi)
    return false;
  if (!(*lo < *hi)) {
    diags.report(DiagKind::empty_uniform_range, c.delay->loc());
    return false;
  }
  if (*lo < 0.5) {
    // The nearest step of the shortest draws would be 0: not per synapse.
    diags.report(DiagKind::delay_below_step, call->args[0].value->loc(), ir::format_real(*lo * dt),
                 ir::format_real(dt));
    lo = 0.5;
    if (*hi <= *lo) // every draw is below one step
      return true;
  }
  out.delay_range = ir::DelayRange{*lo, *hi};
  out.delay_steps = uint32_t(std::llround(out.delay_range->hi));
  return true;
}

/// Reports a cycle of zero-delay projections, if any (depth-first search
/// over the populations, following zero-delay projections).
bool check_zero_delay_cycles(const ir::Network &net, diag::Diagnostics &diags) {
  size_t n = net.populations.size();
  std::vector<std::vector<size_t>> out(n); // projection indices by pre
  for (size_t j = 0; j < net.projections.size(); ++j)
    if (net.projections[j].delay_steps == 0)
      out[size_t(net.population_index(net.projections[j].pre))].push_back(j);
  enum Mark { White, Grey, Black };
  std::vector<Mark> mark(n, White);
  std::vector<size_t> path; // projections on the current path
  std::function<bool(size_t)> visit = [&](size_t k) {
    mark[k] = Grey;
    for (size_t j : out[k]) {
      size_t post = size_t(net.population_index(net.projections[j].post));
      path.push_back(j);
      if (mark[post] == Grey) {
        // The cycle is the tail of the path that starts at `post`.
        size_t first = path.size() - 1;
        while (first > 0 && net.projections[path[first]].pre != net.populations[post].name)
          --first;
        std::string cycle = net.populations[post].name;
        for (size_t i = first; i < path.size(); ++i)
          cycle += " -> " + net.projections[path[i]].post;
        diags.report(DiagKind::zero_delay_cycle, net.projections[j].loc, cycle);
        return false;
      }
      if (mark[post] == White && !visit(post))
        return false;
      path.pop_back();
    }
    mark[k] = Black;
    return true;
  };
  for (size_t k = 0; k < n; ++k)
    if (mark[k] == White && !visit(k))
      return false;
  return true;
}

} // namespace

bool resolve_delays(const ast::NetworkDecl &decl, ir::Module &module, diag::Diagnostics &diags,
                    const FunctionTable *functions) {
  unsigned errors = diags.error_count();
  ir::Network &net = module.network;
  size_t j = 0;
  for (const auto &c : decl.connections) {
    ir::Projection delay;
    bool ok = delay_of(c, module.regime.dt, delay, diags, functions);
    // e-prop's traces and the training schedule keep one step of spikes.
    if (ok && delay.delay_steps > 1 && module.regime.training) {
      diags.report(DiagKind::delay_in_training, c.delay->loc(), delay.delay_steps);
      ok = false;
    }
    // A synapse model's events run after the updates (a spike's `on pre`
    // at the earliest in the step of the spike).
    if (ok && c.synapse && c.delay && delay.delay_steps == 0 && !delay.delay_range) {
      diags.report(DiagKind::synapse_delay, c.delay->loc(), c.synapse->name);
      ok = false;
    }
    for (size_t t = 0; t < c.targets.size() && j < net.projections.size(); ++t, ++j)
      if (ok) {
        net.projections[j].delay_steps = delay.delay_steps;
        net.projections[j].delay_range = delay.delay_range;
      }
  }
  ir::internal_check(j == net.projections.size(), "projections and connect targets do not match");
  if (diags.error_count() != errors)
    return false;
  return check_zero_delay_cycles(net, diags);
}

} // namespace snn::frontend
