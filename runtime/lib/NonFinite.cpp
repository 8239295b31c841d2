//===- NonFinite.cpp - Stopping at the first NaN or infinity --------------===//

#include "NonFinite.h"

#include "ModelDescription.h"

#include "snn/runtime.h"

#include <fmt/format.h>
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
  return fmt::format("{:g} ms", seconds * 1e3);
}

} // namespace

bool all_finite(const void *data, uint32_t type, uint64_t count) {
  if (type == SNN_ELEM_F32)
    return finite_f32(data, count);
  if (type == SNN_ELEM_F64)
    return finite_f64(data, count);
  return true;
}

namespace {

const char *const kRemedy = "; its equations overflow or leave their domain there (an exp too large, the sqrt or "
                            "log of a negative value); --allow-nonfinite runs on regardless";

/// Throws the located Error for the first value of state `only` of
/// `population` (every state when `only` is num_state_vars) that is not
/// finite among examples [first, first + count) of `state`, naming `step`
/// as the step it became so; returns when there is none.
void throw_first_nonfinite(const snn_model_desc &model, const snn_population_desc &population, uint32_t only,
                           const snn_state &state, uint32_t first, uint32_t count, uint64_t step,
                           const std::string &when) {
  for (uint32_t v = 0; v < population.num_state_vars; ++v) {
    if (only < population.num_state_vars && v != only)
      continue;
    const snn_variable_desc &variable = population.state_vars[v];
    uint32_t type = model.buffers[variable.buffer].type;
    const void *values = state.buffers[variable.buffer];
    uint64_t begin = uint64_t(population.size) * first, end = begin + uint64_t(population.size) * count;
    if (all_finite(static_cast<const char *>(values) + element_bytes(type, begin), type, end - begin))
      continue;
    for (uint64_t i = begin; i < end; ++i) {
      double x = load_element(values, type, i);
      if (std::isfinite(x))
        continue;
      uint64_t example = state.first_example + i / population.size;
      throw Error("population '" + std::string(population.name) + "': state '" + variable.name + "' of neuron " +
                  std::to_string(i % population.size) + " became " + value_text(x) + " in example " +
                  std::to_string(example) + " at step " + std::to_string(step) +
                  " (t = " + time_text(double(step + 1) * model.dt) + ")" + (when.empty() ? "" : " " + when) + kRemedy);
    }
  }
}

bool is_real(uint32_t type) { return type == SNN_ELEM_F32 || type == SNN_ELEM_F64; }

} // namespace

void check_states_finite(const snn_model_desc &model, const snn_state &state, uint32_t batch, uint64_t step,
                         const std::string &when) {
  // On a device the step's kernels noted, per real state and example, the
  // first step of this block after which it was not finite. The earliest
  // note, first by population, state and example as the CPU scans, is
  // where the CPU, which checks every step, would stop.
  const uint32_t block = model.spike_block_steps;
  uint32_t population = 0, variable = 0, example = 0;
  int32_t slot = 0;
  for (uint32_t p = 0; block > 0 && p < model.num_populations; ++p) {
    const snn_population_desc &pop = model.populations[p];
    if (pop.nonfinite == SNN_NO_BUFFER)
      continue;
    const int32_t *noted = static_cast<const int32_t *>(state.buffers[pop.nonfinite]);
    const uint64_t watched = model.buffers[pop.nonfinite].extent;
    for (uint32_t v = 0, w = 0; v < pop.num_state_vars; ++v) {
      if (!is_real(model.buffers[pop.state_vars[v].buffer].type))
        continue;
      for (uint32_t b = 0; b < batch; ++b)
        if (int32_t note = noted[b * watched + w]; note > 0 && (slot == 0 || note < slot)) {
          population = p;
          variable = v;
          example = b;
          slot = note;
        }
      ++w;
    }
  }
  if (slot > 0) {
    const snn_population_desc &pop = model.populations[population];
    uint64_t at = step - (step & (block - 1)) + uint64_t(slot - 1);
    // Named by a neuron whose value is still not finite, if one is.
    throw_first_nonfinite(model, pop, variable, state, example, 1, at, when);
    throw Error("population '" + std::string(pop.name) + "': state '" + pop.state_vars[variable].name +
                "' became NaN or infinite in example " + std::to_string(state.first_example + example) + " at step " +
                std::to_string(at) + " (t = " + time_text(double(at + 1) * model.dt) + ")" +
                (when.empty() ? "" : " " + when) + ", and an assignment made it finite again by step " +
                std::to_string(step) + kRemedy);
  }
  for (uint32_t p = 0; p < model.num_populations; ++p)
    if (block == 0 || model.populations[p].nonfinite == SNN_NO_BUFFER)
      throw_first_nonfinite(model, model.populations[p], model.populations[p].num_state_vars, state, 0, batch, step,
                            when);
}

bool checks_states_after(const snn_model_desc &model, uint64_t step, uint64_t steps) {
  const uint32_t block = model.spike_block_steps;
  return block == 0 || (step + 1) % block == 0 || step + 1 == steps;
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
