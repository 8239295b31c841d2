//===- frontend/CurrentSources.h - Parameters driven over time -*- C++ -*-===//
//
// `input POP.PARAM = EXPR` in a simulate regime: a current source (NEST's
// dc_generator and step_current_generator, GeNN's current sources). EXPR is
// a function of the time `t` and of random draws, with `dc(amplitude,
// start:, stop:)` for a constant current over an interval; steps are sums
// of dc() pieces, noise is `mean + sd * randn()`. The parameter becomes a
// state of each neuron that takes EXPR's value at the start of every step
// and holds it over the step (passes/ResolveParams, passes/DiscretizeOdes).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

#include <map>
#include <string>

namespace snn::frontend {

/// Checks the current source `s` (its `variable` set) against population
/// `pop` of `m` and adds it to the population's drives; reports every
/// mistake. `exprs` lowers with the file's functions and constants;
/// `sources` holds where each `POP.PARAM` was driven before.
void lower_current_source(const ast::StimulusDecl &s, const ir::Population &pop, ir::Module &m, ExprLowering &exprs,
                          std::map<std::string, SourceLocation> &sources, diag::Diagnostics &diags);

} // namespace snn::frontend
