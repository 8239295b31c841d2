//===- frontend/ModelLowering.h - Neuron declarations to IR models -*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "ir/Module.h"

#include <optional>

namespace snn::frontend {

/// Checks a neuron declaration (names, dimensions, ODE targets, the spike
/// condition, the reset, settings) and lowers it to a continuous-form
/// ir::NeuronModel. Returns nothing when it reported an error. Warns about
/// parameters the model never reads.
std::optional<ir::NeuronModel> lower_neuron(const ast::NeuronDecl &decl, diag::Diagnostics &diags);

} // namespace snn::frontend
