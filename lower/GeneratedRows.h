//===- lower/GeneratedRows.h - Delivery from rows not stored ----*- C++ -*-===//
//
// Spike delivery for the two storage formats that keep no per-synapse
// buffer (ir::SynapseStorage): the kernel generates the row of each spiking
// presynaptic neuron instead of loading it, and adds the projection's
// weight into each target in the same order (targets ascending) as the
// stored formats, so every format gives the same sums bit for bit.
//
//   Bitmask: parameter `mask` (U32, shared, BufferRole::Bitmask) holds
//     `words_per_row` words per presynaptic neuron; bit j % 32 of word
//     pre * words_per_row + j / 32 is set where pre -> j is a synapse. The
//     words of a row are a parallel loop; each visits its set bits in order.
//   Procedural: a fixed_probability(p) row is the runtime's (runtime/lib/
//     Connectivity.cpp): uniform n of row pre takes words (2(n % 2),
//     2(n % 2) + 1) of the connectivity block (pre, n / 2, 0,
//     tag(CONNECTIVITY, projection)) under the run key, and the next target
//     is the last plus 1 + snn_geometric_skip of it (GeometricSkip), the
//     diagonal skipped without autapses. A While carries the target and the
//     draw count; each synapse's weight is its initialiser's draw for
//     (pre, post) (initial_weight), as `init` would have stored it.
//   Procedural windows: a conv2d or avg_pool2d row is the runtime's
//     (runtime/lib/WindowConnectivity.cpp): the output rows and columns
//     whose window covers the input neuron, in order, and for conv2d every
//     output channel; a conv2d weight is its kernel entry's draw, as the
//     `.kernel` weight kernel draws it (SynapseKernels.h), an avg_pool2d
//     weight its (pre, post) draw. Geometry comes in the scalars pre_width,
//     pre_channels, post_height, post_width, post_channels, kernel_height,
//     kernel_width, stride_y, stride_x, pad_y, pad_x.
//
// Both take, besides the delivery's parameters (SynapseKernels.h), the
// scalar `projection` (I64); procedural storage also `skip_self`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/Program.h"

namespace snn::lower {

/// Delivery of this step's spikes through a bitmask-stored projection whose
/// every weight is `weight` (a constant); gated as build_delivery_kernel.
Kernel build_bitmask_delivery_kernel(bool gated, double weight, ElemType real);

/// Delivery of this step's spikes through a procedural fixed_probability(p)
/// projection, 0 < p < 1, whose weights are drawn by `weight`; gated as
/// build_delivery_kernel.
Kernel build_procedural_delivery_kernel(bool gated, double probability, const ir::WeightInit &weight, ElemType real);

/// Delivery of this step's spikes through a procedural conv2d (`conv`) or
/// avg_pool2d projection whose weights are drawn by `weight`; gated as
/// build_delivery_kernel.
Kernel build_procedural_window_kernel(bool gated, bool conv, const ir::WeightInit &weight, ElemType real);

} // namespace snn::lower
