//===- frontend/ParameterArguments.h - Values for a model's parameters -*- C++ -*-===//
//
// `LIF(tau_mem: 5 ms)`, `synapse STDP(w_max: 10 nS)`, `neuron FastLIF =
// LIF(tau_mem: 5 ms)`: named arguments that give a model's parameters
// constant values, checked in one place.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace snn::frontend {

/// The values `args` give parameters of `params` (of `owner`, e.g. "model
/// 'LIF'"), in order: each argument named, once, after a parameter, with a
/// constant of its dimension. Reports every mistake; nothing after one.
std::optional<std::vector<std::pair<std::string, ir::Expr>>>
parameter_arguments(const std::vector<ast::Arg> &args, const std::vector<ir::Parameter> &params,
                    const std::string &owner, ExprLowering &exprs, diag::Diagnostics &diags);

} // namespace snn::frontend
