//===- frontend/ConnectivityLowering.cpp - Connectivity of a projection ---===//
#include "frontend/ConnectivityLowering.h"

#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <algorithm>
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
    {"conv2d", ir::ConnectivityKind::Conv2D, "window"},
    {"avg_pool2d", ir::ConnectivityKind::AvgPool2D, "window"},
    {"from_list", ir::ConnectivityKind::FromList, "pre"},
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

/// The arguments of the connectivity `c` names, in the order of `names`
/// (null where not given); the first `positional` may go without their
/// names. False after reporting an unknown or repeated argument.
bool named_arguments(const ast::ConnectDecl &c, const std::vector<std::string> &names, size_t positional,
                     std::vector<const ast::Expr *> &out, diag::Diagnostics &diags) {
  out.assign(names.size(), nullptr);
  for (size_t i = 0; i < c.connectivity_args.size(); ++i) {
    const ast::Arg &a = c.connectivity_args[i];
    std::string name = a.name ? a.name->name : (i < positional ? names[i] : "");
    SourceLocation at = a.name ? a.name->loc : a.value->loc();
    auto slot = std::find(names.begin(), names.end(), name);
    if (slot == names.end()) {
      diags.report(DiagKind::unknown_argument, at, "'" + c.connectivity->name + "'",
                   name.empty() ? "#" + std::to_string(i + 1) : name);
      if (a.name)
        diags.suggest(name, names, at);
      else if (positional == 1)
        diags.note(DiagKind::note_positional_arguments, at, names[0]);
      return false;
    }
    const ast::Expr *&arg = out[size_t(slot - names.begin())];
    if (arg) {
      diags.report(DiagKind::duplicate_argument, at, name);
      return false;
    }
    arg = a.value.get();
  }
  return true;
}

/// A window's size, stride or padding: `3` (both axes) or `3x2` (rows x
/// columns), each at least `min`.
std::optional<std::pair<uint32_t, uint32_t>> window_pair(const ast::Expr &e, const std::string &what, uint32_t min,
                                                         ExprLowering &exprs, diag::Diagnostics &diags) {
  if (const auto *shape = ast::dyn_cast<ast::ShapeExpr>(&e)) {
    const std::vector<uint32_t> &d = shape->dims;
    if (d.size() == 2 && d[0] >= min && d[1] >= min && d[0] <= (1u << 30) && d[1] <= (1u << 30))
      return std::make_pair(d[0], d[1]);
    diags.report(DiagKind::expected_window_pair, e.loc(), what, min, "'" + shape->text() + "'");
    return std::nullopt;
  }
  auto n = exprs.integer(e, what, min, 1u << 30);
  if (!n)
    return std::nullopt;
  return std::make_pair(uint32_t(*n), uint32_t(*n));
}

std::string pair_text(uint32_t a, uint32_t b) { return std::to_string(a) + "x" + std::to_string(b); }

/// `conv2d(3x3, stride: 2, padding: "same")`, `avg_pool2d(2x2)`: the
/// window, its stride (1 for conv2d, the window for pooling, unless given)
/// and its padding ("valid", no padding, unless given; "same", as Keras's;
/// or rows x columns before the input), against the populations' shapes.
bool lower_window(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post, ir::Projection &pr,
                  ExprLowering &exprs, diag::Diagnostics &diags) {
  const ast::Ident &k = *c.connectivity;
  bool conv = pr.connectivity == ir::ConnectivityKind::Conv2D;
  for (const ir::Population *p : {&pre, &post})
    if (!p->shape.present()) {
      diags.report(DiagKind::window_needs_shape, k.loc, k.name, p->name, p->size);
      return false;
    }
  std::vector<const ast::Expr *> args;
  if (!named_arguments(c, {"window", "stride", "padding"}, 1, args, diags))
    return false;
  if (!args[0]) {
    diags.report(DiagKind::missing_argument, k.loc, "'" + k.name + "'", "window");
    return false;
  }
  auto window = window_pair(*args[0], "the window", 1, exprs, diags);
  if (!window)
    return false;
  auto stride = args[1] ? window_pair(*args[1], "the stride", 1, exprs, diags)
                        : std::make_optional(conv ? std::make_pair(1u, 1u) : *window);
  if (!stride)
    return false;
  ir::Window &w = pr.window;
  w = {window->first, window->second, stride->first, stride->second, 0, 0};
  bool same = false;
  if (const auto *s = args[2] ? ast::dyn_cast<ast::StringExpr>(args[2]) : nullptr) {
    if (s->value != "valid" && s->value != "same") {
      diags.report(DiagKind::unknown_choice, s->loc(), "padding", s->value, "\"valid\", \"same\" or rows x columns");
      return false;
    }
    same = s->value == "same";
    if (same) {
      w.pad_y = ir::same_padding(pre.shape.height, w.height, w.stride_y);
      w.pad_x = ir::same_padding(pre.shape.width, w.width, w.stride_x);
    }
  } else if (args[2]) {
    auto pad = window_pair(*args[2], "the padding", 0, exprs, diags);
    if (!pad)
      return false;
    w.pad_y = pad->first;
    w.pad_x = pad->second;
  }
  std::string padding = pair_text(w.pad_y, w.pad_x);
  // Keras's "same" gives ceil(in / stride) positions, its padding split
  // with the larger half after the input.
  uint32_t out_y = same ? (pre.shape.height + w.stride_y - 1) / w.stride_y
                        : ir::window_positions(pre.shape.height, w.height, w.stride_y, w.pad_y);
  uint32_t out_x = same ? (pre.shape.width + w.stride_x - 1) / w.stride_x
                        : ir::window_positions(pre.shape.width, w.width, w.stride_x, w.pad_x);
  if (out_y == 0 || out_x == 0 || w.pad_y >= w.height || w.pad_x >= w.width) {
    diags.report(DiagKind::window_too_large, args[0]->loc(), pair_text(w.height, w.width), padding, pre.name,
                 pre.shape.str());
    return false;
  }
  ir::Shape expected{out_y, out_x, conv ? post.shape.channels : pre.shape.channels};
  if (!(post.shape == expected)) {
    diags.report(DiagKind::window_shape_mismatch, k.loc, k.name, pre.name, pre.shape.str(),
                 pair_text(w.height, w.width), pair_text(w.stride_y, w.stride_x), padding,
                 conv ? pair_text(out_y, out_x) + "xC" : expected.str(), post.name, post.shape.str());
    return false;
  }
  return true;
}

/// `from_list(pre: [0, 0, 1], post: [1, 2, 0])` (Brian2's connect(i=...,
/// j=...)): a synapse for each pair of elements, in any order, each pair
/// once; the indices within their populations.
bool lower_list(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post, ir::Projection &pr,
                ExprLowering &exprs, diag::Diagnostics &diags) {
  const ast::Ident &k = *c.connectivity;
  const std::vector<std::string> names = {"pre", "post"};
  std::vector<const ast::Expr *> lists;
  if (!named_arguments(c, names, 2, lists, diags))
    return false;
  std::vector<uint32_t> indices[2];
  for (int side = 0; side < 2; ++side) {
    if (!lists[side]) {
      diags.report(DiagKind::missing_argument, k.loc, "'from_list'", names[side]);
      return false;
    }
    const auto *list = ast::dyn_cast<ast::ListExpr>(lists[side]);
    if (!list) {
      diags.report(DiagKind::expected_list, lists[side]->loc(), names[side]);
      return false;
    }
    const ir::Population &pop = side == 0 ? pre : post;
    for (const auto &item : list->items) {
      auto n = exprs.integer(*item, "a neuron of '" + pop.name + "'", 0, pop.size - 1);
      if (!n)
        return false;
      indices[side].push_back(uint32_t(*n));
    }
  }
  if (indices[0].size() != indices[1].size()) {
    diags.report(DiagKind::list_length_mismatch, k.loc, indices[0].size(), indices[1].size());
    return false;
  }
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, size_t>> pairs;
  for (size_t i = 0; i < indices[0].size(); ++i)
    pairs.push_back({{indices[0][i], indices[1][i]}, i});
  std::sort(pairs.begin(), pairs.end());
  for (size_t i = 1; i < pairs.size(); ++i)
    if (pairs[i].first == pairs[i - 1].first) {
      const auto *items = ast::dyn_cast<ast::ListExpr>(lists[0]);
      diags.report(DiagKind::repeated_pair, items->items[pairs[i].second]->loc(), pairs[i].first.first,
                   pairs[i].first.second, pairs[i - 1].second, pairs[i].second);
      return false;
    }
  pr.pairs.clear();
  for (const auto &p : pairs)
    pr.pairs.push_back(p.first);
  return true;
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
  if (pr.connectivity == ir::ConnectivityKind::Conv2D || pr.connectivity == ir::ConnectivityKind::AvgPool2D)
    return lower_window(c, pre, post, pr, exprs, diags);
  if (pr.connectivity == ir::ConnectivityKind::FromList)
    return lower_list(c, pre, post, pr, exprs, diags);
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
  case ir::ConnectivityKind::FromList:
    expected = double(pr.pairs.size());
    break;
  case ir::ConnectivityKind::Conv2D:
  case ir::ConnectivityKind::AvgPool2D:
    expected =
        double(ir::window_synapses(pre.shape, post.shape, pr.window, pr.connectivity == ir::ConnectivityKind::Conv2D));
    break;
  }
  constexpr uint32_t kLimit = UINT32_MAX;
  // Procedural storage regenerates fixed_probability rows without offsets:
  // the sparsify pass decides whether such a projection fits.
  if (expected <= kLimit || pr.connectivity == ir::ConnectivityKind::FixedProbability)
    return true;
  diags.report(DiagKind::too_many_synapses, c.connectivity ? c.connectivity->loc : c.loc, pre.name, post.name,
               ir::format_real(std::round(expected)), kLimit);
  return false;
}

} // namespace snn::frontend
