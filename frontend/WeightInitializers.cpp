//===- frontend/WeightInitializers.cpp - Weight clauses of projections ----===//
#include "frontend/WeightInitializers.h"

#include "ir/Printer.h"

#include <cmath>
#include <fmt/format.h>

namespace snn::frontend {

using diag::DiagKind;

namespace {

/// The initialisers that scale with the fans, and how.
struct Scaled {
  const char *name;
  bool uniform;      ///< uniform(-limit, limit); else normal(0, sd)
  bool uses_fan_out; ///< Glorot: fan_in + fan_out; He: fan_in
};

constexpr Scaled kScaled[] = {
    {"glorot_uniform", true, true},
    {"glorot_normal", false, true},
    {"he_uniform", true, false},
    {"he_normal", false, false},
};

const Scaled *scaled_named(const std::string &name) {
  for (const Scaled &s : kScaled)
    if (name == s.name)
      return &s;
  return nullptr;
}

/// Every name `weight ~` accepts, for "did you mean".
std::vector<std::string> all_names() {
  std::vector<std::string> names = {"uniform", "normal", "constant"};
  for (const Scaled &s : kScaled)
    names.push_back(s.name);
  return names;
}

bool ends_with(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The value of `e` when it is a non-empty string literal; else reports
/// that `what` must be one.
std::optional<std::string> string_of(const ast::Expr &e, const std::string &what, diag::Diagnostics &diags) {
  const auto *s = ast::dyn_cast<ast::StringExpr>(&e);
  if (!s || s->value.empty()) {
    diags.report(DiagKind::expected_string, e.loc(), what);
    return std::nullopt;
  }
  return s->value;
}

/// glorot_* or he_*: `name`, `name()` or `name(gain: G)`.
bool scaled(const Scaled &kind, const ast::Expr &e, ir::Projection &pr, const ir::Population &pre,
            const ir::Population &post, ExprLowering &exprs, diag::Diagnostics &diags) {
  std::string quoted = std::string("'") + kind.name + "'";
  double gain = 1;
  bool gain_given = false;
  if (const auto *call = ast::dyn_cast<ast::CallExpr>(&e)) {
    for (const ast::Arg &a : call->args) {
      if (!a.name || a.name->name != "gain") {
        SourceLocation at = a.name ? a.name->loc : a.value->loc();
        diags.report(DiagKind::initializer_arguments, at, kind.name);
        if (a.name)
          diags.suggest(a.name->name, {"gain"}, at);
        return false;
      }
      if (gain_given) {
        diags.report(DiagKind::duplicate_argument, a.name->loc, "gain");
        return false;
      }
      auto g = exprs.constant(*a.value, "the gain of " + quoted, ir::Dimension());
      if (!g)
        return false;
      if (!(*g > 0)) {
        diags.report(DiagKind::non_positive_gain, a.value->loc(), quoted, ir::format_real(*g));
        return false;
      }
      gain = *g;
      gain_given = true;
    }
  }
  if (pr.weight.dim != ir::Dimension()) {
    diags.report(DiagKind::dimensioned_initializer, e.loc(), quoted, pr.pre, pr.post, pr.target, pr.weight.dim.str());
    return false;
  }
  Fans fans = projection_fans(pr, pre, post);
  double fan = kind.uses_fan_out ? fans.in + fans.out : fans.in;
  if (!(fan > 0)) {
    diags.report(DiagKind::zero_fan_in, e.loc(), quoted, pr.pre, pr.post,
                 kind.uses_fan_out ? "fan_in + fan_out" : "fan_in");
    return false;
  }
  // Keras: limit = sqrt(6 / fan) for the uniform ones, sd = sqrt(2 / fan)
  // for the normal ones (plain, not truncated, as PyTorch's); times the gain.
  ir::WeightInit w;
  w.dim = pr.weight.dim;
  double scale = gain * std::sqrt((kind.uniform ? 6.0 : 2.0) / fan);
  w.dist = kind.uniform ? ir::WeightDistribution::Uniform : ir::WeightDistribution::Normal;
  w.a = kind.uniform ? -scale : 0.0;
  w.b = scale;
  ir::WeightOrigin origin;
  origin.initializer = kind.name;
  origin.initializer_args.emplace_back("fan_in", fans.in);
  if (kind.uses_fan_out)
    origin.initializer_args.emplace_back("fan_out", fans.out);
  if (gain_given)
    origin.initializer_args.emplace_back("gain", gain);
  pr.weight = w;
  pr.weight_origin = origin;
  return true;
}

} // namespace

Fans projection_fans(const ir::Projection &pr, const ir::Population &pre, const ir::Population &post) {
  double n_pre = pre.size, n_post = post.size;
  const ir::Window &w = pr.window;
  double taps = double(w.height) * w.width;
  switch (pr.connectivity) {
  case ir::ConnectivityKind::Conv2D: // Keras: the kernel's height x width x input (output) channels
    return {taps * pre.shape.channels, taps * post.shape.channels};
  case ir::ConnectivityKind::AvgPool2D: // one channel: the window in; each input in about window / stride^2
    return {taps, taps / (double(w.stride_y) * w.stride_x)};
  case ir::ConnectivityKind::FromList: // the mean degrees
    return {double(pr.pairs.size()) / std::max(1.0, n_post), double(pr.pairs.size()) / std::max(1.0, n_pre)};
  case ir::ConnectivityKind::Dense:
    return {n_pre, n_post};
  case ir::ConnectivityKind::OneToOne:
    return {1, 1};
  case ir::ConnectivityKind::FixedProbability:
    break;
  case ir::ConnectivityKind::FixedInDegree: // fan-in k; fan-out k n_post / n_pre on average
    return {double(pr.count), double(pr.count) * n_post / std::max(1.0, n_pre)};
  case ir::ConnectivityKind::FixedOutDegree:
    return {double(pr.count) * n_pre / std::max(1.0, n_post), double(pr.count)};
  case ir::ConnectivityKind::FixedTotal:
    return {double(pr.count) / std::max(1.0, n_post), double(pr.count) / std::max(1.0, n_pre)};
  }
  bool self = pr.pre == pr.post && !pr.autapses;
  return {pr.probability * (n_pre - (self ? 1 : 0)), pr.probability * (n_post - (self ? 1 : 0))};
}

bool lower_weight_initializer(const ast::Expr &e, ir::Projection &pr, const ir::Population &pre,
                              const ir::Population &post, ExprLowering &exprs, diag::Diagnostics &diags,
                              const std::function<std::optional<ir::WeightInit>(const ast::Expr &)> &distribution) {
  const auto *call = ast::dyn_cast<ast::CallExpr>(&e);
  const auto *name = ast::dyn_cast<ast::NameExpr>(&e);
  std::string callee = call ? call->callee.name : name ? name->name : "";
  SourceLocation callee_loc = call ? call->callee.loc : e.loc();
  if (const Scaled *kind = scaled_named(callee))
    return scaled(*kind, e, pr, pre, post, exprs, diags);
  if (callee == "constant" || callee == "uniform" || callee == "normal") {
    size_t expected = callee == "constant" ? 1 : 2, given = call ? call->args.size() : 0;
    if (given != expected) {
      diags.report(DiagKind::wrong_argument_count, e.loc(), "'" + callee + "'", expected, given);
      return false;
    }
    if (callee != "constant") {
      auto w = distribution(e);
      if (w)
        pr.weight = *w;
      return w.has_value();
    }
    auto v = exprs.constant(*call->args[0].value, "the weight", pr.weight.dim);
    if (!v)
      return false;
    pr.weight.dist = ir::WeightDistribution::Constant;
    pr.weight.a = *v;
    return true;
  }
  diags.report(DiagKind::expected_weight_initializer, e.loc());
  if (!callee.empty())
    diags.suggest(callee, all_names(), callee_loc);
  return false;
}

std::optional<ir::WeightOrigin> lower_load_call(const ast::CallExpr &call, const std::string &default_array,
                                                diag::Diagnostics &diags, bool weights) {
  ir::WeightOrigin origin;
  const ast::Arg *file = nullptr, *array = nullptr, *layout = nullptr;
  for (size_t i = 0; i < call.args.size(); ++i) {
    const ast::Arg &a = call.args[i];
    if (!a.name && i == 0) {
      file = &a;
      continue;
    }
    std::string n = a.name ? a.name->name : "#" + std::to_string(i + 1);
    SourceLocation at = a.name ? a.name->loc : a.value->loc();
    if (n != "name" && (n != "layout" || !weights)) {
      diags.report(DiagKind::unknown_argument, at, "'load'", n);
      if (a.name)
        diags.suggest(n, weights ? std::vector<std::string>{"name", "layout"} : std::vector<std::string>{"name"}, at);
      return std::nullopt;
    }
    const ast::Arg *&slot = n == "name" ? array : layout;
    if (slot) {
      diags.report(DiagKind::duplicate_argument, at, n);
      return std::nullopt;
    }
    slot = &a;
  }
  if (!file) {
    diags.report(DiagKind::missing_argument, call.loc(), "'load'", "file");
    return std::nullopt;
  }
  auto path = string_of(*file->value, "the file of load()", diags);
  if (!path)
    return std::nullopt;
  bool npy = ends_with(*path, ".npy");
  bool hdf5 = ends_with(*path, ".h5") || ends_with(*path, ".hdf5") || ends_with(*path, ".nir");
  if (!npy && !hdf5 && !ends_with(*path, ".npz")) {
    diags.report(DiagKind::weight_file_extension, file->value->loc(), *path);
    return std::nullopt;
  }
  origin.file = *path;
  if (array) {
    auto n = string_of(*array->value, "the array name ('name:')", diags);
    if (!n)
      return std::nullopt;
    if (npy) {
      diags.report(DiagKind::array_name_of_npy, array->name->loc);
      return std::nullopt;
    }
    origin.array = *n;
  } else if (hdf5) { // an HDF5 file has no default dataset
    diags.report(DiagKind::missing_argument, call.loc(), "'load' of an HDF5 file", "name");
    return std::nullopt;
  } else if (!npy) {
    origin.array = default_array;
  }
  if (layout) {
    auto l = string_of(*layout->value, "the layout ('layout:')", diags);
    if (!l)
      return std::nullopt;
    if (*l == "oihw")
      origin.layout = ir::WeightLayout::Oihw;
    else if (*l == "chw")
      origin.layout = ir::WeightLayout::Chw;
    else {
      diags.report(DiagKind::invalid_weight_layout, layout->value->loc(),
                   fmt::format("unknown layout '{}'; expected \"oihw\" (a conv2d kernel [out, in, height, width]) or "
                               "\"chw\" ([post, pre] with the pre neurons numbered channel, row, column)",
                               *l));
      return std::nullopt;
    }
    origin.layout_loc = layout->value->loc();
  }
  return origin;
}

bool lower_weight_load(const ast::CallExpr &call, ir::Projection &pr, const ir::Population &pre,
                       diag::Diagnostics &diags) {
  std::optional<ir::WeightOrigin> origin = lower_load_call(call, pr.pre + "->" + pr.post, diags, true);
  if (!origin)
    return false;
  bool conv = pr.connectivity == ir::ConnectivityKind::Conv2D;
  if (origin->layout == ir::WeightLayout::Oihw && !conv) {
    diags.report(DiagKind::invalid_weight_layout, origin->layout_loc,
                 "layout \"oihw\" orders a conv2d kernel, and this projection is not conv2d");
    return false;
  }
  if (origin->layout == ir::WeightLayout::Chw &&
      (conv || pr.connectivity == ir::ConnectivityKind::AvgPool2D || !pre.shape.present())) {
    diags.report(DiagKind::invalid_weight_layout, origin->layout_loc,
                 fmt::format("layout \"chw\" renumbers the neurons of a shaped pre population in a [post, pre] "
                             "matrix, and {}",
                             pre.shape.present() ? "this projection has a window" : "'" + pre.name + "' has no shape"));
    return false;
  }
  // `init` sets 0, then the executable loads the file over it.
  pr.weight.dist = ir::WeightDistribution::Constant;
  pr.weight.a = 0;
  pr.weight_origin = *origin;
  return true;
}

} // namespace snn::frontend
