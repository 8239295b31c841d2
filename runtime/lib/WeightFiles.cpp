//===- WeightFiles.cpp - Trained parameters in NPZ files ------------------===//

#include "WeightFiles.h"

#include "ModelDescription.h"
#include "Npz.h"
#include "NpzReader.h"

#include <fmt/format.h>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <set>

namespace snn::rt {
namespace {

/// The shape of parameter `param` in the files.
std::vector<uint64_t> file_shape(const snn_model_desc &model, const snn_param_desc &param) {
  const snn_training_desc &training = *model.training;
  switch (param.kind) {
  case SNN_PARAM_WEIGHTS: {
    const snn_projection_desc &projection = model.projections[param.index];
    return {model.populations[projection.post].size, model.populations[projection.pre].size};
  }
  case SNN_PARAM_BIAS:
    return {model.populations[param.index].size};
  default: // SNN_PARAM_FEEDBACK
    return {model.populations[param.index].size, training.classes};
  }
}

/// The dense file position of each element of the buffer of `param`.
std::vector<uint64_t> file_positions(const Simulation &simulation, const snn_param_desc &param, uint64_t elements) {
  std::vector<uint64_t> positions(elements);
  if (param.kind != SNN_PARAM_WEIGHTS) {
    for (uint64_t i = 0; i < elements; ++i)
      positions[i] = i;
    return positions;
  }
  SynapseView view = simulation.synapses(param.index);
  if (view.num_synapses != elements)
    throw Error::internal("parameter '" + std::string(param.name) + "' has " + std::to_string(elements) +
                          " values for " + std::to_string(view.num_synapses) + " synapses");
  for (uint32_t pre = 0; pre < view.num_pre; ++pre)
    for (uint32_t s = view.row_start[pre]; s < view.row_start[pre + 1]; ++s)
      positions[s] = uint64_t(view.post(pre, s)) * view.num_pre + pre;
  return positions;
}

} // namespace

std::vector<DenseParameter> dense_parameters(const Simulation &simulation, bool gradients) {
  const snn_model_desc &model = simulation.model();
  const snn_training_desc &training = *model.training;
  const snn_state &state = simulation.state();
  std::vector<DenseParameter> out;
  for (uint32_t k = 0; k < training.num_params; ++k) {
    const snn_param_desc &param = training.params[k];
    if (gradients && param.kind == SNN_PARAM_FEEDBACK)
      continue;
    uint32_t buffer = gradients ? param.gradient : param.value;
    DenseParameter dense;
    dense.name = param.name;
    dense.shape = file_shape(model, param);
    uint64_t size = 1;
    for (uint64_t extent : dense.shape)
      size *= extent;
    dense.values.assign(size, 0.0);
    uint64_t elements = state.extents[buffer];
    std::vector<uint64_t> positions = file_positions(simulation, param, elements);
    for (uint64_t i = 0; i < elements; ++i)
      dense.values[positions[i]] = load_element(state.buffers[buffer], model.buffers[buffer].type, i);
    out.push_back(std::move(dense));
  }
  return out;
}

void write_parameters(const Simulation &simulation, const std::string &path, bool gradients,
                      std::vector<DenseParameter> extra) {
  NpzWriter writer;
  for (DenseParameter &parameter : dense_parameters(simulation, gradients))
    writer.add(parameter.name, std::move(parameter.values), parameter.shape);
  for (DenseParameter &array : extra)
    writer.add(array.name, std::move(array.values), array.shape);
  writer.write(path);
}

void read_parameters(Simulation &simulation, const std::string &path) {
  const snn_model_desc &model = simulation.model();
  const snn_training_desc &training = *model.training;
  snn_state &state = simulation.state();
  NpzArchive archive(path);
  std::set<std::string> expected;
  for (uint32_t k = 0; k < training.num_params; ++k)
    expected.insert(training.params[k].name);
  for (const std::string &name : archive.names())
    if (!expected.count(name))
      throw Error(
          path, "array '" + name + "' is no parameter of the model (it has " + [&] {
            std::string list;
            for (uint32_t k = 0; k < training.num_params; ++k)
              list += (k ? ", '" : "'") + std::string(training.params[k].name) + "'";
            return list.empty() ? std::string("none") : list;
          }() + ")");
  // Check everything first, then store: a bad file changes nothing.
  std::vector<std::vector<double>> values(training.num_params);
  std::vector<std::vector<uint64_t>> positions(training.num_params);
  for (uint32_t k = 0; k < training.num_params; ++k) {
    const snn_param_desc &param = training.params[k];
    std::string which = "array '" + std::string(param.name) + "'";
    if (!archive.contains(param.name))
      throw Error(path, which + " is missing");
    NpyArray array = archive.array(param.name);
    std::vector<uint64_t> shape = file_shape(model, param);
    if (array.shape != shape)
      throw Error(path, which + " has shape " + shape_text(array.shape) + " but the model needs " + shape_text(shape));
    values[k] = array.to_doubles();
    for (std::size_t i = 0; i < values[k].size(); ++i)
      if (!std::isfinite(values[k][i]))
        throw Error(path, which + ": element " + std::to_string(i) + " is not finite");
      else if (model.real_size == 4 && std::fabs(values[k][i]) > double(FLT_MAX))
        throw Error(path, which + ": element " + std::to_string(i) + " does not fit in float32, the model's real type");
    positions[k] = file_positions(simulation, param, state.extents[param.value]);
    if (param.kind == SNN_PARAM_WEIGHTS) {
      std::vector<bool> synapse(values[k].size(), false);
      for (uint64_t position : positions[k])
        synapse[position] = true;
      uint64_t pre = shape[1];
      for (std::size_t i = 0; i < values[k].size(); ++i)
        if (values[k][i] != 0 && !synapse[i]) {
          throw Error(path, which + fmt::format(": element [{}, {}] is {:g} but the projection has no synapse from "
                                                "{} to {}",
                                                i / pre, i % pre, values[k][i], i % pre, i / pre));
        }
    }
  }
  for (uint32_t k = 0; k < training.num_params; ++k) {
    const snn_param_desc &param = training.params[k];
    for (uint64_t i = 0; i < positions[k].size(); ++i)
      store_element(state.buffers[param.value], model.buffers[param.value].type, i, values[k][positions[k][i]]);
  }
}

} // namespace snn::rt
