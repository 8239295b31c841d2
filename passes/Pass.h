//===- passes/Pass.h - What every pass is handed ---------------*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "ir/Module.h"

namespace snn::passes {

/// Where passes report user mistakes they find (e.g. an exact integration
/// asked of a nonlinear model), as declared diagnostic kinds, into the same
/// sink as the frontend. A pass that reports an error returns false.
struct PassContext {
  explicit PassContext(diag::Diagnostics &diags) : diags(diags) {}
  diag::Diagnostics &diags;
};

} // namespace snn::passes
