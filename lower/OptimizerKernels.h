//===- lower/OptimizerKernels.h - apply_gradients kernels --------*- C++ -*-===//
//
// What `apply_gradients` does to the batch gradient g of every trained
// parameter w (docs/training.md, "The training workflow"), in this order:
//   1. g += l1 sign(w) + 2 l2 w           (weights only, not biases)
//   2. g = clamp(g, -clip_value, clip_value)       (when clip_value > 0)
//   3. g *= clip_norm / max(||g||, clip_norm)      (when clip_norm > 0;
//      ||g|| over every trained parameter, after 1 and 2: Keras's
//      global_clipnorm)
//   4. the optimiser's update (PyTorch's rules: SGD with momentum and
//      Nesterov, AdaGrad, RMSProp, Adam, AdamW), with the learning rate of
//      the `lr` buffer the runtime sets from the schedule
//   5. w = clamp(w, clamp_min, clamp_max)          (weights only)
// Every number above is a hyperparameter: element `index` of the `hyper`
// buffer, which the runtime fills from the regime and the command line, so
// a kernel never needs recompiling to change one.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Workflow.h"
#include "lower/KernelBuilder.h"

#include <map>
#include <string>

namespace snn::lower {

/// Where the kernels find each hyperparameter in the `hyper` buffer.
struct HyperSlots {
  int l1 = -1, l2 = -1, clip_value = -1, clip_norm = -1, clamp_min = -1, clamp_max = -1;
  /// The optimiser's options by name (ir::options_of(kind)), `lr` aside.
  std::map<std::string, int> optimizer;
};

/// Steps 1 and 2 on one parameter, and the sum of squares of the result
/// added to norm2[0]; one sequential loop over the elements (synapses when
/// `synapse`, else `size`), so the sum's order is fixed. `weight`: apply
/// the weight penalties.
Kernel build_gradient_adjust_kernel(bool synapse, bool weight, const HyperSlots &slots, ElemType real);

/// Step 3's factor: scale[0] = clip_norm / max(sqrt(norm2[0]), clip_norm),
/// or 1 without norm clipping; resets norm2[0] to 0 for the next batch.
Kernel build_clip_scale_kernel(const HyperSlots &slots, ElemType real);

/// Steps 4 and 5 on one parameter (over synapses or `size` neurons), `step`
/// the optimiser step (1, 2, ...). Moments: `moment1` (momentum, Adam's m,
/// RMSProp's mean square, AdaGrad's sum), `moment2` (Adam's v, RMSProp's
/// momentum buffer).
Kernel build_optimizer_kernel(ir::OptimizerKind kind, bool synapse, bool weight, const HyperSlots &slots,
                              ElemType real);

/// Whether `kind` keeps a second moment buffer (`moment2`).
bool needs_moment2(ir::OptimizerKind kind);

} // namespace snn::lower
