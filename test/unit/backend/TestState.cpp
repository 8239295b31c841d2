//===- test/unit/backend/TestState.cpp - An snn_state owned by a test -----===//
#include "TestState.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace snn::test {

namespace {
/// Guard bytes after every buffer, and their value.
constexpr size_t kGuard = 64;
constexpr uint8_t kGuardByte = 0xA5;

size_t elem_bytes(uint32_t type) {
  switch (type) {
  case SNN_ELEM_F64:
    return 8;
  case SNN_ELEM_U8:
    return 1;
  default:
    return 4;
  }
}
} // namespace

TestState::TestState(const snn_model_desc &desc, uint64_t seed, uint32_t batch, uint64_t first_example) : desc_(desc) {
  state_.batch = batch;
  state_.first_example = first_example;
  state_.seed = seed;
  storage_.resize(desc.num_buffers);
  buffers_.resize(desc.num_buffers);
  extents_.resize(desc.num_buffers);
  for (uint32_t k = 0; k < desc.num_buffers; ++k)
    allocate(k, desc.buffers[k].scope == SNN_SCOPE_SYNAPSE ? 0
                : desc.buffers[k].role == SNN_ROLE_HISTORY && desc.training
                    ? desc.buffers[k].extent * desc.training->timesteps // the regime's steps
                    : desc.buffers[k].extent);
  state_.buffers = buffers_.data();
  state_.extents = extents_.data();
  // No synapses: every row offset is 0 (already zeroed).
}

uint64_t TestState::copies(uint32_t index) const {
  return desc_.buffers[index].batch == SNN_BATCH_PER_EXAMPLE ? state_.batch : 1;
}

uint64_t TestState::bytes(uint32_t index) const {
  uint64_t count = copies(index) * extents_[index];
  if (desc_.buffers[index].type == SNN_ELEM_BITS)
    return 4 * copies(index) * ((extents_[index] + 31) / 32);
  return count * elem_bytes(desc_.buffers[index].type);
}

void TestState::allocate(uint32_t index, uint64_t extent) {
  extents_[index] = extent;
  size_t size = bytes(index);
  storage_[index].assign((size + kGuard + 7) / 8, 0);
  std::memset(reinterpret_cast<uint8_t *>(storage_[index].data()) + size, kGuardByte, kGuard);
  buffers_[index] = storage_[index].data();
}

void TestState::set_batch(uint32_t batch) {
  state_.batch = batch;
  for (uint32_t k = 0; k < desc_.num_buffers; ++k)
    if (desc_.buffers[k].batch == SNN_BATCH_PER_EXAMPLE)
      allocate(k, extents_[k]);
}

void TestState::call(const std::string &name, uint64_t step) {
  for (uint32_t e = 0; e < desc_.num_entries; ++e)
    if (name == desc_.entries[e].name) {
      desc_.entries[e].fn(&state_, step);
      return;
    }
  ADD_FAILURE() << "the model has no entry point '" << name << "'";
}

uint32_t TestState::buffer_named(const std::string &name) const {
  for (uint32_t k = 0; k < desc_.num_buffers; ++k)
    if (name == desc_.buffers[k].name)
      return k;
  throw std::out_of_range("no buffer " + name);
}

size_t TestState::offset(uint32_t index, uint64_t i, uint32_t b) const {
  if (i >= extents_[index] || b >= copies(index))
    throw std::out_of_range(std::string("element ") + std::to_string(i) + " of example " + std::to_string(b) +
                            " of buffer " + desc_.buffers[index].name);
  return size_t(uint64_t(b) * extents_[index] + i);
}

double TestState::get(uint32_t index, uint64_t i, uint32_t b) const {
  size_t at = offset(index, i, b);
  const void *p = buffers_[index];
  switch (desc_.buffers[index].type) {
  case SNN_ELEM_F32:
    return static_cast<const float *>(p)[at];
  case SNN_ELEM_F64:
    return static_cast<const double *>(p)[at];
  case SNN_ELEM_I32:
    return static_cast<const int32_t *>(p)[at];
  case SNN_ELEM_U32:
    return static_cast<const uint32_t *>(p)[at];
  case SNN_ELEM_U8:
    return static_cast<const uint8_t *>(p)[at];
  case SNN_ELEM_BITS:
    return (static_cast<const uint32_t *>(p)[at / 32] >> (at % 32)) & 1u;
  }
  throw std::logic_error("unknown element type");
}

void TestState::put(uint32_t index, uint64_t i, double value, uint32_t b) {
  size_t at = offset(index, i, b);
  void *p = buffers_[index];
  switch (desc_.buffers[index].type) {
  case SNN_ELEM_F32:
    static_cast<float *>(p)[at] = float(value);
    return;
  case SNN_ELEM_F64:
    static_cast<double *>(p)[at] = value;
    return;
  case SNN_ELEM_I32:
    static_cast<int32_t *>(p)[at] = int32_t(value);
    return;
  case SNN_ELEM_U32:
    static_cast<uint32_t *>(p)[at] = uint32_t(value);
    return;
  case SNN_ELEM_U8:
    static_cast<uint8_t *>(p)[at] = uint8_t(value);
    return;
  case SNN_ELEM_BITS: {
    uint32_t &word = static_cast<uint32_t *>(p)[at / 32];
    uint32_t mask = 1u << (at % 32);
    word = value != 0 ? (word | mask) : (word & ~mask);
    return;
  }
  }
  throw std::logic_error("unknown element type");
}

void TestState::fill(uint8_t byte) {
  for (uint32_t k = 0; k < desc_.num_buffers; ++k)
    std::memset(buffers_[k], byte, bytes(k));
}

std::vector<std::string> TestState::clobbered_guards() const {
  std::vector<std::string> out;
  for (uint32_t k = 0; k < desc_.num_buffers; ++k) {
    const uint8_t *guard = reinterpret_cast<const uint8_t *>(buffers_[k]) + bytes(k);
    for (size_t g = 0; g < kGuard; ++g)
      if (guard[g] != kGuardByte) {
        out.push_back(desc_.buffers[k].name);
        break;
      }
  }
  return out;
}

uint32_t TestState::buffer(uint32_t pop, const std::string &name) const {
  const snn_population_desc &p = desc_.populations[pop];
  for (uint32_t k = 0; k < p.num_state_vars; ++k)
    if (name == p.state_vars[k].name)
      return p.state_vars[k].buffer;
  for (uint32_t k = 0; k < p.num_inputs; ++k)
    if (name == p.inputs[k].name)
      return p.inputs[k].buffer;
  throw std::out_of_range("no variable " + name + " in population " + p.name);
}

void TestState::set_stimulus(uint32_t pop, uint32_t n, bool fire, uint32_t b) {
  uint32_t index = desc_.populations[pop].stimulus;
  if (index == SNN_NO_BUFFER)
    throw std::out_of_range(std::string("population ") + desc_.populations[pop].name + " has no stimulus buffer");
  put(index, n, fire ? 1 : 0, b);
}

void TestState::set_synapses(uint32_t projection, const std::vector<uint32_t> &row_start,
                             const std::vector<uint32_t> &target) {
  const snn_projection_desc &p = desc_.projections[projection];
  if (row_start.size() != extents_[p.row_start] || row_start.back() != target.size())
    throw std::invalid_argument(std::string("bad CSR rows for projection ") + p.name);
  for (uint32_t k = 0; k < desc_.num_buffers; ++k)
    if (desc_.buffers[k].scope == SNN_SCOPE_SYNAPSE && desc_.buffers[k].owner == projection)
      allocate(k, target.size());
  std::memcpy(buffers_[p.row_start], row_start.data(), row_start.size() * sizeof(uint32_t));
  if (p.storage == SNN_STORAGE_RAGGED)
    std::memcpy(buffers_[p.target], target.data(), target.size() * sizeof(uint32_t));
  else // dense rows hold every post neuron in order: nothing to store
    for (uint64_t s = 0; s < target.size(); ++s)
      if (target[s] != s - row_start[std::upper_bound(row_start.begin(), row_start.end(), s) - row_start.begin() - 1])
        throw std::invalid_argument(std::string("targets that are not dense rows for projection ") + p.name);
}

} // namespace snn::test
