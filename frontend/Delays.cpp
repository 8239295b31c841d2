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

/// The largest delay, in steps, a projection may have.
constexpr uint32_t kMaxDelaySteps = 1;

/// The delay of `c` in steps, or nothing after reporting why it has none.
std::optional<uint32_t> delay_steps(const ast::ConnectDecl &c, double dt, diag::Diagnostics &diags) {
  if (!c.delay)
    return 1;
  ExprLowering exprs(diags);
  ir::Expr e = exprs.lower(*c.delay, ExprLowering::constant_scope("the delay"));
  if (!e)
    return std::nullopt;
  SourceLocation at = c.delay->loc();
  if (e->is_bool() || (!e->dim.dimensionless() && e->dim != ir::Dimension::time())) {
    diags.report(DiagKind::dimension_mismatch, at, "the delay", e->is_bool() ? "boolean" : describe(e->dim),
                 "1 (dimensionless, steps) or s (a time)");
    return std::nullopt;
  }
  double value = 0;
  if (!ir::constant_value(ir::simplify(e), value)) {
    diags.report(DiagKind::non_constant_value, at, "the delay");
    return std::nullopt;
  }
  double steps = value;
  if (e->dim == ir::Dimension::time()) {
    steps = value / dt;
    // A time that is a whole number of steps, up to rounding of the decimal values.
    if (std::isfinite(steps) && std::fabs(steps - std::round(steps)) <= 1e-9 * std::max(1.0, std::fabs(steps)))
      steps = std::round(steps);
    else if (std::isfinite(steps)) {
      diags.report(DiagKind::delay_not_whole_steps, at, ir::format_real(value), ir::format_real(dt));
      return std::nullopt;
    }
  }
  if (!std::isfinite(steps) || steps < 0 || steps != std::floor(steps)) {
    diags.report(DiagKind::integer_out_of_range, at, "the delay (in steps)", 0, kMaxDelaySteps, ir::format_real(steps));
    return std::nullopt;
  }
  if (steps > kMaxDelaySteps) {
    diags.report(DiagKind::unsupported_delay, at, ir::format_real(steps));
    return std::nullopt;
  }
  return static_cast<uint32_t>(steps);
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

bool resolve_delays(const ast::NetworkDecl &decl, ir::Module &module, diag::Diagnostics &diags) {
  unsigned errors = diags.error_count();
  ir::Network &net = module.network;
  size_t j = 0;
  for (const auto &c : decl.connections) {
    std::optional<uint32_t> steps = delay_steps(c, module.regime.dt, diags);
    for (size_t t = 0; t < c.targets.size() && j < net.projections.size(); ++t, ++j)
      if (steps)
        net.projections[j].delay_steps = *steps;
  }
  ir::internal_check(j == net.projections.size(), "projections and connect targets do not match");
  if (diags.error_count() != errors)
    return false;
  return check_zero_delay_cycles(net, diags);
}

} // namespace snn::frontend
