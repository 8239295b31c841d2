//===- frontend/SynapseLowering.h - Synapse declarations to IR --*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

#include <optional>

namespace snn::frontend {

/// Checks a synapse declaration and lowers it to an ir::SynapseModel:
/// parameters (from one another, in any order), states with initial values
/// and exactly one without (the weight), ODEs that are linear in their own
/// state alone (integrated exactly and lazily), and `on pre` / `on post`
/// blocks whose statements set the synapse's states or add to a variable of
/// the postsynaptic neuron (`post.ge += w`), checked against that neuron
/// where a projection uses the model. Nothing when it reported an error.
/// Calls of the user functions in `functions` (may be null) are expanded inline.
std::optional<ir::SynapseModel> lower_synapse(const ast::SynapseDecl &decl, diag::Diagnostics &diags,
                                              const FunctionTable *functions = nullptr);

} // namespace snn::frontend
