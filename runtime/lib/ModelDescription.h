//===- ModelDescription.h - Checks of snn_model_desc ------------*- C++ -*-===//
//
// The runtime trusts nothing in a descriptor it has not checked: generated
// code and the runtime may come from different builds, so the ABI version,
// the real size and every index are checked once, up front.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_MODELDESCRIPTION_H
#define SNN_RUNTIME_MODELDESCRIPTION_H

#include "snn/model_abi.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace snn::rt {

/// Throws Error (user) for an ABI version or real size this runtime cannot
/// run, and Error::internal for a structurally broken descriptor (null
/// pointers, indices out of range, overlapping buffers, bad record ranges).
/// Projection semantics (probability, sizes) are checked by build_synapses.
void validate_model(const snn_model_desc &model);

/// Number of entries of snn_state::buffers: one past the last buffer index
/// any population uses.
uint32_t buffer_count(const snn_model_desc &model);

/// Neurons over all populations.
uint64_t neuron_count(const snn_model_desc &model);

/// Index of the population called `name`, if any.
std::optional<uint32_t> find_population(const snn_model_desc &model, std::string_view name);

/// Buffer index of the state variable or (failing that) input called `name`
/// of population `population`, if any.
std::optional<uint32_t> find_variable_buffer(const snn_model_desc &model, uint32_t population, std::string_view name);

/// Element `index` of a buffer of reals of `real_size` (4 or 8) bytes.
inline double load_real(const void *buffer, std::size_t index, uint32_t real_size) {
  if (real_size == 4)
    return static_cast<const float *>(buffer)[index];
  return static_cast<const double *>(buffer)[index];
}

/// Stores `value` as element `index` of a buffer of reals.
inline void store_real(void *buffer, std::size_t index, uint32_t real_size, double value) {
  if (real_size == 4)
    static_cast<float *>(buffer)[index] = static_cast<float>(value);
  else
    static_cast<double *>(buffer)[index] = value;
}

} // namespace snn::rt

#endif // SNN_RUNTIME_MODELDESCRIPTION_H
