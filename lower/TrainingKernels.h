//===- lower/TrainingKernels.h - The kernels of e-prop training --*- C++ -*-===//
//
// Kernel builders for a `train ... with eprop` regime (see
// docs/training.md and passes/EProp.h): the loss and its derivative at the
// readout, learning signals, eligibility traces and gradient accumulation,
// the reduction over the batch and the optimisers. lower/TrainingSchedule
// creates the buffers and launches them.
//
// Every kernel reads numbers in SI units as plain reals; per-example buffers
// are example-major (element i of example b at b * extent + i, with the
// synapse count read from the projection's row_start[num_pre]).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/KernelBuilder.h"

namespace snn::lower {

/// How the readout turns into a loss: at every step of a window, or once
/// at the end of the example from accumulated scores.
struct LossShape {
  ir::ReadoutKind kind = ir::ReadoutKind::PerStep;
  ir::LossKind loss = ir::LossKind::SparseCategoricalCrossentropy;
  uint32_t timesteps = 1;  ///< the regime's (the kernels read the run's from `hyper`)
  int timesteps_slot = -1; ///< element of the `hyper` buffer holding the run's steps per example
  /// The adjoint strategy: the element holding the steps a history holds
  /// (S); step t is recorded at t % S.
  int history_steps_slot = -1;
  uint32_t last_steps = 0;
  uint32_t classes = 2;
  /// Whether the loss derivative is known at every step (per-step and
  /// last-N readouts) rather than only after the last step.
  bool per_step() const { return kind == ir::ReadoutKind::PerStep || kind == ir::ReadoutKind::LastSteps; }
};

/// Sets every element of a buffer of `scope` and `elem` to 0 (per example).
/// Parameters: `buffer`, and `size` (neuron-like scopes) or `row_start` and
/// `num_pre` (synapse scope).
Kernel build_zero_kernel(ScopeKind scope, ElemType elem);

/// prev = spiked, per example (the spike flags of the step before).
Kernel build_copy_flags_kernel();

/// After the forward pass of a step: the loss, its derivative `delta` and
/// the scores of the readout values `y` (state buffer of the readout).
Kernel build_loss_step_kernel(const LossShape &shape, ElemType real);

/// In end_example, for readouts known only at the end: loss and delta from
/// the accumulated scores.
Kernel build_loss_end_kernel(const LossShape &shape, ElemType real);

/// L[b, j] = sum_k B[j, k] delta[b, k]: through the weights of the
/// projection j -> readout (symmetric) or a dense [n_hidden, classes] matrix
/// (random), the projection's targets from its `storage`.
Kernel build_learning_signal_kernel(bool symmetric, ir::SynapseStorage storage, uint32_t classes, ElemType real);

/// Per synapse of a trained projection, every step: the eligibility vectors,
/// the trace (filtered by kappa for a hidden post population), and its
/// contribution to the per-example gradient (per-step losses) or to the
/// accumulator of deferred ones.
/// With `rate` set (firing-rate regularisation of the post population), the
/// kernel also adds strength (f_j - target dt) e_ji to the per-example
/// gradient `grad`, reading f from `rate` and the target and strength from
/// `hyper` (lower/SpikeRegularizers.h).
struct RateTerm {
  bool enabled = false;
  int target_slot = -1, strength_slot = -1;
  double dt = 0;
};
Kernel build_trace_kernel(const std::string &name, const ir::TrainedProjection &tp, ir::SynapseStorage storage,
                          const LossShape &shape, double kappa, double gain, ElemType real, const RateTerm &rate = {});

/// A spike-count readout's dz_k/di_k this step (sum over the traces of a
/// readout projection of output gain times input gain), into `peak`.
Kernel build_count_sensitivity_kernel(const ir::TrainedProjection &tp, ElemType real);

/// The per-presynaptic-neuron eligibility vectors of a projection, stored
/// after build_trace_kernel has read their old values.
Kernel build_pre_trace_kernel(const std::string &name, const ir::TrainedProjection &tp, ElemType real);

/// grad[b, s] += L[b, post(s)] * acc[b, s] (deferred losses, end of
/// example); for the readout, L is the loss derivative delta.
Kernel build_deferred_gradient_kernel(bool readout, ir::SynapseStorage storage, ElemType real);

/// The readout bias: input[b, k] += bias[k] every step.
Kernel build_bias_input_kernel(double gain, ElemType real);

/// The bias's exact gradient: trace[b, k] = kappa trace + gain, and its
/// per-example gradient (per-step) or accumulator (deferred).
Kernel build_bias_trace_kernel(const LossShape &shape, double kappa, double gain, ElemType real);

/// C[b, j, k] = B[j, k] delta[b, k] (a hidden population under the max
/// readout, whose classes peak at different steps).
Kernel build_class_signal_kernel(bool symmetric, ir::SynapseStorage storage, uint32_t classes, ElemType real);

/// grad[b, s] += sum_k C[b, post(s), k] * acc_k[b, s]: the max readout's
/// gradient from the traces snapshotted at each class's peak.
Kernel build_peak_gradient_kernel(uint32_t classes, ir::SynapseStorage storage, ElemType real);

/// grad[b, k] += delta[b, k] * acc[b, k] (deferred losses, bias).
Kernel build_bias_deferred_kernel(ElemType real);

/// gradient[i] = sum over the examples of the batch of grad[b, i], in
/// example order; over synapses (`synapse`) or `size` elements.
Kernel build_reduce_kernel(bool synapse, ElemType real);

/// Random feedback weights B[j, k] ~ normal(0, scale), drawn by `init`.
Kernel build_feedback_init_kernel(uint32_t classes, double scale, ElemType real);

} // namespace snn::lower
