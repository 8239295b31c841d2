//===- Stimulus.h - Spike-time files driving a population -------*- C++ -*-===//
//
// A stimulus file is CSV text, one spike per line: `time_in_seconds,neuron`.
// Blank lines, `#` comments (to the end of a line) and a first line naming
// the columns, `time,neuron` (also `t`; `index` or `i`), with the time's unit
// when it is not seconds (`time_ms,neuron`, `time [ms],neuron`; s, ms, us,
// ns), are allowed. Anything else is an Error located at path:line:col,
// because a silently dropped spike is a wrong experiment; spikes that a run
// merges or never reaches are counted (StimulusSchedule) and reported.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_STIMULUS_H
#define SNN_RUNTIME_STIMULUS_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

/// One line of a stimulus file.
struct SpikeEvent {
  double time;     ///< seconds, finite, >= 0
  uint32_t neuron; ///< < population size
};

/// Parses the text of a stimulus file named `path` (used in messages) for a
/// population `population` of `size` neurons. Throws a located Error.
std::vector<SpikeEvent> parse_spike_times(std::string_view text, const std::string &path, std::string_view population,
                                          uint32_t size);

/// Reads and parses the file at `path`; an unreadable file is an Error
/// located at "path".
std::vector<SpikeEvent> read_spike_times(const std::string &path, std::string_view population, uint32_t size);

/// The step a spike at `time` falls in: floor(time / dt + 1e-9), so a time
/// written as a multiple of dt lands in that step despite rounding.
uint64_t step_of_time(double time, double dt);

/// Sets a population's stimulus flags step by step. The events are sorted
/// once; each step costs O(spikes in that step plus spikes in the previous).
class StimulusSchedule {
public:
  StimulusSchedule(const std::vector<SpikeEvent> &events, double dt);

  /// Clears the flags set for the previous step and sets flags[n] = 1 for
  /// each spike of neuron n in `step`, in each of `copies` flag arrays
  /// `stride` bytes apart (the examples of a batch all receive the same
  /// spikes). Steps may come in any order; in order they cost no search.
  void apply(uint64_t step, uint8_t *flags, uint32_t copies = 1, uint64_t stride = 0);
  /// Forgets which flags are set (after the caller zeroed them).
  void rewind();
  /// Number of spikes scheduled (after merging).
  std::size_t size() const { return events_.size(); }
  /// Spikes that fell in a step where their neuron already spiked, merged
  /// into that one spike.
  std::size_t merged() const { return merged_; }
  /// Spikes of step `step` or later: those a run of `step` steps never delivers.
  std::size_t from_step(uint64_t step) const;

private:
  struct StepEvent {
    uint64_t step;
    uint32_t neuron;
  };
  std::vector<StepEvent> events_; ///< sorted by (step, neuron)
  std::size_t set_begin_ = 0;     ///< events_[set_begin_, set_end_) are set
  std::size_t set_end_ = 0;
  uint64_t next_step_ = 0; ///< the step expected next, to skip the search
  std::size_t merged_ = 0;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_STIMULUS_H
