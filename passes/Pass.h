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
  /// What the module is compiled for, where a cost model weighs it
  /// (passes/Sparsify.h): a GPU, and the bytes of a real (4 or 8).
  bool gpu = false;
  int real_bytes = 4;
  /// --spike-delivery=postsynaptic: spikes are gathered by post neuron
  /// (deterministic sums on a GPU), which needs stored synapses.
  bool postsynaptic_delivery = false;
};

} // namespace snn::passes
