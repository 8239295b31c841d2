//===- passes/Sparsify.cpp - Choosing how synapses are stored -------------===//
#include "passes/Sparsify.h"

#include "ir/Printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace snn::passes {

using diag::DiagKind;

namespace {

/// Why the dense format cannot hold `p` (empty when it can): only a
/// projection that connects every pair (the diagonal aside, without
/// autapses) has no index to leave out.
std::string dense_unavailable(const ir::Module &m, const ir::Projection &p) {
  if (m.regime.training) {
    const ir::Workflow &w = m.regime.training->workflow;
    auto named = [&](const auto &rule) { return rule.pre == p.pre && rule.post == p.post; };
    if (std::any_of(w.prune.begin(), w.prune.end(), named))
      return "pruning removes synapses";
    if (std::any_of(w.rewire.begin(), w.rewire.end(), named))
      return "rewiring moves synapses";
  }
  if (p.connectivity == ir::ConnectivityKind::Dense ||
      (p.connectivity == ir::ConnectivityKind::FixedProbability && p.probability >= 1))
    return "";
  if (p.connectivity == ir::ConnectivityKind::FixedProbability)
    return fmt::format("fixed_probability({}) does not connect every pair", ir::format_real(p.probability));
  return fmt::format("{} connectivity does not connect every pair", ir::name_of(p.connectivity));
}

/// The density of projection `p` before training: its expected synapses
/// over its pairs (without the diagonal when it has no autapses).
double initial_density(const ir::Module &m, const ir::Projection &p) {
  const ir::Population *pre = m.network.find_population(p.pre), *post = m.network.find_population(p.post);
  double pairs = double(pre->size) * post->size - (p.pre == p.post && !p.autapses ? pre->size : 0);
  return pairs > 0 ? double(ir::expected_synapses(p, *pre, *post)) / pairs : 0;
}

/// Why the regime does not train projection `p`.
std::string untrained_reason(const ir::Projection &p) {
  return p.frozen                             ? "it is frozen"
         : !p.synapse.empty()                 ? "its synapse model's weights are not trained"
         : p.delay_steps > 1 || p.delay_range ? "its delays keep it from being trained"
                                              : "the regime does not train it";
}

/// Each prune or Deep R rule names trained projections that no other rule
/// changes; a prune rule asks a density below the one they start with (and
/// gets a warning when the regime's epochs never reach it), a Deep R rule
/// an initialiser that gives every pair a sign.
bool check_structure(const ir::Module &m, const std::vector<bool> &trained, PassContext &ctx) {
  if (!m.regime.training)
    return true;
  const ir::Training &t = *m.regime.training;
  bool ok = true;
  bool structural = !t.workflow.prune.empty() || !t.workflow.rewire.empty();
  if (structural && t.workflow.early_stopping.enabled && t.workflow.early_stopping.restore_best) {
    ctx.diags.report(DiagKind::prune_restore_best,
                     t.workflow.prune.empty() ? t.workflow.rewire.front().loc : t.workflow.prune.front().loc);
    ok = false;
  }
  // The rule (its location) that changes each projection's synapses. Each
  // rule's projections: claimed by no other rule, trained, then `check`
  // (false after reporting).
  std::vector<const SourceLocation *> claimed(m.network.projections.size(), nullptr);
  auto each_projection = [&](const SourceLocation &loc, const std::string &pre, const std::string &post,
                             const char *what, DiagKind untrained,
                             const std::function<bool(const ir::Projection &)> &check) {
    for (int j : m.network.projections_between(pre, post)) {
      const ir::Projection &p = m.network.projections[size_t(j)];
      if (claimed[j]) {
        ctx.diags.report(DiagKind::duplicate_definition, loc, what, pre + " -> " + post);
        ctx.diags.note(DiagKind::note_previous_definition, *claimed[j]);
        ok = false;
        return;
      }
      claimed[j] = &loc;
      if (!trained[j]) {
        ctx.diags.report(untrained, loc, pre + " -> " + post, untrained_reason(p));
        ok = false;
        return;
      }
      if (!check(p)) {
        ok = false;
        return;
      }
    }
  };
  for (const ir::PruneRule &rule : t.workflow.prune) {
    std::string name = rule.pre + " -> " + rule.post;
    each_projection(rule.loc, rule.pre, rule.post, "pruning of", DiagKind::prune_untrained,
                    [&](const ir::Projection &p) {
                      double d0 = initial_density(m, p);
                      if (rule.density < d0)
                        return true;
                      ctx.diags.report(DiagKind::prune_density, rule.loc, name, ir::format_real(rule.density * 100),
                                       ir::format_real(d0 * 100));
                      return false;
                    });
    if (rule.epochs > t.epochs)
      ctx.diags.report(DiagKind::prune_never, rule.loc, name, t.epochs,
                       rule.gradual ? fmt::format(", fewer than the period of {}", rule.epochs)
                                    : fmt::format(", and it prunes after epoch {}", rule.epochs));
  }
  for (const ir::RewireRule &rule : t.workflow.rewire)
    each_projection(rule.loc, rule.pre, rule.post, "a rule that changes the synapses of", DiagKind::rewire_untrained,
                    [&](const ir::Projection &p) {
                      std::string why = !p.weight_origin.file.empty() ? "its weights come from a file"
                                        : p.weight.dist == ir::WeightDistribution::Constant && p.weight.a == 0
                                            ? "its weights all start at 0"
                                            : "";
                      if (why.empty())
                        return true;
                      ctx.diags.report(DiagKind::rewire_unsigned, rule.loc, rule.pre + " -> " + rule.post, why);
                      return false;
                    });
  return ok;
}

} // namespace

std::vector<ir::StorageEstimate> storage_estimates(const ir::Module &m, int j, bool trained) {
  const ir::Projection &p = m.network.projections[size_t(j)];
  const ir::Population *pre = m.network.find_population(p.pre), *post = m.network.find_population(p.post);
  ir::internal_check(pre && post, "projection " + p.pre + " -> " + p.post + " names an unknown population");
  double synapses = double(ir::expected_synapses(p, *pre, *post));
  double rows = double(pre->size) + 1;
  // Synapses visited by the spikes of one step: num_pre * rate * dt rows of
  // synapses / num_pre each.
  double visited = synapses * ir::kAssumedRateHz * m.regime.dt;
  std::vector<ir::StorageEstimate> out;
  for (const std::string &name : ir::storage_names()) {
    ir::StorageEstimate e;
    e.format = *ir::storage_named(name);
    double index_loads = e.format == ir::SynapseStorage::Ragged ? 1 : 0;
    e.index_bytes = 4 * rows + 4 * index_loads * synapses;
    e.accesses = visited * (index_loads + 3) + (trained ? synapses * index_loads : 0);
    if (e.format == ir::SynapseStorage::Dense)
      e.unavailable = dense_unavailable(m, p);
    out.push_back(std::move(e));
  }
  return out;
}

bool sparsify(ir::Module &m, PassContext &ctx) {
  std::vector<bool> trained(m.network.projections.size(), false);
  if (m.regime.training)
    for (const ir::TrainedProjection &t : m.regime.training->trained)
      trained[size_t(t.projection)] = true;
  bool ok = check_structure(m, trained, ctx);
  for (size_t j = 0; j < m.network.projections.size(); ++j) {
    ir::Projection &p = m.network.projections[j];
    p.storage_estimates = storage_estimates(m, int(j), trained[j]);
    if (p.storage_forced) {
      for (const ir::StorageEstimate &e : p.storage_estimates)
        if (e.format == p.storage && !e.unavailable.empty()) {
          ctx.diags.report(DiagKind::storage_unavailable, p.storage_loc, p.pre + " -> " + p.post,
                           ir::name_of(p.storage), e.unavailable);
          ok = false;
        }
      continue;
    }
    const ir::StorageEstimate *best = nullptr;
    for (const ir::StorageEstimate &e : p.storage_estimates)
      if (e.unavailable.empty() &&
          (!best || e.accesses < best->accesses || (e.accesses == best->accesses && e.index_bytes < best->index_bytes)))
        best = &e;
    ir::internal_check(best != nullptr, "no storage format holds projection " + p.pre + " -> " + p.post);
    p.storage = best->format;
  }
  return ok;
}

} // namespace snn::passes
