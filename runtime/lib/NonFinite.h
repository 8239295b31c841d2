//===- NonFinite.h - Stopping at the first NaN or infinity -------*- C++ -*-===//
//
// A state variable that becomes NaN or infinite (an overflowing exp, the
// sqrt of a negative value) must not pass silently into recordings and
// weights. After every step the runtime tests each population's state
// buffers with one branch-free pass (vectorisable: an OR of "not finite"
// over the elements); only when that finds one does it locate the first
// (population, variable, neuron, example) and throw. A device's kernels
// watch the states every step themselves (lower/SpikeBlocks.h) and the
// runtime reads their note once per block. `--allow-nonfinite`
// turns the check off. Training also checks every batch's gradients.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_NONFINITE_H
#define SNN_RUNTIME_NONFINITE_H

#include "snn/model_abi.h"

#include <cstdint>
#include <string>

namespace snn::rt {

/// Throws Error naming the population, the variable, the neuron, the
/// example (global index) and the step when a state variable of the
/// `batch` examples in `state` is NaN or infinite after step `step`.
/// `when` adds context (e.g. "in epoch 2, batch 5"), or is empty. On a
/// device, checked once per spike block, the step is the first of the
/// block that the kernels noted (snn_population_desc::nonfinite), the
/// value one still not finite if any (else the message says that an
/// assignment made it finite again); the states are read only then.
void check_states_finite(const snn_model_desc &model, const snn_state &state, uint32_t batch, uint64_t step,
                         const std::string &when = "");

/// Whether a run checks the states after `step` (0-based) of `steps`: every
/// step on the CPU; on a device, whose states the check would move to the
/// host, after every spike block's last step and the run's last.
bool checks_states_after(const snn_model_desc &model, uint64_t step, uint64_t steps);

/// Throws Error naming the parameter and the element when a trained
/// parameter's batch gradient holds a NaN or an infinity.
void check_gradients_finite(const snn_model_desc &model, const snn_state &state, const std::string &when);

/// Whether every one of `count` elements of type `type` at `data` is finite.
bool all_finite(const void *data, uint32_t type, uint64_t count);

} // namespace snn::rt

#endif // SNN_RUNTIME_NONFINITE_H
