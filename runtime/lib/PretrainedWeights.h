//===- PretrainedWeights.h - `weight load(...)` at run time -----*- C++ -*-===//
//
// A projection whose weight clause is `load("file.npz", name: "a")` or
// `load("file.npy")` gets its weights from that file once `init` has drawn
// them (docs/training.md, "Initialisers and pretrained weights"): a float64
// or float32 array of shape [n_post, n_pre], finite, zero where the
// projection has no synapse. Every problem is one Error naming the file,
// the projection and what is wrong.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_PRETRAINEDWEIGHTS_H
#define SNN_RUNTIME_PRETRAINEDWEIGHTS_H

#include "NpzReader.h"
#include "snn/runtime.h"

#include <string>
#include <vector>

namespace snn::rt {

/// Reads the weight file of projection `projection` of `model` (which must
/// have one) into `weights`, its weight buffer, in the CSR order of
/// `synapses`. Throws Error (user) and leaves `weights` unchanged on any
/// problem with the file.
void load_pretrained_weights(const snn_model_desc &model, uint32_t projection, const SynapseView &synapses,
                             void *weights);

/// The array `array_name` of the .npz archive `path`, the dataset
/// `array_name` ("group/dataset") of an HDF5 file (.h5, .hdf5, .nir), or
/// (`array_name` null) the whole .npy file; `which` names it in messages. Throws Error
/// (user) when the file is not one, or has no such array.
NpyArray read_npy_array(const std::string &path, const char *array_name, const std::string &which);

/// The candidate closest to `name` by edit distance, for "did you mean";
/// empty when none is close.
std::string closest_array_name(const std::string &name, const std::vector<std::string> &candidates);

} // namespace snn::rt

#endif // SNN_RUNTIME_PRETRAINEDWEIGHTS_H
