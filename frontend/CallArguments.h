//===- frontend/CallArguments.h - Named arguments of regime calls -*- C++ -*-===//
//
// The settings of a train regime are calls with named arguments:
// `adam(lr: 1e-3)`, `dense("x.csv", encode: latency(max: 16))`,
// `early_stopping(monitor: validation_loss, patience: 5)`. These helpers
// check such a call's arguments (unknown names with "did you mean",
// repeats, stray positional ones) in one place for every regime statement.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace snn::frontend {

/// The named arguments of a call, in source order, each name once.
using NamedArgs = std::vector<std::pair<std::string, const ast::Expr *>>;

/// The value of argument `name`, or null.
const ast::Expr *find_arg(const NamedArgs &args, const std::string &name);

/// "a, b or c".
std::string alternatives(const std::vector<std::string> &items);

/// Checks the arguments `args` of a call to `callee`: each must be named
/// from `names`, once, except the first `positional`, which may be unnamed
/// and are appended to `unnamed` (when given). Reports every mistake;
/// nullopt when there was one.
std::optional<NamedArgs> check_call_args(const std::vector<ast::Arg> &args, const std::string &callee,
                                         const std::vector<std::string> &names, size_t positional,
                                         std::vector<const ast::Expr *> *unnamed, diag::Diagnostics &diags);

} // namespace snn::frontend
