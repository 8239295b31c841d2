//===- lower/SpikeBlocks.h - A device's spikes, a block of steps at a time -*- C++ -*-===//
//
// On a device (the CUDA target) the runtime must not read the spike flags
// every step: each read waits for the device and moves the flags to the
// host. Instead the step entry ends with one kernel per population that
// packs its flags into a block of kSpikeBlockSteps steps, a bit per neuron
// (bit n % 32 of word n / 32 of the step's row, each row padded to whole
// words), slot step % kSpikeBlockSteps of the population's SpikeBlock
// buffer; the runtime reads a block when it is full (spike counts,
// recordings) or when asked for a step's spikes. The CPU reads the flags
// where they are and has no blocks.
//
// The runtime checks the states for NaN and infinities once per block too
// (each check moves them to the host), so the same kernel watches them
// every step: where a real state of a neuron is not finite after the step,
// it notes the step's slot in the state's NonfiniteStep element of the
// example, unless an earlier step of the block is noted. The runtime then
// names the exact step and state, even where an assignment (a reset) made
// the value finite again before the block ended, and reads the states
// only when a step is noted.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace snn::lower {

/// Steps one spike block holds (a power of two: the slot is step & (steps - 1)).
constexpr uint32_t kSpikeBlockSteps = 64;

/// Words of one step's row of a population of `size` neurons.
inline uint64_t spike_block_words(uint32_t size) { return (uint64_t(size) + 31) / 32; }

/// The kernel `spike_block`: over a population's neurons (per example),
/// the flag of neuron n (`spikes`, U8) into bit n of row `step & (steps - 1)`
/// of `block` (Bits, per example, `steps` rows of `stride` bits). Scalars:
/// `size`, `stride` (the row in bits, a multiple of 32) and `steps`. With
/// `watched` > 0 (`spike_block.watch<watched>`) it also reads the states
/// `state0` .. (of type `real`, per neuron and example) and, where state v
/// is not finite and its note `nonfinite[b * watched + v]` (I32, `watched`
/// per example) is still 0, sets it to 1 + the slot. All the points that
/// set a note in one step write the same value, so the result does not
/// depend on their order. Without `blocks`
/// (`watch_finite.<watched>`, for train_step, whose spikes no runtime
/// reads) it only watches: no `spikes`, `block` or `stride`.
Kernel build_spike_block_kernel(int watched = 0, ElemType real = ElemType::F32, bool blocks = true);

/// The buffers of `pop`'s states of `program`'s real type, in order: those
/// the watch reads, each with its note in `pop.nonfinite`.
std::vector<int> real_state_buffers(const Program &program, const PopulationInfo &pop);

/// The arguments, by parameter name, of `pop`'s spike-block kernel and of
/// its watch (with or without the blocks).
std::map<std::string, Argument> spike_block_args(const Program &program, const PopulationInfo &pop);

} // namespace snn::lower
