//===- ModelDescription.cpp - Checks and queries of snn_model_desc --------===//

#include "ModelDescription.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>
#include <vector>

namespace snn::rt {
namespace {

[[noreturn]] void broken(const std::string &what) { throw Error::internal("malformed model descriptor: " + what); }

void check_variables(const snn_population_desc &population, uint32_t count, const snn_variable_desc *variables,
                     const char *kind) {
  if (count > 0 && !variables)
    broken(std::string("population '") + population.name + "' has " + std::to_string(count) + " " + kind +
           " but no descriptions");
  for (uint32_t k = 0; k < count; ++k)
    if (!variables[k].name)
      broken(std::string("population '") + population.name + "': " + kind + " " + std::to_string(k) + " has no name");
}

void check_populations(const snn_model_desc &model) {
  if (model.num_populations > 0 && !model.populations)
    broken("populations missing");
  std::set<std::string_view> names;
  // Buffer ranges [first, last) of each population, to detect overlaps.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    if (!population.name)
      broken("population " + std::to_string(p) + " has no name");
    if (!names.insert(population.name).second)
      broken(std::string("two populations are called '") + population.name + "'");
    check_variables(population, population.num_state_vars, population.state_vars, "state variables");
    check_variables(population, population.num_inputs, population.inputs, "inputs");
    uint64_t first = population.first_buffer;
    uint64_t last = first + population.num_state_vars + uint64_t(population.num_inputs);
    if (last > UINT32_MAX)
      broken(std::string("buffers of population '") + population.name + "' exceed the index range");
    if (last > first)
      ranges.emplace_back(first, last);
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t r = 1; r < ranges.size(); ++r)
    if (ranges[r].first < ranges[r - 1].second)
      broken("two populations share buffer " + std::to_string(ranges[r].first));
}

void check_projections(const snn_model_desc &model) {
  if (model.num_projections > 0 && !model.projections)
    broken("projections missing");
  for (uint32_t j = 0; j < model.num_projections; ++j) {
    const snn_projection_desc &projection = model.projections[j];
    std::string name = projection.name ? projection.name : std::to_string(j);
    if (!projection.name)
      broken("projection " + name + " has no name");
    if (projection.pre >= model.num_populations || projection.post >= model.num_populations)
      broken("projection '" + name + "' names a population out of range");
    if (projection.connectivity > SNN_CONNECT_ONE_TO_ONE)
      broken("projection '" + name + "' has connectivity kind " + std::to_string(projection.connectivity));
    if (projection.weight.kind > SNN_DIST_NORMAL)
      broken("projection '" + name + "' has weight distribution kind " + std::to_string(projection.weight.kind));
    const snn_population_desc &post = model.populations[projection.post];
    uint32_t targets = projection.target_kind == SNN_TARGET_STATE ? post.num_state_vars : post.num_inputs;
    if (projection.target_kind > SNN_TARGET_INPUT || projection.target_index >= targets)
      broken("projection '" + name + "' targets a variable out of range");
  }
}

void check_records(const snn_model_desc &model) {
  if (model.num_records > 0 && !model.records)
    broken("records missing");
  for (uint32_t r = 0; r < model.num_records; ++r) {
    const snn_record_desc &record = model.records[r];
    std::string which = "record " + std::to_string(r);
    if (record.kind > SNN_RECORD_STATE)
      broken(which + " has kind " + std::to_string(record.kind));
    if (record.population >= model.num_populations)
      broken(which + " names a population out of range");
    const snn_population_desc &population = model.populations[record.population];
    if (record.kind == SNN_RECORD_STATE && record.variable >= population.num_state_vars)
      broken(which + " names a state variable out of range");
    if (record.stride == 0 || record.begin > record.end || record.end > population.size)
      broken(which + " selects neurons " + std::to_string(record.begin) + ":" + std::to_string(record.end) + ":" +
             std::to_string(record.stride) + " of a population of size " + std::to_string(population.size));
  }
}

void check_stimuli(const snn_model_desc &model) {
  if (model.num_stimuli > 0 && !model.stimuli)
    broken("stimuli missing");
  for (uint32_t s = 0; s < model.num_stimuli; ++s) {
    if (model.stimuli[s].population >= model.num_populations)
      broken("stimulus " + std::to_string(s) + " names a population out of range");
    if (!model.stimuli[s].path)
      broken("stimulus " + std::to_string(s) + " has no file");
  }
}

} // namespace

void validate_model(const snn_model_desc &model) {
  if (model.abi_version != SNN_MODEL_ABI_VERSION)
    throw Error("the model was built for model ABI version " + std::to_string(model.abi_version) +
                " but this runtime implements version " + std::to_string(SNN_MODEL_ABI_VERSION) +
                "; rebuild it with a matching snnc");
  if (model.real_size != 4 && model.real_size != 8)
    throw Error("the model uses reals of " + std::to_string(model.real_size) +
                " bytes; this runtime supports 4 (float) and 8 (double)");
  if (!model.name)
    broken("the network has no name");
  if (!model.init || !model.step)
    broken("init or step is missing");
  if (!(std::isfinite(model.dt) && model.dt > 0))
    broken("time step " + std::to_string(model.dt) + " s is not positive");
  if (!(std::isfinite(model.duration) && model.duration >= 0))
    broken("default duration " + std::to_string(model.duration) + " s is negative or not finite");
  check_populations(model);
  check_projections(model);
  check_records(model);
  check_stimuli(model);
}

uint32_t buffer_count(const snn_model_desc &model) {
  uint32_t count = 0;
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    count = std::max(count, population.first_buffer + population.num_state_vars + population.num_inputs);
  }
  return count;
}

uint64_t neuron_count(const snn_model_desc &model) {
  uint64_t count = 0;
  for (uint32_t p = 0; p < model.num_populations; ++p)
    count += model.populations[p].size;
  return count;
}

std::optional<uint32_t> find_population(const snn_model_desc &model, std::string_view name) {
  for (uint32_t p = 0; p < model.num_populations; ++p)
    if (name == model.populations[p].name)
      return p;
  return std::nullopt;
}

std::optional<uint32_t> find_variable_buffer(const snn_model_desc &model, uint32_t population, std::string_view name) {
  const snn_population_desc &desc = model.populations[population];
  for (uint32_t k = 0; k < desc.num_state_vars; ++k)
    if (name == desc.state_vars[k].name)
      return desc.first_buffer + k;
  for (uint32_t k = 0; k < desc.num_inputs; ++k)
    if (name == desc.inputs[k].name)
      return desc.first_buffer + desc.num_state_vars + k;
  return std::nullopt;
}

} // namespace snn::rt
