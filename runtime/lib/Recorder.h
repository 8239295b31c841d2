//===- Recorder.h - Spike and state recordings of a run ---------*- C++ -*-===//
//
// Collects what the model's record descriptors ask for while the network
// runs, and writes one NPZ file per distinct file name at the end.
//
// Arrays in a file (a second record with the same names gets a suffix _2,
// _3, ... on all its arrays, in record order):
//   <pop>_spikes_t   float64  time of each spike: step * dt
//   <pop>_spikes_i   int32    neuron index of each spike
//   <pop>_<var>      float64  [steps, neurons] state after every step
//   <pop>_<var>_neurons int32 neuron indices of the columns
//   t                float64  time of each state row: (step + 1) * dt
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_RECORDER_H
#define SNN_RUNTIME_RECORDER_H

#include "snn/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::rt {

class Recorder {
public:
  /// Records of `model` without a file go to `default_path`.
  /// `expected_steps` only sizes the buffers.
  Recorder(const snn_model_desc &model, std::string default_path, uint64_t expected_steps);

  /// Takes the samples of `step` from `state` (after the model's step).
  void record(uint64_t step, const snn_state &state);

  /// Writes every file that has at least one record, in order of first
  /// mention; returns their paths. Throws Error if a file cannot be written.
  /// Moves the samples into the archives, so it is called once, at the end.
  std::vector<std::string> write();

  /// Whether any record exists (and so `write` writes something).
  bool empty() const { return records_.empty(); }

private:
  struct Channel {
    const snn_record_desc *desc;
    std::size_t file;                   ///< index into files_
    std::vector<uint32_t> neurons;      ///< selected neurons
    std::vector<uint64_t> spike_steps;  ///< SPIKES: step of each spike
    std::vector<int32_t> spike_neurons; ///< SPIKES: neuron of each spike
    std::vector<double> samples;        ///< STATE: row-major [steps, neurons]
  };
  const snn_model_desc &model_;
  std::vector<std::string> files_;     ///< as the model or --out names them
  std::vector<std::string> file_keys_; ///< absolute normal form of each, for grouping
  std::vector<Channel> records_;
  std::vector<uint64_t> state_steps_; ///< steps sampled by STATE records
};

} // namespace snn::rt

#endif // SNN_RUNTIME_RECORDER_H
