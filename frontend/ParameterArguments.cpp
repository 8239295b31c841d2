//===- frontend/ParameterArguments.cpp - Values for a model's parameters --===//
#include "frontend/ParameterArguments.h"

#include <set>

namespace snn::frontend {

std::optional<std::vector<std::pair<std::string, ir::Expr>>>
parameter_arguments(const std::vector<ast::Arg> &args, const std::vector<ir::Parameter> &params,
                    const std::string &owner, ExprLowering &exprs, diag::Diagnostics &diags) {
  std::vector<std::pair<std::string, ir::Expr>> values;
  std::set<std::string> given;
  bool ok = true;
  for (const auto &a : args) {
    if (!a.name) {
      diags.report(diag::DiagKind::positional_population_argument, a.value->loc());
      ok = false;
      continue;
    }
    const ir::Parameter *param = nullptr;
    for (const auto &p : params)
      if (p.name == a.name->name)
        param = &p;
    if (!param) {
      diags.report(diag::DiagKind::unknown_argument, a.name->loc, owner, a.name->name);
      std::vector<std::string> names;
      for (const auto &p : params)
        names.push_back(p.name);
      diags.suggest(a.name->name, names, a.name->loc);
      ok = false;
      continue;
    }
    if (!given.insert(param->name).second) {
      diags.report(diag::DiagKind::duplicate_argument, a.name->loc, param->name);
      ok = false;
      continue;
    }
    if (auto v = exprs.constant(*a.value, "parameter '" + param->name + "'", param->dim))
      values.emplace_back(param->name, ir::Constant::make(*v, param->dim));
    else
      ok = false;
  }
  if (!ok)
    return std::nullopt;
  return values;
}

} // namespace snn::frontend
