//===- Recorder.h - Spike and state recordings of a run ---------*- C++ -*-===//
//
// Collects what the model's record descriptors ask for while the network
// runs, and writes one NPZ file per distinct file name at the end.
//
// Arrays in a file (a second record with the same names gets a suffix _2,
// _3, ... on all its arrays, in record order). Every recording has an
// example axis, even for a batch of one, so shapes never depend on the batch
// size; examples are numbered within the batch, 0 .. batch - 1 (global
// example = first_example + index):
//   <pop>_spikes_t   float64  [spikes] time of each spike: step * dt
//   <pop>_spikes_i   int32    [spikes] neuron index of each spike
//   <pop>_spikes_b   int32    [spikes] example of each spike
//                    (spikes in order of step, then example, then neuron)
//   <pop>_<var>      float64  [examples, steps, neurons] state after every step
//   <pop>_<var>_neurons int32 [neurons] neuron indices of the columns
//   t                float64  [steps] time of each state row: (step + 1) * dt
// A state record `every` k > 1 steps samples after the steps with
// (step + 1) % k == 0 and has its own times, <pop>_<var>_t; a rate record
// (`rate(pop)`, in Hz, the mean over each k steps of the selected neurons):
//   <pop>_rate       float64  [examples, samples]
//   <pop>_rate_t     float64  [samples] the end of each bin: (step + 1) * dt
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_RECORDER_H
#define SNN_RUNTIME_RECORDER_H

#include "AlignedBuffer.h"
#include "snn/model_abi.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace snn::rt {

class Simulation;

class Recorder {
public:
  /// Records of `model` without a file go to `default_path`; the run
  /// simulates `batch` examples. `expected_steps` only sizes the buffers.
  Recorder(const snn_model_desc &model, std::string default_path, uint64_t expected_steps, uint32_t batch = 1);

  /// The neurons of (population, example) that spiked in the step, in
  /// increasing order (Simulation::last_spikes).
  using SpikeLists = std::function<const std::vector<uint32_t> &(uint32_t population, uint32_t example)>;

  /// Takes the samples of `step` from `state` (after the model's step) and
  /// the spikes from `spikes`, of every example of the batch. Running out
  /// of memory is an Error that says how much the recordings held.
  void record(uint64_t step, const snn_state &state, const SpikeLists &spikes);
  /// The two halves of `record`, for a simulation whose spikes of a step
  /// arrive later than its state (a device's spike blocks): the spike and
  /// rate records of `step`, and its state records. Each is called once
  /// per step, in step order.
  void record_spikes(uint64_t step, const SpikeLists &spikes);
  void record_states(uint64_t step, const snn_state &state);

  /// Writes every file that has at least one record, in order of first
  /// mention; returns their paths. Throws Error if a file cannot be written.
  /// Moves the samples into the archives, so it is called once, at the end.
  std::vector<std::string> write();

  /// The spike lists of `simulation`'s last step (it must outlive them).
  static SpikeLists last_spikes_of(const Simulation &simulation);

  /// Bytes of page-locked host memory that stage_states takes for `slots`
  /// steps of every state record (the span of its neurons, every example).
  uint64_t staging_bytes(uint32_t slots) const;
  /// A device's state records without a wait every step: queues copies of
  /// `step`'s samples from `state` (its kernels queued, not waited for)
  /// into page-locked slots of their own, behind the step's kernels.
  /// Record k's sample goes to slot k % `slots`, so its samples must be
  /// taken (record_staged_states) before `slots` more are queued. Allocates
  /// the slots at the first call.
  void stage_states(uint64_t step, const snn_state &state, uint32_t slots);
  /// The state records of `step`, from its slots, once the device ran the
  /// copies that stage_states queued (after a wait that followed them).
  /// Called once per step, in step order, as record_states.
  void record_staged_states(uint64_t step);

  /// Whether any record exists (and so `write` writes something).
  bool empty() const { return records_.empty(); }
  /// Whether a record samples a state (record_states reads the state).
  bool records_states() const;

private:
  void take_spikes(uint64_t step, const SpikeLists &spikes);
  /// Where (record, example)'s sample of neuron n is: element index + n of
  /// values.
  struct Samples {
    const void *values;
    int64_t index;
  };
  struct Channel;
  /// The slot of a staged record's sample after `step`: [example][width].
  char *staged_slot(const Channel &channel, uint64_t step) const;
  /// The state records' samples of `step`, from where `locate(channel,
  /// example)` says they are.
  template <typename Locate> void take_states(uint64_t step, Locate locate);
  /// Runs `take`, turning running out of memory into an Error.
  template <typename Take> void guarded(uint64_t step, Take take);
  /// Bytes the recordings hold so far.
  double held_bytes() const;
  /// The time after each of `steps`: (step + 1) dt.
  std::vector<double> sample_times(const std::vector<uint64_t> &steps) const;

  struct Channel {
    const snn_record_desc *desc;
    std::size_t file;                    ///< index into files_
    std::vector<uint32_t> neurons;       ///< selected neurons
    std::vector<bool> listed;            ///< a list of neurons: which of 0..end are in it
    std::vector<uint64_t> spike_steps;   ///< SPIKES: step of each spike
    std::vector<int32_t> spike_neurons;  ///< SPIKES: neuron of each spike
    std::vector<int32_t> spike_examples; ///< SPIKES: example of each spike
    /// STATE: per example, row-major [steps, neurons]; concatenated when
    /// written, which gives [examples, steps, neurons].
    std::vector<std::vector<double>> samples;
    /// RATE: the spikes counted so far in the current bin, per example.
    std::vector<uint64_t> counts;
    /// STATE with interval > 1, RATE: the step after which each sample was taken.
    std::vector<uint64_t> steps;
    /// The neurons [first, first + width) that the selected ones span
    /// (none: width 0), and for a staged STATE record (stage_states) its
    /// slots: [slot][example][width].
    uint32_t first = 0, width = 0;
    uint32_t slots = 0;
    AlignedBuffer staged;
  };
  const snn_model_desc &model_;
  uint32_t batch_;
  std::vector<std::string> files_; ///< as the model or --out names them
  std::vector<Channel> records_;
  std::vector<uint64_t> state_steps_; ///< steps sampled by STATE records
};

} // namespace snn::rt

#endif // SNN_RUNTIME_RECORDER_H
