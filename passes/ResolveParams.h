//===- passes/ResolveParams.h - Specialise models per population -*- C++ -*-===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// Gives every population its own copy of its model, named `Model@pop`, with
/// every parameter replaced by its value (the population's override, else
/// the default, which may refer to earlier parameters) and the regime's
/// initial-value overrides folded into the state initialisers; its location
/// becomes the population's declaration. Afterwards no
/// model has parameters, no population has overrides or inits, and models no
/// population uses are gone.
/// Must run first: every later pass assumes parameters are constants.
/// Skips a module already marked `params_resolved` (the pass has run, or
/// the module was read from IR printed after it), so running it twice is
/// harmless.
bool resolve_params(ir::Module &m, PassContext &ctx);

} // namespace snn::passes
