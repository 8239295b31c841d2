//===- lower/NeuronKernels.h - The kernels of a neuron model ----*- C++ -*-===//
//
// The per-neuron kernels of one discretised neuron model, each over the
// Neurons domain (every neuron of a population, every example). Populations
// whose models are the same (merge-populations) launch the same kernels with
// their own buffers.
//
// Parameters, by name (the schedule binds them to a population's buffers):
//   state.<name>   a state variable (Real, or I32 for integer states)
//   input.<name>   an input accumulator (Real)
//   spiked         u8 spike flags
//   stimulus       u8 flags of the regime's spike files (only when read)
//   size           I64, the population's size (the domain's extent)
//   stream         I64, the population's index: its random streams
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/Program.h"

#include <optional>

namespace snn::lower {

/// Which neuron kernel.
enum class NeuronPhase : uint8_t {
  /// reset_example: state := initial value (`t` reads 0), inputs := 0,
  /// spiked := 0.
  Init,
  /// step, first: state := update map over the values before the step;
  /// spiked := spike condition, where a state reads its updated value and an
  /// input what this update consumed; then inputs := 0.
  Update,
  /// step, after spike delivery: where spiked, state := reset map over the
  /// values after delivery (all read before any is written).
  Reset,
  /// Update and Reset in one pass, for a step where nothing between them
  /// touches what the reset reads or writes (see can_run_earlier): the
  /// reset map reads the values the update stored. The reset reads no input.
  UpdateReset,
};

/// Whether `phase` has work for `model` (a reset needs a spike condition and
/// reset assignments).
bool has_phase(const ir::NeuronModel &model, NeuronPhase phase);

/// Whether the reset of `model` may run fused with its update
/// (NeuronPhase::UpdateReset) as far as the model goes: it has one and it
/// reads no input. The schedule checks the step's other launches.
bool can_fuse_reset(const ir::NeuronModel &model);

/// Whether the expressions of `phase` read stimulus().
bool reads_stimulus(const ir::NeuronModel &model, NeuronPhase phase);

/// Builds the kernel of `phase` for `model` (discretised, specialised).
/// `stimulus`: the population has a stimulus buffer (else stimulus() is
/// false); the kernel takes it only if the phase reads it. `real` is F32 or
/// F64. Throws ir::InternalError for IR that is not in discrete form.
Kernel build_neuron_kernel(const ir::NeuronModel &model, NeuronPhase phase, bool stimulus, ElemType real);

/// The element type of a state variable's buffer.
ElemType state_elem(const ir::StateVar &state, ElemType real);

} // namespace snn::lower
