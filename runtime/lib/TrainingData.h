//===- TrainingData.h - The examples of a training regime -------*- C++ -*-===//
//
// A data set of a `train` regime (snn_data_desc), read whole and checked
// against the model: dense features encoded per example by latency or
// Poisson coding (Encoders.h), or SHD-style events placed into steps. Also
// the seeded permutations behind the test/validation splits and the
// per-epoch shuffle.
//
// Events: a spike at time t (seconds) falls in step floor(t / dt); spikes in
// steps at or past `timesteps` are dropped, and `dropped_spikes` counts them
// so the loop can warn (never silently).
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_TRAININGDATA_H
#define SNN_RUNTIME_TRAININGDATA_H

#include "Dataset.h"

#include "snn/model_abi.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace snn::rt {

/// One data set of a training regime with its encoder.
class ExampleSet {
public:
  /// Reads `path` (the regime's path, or an override from the command line)
  /// as `data` describes it (encoder, labels file) for `model`'s training
  /// regime: checks that the features (or input units) equal the input
  /// population's size and every label is below the class count. `option`
  /// names where an override came from ("--data-train"), or is empty;
  /// `steps` is the run's steps per example (events at or after them are
  /// counted as dropped). Throws Error.
  static ExampleSet load(const snn_model_desc &model, const snn_data_desc &data, const std::string &path,
                         const std::string &option, uint32_t steps);

  /// Examples in the set.
  std::size_t size() const;
  /// The label of example `e`.
  uint32_t label(std::size_t e) const;
  /// The file read.
  const std::string &source() const { return source_; }
  /// Events only: spikes past the last step over all examples.
  uint64_t dropped_spikes() const { return dropped_; }

  /// Writes the input spike flags of example `e` for `steps` steps of `dt`
  /// into `flags` (steps x neurons bytes, step-major, each 0 or 1). Poisson
  /// coding draws with the run `seed`, keyed by the example's index in the
  /// set (so an example gets the same spikes whatever batch it is in).
  void encode(std::size_t e, uint64_t steps, double dt, uint64_t seed, uint8_t *flags) const;
  /// encode() of each of `examples`, the i-th into flags + i x steps x
  /// neurons, spread over up to `threads` threads (an example on one), a
  /// thread per `bytes_per_thread` bytes of flags at most: a batch of event
  /// streams can be gigabytes of flags. The flags are those of encode(),
  /// whatever the threads.
  void encode_all(const std::vector<std::size_t> &examples, uint64_t steps, double dt, uint64_t seed, uint8_t *flags,
                  unsigned threads, std::size_t bytes_per_thread = std::size_t(4) << 20) const;

private:
  ExampleSet() = default;
  uint32_t encoder_ = SNN_ENCODE_EVENTS;
  double max_value_ = 1, max_rate_ = 0;
  uint32_t neurons_ = 0;
  std::string source_;
  DenseDataset dense_;
  EventDataset events_;
  uint64_t dropped_ = 0;
};

/// The step a spike at `time` seconds falls in: floor(time / dt).
uint64_t spike_step(double time, double dt);

/// A permutation of 0 .. n-1 drawn from `seed` and `stream` (a
/// Fisher-Yates shuffle driven by Philox4x32-10), the same on every machine
/// and for every thread count.
std::vector<std::size_t> seeded_permutation(std::size_t n, uint64_t seed, uint64_t stream);

/// Indices of the examples of one data set, split three ways.
struct Splits {
  std::vector<std::size_t> train, validation, test; ///< each ascending (file order)
};

/// Splits examples 0 .. n-1 by one seeded permutation: the first
/// round(n * test_split) permuted examples are the test set, the first
/// round(rest * validation_split) of the rest the validation set, the
/// remainder the training set. Each set is sorted (file order). Throws Error
/// when a nonzero fraction leaves a set empty.
Splits split_examples(std::size_t n, double test_split, double validation_split, uint64_t seed,
                      const std::string &source);

/// Stream numbers of seeded_permutation.
constexpr uint64_t kSplitStream = 0x5350'4c49'5400ull; // "SPLIT"
/// The shuffle of epoch e uses stream kShuffleStream + e.
constexpr uint64_t kShuffleStream = 0x5348'5546'0000'0000ull; // "SHUF"

} // namespace snn::rt

#endif // SNN_RUNTIME_TRAININGDATA_H
