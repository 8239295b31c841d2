//===- ir/Verifier.h - Structural checks of a Module -----------*- C++ -*-===//
#pragma once

#include "ir/Module.h"

#include <string>
#include <vector>

namespace snn::ir {

/// Checks that a module is well formed: every name a population, projection,
/// record or expression uses exists with the right dimension, assignments
/// target states of matching dimension, and (for discretized models) that no
/// ODE, parameter or `dt` is left. Returns the problems found (empty: valid).
/// A problem here is a compiler bug: the frontend rejects user mistakes first.
std::vector<std::string> verify(const Module &m);

} // namespace snn::ir
