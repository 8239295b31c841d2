//===- frontend/SynapseProjections.h - A projection's synapse model -*- C++ -*-===//
//
// `connect inp -> out : dense, synapse STDP(w_max: 10 nS), weight 1 nS`:
// the synapse model, its parameter values, and what it writes in the
// postsynaptic neuron, checked against that neuron's model.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

#include <optional>

namespace snn::frontend {

/// Sets pr.synapse and pr.synapse_overrides from `c`'s synapse clause, and
/// pr.target (the first postsynaptic variable the model writes, which names
/// the projection). Checks the arguments against the model's parameters,
/// and each `post.X` the model writes against `post` (a state, which jumps,
/// or an input, which takes an impulse) and its dimension. Returns the
/// dimension of the model's weight (what `weight` initialises), or nothing
/// after reporting an error. `retarget` (`connect a -> b.ge : synapse
/// STDP`), when given, names the postsynaptic variable that the model's one
/// written variable (`post.g`) stands for in this projection.
std::optional<ir::Dimension> bind_synapse_model(const ast::ConnectDecl &c, const ir::Module &module,
                                                const ir::NeuronModel &post, const ast::Ident *retarget,
                                                ir::Projection &pr, ExprLowering &exprs, diag::Diagnostics &diags);

} // namespace snn::frontend
