//===- Encoders.h - Dense features to input spikes or currents --*- C++ -*-===//
//
// Turn one example's dense features into per-step input for a population of
// N = features neurons over `steps` steps of `dt` seconds. Feature i drives
// neuron i. Every encoder first scales a feature to x = value / max_value,
// which must lie in [0, 1] (a value outside [0, max_value] or a non-finite
// one is an Error naming the example and the feature).
//
//   latency (time to first spike): neuron i spikes once, at step
//       round((1 - x) * (steps - 1)), so a larger value spikes earlier (x = 1
//       at step 0, the smallest positive x near the last step); x = 0 never
//       spikes.
//   Poisson rate: neuron i spikes in a step with probability
//       p = x * max_rate * dt, which must be <= 1 (else an Error). The draw
//       of neuron i in step s is Philox4x32-10 of the counter (i, s bits
//       0..31, s bits 32..63, snn_philox_tag(SNN_RNG_RUNTIME, 0)) under the
//       key of the example, snn_example_key(run key, example): it spikes
//       when snn_uniform01_f64(out[0], out[1]) < p. The spikes of an example
//       thus depend on the seed and its global index only, never on the
//       batch it is simulated in.
//   direct current: neuron i receives x * scale in every step.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_ENCODERS_H
#define SNN_RUNTIME_ENCODERS_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace snn::rt {

struct DenseDataset;

/// Spike flags of `neurons` neurons over `steps` steps, step-major.
struct SpikeRaster {
  uint32_t neurons = 0;
  uint64_t steps = 0;
  std::vector<uint8_t> flags; ///< flags[step * neurons + neuron] is 0 or 1

  bool spiked(uint64_t step, uint32_t neuron) const { return flags[step * neurons + neuron] != 0; }
};

/// Per-step input currents, step-major like SpikeRaster.
struct CurrentFrames {
  uint32_t neurons = 0;
  uint64_t steps = 0;
  std::vector<double> values; ///< values[step * neurons + neuron]
};

/// Latency coding of example `example` of `data`. `steps` >= 1,
/// `max_value` > 0.
SpikeRaster encode_latency(const DenseDataset &data, std::size_t example, double max_value, uint64_t steps);

/// Poisson rate coding of example `example` of `data` with the run seed
/// `seed`; `max_rate` in Hz, `dt` in seconds.
SpikeRaster encode_poisson(const DenseDataset &data, std::size_t example, double max_value, double max_rate, double dt,
                           uint64_t steps, uint64_t seed);

/// Poisson rate coding of a batch: one raster per entry of `examples`
/// (indices into `data`), each equal to encode_poisson of that example.
std::vector<SpikeRaster> encode_poisson_batch(const DenseDataset &data, const std::vector<std::size_t> &examples,
                                              double max_value, double max_rate, double dt, uint64_t steps,
                                              uint64_t seed);

/// Direct current coding of example `example`: x * scale per neuron, the
/// same in every step.
CurrentFrames encode_current(const DenseDataset &data, std::size_t example, double max_value, double scale,
                             uint64_t steps);

} // namespace snn::rt

#endif // SNN_RUNTIME_ENCODERS_H
