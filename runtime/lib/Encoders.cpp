//===- Encoders.cpp - Dense features to input spikes or currents ----------===//

#include "Encoders.h"

#include "Dataset.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <limits>

namespace snn::rt {
namespace {

/// Checks the common arguments; `what` names the encoder.
void check(const DenseDataset &data, std::size_t example, double max_value, uint64_t steps, const char *what) {
  if (example >= data.size())
    throw Error(std::string(what) + " encoding: example " + std::to_string(example) + " does not exist (" +
                data.source + " has " + std::to_string(data.size()) + ")");
  if (!(max_value > 0) || !std::isfinite(max_value))
    throw Error(
        fmt::format("{} encoding: the maximum feature value must be positive and finite, not {}", what, max_value));
  if (steps == 0)
    throw Error(std::string(what) + " encoding: needs at least one step");
  uint64_t limit = std::numeric_limits<std::size_t>::max() / 8 / (data.features ? data.features : 1);
  if (steps > limit)
    throw Error(std::string(what) + " encoding: " + std::to_string(steps) + " steps do not fit in memory");
}

/// Feature `i` of `example` scaled to [0, 1]; throws if it falls outside.
double scaled(const DenseDataset &data, std::size_t example, uint32_t i, double max_value) {
  double value = data.row(example)[i];
  double x = value / max_value;
  if (!(x >= 0 && x <= 1))
    throw Error(data.source,
                fmt::format("example {}, feature {}: value {} lies outside [0, {}]", example, i, value, max_value));
  return x;
}

} // namespace

SpikeRaster encode_latency(const DenseDataset &data, std::size_t example, double max_value, uint64_t steps) {
  check(data, example, max_value, steps, "latency");
  SpikeRaster raster;
  raster.neurons = data.features;
  raster.steps = steps;
  raster.flags.assign(std::size_t(steps) * data.features, 0);
  for (uint32_t i = 0; i < data.features; ++i) {
    double x = scaled(data, example, i, max_value);
    if (x == 0)
      continue;
    uint64_t step = uint64_t(std::llround((1 - x) * double(steps - 1)));
    raster.flags[step * data.features + i] = 1;
  }
  return raster;
}

SpikeRaster encode_poisson(const DenseDataset &data, std::size_t example, double max_value, double max_rate, double dt,
                           uint64_t steps, uint64_t seed) {
  check(data, example, max_value, steps, "Poisson");
  if (!(max_rate >= 0) || !std::isfinite(max_rate) || !(dt > 0) || !std::isfinite(dt))
    throw Error(fmt::format("Poisson encoding: the maximum rate must be >= 0 and dt > 0, both finite (got {} Hz, {} s)",
                            max_rate, dt));
  if (max_rate * dt > 1)
    throw Error(fmt::format("Poisson encoding: the spike probability per step max_rate * dt = {} exceeds 1 ({} Hz, "
                            "dt {} s)",
                            max_rate * dt, max_rate, dt));
  SpikeRaster raster;
  raster.neurons = data.features;
  raster.steps = steps;
  raster.flags.assign(std::size_t(steps) * data.features, 0);
  uint32_t run_key[2], key[2];
  snn_philox_key(seed, run_key);
  snn_example_key(run_key, example, key);
  for (uint32_t i = 0; i < data.features; ++i) {
    double p = scaled(data, example, i, max_value) * max_rate * dt;
    if (p == 0)
      continue;
    for (uint64_t s = 0; s < steps; ++s) {
      uint32_t counter[4] = {i, uint32_t(s), uint32_t(s >> 32), snn_philox_tag(SNN_RNG_RUNTIME, 0)};
      uint32_t out[4];
      snn_philox4x32(counter, key, out);
      if (snn_uniform01_f64(out[0], out[1]) < p)
        raster.flags[s * data.features + i] = 1;
    }
  }
  return raster;
}

std::vector<SpikeRaster> encode_poisson_batch(const DenseDataset &data, const std::vector<std::size_t> &examples,
                                              double max_value, double max_rate, double dt, uint64_t steps,
                                              uint64_t seed) {
  std::vector<SpikeRaster> out;
  out.reserve(examples.size());
  for (std::size_t example : examples)
    out.push_back(encode_poisson(data, example, max_value, max_rate, dt, steps, seed));
  return out;
}

CurrentFrames encode_current(const DenseDataset &data, std::size_t example, double max_value, double scale,
                             uint64_t steps) {
  check(data, example, max_value, steps, "current");
  if (!std::isfinite(scale))
    throw Error(fmt::format("current encoding: the scale must be finite, not {}", scale));
  CurrentFrames frames;
  frames.neurons = data.features;
  frames.steps = steps;
  std::vector<double> row(data.features);
  for (uint32_t i = 0; i < data.features; ++i)
    row[i] = scaled(data, example, i, max_value) * scale;
  frames.values.reserve(std::size_t(steps) * data.features);
  for (uint64_t s = 0; s < steps; ++s)
    frames.values.insert(frames.values.end(), row.begin(), row.end());
  return frames;
}

} // namespace snn::rt
