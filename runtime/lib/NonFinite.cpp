//===- NonFinite.cpp - Stopping at the first NaN or infinity --------------===//

#include "NonFinite.h"

#include "ModelDescription.h"

#include "snn/runtime.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace snn::rt {
namespace {

/// Whether no element of `values` is NaN or infinite: an element is not
/// finite exactly when its bits without the sign are at least those of
/// +infinity (all exponent bits set). The maximum of the unsigned magnitudes
/// has no branch and no floating-point order, so it vectorises to an AND
/// and a MAX per vector of elements (the check runs on every state every
/// step, so its cost is part of the step's).
template <typename Bits> inline bool finite_bits(const void *data, uint64_t count, Bits infinity) {
  const unsigned char *bytes = static_cast<const unsigned char *>(data);
  const Bits magnitude = Bits(~Bits(0)) >> 1;
  Bits largest = 0;
#pragma GCC unroll 4
  for (uint64_t i = 0; i < count; ++i) {
    Bits bits;
    std::memcpy(&bits, bytes + i * sizeof(Bits), sizeof(Bits)); // the bits, without aliasing the real
    Bits m = bits & magnitude;
    largest = m > largest ? m : largest;
  }
  return largest < infinity;
}

// The runtime is built for baseline x86-64 (SSE2, 4 floats a vector); the
// check runs on every state every step, so it gets an AVX2 clone as well
// (8 floats), chosen when the program starts. g++ vectorises at -O3 only.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SNN_VECTORIZE __attribute__((optimize("O3"), target_clones("avx2", "default")))
#elif defined(__GNUC__) && !defined(__clang__)
#define SNN_VECTORIZE __attribute__((optimize("O3")))
#else
#define SNN_VECTORIZE
#endif
SNN_VECTORIZE bool finite_f32(const void *data, uint64_t count) {
  return finite_bits(data, count, uint32_t(0x7f800000u));
}
SNN_VECTORIZE bool finite_f64(const void *data, uint64_t count) {
  return finite_bits(data, count, uint64_t(0x7ff0000000000000ull));
}

std::string value_text(double v) { return std::isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf"; }

std::string time_text(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%g ms", seconds * 1e3);
  return text;
}

} // namespace

bool all_finite(const void *data, uint32_t type, uint64_t count) {
  if (type == SNN_ELEM_F32)
    return finite_f32(data, count);
  if (type == SNN_ELEM_F64)
    return finite_f64(data, count);
  return true;
}

void check_states_finite(const snn_model_desc &model, const snn_state &state, uint32_t batch, uint64_t step,
                         const std::string &when) {
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    for (uint32_t v = 0; v < population.num_state_vars; ++v) {
      const snn_variable_desc &variable = population.state_vars[v];
      uint32_t type = model.buffers[variable.buffer].type;
      const void *values = state.buffers[variable.buffer];
      uint64_t count = uint64_t(population.size) * batch;
      if (all_finite(values, type, count))
        continue;
      for (uint64_t i = 0; i < count; ++i) {
        double x = load_element(values, type, i);
        if (std::isfinite(x))
          continue;
        uint64_t example = state.first_example + i / population.size;
        throw Error("population '" + std::string(population.name) + "': state '" + variable.name + "' of neuron " +
                    std::to_string(i % population.size) + " became " + value_text(x) + " in example " +
                    std::to_string(example) + " at step " + std::to_string(step) +
                    " (t = " + time_text(double(step + 1) * model.dt) + ")" + (when.empty() ? "" : " " + when) +
                    "; its equations overflow or leave their domain there (an exp too large, the sqrt or log of a "
                    "negative value); --allow-nonfinite runs on regardless");
      }
    }
  }
}

bool checks_states_after(const snn_model_desc &model, uint64_t step, uint64_t steps) {
  const uint32_t block = model.spike_block_steps;
  return block == 0 || (step + 1) % block == 0 || step + 1 == steps;
}

std::string checked_every_block(const snn_model_desc &model) {
  const uint32_t block = model.spike_block_steps;
  if (block == 0)
    return "";
  return "(the " + std::string(model.device ? model.device->name : "device") + " device's states are checked every " +
         std::to_string(block) + " steps: it may have happened up to " + std::to_string(block - 1) + " steps earlier)";
}

void check_gradients_finite(const snn_model_desc &model, const snn_state &state, const std::string &when) {
  if (!model.training)
    return;
  const snn_training_desc &training = *model.training;
  for (uint32_t k = 0; k < training.num_params; ++k) {
    const snn_param_desc &param = training.params[k];
    if (param.gradient == SNN_NO_BUFFER)
      continue;
    uint32_t type = model.buffers[param.gradient].type;
    const void *values = state.buffers[param.gradient];
    uint64_t count = state.extents[param.gradient];
    if (all_finite(values, type, count))
      continue;
    for (uint64_t i = 0; i < count; ++i) {
      double x = load_element(values, type, i);
      if (!std::isfinite(x))
        throw Error("the gradient of '" + std::string(param.name) + "' (element " + std::to_string(i) + ") is " +
                    value_text(x) + " " + when +
                    "; try a smaller learning rate (--lr), gradient clipping (--clip-norm), or "
                    "--allow-nonfinite to run on");
    }
  }
}

} // namespace snn::rt
