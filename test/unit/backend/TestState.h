//===- TestState.h - An snn_state owned by a test ---------------*- C++ -*-===//
//
// What the runtime would allocate for a model (ABI v2), built directly from
// its descriptor so backend tests need nothing from runtime/lib: one zeroed
// buffer per snn_buffer_desc (extent x batch when per-example; histories
// for the training regime's timesteps), with the
// synapse counts and CSR rows the test sets. Every buffer is followed by
// guard bytes, so a kernel that writes past an extent is caught.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "snn/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::test {

class TestState {
public:
  /// Buffers for every snn_buffer_desc of `desc` for `batch` examples; the
  /// synapse buffers of every projection start empty (no synapses).
  TestState(const snn_model_desc &desc, uint64_t seed, uint32_t batch = 1, uint64_t first_example = 0);
  TestState(const TestState &) = delete;
  TestState &operator=(const TestState &) = delete;

  snn_state *get() { return &state_; }
  const snn_model_desc &desc() const { return desc_; }

  /// Calls entry point `name` (looked up in desc.entries); fails the test
  /// when there is none.
  void call(const std::string &name, uint64_t step = 0);
  void init() { call("init"); }
  void reset_example() { call("reset_example"); }
  void step(uint64_t step) { call("step", step); }

  /// Reallocates every per-example buffer for `batch` examples (zeroed).
  void set_batch(uint32_t batch);
  void set_first_example(uint64_t first) { state_.first_example = first; }
  uint32_t batch() const { return state_.batch; }

  // --- Buffers by index ------------------------------------------------------

  /// Index of the buffer called `name`; throws std::out_of_range if none.
  uint32_t buffer_named(const std::string &name) const;
  /// Elements per example of buffer `index`, as allocated.
  uint64_t extent(uint32_t index) const { return extents_[index]; }
  /// Element `i` of example `b` of buffer `index`, converted from its type
  /// (bits give 0 or 1).
  double get(uint32_t index, uint64_t i, uint32_t b = 0) const;
  /// Writes `value` to element `i` of example `b`, converted to its type.
  void put(uint32_t index, uint64_t i, double value, uint32_t b = 0);
  /// The raw storage of buffer `index` (all examples).
  void *data(uint32_t index) { return buffers_[index]; }
  /// Sets every byte of every buffer (guards excepted) to `byte`; 0xFF makes
  /// every real a NaN, so a value generated code forgets to write shows up.
  void fill(uint8_t byte);
  /// Names of the buffers whose guard bytes were overwritten.
  std::vector<std::string> clobbered_guards() const;

  // --- Populations -----------------------------------------------------------

  /// Buffer index of state variable or input `name` of population `pop`.
  uint32_t buffer(uint32_t pop, const std::string &name) const;
  double value(uint32_t pop, const std::string &name, uint32_t n, uint32_t b = 0) const {
    return get(buffer(pop, name), n, b);
  }
  void set(uint32_t pop, const std::string &name, uint32_t n, double value, uint32_t b = 0) {
    put(buffer(pop, name), n, value, b);
  }
  bool spiked(uint32_t pop, uint32_t n, uint32_t b = 0) const { return spiked_byte(pop, n, b) != 0; }
  uint8_t spiked_byte(uint32_t pop, uint32_t n, uint32_t b = 0) const {
    return uint8_t(get(desc_.populations[pop].spiked, n, b));
  }
  /// Sets the stimulus flag of neuron `n` of example `b`; the population
  /// must have a stimulus buffer.
  void set_stimulus(uint32_t pop, uint32_t n, bool fire, uint32_t b = 0);

  // --- Projections -----------------------------------------------------------

  /// Sets the CSR synapses of `projection`: fills its ROW_START and TARGET
  /// buffers and reallocates every SYNAPSE-scope buffer it owns (zeroed)
  /// for target.size() synapses.
  void set_synapses(uint32_t projection, const std::vector<uint32_t> &row_start, const std::vector<uint32_t> &target);
  double weight(uint32_t projection, uint64_t s) const { return get(desc_.projections[projection].weight, s); }
  void set_weight(uint32_t projection, uint64_t s, double w) { put(desc_.projections[projection].weight, s, w); }

private:
  uint64_t copies(uint32_t index) const;
  uint64_t bytes(uint32_t index) const;
  void allocate(uint32_t index, uint64_t extent);
  size_t offset(uint32_t index, uint64_t i, uint32_t b) const;

  const snn_model_desc &desc_;
  std::vector<std::vector<uint64_t>> storage_; ///< 8-byte aligned
  std::vector<void *> buffers_;
  std::vector<uint64_t> extents_;
  snn_state state_{};
};

} // namespace snn::test
