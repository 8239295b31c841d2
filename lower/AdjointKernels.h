//===- lower/AdjointKernels.h - The kernels of adjoint e-prop ----*- C++ -*-===//
//
// Kernel builders of the adjoint strategy (lower/EpropStrategy.h):
// recording per-step values in train_step, and in train_backward, one
// reverse-time step of the per-neuron adjoint recursion and the
// event-driven gradient accumulation. A history buffer (BufferRole::History)
// holds the run's T steps per example (T from the `hyper` buffer): element
// n of step t of example b at (b * T + t) * size + n.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/KernelBuilder.h"
#include "lower/TrainingKernels.h"

namespace snn::lower {

/// `store`: history[b, step % S, n] = value[b, n]; otherwise the reverse,
/// which brings a recorded value of step `step` back. `value` has scope
/// `scope` (per example), `history` is Global; scalar `size`. S, the steps
/// a history holds, is element `history_steps_slot` of `hyper` (0: T,
/// element `timesteps_slot`).
Kernel build_history_kernel(bool store, ScopeKind scope, ElemType elem, int timesteps_slot, int history_steps_slot,
                            ElemType real);

/// One reverse-time step of trained projection `tp`'s adjoint, per post
/// neuron j and example, at step t (the run calls train_backward with t =
/// T - 1 down to 0):
///
///   S[t]        = signal (per-step readouts: this step's learning signal,
///                 or the readout's delta; mean and final: the end of the
///                 example's, weighted 1/T, or only at t = T - 1); with
///                 `filter` (e-prop's hidden populations) filtered like the
///                 online trace, G[t] = L[t] + kappa G[t+1], S = gain G
///                 (BPTT's signal is dL/dz itself); the rate regulariser
///                 adds strength (f[t] - target dt)
///   lambda_k[t] = out_k[t] S[t] + carry_k
///   mu[t]       = sum_k in_k[t] lambda_k[t]
///   carry_k     = sum_m J_mk[t] lambda_m[t]   (for step t - 1)
///
/// The coefficients are the post model's hidden states recorded at step t
/// (`hist.<state>`), or constants.
/// `spike_adjoint`: the signal is BPTT's dL/dz of the post population,
/// neither weighted nor filtered (`filter` must be false).
Kernel build_adjoint_kernel(const std::string &name, const ir::TrainedProjection &tp, const LossShape &shape,
                            bool filter, bool spike_adjoint, double kappa, double gain, ElemType real,
                            const RateTerm &rate);

/// BPTT: spike_adjoint[b, i] += sum over the synapses s of presynaptic
/// neuron i of weight[s] mu[b, target(s)], in row order: the loss's
/// dependence on i's spike through one projection (mu of the step the
/// spike arrives). Targets from the projection's `storage`.
Kernel build_backprop_kernel(ir::SynapseStorage storage, ElemType real);

/// grad[b, s] += mu[b, target(s)] for every synapse s of each presynaptic
/// neuron that spiked at the step being replayed (`spikes`, brought back
/// from the history): the gradient's events, like spike delivery.
Kernel build_event_gradient_kernel(ir::SynapseStorage storage, ElemType real);

} // namespace snn::lower
