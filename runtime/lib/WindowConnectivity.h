//===- WindowConnectivity.h - conv2d and avg_pool2d synapses ----*- C++ -*-===//
//
// The synapses of a projection through a window over shaped populations
// (snn_window_desc in snn/model_abi.h): every output position whose window
// covers an input neuron gets a synapse from it, to every output channel
// (CONV2D) or to its own channel (AVG_POOL2D). The geometry is data, so a
// CONV2D's shared kernel entries are found from it too.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_WINDOW_CONNECTIVITY_H
#define SNN_RUNTIME_WINDOW_CONNECTIVITY_H

#include "Connectivity.h"

namespace snn::rt {

/// Throws an internal Error when `projection`'s window does not describe
/// its populations (a model built by a different compiler).
void check_window(const snn_model_desc &model, const snn_projection_desc &projection);

/// The rows of a CONV2D or AVG_POOL2D projection, targets ascending; for
/// SNN_STORAGE_PROCEDURAL only their count (ProjectionSynapses::unstored).
void connect_window(const snn_projection_desc &projection, ProjectionSynapses &synapses);

/// The values of a CONV2D kernel: height x width x pre channels x post channels.
uint64_t kernel_size(const snn_window_desc &w);

/// The kernel entry of the CONV2D synapse from `pre` to `post` (which the
/// window must connect).
uint64_t kernel_entry(const snn_window_desc &w, uint32_t pre, uint32_t post);

} // namespace snn::rt

#endif // SNN_RUNTIME_WINDOW_CONNECTIVITY_H
