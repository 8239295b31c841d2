//===- TrainingRecorder.h - Recordings of chosen training examples -*- C++ -*-===//
//
// `record spikes(hidden[0:512:2]) on example 1000` in a train regime
// (mlGeNN's example_filter): whenever example 1000 of the training data runs
// (a training batch, or the validation set's evaluation), its spikes or
// state are recorded; each run of it is one "presentation". Arrays, per
// record, in the NPZ file the record names (default: the --out file,
// <model>_recordings.npz):
//   <pop>_spikes_t        float64 [spikes] time in the example: step * dt
//   <pop>_spikes_i        int32   [spikes] neuron
//   <pop>_spikes_b        int32   [spikes] presentation (0, 1, ...)
//   <pop>_spikes_example  int32   [spikes] the example's index in the training data
//   <pop>_<var>           float64 [presentations, steps, neurons]
//   <pop>_<var>_neurons   int32   [neurons]
//   <pop>_<var>_examples  int32   [presentations]
// and per presentation `<stem>_epoch` int32 (1-based; 0: the evaluation of
// --epochs 0) and `<stem>_pass` int32 (0 training, 1 validation, 2 the test
// split), with
// <stem> = <pop>_spikes or <pop>_<var>; `t` float64 [steps]: (step + 1) * dt.
// A second record with the same names gets the suffix _2, _3, ... at the end
// of every array name (hidden_spikes_t_2, hidden_v_neurons_2), as simulation
// recordings do.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_TRAININGRECORDER_H
#define SNN_RUNTIME_TRAININGRECORDER_H

#include "snn/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::rt {

class TrainingRecorder {
public:
  /// `steps`: the steps of each example (the run's `timesteps`).
  TrainingRecorder(const snn_model_desc &model, uint32_t steps, std::string default_path);
  bool empty() const { return channels_.empty(); }

  /// Before a batch: `examples[b]` is the training-data index of slot b
  /// (-1 for slots of other data), `pass` 0 (training) or 1 (validation).
  void begin_batch(const std::vector<int64_t> &examples, uint32_t epoch, uint32_t pass);
  /// After step `step` of the batch.
  void record(uint32_t step, const snn_state &state);
  /// Writes every file (atomically); returns their paths.
  std::vector<std::string> write();

private:
  struct Channel {
    const snn_record_desc *desc;
    std::string file;
    std::vector<uint32_t> neurons;
    std::vector<int32_t> active; ///< slots of the current batch holding the example
    std::vector<int32_t> active_presentation;
    int32_t presentations = 0;
    std::vector<int32_t> epochs, passes, examples; ///< per presentation
    std::vector<double> spike_t;
    std::vector<int32_t> spike_i, spike_b, spike_example;
    std::vector<double> samples; ///< presentation-major [presentations, steps, neurons]
    std::vector<bool> listed;    ///< a list of neurons: which of 0..end are in it
  };
  const snn_model_desc &model_;
  std::vector<Channel> channels_;
  uint32_t steps_ = 0;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_TRAININGRECORDER_H
