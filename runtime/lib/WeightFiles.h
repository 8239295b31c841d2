//===- WeightFiles.h - Trained parameters in NPZ files ----------*- C++ -*-===//
//
// The weight files of a training model (docs/training.md): one float64 array
// per snn_param_desc, named by it:
//   - projection weights "<pre>-><post>": [n_post, n_pre], zero where the
//     projection has no synapse (the buffers hold them in CSR order);
//   - biases "<population>.bias": [n];
//   - random feedback matrices "<hidden>.feedback": [n_hidden, n_readout].
// Gradient files use the same layout and names without the feedback arrays.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_WEIGHTFILES_H
#define SNN_RUNTIME_WEIGHTFILES_H

#include "snn/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::rt {

/// The values (or, with `gradients`, the gradient buffers) of one parameter
/// in the file layout, with its shape.
struct DenseParameter {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<double> values;
};

/// Every parameter of `simulation`'s training model in the file layout
/// (with `gradients`: every trained parameter's gradient, feedback matrices
/// left out).
std::vector<DenseParameter> dense_parameters(const Simulation &simulation, bool gradients);

/// Writes dense_parameters(simulation, gradients) to `path` atomically,
/// and `extra` after them.
void write_parameters(const Simulation &simulation, const std::string &path, bool gradients,
                      std::vector<DenseParameter> extra = {});

/// Reads every parameter from the NPZ file at `path` into `simulation`'s
/// buffers, converted to the model's real type. Every array must exist with
/// its shape and finite values; a missing, extra or misshapen array, or a
/// nonzero weight where the projection has no synapse, is an Error naming
/// the array and the file. Nothing is written unless the whole file is good.
void read_parameters(Simulation &simulation, const std::string &path);

} // namespace snn::rt

#endif // SNN_RUNTIME_WEIGHTFILES_H
