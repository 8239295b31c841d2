//===- frontend/ModelLowering.h - Neuron declarations to IR models -*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "ir/Module.h"

#include "frontend/ExprLowering.h"

#include <optional>

namespace snn::frontend {

/// Checks a neuron declaration (names, dimensions, ODE targets, the spike
/// condition, the reset, settings) and lowers it to a continuous-form
/// ir::NeuronModel. Returns nothing when it reported an error. Warns about
/// parameters the model never reads.
/// Calls of the user functions in `functions` (may be null) are expanded inline.
std::optional<ir::NeuronModel> lower_neuron(const ast::NeuronDecl &decl, diag::Diagnostics &diags,
                                            const FunctionTable *functions = nullptr);

} // namespace snn::frontend
