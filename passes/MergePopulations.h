//===- passes/MergePopulations.h - One model per distinct dynamics -*- C++ -*-===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// Populations whose specialised, discretised models are identical (the
/// same states, updates, conditions, resets and initial values; only the
/// name differs) are given one shared model, so the schedule builds one set
/// of kernels and launches it once per population with that population's
/// buffers. The shared model is named after its base model ("LIF") when it
/// serves every population of that base, else "LIF@<first population>".
/// Must run after discretize-odes and simplify. Never changes what any
/// population computes.
bool merge_populations(ir::Module &m, PassContext &ctx);

} // namespace snn::passes
