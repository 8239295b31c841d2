//===- frontend/ConnectivityLowering.cpp - Connectivity of a projection ---===//
#include "frontend/ConnectivityLowering.h"

#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <cmath>
#include <string>
#include <vector>

namespace snn::frontend {

using diag::DiagKind;

namespace {

struct Kind {
  const char *name;
  ir::ConnectivityKind kind;
  const char *first; ///< the first argument's name, or null for none
};

const Kind kKinds[] = {
    {"dense", ir::ConnectivityKind::Dense, nullptr},
    {"one_to_one", ir::ConnectivityKind::OneToOne, nullptr},
    {"fixed_probability", ir::ConnectivityKind::FixedProbability, "p"},
    {"fixed_in_degree", ir::ConnectivityKind::FixedInDegree, "k"},
    {"fixed_out_degree", ir::ConnectivityKind::FixedOutDegree, "k"},
    {"fixed_total", ir::ConnectivityKind::FixedTotal, "n"},
};

/// The most partners each neuron (or, for fixed_total, the projection) may
/// have: the candidates, less one where a recurrent projection has no autapses.
uint64_t possible(const ir::Projection &pr, const ir::Population &pre, const ir::Population &post) {
  uint64_t self = pr.pre == pr.post && !pr.autapses ? 1 : 0;
  switch (pr.connectivity) {
  case ir::ConnectivityKind::FixedInDegree:
    return pre.size - self;
  case ir::ConnectivityKind::FixedOutDegree:
    return post.size - self;
  default:
    return uint64_t(pre.size) * (post.size - self);
  }
}

} // namespace

bool lower_connectivity(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post,
                        ir::Projection &pr, ExprLowering &exprs, diag::Diagnostics &diags) {
  if (!c.connectivity) {
    pr.connectivity = ir::ConnectivityKind::Dense;
    return true;
  }
  const ast::Ident &k = *c.connectivity;
  const Kind *kind = nullptr;
  std::vector<std::string> names;
  for (const Kind &candidate : kKinds) {
    names.push_back(candidate.name);
    if (k.name == candidate.name)
      kind = &candidate;
  }
  if (!kind) {
    diags.report(DiagKind::unknown_setting, k.loc, "connectivity", k.name);
    diags.suggest(k.name, names, k.loc);
    return false;
  }
  pr.connectivity = kind->kind;
  if (!kind->first) {
    if (!c.connectivity_args.empty()) {
      diags.report(DiagKind::wrong_argument_count, k.loc, "'" + k.name + "'", 0, c.connectivity_args.size());
      return false;
    }
    if (pr.connectivity == ir::ConnectivityKind::OneToOne && pre.size != post.size) {
      diags.report(DiagKind::one_to_one_size_mismatch, k.loc, pre.name, pre.size, post.name, post.size);
      return false;
    }
    return true;
  }
  const std::string first = kind->first;
  const ast::Expr *count = nullptr;
  bool have_first = false;
  for (size_t i = 0; i < c.connectivity_args.size(); ++i) {
    const ast::Arg &a = c.connectivity_args[i];
    std::string name = a.name ? a.name->name : (i == 0 ? first : "");
    if (name == first) {
      if (have_first) {
        diags.report(DiagKind::duplicate_argument, a.name ? a.name->loc : a.value->loc(), first);
        return false;
      }
      have_first = true;
      if (first != "p") {
        count = a.value.get();
        continue;
      }
      auto v = exprs.constant(*a.value, "the connection probability", ir::Dimension());
      if (!v)
        return false;
      if (*v < 0 || *v > 1) {
        diags.report(DiagKind::probability_out_of_range, a.value->loc(), ir::format_real(*v));
        return false;
      }
      pr.probability = *v;
    } else if (name == "autapses") {
      ir::Expr v = exprs.lower(*a.value, ExprLowering::constant_scope("'autapses'"));
      if (!v)
        return false;
      v = ir::simplify(v);
      const auto *b = v.as<ir::Constant>();
      if (!b || !b->is_bool()) {
        diags.report(DiagKind::expected_true_or_false, a.value->loc(), "autapses");
        return false;
      }
      pr.autapses = b->value != 0;
    } else {
      SourceLocation at = a.name ? a.name->loc : a.value->loc();
      diags.report(DiagKind::unknown_argument, at, "'" + k.name + "'",
                   name.empty() ? "#" + std::to_string(i + 1) : name);
      if (a.name)
        diags.suggest(name, {first, "autapses"}, at);
      else
        diags.note(DiagKind::note_positional_arguments, at, first);
      return false;
    }
  }
  if (!have_first) {
    diags.report(DiagKind::missing_argument, k.loc, "'" + k.name + "'", first);
    return false;
  }
  if (!count)
    return true;
  // After `autapses`, which changes how many partners are possible.
  auto n = exprs.integer(*count, "the synapse count of '" + k.name + "'", 0, UINT32_MAX);
  if (!n)
    return false;
  pr.count = *n;
  uint64_t most = possible(pr, pre, post);
  if (pr.count > most) {
    diags.report(
        DiagKind::connection_count_too_large, count->loc(), k.name, pr.count,
        pr.connectivity == ir::ConnectivityKind::FixedTotal ? "distinct pairs" : "distinct partners per neuron", most);
    return false;
  }
  return true;
}

bool check_synapse_count(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post,
                         const ir::Projection &pr, diag::Diagnostics &diags) {
  double expected = double(pre.size) * double(post.size);
  switch (pr.connectivity) {
  case ir::ConnectivityKind::OneToOne:
    expected = pre.size;
    break;
  case ir::ConnectivityKind::FixedProbability:
    expected *= pr.probability;
    break;
  case ir::ConnectivityKind::FixedInDegree:
    expected = double(pr.count) * post.size;
    break;
  case ir::ConnectivityKind::FixedOutDegree:
    expected = double(pr.count) * pre.size;
    break;
  case ir::ConnectivityKind::FixedTotal:
    expected = double(pr.count);
    break;
  case ir::ConnectivityKind::Dense:
    break;
  }
  constexpr uint32_t kLimit = UINT32_MAX;
  if (expected <= kLimit)
    return true;
  diags.report(DiagKind::too_many_synapses, c.connectivity ? c.connectivity->loc : c.loc, pre.name, post.name,
               ir::format_real(std::round(expected)), kLimit);
  return false;
}

} // namespace snn::frontend
