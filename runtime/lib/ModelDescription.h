//===- ModelDescription.h - Checks of snn_model_desc ------------*- C++ -*-===//
//
// The runtime trusts nothing in a descriptor it has not checked: generated
// code and the runtime may come from different builds, so the ABI version,
// the real size, every index and every buffer's type, scope and role are
// checked once, up front.
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
#include <vector>

namespace snn::rt {

/// Throws Error (user) for an ABI version or real size this runtime cannot
/// run, and Error::internal for a structurally broken descriptor: null
/// pointers, indices out of range, a buffer whose type, scope, owner, batch
/// axis, role or extent does not fit where it is named, missing entry points.
/// Projection semantics (probability, sizes) are checked by build_synapses.
void validate_model(const snn_model_desc &model);

/// Throws Error (user) unless `batch` is in 1..SNN_MAX_BATCH and the global
/// example indices first_example .. first_example + batch - 1 fit in 64 bits.
void check_batch(uint32_t batch, uint64_t first_example);

/// Neurons over all populations.
uint64_t neuron_count(const snn_model_desc &model);

/// Index of the population called `name`, if any.
std::optional<uint32_t> find_population(const snn_model_desc &model, std::string_view name);

/// Buffer index of the state variable or (failing that) input called `name`
/// of population `population`, if any.
std::optional<uint32_t> find_variable_buffer(const snn_model_desc &model, uint32_t population, std::string_view name);

/// Name of the state variable of `population` stored in `buffer`, or null.
const char *state_variable_name(const snn_model_desc &model, uint32_t population, uint32_t buffer);

/// The neurons `record` selects, in its order (its list, or
/// begin:end:stride); `listed` becomes, for a list, which of 0..end are in
/// it (what a spike scan over begin..end asks), and stays empty otherwise.
void record_neurons(const snn_record_desc &record, std::vector<uint32_t> &neurons, std::vector<bool> &listed);

/// Whether neuron `n` of begin..end is one `record` selects (`listed` as
/// record_neurons made it).
inline bool record_selects(const snn_record_desc &record, const std::vector<bool> &listed, uint32_t n) {
  return listed.empty() ? (n - record.begin) % record.stride == 0 : bool(listed[n]);
}

/// The entry point called `name`, or null.
snn_entry_fn find_entry(const snn_model_desc &model, std::string_view name);

/// Bytes that `count` elements of `type` occupy (BITS: whole 32-bit words).
/// Saturates at UINT64_MAX instead of wrapping.
uint64_t element_bytes(uint32_t type, uint64_t count);

/// `a * b`, or UINT64_MAX when that does not fit.
inline uint64_t saturating_multiply(uint64_t a, uint64_t b) {
  return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/// Element `index` of a buffer of elements of `type` (enum snn_elem_type),
/// as double.
inline double load_element(const void *buffer, uint32_t type, std::size_t index) {
  switch (type) {
  case SNN_ELEM_F32:
    return static_cast<const float *>(buffer)[index];
  case SNN_ELEM_F64:
    return static_cast<const double *>(buffer)[index];
  case SNN_ELEM_I32:
    return static_cast<const int32_t *>(buffer)[index];
  case SNN_ELEM_U32:
    return static_cast<const uint32_t *>(buffer)[index];
  case SNN_ELEM_U8:
    return static_cast<const uint8_t *>(buffer)[index];
  default: // SNN_ELEM_BITS
    return (static_cast<const uint32_t *>(buffer)[index / 32] >> (index % 32)) & 1u;
  }
}

/// Stores `value` as element `index`; integer types take the value as is
/// (callers check that it is integral and in range, see representable).
inline void store_element(void *buffer, uint32_t type, std::size_t index, double value) {
  switch (type) {
  case SNN_ELEM_F32:
    static_cast<float *>(buffer)[index] = static_cast<float>(value);
    break;
  case SNN_ELEM_F64:
    static_cast<double *>(buffer)[index] = value;
    break;
  case SNN_ELEM_I32:
    static_cast<int32_t *>(buffer)[index] = static_cast<int32_t>(value);
    break;
  case SNN_ELEM_U32:
    static_cast<uint32_t *>(buffer)[index] = static_cast<uint32_t>(value);
    break;
  case SNN_ELEM_U8:
    static_cast<uint8_t *>(buffer)[index] = static_cast<uint8_t>(value);
    break;
  default: { // SNN_ELEM_BITS
    uint32_t &word = static_cast<uint32_t *>(buffer)[index / 32];
    uint32_t bit = 1u << (index % 32);
    word = value != 0 ? word | bit : word & ~bit;
  }
  }
}

/// Whether `value` can be stored exactly in an element of `type` (any
/// finite or infinite value for F32 and F64, which round).
bool representable(uint32_t type, double value);

/// "float32", "int32", ... for messages.
const char *element_type_name(uint32_t type);

} // namespace snn::rt

#endif // SNN_RUNTIME_MODELDESCRIPTION_H
