//===- lower/SynapseModelKernels.h - Kernels of synapse models --*- C++ -*-===//
//
// A projection with a synapse model (ir::SynapseModel) keeps each state per
// synapse and example, ordered as the rows (index b * S + s, S the
// projection's synapse count, row_start[num_pre]), and the step of each
// synapse's last event (`last`, u32). Nothing runs per synapse per step: an
// event first brings the synapse's states from step `last` to this one, each
// by its exact solution x' = x e^(a T) + (c / a)(e^(a T) - 1) of dx/dt = a x
// + c over T = (step - last) dt (x + c T when a = 0), then runs its
// statements, adds to the postsynaptic neuron and stores the states and the
// step. So a trace is exact whatever the gaps between spikes, as Brian2's
// event-driven integration.
//
// Parameters, by name: row_start, target, weight (as SynapseKernels.h);
// col_start, col_synapse (the synapses by post neuron, for `on post`);
// state.X for each state X and `last`; spikes (the flags of the spiking
// population); post.Y for each postsynaptic variable Y the statements add
// to; counter and post_spiked when one of them is gated (a state frozen
// while refractory); num_pre, num_post (I64).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/Program.h"

#include <set>
#include <string>

namespace snn::lower {

/// reset_example: every state of every synapse of every example to its
/// initial value (the weight to the projection's `weight`), `last` to 0.
Kernel build_synapse_init_kernel(const ir::SynapseModel &model, ElemType real);

/// The `on pre` (`post_event` false: over the spiking presynaptic neurons'
/// rows) or `on post` (over the spiking postsynaptic neurons' columns)
/// statements of `model`, with time step `dt`. Writes to the postsynaptic
/// variables in `gated` are dropped where the neuron is refractory or
/// spiked in this step (as build_delivery_kernel). Rows find their
/// targets from the projection's `storage`.
Kernel build_synapse_event_kernel(const ir::SynapseModel &model, bool post_event, const std::set<std::string> &gated,
                                  double dt, ir::SynapseStorage storage, ElemType real);

/// A projection whose `on pre` waits for a delay d > 1 step (or per
/// synapse) keeps its presynaptic spikes in a ring of `slots` rows (a power
/// of two >= the longest delay), one value per presynaptic neuron and
/// example (1 where it spiked): history[b][step mod slots][pre]. This
/// kernel writes this step's row; reset_example clears the ring.
/// Parameters: spikes, history, num_pre, slots.
Kernel build_spike_history_kernel(ElemType real);

/// A projection with one delay d > 1 (`delay_steps`): arrived[b][pre] = 1
/// where the history holds a spike of step t - (d - 1), so that the `on pre`
/// kernel (build_synapse_event_kernel, with `spikes` = arrived) runs over
/// the arriving rows only. Parameters: history, arrived, num_pre, slots,
/// delay_steps.
Kernel build_spike_arrivals_kernel(ElemType real);

/// A projection with a delay per synapse in [shortest, longest] steps:
/// arrived[b][pre] = 1 where the history holds a spike of pre in any of
/// the steps t - (d - 1) for d in that range, so that `on pre` visits only
/// the rows that may have a spike arriving now. Parameters: history,
/// arrived, num_pre, slots, shortest, longest.
Kernel build_spike_window_kernel(ElemType real);

/// The `on pre` statements of synapses whose presynaptic spike arrives in
/// this step, with a delay d per synapse: over the rows flagged by
/// build_spike_window_kernel (`spikes`), each synapse whose spike of step
/// t - (d - 1) the history holds, so d steps act as Brian2's delay
/// (d - 1) dt on the whole `on pre` pathway (the traces and the weight
/// update too), while `on post` stays undelayed. Extra parameters: spikes,
/// history, slots, delay.
Kernel build_delayed_pre_event_kernel(const ir::SynapseModel &model, const std::set<std::string> &gated, double dt,
                                      ir::SynapseStorage storage, ElemType real);

} // namespace snn::lower
