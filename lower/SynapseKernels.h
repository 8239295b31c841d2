//===- lower/SynapseKernels.h - Spike delivery and weights ------*- C++ -*-===//
//
// The kernels of projections. Parameters, by name:
//   spikes       u8 spike flags of the presynaptic population (per example)
//   row_start    u32 CSR row offsets (shared), target: u32 postsynaptic neuron
//   weight       Real weight per synapse (shared)
//   post         the postsynaptic variable the weight is added to (per example)
//   counter      the post population's refractory counter (I32), and
//   post_spiked  its spike flags: only for gated delivery
//   num_pre, num_post, projection: I64 scalars
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/KernelBuilder.h"
#include "lower/Program.h"

#include <array>

namespace snn::lower {

/// Delivery of this step's spikes: for every spiking presynaptic neuron and
/// each of its synapses, post[target] += weight. When `gated`, the write is
/// dropped where the target neuron is refractory (counter > 0) or spiked in
/// this step, as Brian2 drops writes to states frozen while refractory.
/// The targets come from the projection's `storage` (SynapseTargets).
Kernel build_delivery_kernel(bool gated, ir::SynapseStorage storage, ElemType real);

/// The postsynaptic form of the same delivery (DeliveryStrategy.h): over
/// the post neurons (extent num_post), each adds, in its column's order
/// (col_start, col_synapse, col_pre), the weight of every synapse whose
/// presynaptic neuron spiked, one add at a time into `post`, so the sums are
/// the presynaptic kernel's, bit for bit, without atomics. Gated as above.
Kernel build_gather_kernel(bool gated, ElemType real);

/// Spike flags (u8) a device block stages at once: 8 KiB of a CUDA block's
/// shared memory.
constexpr int64_t kStagedSpikeFlags = 8192;

/// The gather above for a device: the presynaptic spike flags are staged
/// (Stmt.h's Stage) kStagedSpikeFlags at a time, and each post neuron walks
/// the part of its column in the tile, reading the flags from the block's
/// copy. The same adds in the same order, so the same sums, bit for bit.
/// The domain runs past its extent: there, and at a closed gate, a point's
/// column is empty, so it stages the tiles with its block and adds nothing.
Kernel build_staged_gather_kernel(bool gated, ElemType real);

/// The staged gather of a dense projection: a post neuron's column is every
/// presynaptic neuron (but itself without autapses, `skip_self`), and the
/// synapse of (pre, n) is at row_start[pre] + n - (skip_self && pre < n),
/// so it reads no column arrays. The threads of a warp read the same staged
/// flag at once, and where it is set, weights of consecutive targets. The
/// adds are the presynaptic kernel's, in its order (ascending pre).
Kernel build_dense_staged_gather_kernel(bool gated, ElemType real);

/// The parameters a gated delivery reads (-1, -1 when not `gated`): the
/// post population's refractory counter and its spike flags.
std::pair<int, int> gate_buffers(KernelBuilder &k, bool gated);

/// Whether a gated write to element `index` of the post population goes
/// through: its refractory counter (parameter `counter`) is down to 0 and it
/// did not spike in this step (`post_spiked`). Emits the test as a Let.
Value target_open(KernelBuilder &k, int counter, int post_spiked, Value index);

/// Emits post[index] += w (atomically), through the gate when `counter` is
/// a parameter (gate_buffers, target_open), else unconditionally.
void add_to_target(KernelBuilder &k, int post, int counter, int post_spiked, const Value &index, const Value &w);

/// `weight` as kernels name it: "normal(0, 0.1)", "uniform(a, b)",
/// "constant(a)" (each number read back to the same double).
std::string weight_init_text(const ir::WeightInit &weight);

/// The initial weight of the synapse between `pair` = (pre, post) (U32s;
/// unread for a constant) of projection `projection` (I64): the constant,
/// or a draw of the weight stream (RandomStreams.h) keyed by the pair, as
/// the Real it stores. Emits the draw's statements into `k`.
Value initial_weight(KernelBuilder &k, const ir::WeightInit &weight, std::array<Value, 2> pair, Value projection);

/// Initial weights of a projection, over its synapses: constant, or drawn
/// (uniform, normal) from the weight stream of RandomStreams.h.
///
/// With `shared_kernel` (a conv2d projection), each synapse draws the value
/// of its kernel entry (model_abi.h, snn_window_desc), computed from its pre
/// and post neurons and the geometry scalars pre_width, pre_channels,
/// post_width, post_channels, kernel_width, stride_y, stride_x, pad_y,
/// pad_x, so that every output position sees the same kernel.
/// Drawn weights key each draw by the synapse's (pre, post) neurons, which
/// come from `storage`.
Kernel build_weight_kernel(const ir::WeightInit &weight, ir::SynapseStorage storage, ElemType real,
                           bool shared_kernel = false);

} // namespace snn::lower
