//===- passes/Sparsify.cpp - Choosing how synapses are stored -------------===//
#include "passes/Sparsify.h"

#include "ir/Printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

/// Why stored rows (and the bitmask the runtime builds from rows) cannot
/// hold a projection of more synapses than 32-bit offsets count.
const char *const kTooManyForRows = "more synapses than 32-bit row offsets count";

/// Why no format without rows (bitmask, procedural) can hold `p` (empty
/// when one can): only spike delivery may read its synapses.
std::string rows_needed(const ir::Module &m, const ir::Projection &p, bool trained, const Target &target) {
  if (target.postsynaptic_delivery)
    return "--spike-delivery=postsynaptic gathers spikes by column, from stored synapses";
  if (trained)
    return "it is trained";
  if (m.regime.training && m.regime.training->bptt)
    return "BPTT propagates gradients through its synapses";
  if (!p.synapse.empty())
    return "its synapse model keeps state per synapse";
  if (p.delay_steps > 1 || p.delay_range)
    return "its delays need stored synapses";
  if (!p.weight_origin.file.empty())
    return "its weights come from a file";
  return "";
}

std::string bitmask_unavailable(const ir::Module &m, const ir::Projection &p, bool trained, const Target &target) {
  std::string why = rows_needed(m, p, trained, target);
  if (why.empty() && p.weight.dist != ir::WeightDistribution::Constant)
    why = "its weights are not one constant";
  return why;
}

/// Whether procedural rows of `p` are computed from its window (conv2d,
/// avg_pool2d) rather than drawn.
bool windowed(const ir::Projection &p) {
  return p.connectivity == ir::ConnectivityKind::Conv2D || p.connectivity == ir::ConnectivityKind::AvgPool2D;
}

std::string procedural_unavailable(const ir::Module &m, const ir::Projection &p, bool trained, const Target &target) {
  std::string why = rows_needed(m, p, trained, target);
  if (why.empty() && p.connectivity != ir::ConnectivityKind::FixedProbability && !windowed(p))
    why = fmt::format("{} connectivity is not regenerated (only fixed_probability, conv2d and avg_pool2d are)",
                      ir::name_of(p.connectivity));
  else if (why.empty() && !windowed(p) && !(p.probability > 0 && p.probability < 1))
    why = fmt::format("fixed_probability({}) has no random rows to regenerate", ir::format_real(p.probability));
  return why;
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

std::vector<ir::StorageEstimate> storage_estimates(const ir::Module &m, int j, bool trained, const Target &target) {
  const ir::Projection &p = m.network.projections[size_t(j)];
  const ir::Population *pre = m.network.find_population(p.pre), *post = m.network.find_population(p.post);
  ir::internal_check(pre && post, "projection " + p.pre + " -> " + p.post + " names an unknown population");
  double synapses = double(ir::expected_synapses(p, *pre, *post));
  double rows = double(pre->size) + 1;
  double words_per_row = std::ceil(post->size / 32.0);
  // Rows and synapses visited by the spikes of one step: num_pre * rate *
  // dt rows of synapses / num_pre each.
  double visited_rows = pre->size * ir::kAssumedRateHz * m.regime.dt;
  double visited = synapses * ir::kAssumedRateHz * m.regime.dt;
  double draw = target.gpu ? kDrawAccessesGpu : kDrawAccessesCpu;
  double weight_draws = p.weight.dist == ir::WeightDistribution::Constant ? 0 : 1;
  std::vector<ir::StorageEstimate> out;
  for (const std::string &name : ir::storage_names()) {
    ir::StorageEstimate e;
    e.format = *ir::storage_named(name);
    switch (e.format) {
    case ir::SynapseStorage::Ragged:
    case ir::SynapseStorage::Dense: {
      double index_loads = e.format == ir::SynapseStorage::Ragged ? 1 : 0;
      e.bytes = 4 * rows + (4 * index_loads + target.real_bytes) * synapses;
      e.accesses = visited * (index_loads + 3) + (trained ? synapses * index_loads : 0);
      if (e.format == ir::SynapseStorage::Dense)
        e.unavailable = dense_unavailable(m, p);
      if (e.unavailable.empty() && synapses > double(UINT32_MAX))
        e.unavailable = kTooManyForRows;
      break;
    }
    case ir::SynapseStorage::Bitmask:
      // Each visited row: its words, a bit test per candidate (1/8 of an
      // access each), and the add into each target.
      e.bytes = 4 * words_per_row * pre->size;
      e.accesses = visited_rows * words_per_row * (1 + 32.0 / 8) + visited * 2;
      e.unavailable = bitmask_unavailable(m, p, trained, target);
      if (e.unavailable.empty() && synapses > double(UINT32_MAX)) // the runtime builds it from rows
        e.unavailable = kTooManyForRows;
      break;
    case ir::SynapseStorage::Procedural:
      // A draw per synapse and one past the row's end (a window's rows are
      // computed, a few operations per row), a weight's draw unless it is
      // constant, and the add into each target.
      e.bytes = 0;
      e.accesses = windowed(p) ? visited * (2 + draw * weight_draws) + visited_rows * kWindowRowAccesses
                               : visited * (2 + draw * (1 + weight_draws)) + visited_rows * draw;
      e.unavailable = procedural_unavailable(m, p, trained, target);
      break;
    case ir::SynapseStorage::Auto:
      ir::internal_check(false, "'auto' named as a storage format");
    }
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
    p.storage_estimates =
        storage_estimates(m, int(j), trained[j], Target{ctx.gpu, ctx.real_bytes, ctx.postsynaptic_delivery});
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
          (!best || e.accesses < best->accesses || (e.accesses == best->accesses && e.bytes < best->bytes)))
        best = &e;
    if (!best) {
      // Ragged storage holds any projection of at most 2^32 - 1 synapses
      // (the frontend refused larger ones but fixed_probability's); a
      // larger one that procedural storage cannot hold is too large.
      const ir::StorageEstimate &procedural = p.storage_estimates.back();
      ir::internal_check(procedural.format == ir::SynapseStorage::Procedural &&
                             p.storage_estimates.front().unavailable == kTooManyForRows,
                         "no storage format holds projection " + p.pre + " -> " + p.post);
      const ir::Population *pre = m.network.find_population(p.pre), *post = m.network.find_population(p.post);
      ctx.diags.report(DiagKind::too_many_synapses, p.connectivity_loc.valid() ? p.connectivity_loc : p.loc, p.pre,
                       p.post, ir::format_real(std::round(double(ir::expected_synapses(p, *pre, *post)))), UINT32_MAX);
      ctx.diags.note(DiagKind::note_procedural_unavailable, p.connectivity_loc.valid() ? p.connectivity_loc : p.loc,
                     procedural.unavailable);
      ok = false;
      continue;
    }
    p.storage = best->format;
  }
  return ok;
}

} // namespace snn::passes
