//===- Simulation.cpp - One instance of a compiled model ------------------===//
//
// Owns every buffer generated code touches, builds the synapses and the
// stimulus schedules, and steps the network.
//
//===----------------------------------------------------------------------===//

#include "AlignedBuffer.h"
#include "Connectivity.h"
#include "ModelDescription.h"
#include "Stimulus.h"

#include "snn/runtime.h"

#include "SpikeScan.h"

#include <optional>
#include <utility>

namespace snn::rt {

struct Simulation::Impl {
  const snn_model_desc *model;
  uint64_t seed;
  std::vector<AlignedBuffer> variable_storage; ///< per buffer index
  std::vector<void *> buffers;
  std::vector<AlignedBuffer> spiked_storage; ///< per population
  std::vector<uint8_t *> spiked;
  std::vector<AlignedBuffer> stimulus_storage; ///< per population, or empty
  std::vector<uint8_t *> stimulus;
  std::vector<std::optional<StimulusSchedule>> schedules; ///< per population
  std::vector<ProjectionSynapses> projections;
  std::vector<snn_synapses> synapses;
  std::vector<uint64_t> spike_counts; ///< per population, since init
  snn_state state{};
  uint64_t step = 0;
  bool initialised = false;

  Impl(const snn_model_desc &desc, uint64_t run_seed);
  void allocate();
  void load_stimuli();
  void count_spikes();
  uint32_t population(std::string_view name) const;
  uint32_t variable(uint32_t population, std::string_view name) const;
};

Simulation::Impl::Impl(const snn_model_desc &desc, uint64_t run_seed) : model(&desc), seed(run_seed) {
  validate_model(desc);
  allocate();
  for (uint32_t j = 0; j < desc.num_projections; ++j)
    projections.push_back(build_synapses(desc, j, seed));
  for (ProjectionSynapses &projection : projections)
    synapses.push_back(projection.view());
  load_stimuli();
  state.buffers = buffers.data();
  state.spiked = spiked.data();
  state.stimulus = stimulus.data();
  state.synapses = synapses.data();
  state.seed = seed;
}

void Simulation::Impl::allocate() {
  const snn_model_desc &desc = *model;
  uint32_t count = buffer_count(desc);
  variable_storage.resize(count);
  buffers.assign(count, nullptr);
  for (uint32_t p = 0; p < desc.num_populations; ++p) {
    const snn_population_desc &population = desc.populations[p];
    uint32_t variables = population.num_state_vars + population.num_inputs;
    for (uint32_t k = 0; k < variables; ++k) {
      uint32_t b = population.first_buffer + k;
      variable_storage[b] = AlignedBuffer(std::size_t(population.size) * desc.real_size);
      buffers[b] = variable_storage[b].data();
    }
    spiked_storage.emplace_back(population.size);
    spiked.push_back(static_cast<uint8_t *>(spiked_storage.back().data()));
  }
  stimulus_storage.resize(desc.num_populations);
  stimulus.assign(desc.num_populations, nullptr);
  schedules.resize(desc.num_populations);
  spike_counts.assign(desc.num_populations, 0);
}

void Simulation::Impl::load_stimuli() {
  const snn_model_desc &desc = *model;
  // Several files may drive one population: merge them into one schedule so
  // that clearing one file's flags never clears another's.
  std::vector<std::vector<SpikeEvent>> events(desc.num_populations);
  std::vector<bool> driven(desc.num_populations, false);
  for (uint32_t s = 0; s < desc.num_stimuli; ++s) {
    const snn_stimulus_desc &stimulus_desc = desc.stimuli[s];
    const snn_population_desc &population = desc.populations[stimulus_desc.population];
    std::vector<SpikeEvent> file = read_spike_times(stimulus_desc.path, population.name, population.size);
    auto &merged = events[stimulus_desc.population];
    merged.insert(merged.end(), file.begin(), file.end());
    driven[stimulus_desc.population] = true;
  }
  for (uint32_t p = 0; p < desc.num_populations; ++p) {
    if (!driven[p])
      continue;
    stimulus_storage[p] = AlignedBuffer(desc.populations[p].size);
    stimulus[p] = static_cast<uint8_t *>(stimulus_storage[p].data());
    schedules[p].emplace(events[p], desc.dt);
  }
}

void Simulation::Impl::count_spikes() {
  for (uint32_t p = 0; p < model->num_populations; ++p) {
    const uint8_t *flags = spiked[p];
    uint64_t count = 0;
    for_each_spike(flags, 0, model->populations[p].size, [&](uint32_t) { ++count; });
    spike_counts[p] += count;
  }
}

uint32_t Simulation::Impl::population(std::string_view name) const {
  if (std::optional<uint32_t> index = find_population(*model, name))
    return *index;
  throw Error("the network has no population '" + std::string(name) + "'");
}

uint32_t Simulation::Impl::variable(uint32_t population, std::string_view name) const {
  if (std::optional<uint32_t> buffer = find_variable_buffer(*model, population, name))
    return *buffer;
  throw Error("population '" + std::string(model->populations[population].name) + "' has no variable '" +
              std::string(name) + "'");
}

Simulation::Simulation(const snn_model_desc &model, uint64_t seed) : impl_(std::make_unique<Impl>(model, seed)) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation &&) noexcept = default;
Simulation &Simulation::operator=(Simulation &&) noexcept = default;

const snn_model_desc &Simulation::model() const { return *impl_->model; }
uint64_t Simulation::seed() const { return impl_->seed; }

void Simulation::init() {
  Impl &s = *impl_;
  for (AlignedBuffer &buffer : s.variable_storage)
    buffer.clear();
  for (AlignedBuffer &buffer : s.spiked_storage)
    buffer.clear();
  for (uint32_t p = 0; p < s.model->num_populations; ++p)
    if (s.schedules[p]) {
      s.stimulus_storage[p].clear();
      s.schedules[p]->rewind();
    }
  s.spike_counts.assign(s.spike_counts.size(), 0);
  s.model->init(&s.state);
  s.step = 0;
  s.initialised = true;
}

void Simulation::step() {
  Impl &s = *impl_;
  if (!s.initialised)
    throw Error::internal("Simulation::step called before init");
  for (uint32_t p = 0; p < s.model->num_populations; ++p)
    if (s.schedules[p])
      s.schedules[p]->apply(s.step, s.stimulus[p]);
  s.model->step(&s.state, s.step);
  s.count_spikes();
  ++s.step;
}

void Simulation::advance(uint64_t n) {
  for (uint64_t k = 0; k < n; ++k)
    step();
}

uint64_t Simulation::current_step() const { return impl_->step; }

double Simulation::time() const { return double(impl_->step) * impl_->model->dt; }

uint32_t Simulation::population_index(std::string_view name) const { return impl_->population(name); }

std::vector<double> Simulation::read(std::string_view population, std::string_view variable) const {
  const Impl &s = *impl_;
  uint32_t p = s.population(population);
  const void *buffer = s.buffers[s.variable(p, variable)];
  uint32_t size = s.model->populations[p].size;
  std::vector<double> values(size);
  for (uint32_t n = 0; n < size; ++n)
    values[n] = load_real(buffer, n, s.model->real_size);
  return values;
}

void Simulation::write(std::string_view population, std::string_view variable, const std::vector<double> &values) {
  Impl &s = *impl_;
  uint32_t p = s.population(population);
  void *buffer = s.buffers[s.variable(p, variable)];
  uint32_t size = s.model->populations[p].size;
  if (values.size() != size)
    throw Error("cannot write " + std::to_string(values.size()) + " values to '" + std::string(population) + "." +
                std::string(variable) + "' of " + std::to_string(size) + " neurons");
  for (uint32_t n = 0; n < size; ++n)
    store_real(buffer, n, s.model->real_size, values[n]);
}

std::vector<uint8_t> Simulation::spiked(std::string_view population) const {
  const Impl &s = *impl_;
  uint32_t p = s.population(population);
  const uint8_t *flags = s.spiked[p];
  return std::vector<uint8_t>(flags, flags + s.model->populations[p].size);
}

uint64_t Simulation::spike_count(std::string_view population) const {
  return impl_->spike_counts[impl_->population(population)];
}

uint64_t Simulation::spike_count(uint32_t population) const {
  if (population >= impl_->spike_counts.size())
    throw Error::internal("population index " + std::to_string(population) + " out of range");
  return impl_->spike_counts[population];
}

uint64_t Simulation::synapse_count() const {
  uint64_t count = 0;
  for (const ProjectionSynapses &projection : impl_->projections)
    count += projection.count();
  return count;
}

const snn_synapses &Simulation::synapses(uint32_t projection) const {
  if (projection >= impl_->synapses.size())
    throw Error::internal("projection index " + std::to_string(projection) + " out of range");
  return impl_->synapses[projection];
}

snn_state &Simulation::state() { return impl_->state; }
const snn_state &Simulation::state() const { return impl_->state; }

} // namespace snn::rt
