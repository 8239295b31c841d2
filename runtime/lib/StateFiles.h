//===- StateFiles.h - `init p.v = load(...)` at run time --------*- C++ -*-===//
//
// A state variable (or a parameter made per neuron) whose regime says
// `init POP.X = load("x.npz", name: "a")` or `load("x.npy")` takes its
// values from that file after `reset_example` has computed the initial
// ones, in every example: a float64 or float32 array of shape [size],
// finite (and within float32 for a float32 model). The files are read and
// checked once, before the run; every problem is one Error naming the file,
// the variable and what is wrong.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_STATEFILES_H
#define SNN_RUNTIME_STATEFILES_H

#include "snn/runtime.h"

#include <cstdint>
#include <vector>

namespace snn::rt {

/// The values of one loaded state variable.
struct LoadedState {
  uint32_t buffer = 0; ///< the state's buffer (per example)
  uint32_t size = 0;   ///< neurons per example
  std::vector<double> values;
};

/// Reads and checks every state file of `model`.
std::vector<LoadedState> read_state_files(const snn_model_desc &model);

/// Writes `states` into examples 0..batch-1 of their buffers (`buffers`
/// indexed as snn_model_desc::buffers).
void apply_state_files(const snn_model_desc &model, const std::vector<LoadedState> &states, void *const *buffers,
                       uint32_t batch);

} // namespace snn::rt

#endif // SNN_RUNTIME_STATEFILES_H
