//===- test/unit/backend/TestState.cpp - An snn_state owned by a test -----===//
#include "TestState.h"

#include <cstring>
#include <stdexcept>

namespace snn::test {

TestState::TestState(const snn_model_desc &desc, uint64_t seed) : desc_(desc) {
  for (uint32_t p = 0; p < desc.num_populations; ++p) {
    const snn_population_desc &pop = desc.populations[p];
    uint32_t count = pop.num_state_vars + pop.num_inputs;
    if (buffers_.size() < pop.first_buffer + count)
      buffers_.resize(pop.first_buffer + count, nullptr);
    for (uint32_t k = 0; k < count; ++k) {
      storage_.emplace_back(pop.size + 1, 0.0);
      // All-ones bytes are NaN as float and as double: a value the generated
      // code forgets to write shows up.
      std::memset(storage_.back().data(), 0xFF, storage_.back().size() * sizeof(double));
      buffers_[pop.first_buffer + k] = storage_.back().data();
    }
    spiked_.emplace_back(pop.size + 1, 0xAA);
    stimulus_.emplace_back();
  }
  for (auto &s : spiked_)
    spiked_ptrs_.push_back(s.data());
  stimulus_ptrs_.assign(desc.num_populations, nullptr);
  csr_.resize(desc.num_projections);
  synapses_.resize(desc.num_projections);
  for (uint32_t j = 0; j < desc.num_projections; ++j) {
    uint32_t num_pre = desc.populations[desc.projections[j].pre].size;
    set_synapses(j, std::vector<uint32_t>(num_pre + 1, 0), {}, {});
  }
  state_.buffers = buffers_.data();
  state_.spiked = spiked_ptrs_.data();
  state_.stimulus = stimulus_ptrs_.data();
  state_.synapses = synapses_.data();
  state_.seed = seed;
}

uint32_t TestState::buffer(uint32_t pop, const std::string &name) const {
  const snn_population_desc &p = desc_.populations[pop];
  for (uint32_t k = 0; k < p.num_state_vars; ++k)
    if (name == p.state_vars[k].name)
      return p.first_buffer + k;
  for (uint32_t k = 0; k < p.num_inputs; ++k)
    if (name == p.inputs[k].name)
      return p.first_buffer + p.num_state_vars + k;
  throw std::out_of_range("no variable " + name);
}

double TestState::value(uint32_t pop, const std::string &name, uint32_t n) const {
  const void *data = buffers_[buffer(pop, name)];
  if (desc_.real_size == 4)
    return static_cast<const float *>(data)[n];
  return static_cast<const double *>(data)[n];
}

void TestState::set(uint32_t pop, const std::string &name, uint32_t n, double value) {
  void *data = buffers_[buffer(pop, name)];
  if (desc_.real_size == 4)
    static_cast<float *>(data)[n] = static_cast<float>(value);
  else
    static_cast<double *>(data)[n] = value;
}

void TestState::enable_stimulus(uint32_t pop) {
  stimulus_[pop].assign(desc_.populations[pop].size, 0);
  stimulus_ptrs_[pop] = stimulus_[pop].data();
}

void TestState::set_synapses(uint32_t projection, std::vector<uint32_t> row_start, std::vector<uint32_t> target,
                             const std::vector<double> &weights) {
  Csr &csr = csr_[projection];
  csr.row_start = std::move(row_start);
  csr.target = std::move(target);
  csr.weight.assign(weights.size() + 1, 0.0);
  for (size_t s = 0; s < weights.size(); ++s) {
    if (desc_.real_size == 4)
      reinterpret_cast<float *>(csr.weight.data())[s] = static_cast<float>(weights[s]);
    else
      csr.weight[s] = weights[s];
  }
  synapses_[projection] = {csr.row_start.data(), csr.target.data(), csr.weight.data(), csr.target.size()};
}

} // namespace snn::test
