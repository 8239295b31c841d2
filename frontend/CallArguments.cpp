//===- frontend/CallArguments.cpp - Named arguments of regime calls -------===//

#include "frontend/CallArguments.h"

#include <algorithm>

namespace snn::frontend {

using diag::DiagKind;

const ast::Expr *find_arg(const NamedArgs &args, const std::string &name) {
  for (const auto &[n, value] : args)
    if (n == name)
      return value;
  return nullptr;
}

std::string alternatives(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

std::optional<NamedArgs> check_call_args(const std::vector<ast::Arg> &args, const std::string &callee,
                                         const std::vector<std::string> &names, size_t positional,
                                         std::vector<const ast::Expr *> *unnamed, diag::Diagnostics &diags) {
  NamedArgs out;
  bool ok = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const ast::Arg &a = args[i];
    if (!a.name) {
      if (i < positional && unnamed) {
        unnamed->push_back(a.value.get());
        continue;
      }
      diags.report(DiagKind::unknown_argument, a.value->loc(), "'" + callee + "'", "#" + std::to_string(i + 1));
      ok = false;
      continue;
    }
    if (std::find(names.begin(), names.end(), a.name->name) == names.end()) {
      diags.report(DiagKind::unknown_argument, a.name->loc, "'" + callee + "'", a.name->name);
      diags.suggest(a.name->name, names, a.name->loc);
      ok = false;
      continue;
    }
    if (find_arg(out, a.name->name)) {
      diags.report(DiagKind::duplicate_argument, a.name->loc, a.name->name);
      ok = false;
      continue;
    }
    out.emplace_back(a.name->name, a.value.get());
  }
  if (!ok)
    return std::nullopt;
  return out;
}

} // namespace snn::frontend
