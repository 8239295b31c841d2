//===- TestState.h - An snn_state owned by a test ---------------*- C++ -*-===//
//
// What the runtime would allocate for a model, built directly from its
// descriptor so backend tests need nothing from runtime/lib: one real buffer
// per state variable and input, spiked and (optionally) stimulus bytes per
// population, and hand-written CSR synapses per projection.
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
  /// Buffers for every population of `desc`; projections start empty.
  TestState(const snn_model_desc &desc, uint64_t seed);
  TestState(const TestState &) = delete;
  TestState &operator=(const TestState &) = delete;

  snn_state *get() { return &state_; }
  void init() { desc_.init(&state_); }
  void step(uint64_t step) { desc_.step(&state_, step); }

  /// Buffer index of state var or input `name` of population `pop`.
  uint32_t buffer(uint32_t pop, const std::string &name) const;
  double value(uint32_t pop, const std::string &name, uint32_t n) const;
  void set(uint32_t pop, const std::string &name, uint32_t n, double value);
  bool spiked(uint32_t pop, uint32_t n) const { return spiked_[pop][n] != 0; }
  uint8_t spiked_byte(uint32_t pop, uint32_t n) const { return spiked_[pop][n]; }

  /// Gives population `pop` a stimulus array (all zero).
  void enable_stimulus(uint32_t pop);
  void set_stimulus(uint32_t pop, uint32_t n, bool fire) { stimulus_[pop][n] = fire; }
  /// Removes every stimulus array: snn_state::stimulus becomes NULL.
  void drop_stimulus_table() { state_.stimulus = nullptr; }

  /// Sets the synapses of `projection`; `weights` are stored as reals.
  void set_synapses(uint32_t projection, std::vector<uint32_t> row_start, std::vector<uint32_t> target,
                    const std::vector<double> &weights);

private:
  const snn_model_desc &desc_;
  std::vector<std::vector<double>> storage_; // 8-byte aligned; floats use the front
  std::vector<void *> buffers_;
  std::vector<std::vector<uint8_t>> spiked_, stimulus_;
  std::vector<uint8_t *> spiked_ptrs_, stimulus_ptrs_;
  struct Csr {
    std::vector<uint32_t> row_start, target;
    std::vector<double> weight;
  };
  std::vector<Csr> csr_;
  std::vector<snn_synapses> synapses_;
  snn_state state_{};
};

} // namespace snn::test
