//===- TrainingData.cpp - The examples of a training regime ---------------===//

#include "TrainingData.h"

#include "Encoders.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <thread>

namespace snn::rt {
namespace {

bool ends_with(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// 64 random bits: Philox4x32-10 of (index, tag) under `key`.
uint64_t random_bits(const uint32_t key[2], uint64_t index, uint32_t tag) {
  uint32_t counter[4] = {uint32_t(index), uint32_t(index >> 32), 0, tag};
  uint32_t out[4];
  snn_philox4x32(counter, key, out);
  return (uint64_t(out[0]) << 32) | out[1];
}

} // namespace

uint64_t spike_step(double time, double dt) {
  double step = std::floor(time / dt);
  return step >= 1.8e19 ? UINT64_MAX : uint64_t(step);
}

ExampleSet ExampleSet::load(const snn_model_desc &model, const snn_data_desc &data, const std::string &path,
                            const std::string &option, uint32_t steps) {
  const snn_training_desc &training = *model.training;
  const snn_population_desc &input = model.populations[training.input_population];
  ExampleSet set;
  set.encoder_ = data.encoder;
  set.max_value_ = data.max_value;
  set.max_rate_ = data.max_rate;
  set.neurons_ = input.size;
  set.source_ = path;
  std::string from = option.empty() ? "" : " (" + option + ")";
  if (data.encoder == SNN_ENCODE_EVENTS) {
    set.events_ = read_events(path, input.size, training.classes);
    for (double time : set.events_.times)
      if (spike_step(time, model.dt) >= steps)
        ++set.dropped_;
    return set;
  }
  if (ends_with(path, ".npy")) {
    if (!data.labels_path)
      throw Error(path, "an .npy feature file" + from +
                            " needs the labels file the regime names (labels: PATH); give a .csv, .csv.gz or .npz "
                            "file with its labels instead");
    set.dense_ = read_dense_npy(path, data.labels_path, training.classes);
  } else {
    set.dense_ = read_dense(path, training.classes);
  }
  const DenseDataset &dense = set.dense_;
  if (dense.features != input.size)
    throw Error(path, "the data" + from + " has " + std::to_string(dense.features) +
                          " features per example but the input population '" + input.name + "' has " +
                          std::to_string(input.size) + " neurons");
  // Check every value once, up front, rather than failing mid-epoch.
  for (std::size_t e = 0; e < dense.size(); ++e)
    for (uint32_t i = 0; i < dense.features; ++i) {
      double value = dense.row(e)[i];
      if (!(value >= 0 && value <= data.max_value))
        throw Error(path, fmt::format("example {}, feature {}: value {} lies outside [0, {}], the range the encoder "
                                      "maps to [0, 1]",
                                      e, i, value, data.max_value));
    }
  if (data.encoder == SNN_ENCODE_POISSON && data.max_rate * model.dt > 1)
    throw Error(path, fmt::format("Poisson encoding at {} Hz with dt = {} s gives a spike probability above 1 per step",
                                  data.max_rate, model.dt));
  return set;
}

std::size_t ExampleSet::size() const { return encoder_ == SNN_ENCODE_EVENTS ? events_.size() : dense_.size(); }

uint32_t ExampleSet::label(std::size_t e) const {
  return encoder_ == SNN_ENCODE_EVENTS ? events_.labels[e] : dense_.labels[e];
}

void ExampleSet::encode(std::size_t e, uint64_t steps, double dt, uint64_t seed, uint8_t *flags) const {
  std::size_t bytes = std::size_t(steps) * neurons_;
  if (encoder_ == SNN_ENCODE_EVENTS) {
    std::memset(flags, 0, bytes);
    for (uint64_t s = events_.offsets[e]; s < events_.offsets[e + 1]; ++s) {
      uint64_t step = spike_step(events_.times[s], dt);
      if (step < steps)
        flags[step * neurons_ + events_.unit_ids[s]] = 1;
    }
    return;
  }
  SpikeRaster raster = encoder_ == SNN_ENCODE_LATENCY
                           ? encode_latency(dense_, e, max_value_, steps)
                           : encode_poisson(dense_, e, max_value_, max_rate_, dt, steps, seed);
  if (raster.flags.size() != bytes)
    throw Error::internal("an encoded example has " + std::to_string(raster.flags.size()) + " flags, not " +
                          std::to_string(bytes));
  std::memcpy(flags, raster.flags.data(), bytes);
}

void ExampleSet::encode_all(const std::vector<std::size_t> &examples, uint64_t steps, double dt, uint64_t seed,
                            uint8_t *flags, unsigned threads, std::size_t bytes_per_thread) const {
  const std::size_t frame = std::size_t(steps) * neurons_;
  std::size_t useful = std::max<std::size_t>(1, examples.size() * frame / std::max<std::size_t>(bytes_per_thread, 1));
  std::size_t count = std::min({std::size_t(std::max(threads, 1u)), examples.size(), useful});
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> errors(count);
  auto work = [&](std::size_t k) {
    try {
      for (std::size_t i; (i = next.fetch_add(1)) < examples.size();)
        encode(examples[i], steps, dt, seed, flags + i * frame);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t k = 1; k < count; ++k)
    workers.emplace_back(work, k);
  work(0);
  for (std::thread &worker : workers)
    worker.join();
  for (const std::exception_ptr &error : errors)
    if (error)
      std::rethrow_exception(error);
}

std::vector<std::size_t> seeded_permutation(std::size_t n, uint64_t seed, uint64_t stream) {
  uint32_t run_key[2], key[2];
  snn_philox_key(seed, run_key);
  // A key per stream, so that two streams never share draws.
  uint64_t derived = random_bits(run_key, stream, snn_philox_tag(SNN_RNG_RUNTIME, 2));
  key[0] = uint32_t(derived);
  key[1] = uint32_t(derived >> 32);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = i;
  for (std::size_t i = n; i > 1; --i) {
    // j uniform in [0, i): the high word of a 64 x 64-bit product.
    uint64_t bits = random_bits(key, i, snn_philox_tag(SNN_RNG_RUNTIME, 1));
    std::size_t j = std::size_t((static_cast<unsigned __int128>(bits) * i) >> 64);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

Splits split_examples(std::size_t n, double test_split, double validation_split, uint64_t seed,
                      const std::string &source) {
  std::vector<std::size_t> order = seeded_permutation(n, seed, kSplitStream);
  std::size_t test = std::size_t(std::llround(double(n) * test_split));
  std::size_t validation = std::size_t(std::llround(double(n - test) * validation_split));
  if ((test_split > 0 && test == 0) || (validation_split > 0 && validation == 0) || test + validation >= n)
    throw Error(source, fmt::format("its {} {} are too few for a test split of {} and a validation split of {} (every "
                                    "set needs at least one example)",
                                    n, n == 1 ? "example" : "examples", test_split, validation_split));
  Splits splits;
  splits.test.assign(order.begin(), order.begin() + std::ptrdiff_t(test));
  splits.validation.assign(order.begin() + std::ptrdiff_t(test), order.begin() + std::ptrdiff_t(test + validation));
  splits.train.assign(order.begin() + std::ptrdiff_t(test + validation), order.end());
  std::sort(splits.test.begin(), splits.test.end());
  std::sort(splits.validation.begin(), splits.validation.end());
  std::sort(splits.train.begin(), splits.train.end());
  return splits;
}

} // namespace snn::rt
