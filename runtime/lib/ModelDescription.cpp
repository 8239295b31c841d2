//===- ModelDescription.cpp - Checks and queries of snn_model_desc --------===//

#include "ModelDescription.h"

#include "snn/runtime.h"

#include <cmath>
#include <set>
#include <vector>

namespace snn::rt {
namespace {

[[noreturn]] void broken(const std::string &what) { throw Error::internal("malformed model descriptor: " + what); }

const char *const kTypeNames[] = {"float32", "float64", "int32", "uint32", "uint8", "bits"};
const char *const kScopeNames[] = {"neuron", "synapse", "pre", "post", "row", "global", "column"};
const char *const kRoleNames[] = {"state",      "input",   "spiked",        "stimulus",     "row start",
                                  "target",     "weight",  "label",         "loss",         "scores",
                                  "gradient",   "hyper",   "training",      "bias",         "running",
                                  "delay",      "delayed", "synapse state", "column start", "column synapse",
                                  "column pre", "history", "bitmask",       "spike block",  "nonfinite step"};

std::string quoted(const char *name) { return std::string("'") + (name ? name : "?") + "'"; }

/// Checks what every buffer must satisfy on its own: known enumerators, an
/// owner in range, the extent its scope implies, and the type, scope and
/// batch axis of the roles the runtime acts on.
void check_buffer(const snn_model_desc &model, uint32_t index) {
  const snn_buffer_desc &buffer = model.buffers[index];
  if (!buffer.name)
    broken("buffer " + std::to_string(index) + " has no name");
  std::string which = "buffer " + quoted(buffer.name);
  if (buffer.type > SNN_ELEM_BITS)
    broken(which + " has element type " + std::to_string(buffer.type));
  if (buffer.scope > SNN_SCOPE_COLUMN)
    broken(which + " has scope " + std::to_string(buffer.scope));
  if (buffer.batch > SNN_BATCH_PER_EXAMPLE)
    broken(which + " has batch axis " + std::to_string(buffer.batch));
  if (buffer.role > SNN_ROLE_NONFINITE_STEP)
    broken(which + " has role " + std::to_string(buffer.role));
  uint64_t expected = buffer.extent;
  if (buffer.scope == SNN_SCOPE_NEURON) {
    if (buffer.owner >= model.num_populations)
      broken(which + " belongs to population " + std::to_string(buffer.owner) + " of " +
             std::to_string(model.num_populations));
    expected = model.populations[buffer.owner].size;
  } else if (buffer.scope != SNN_SCOPE_GLOBAL) {
    if (buffer.owner >= model.num_projections)
      broken(which + " belongs to projection " + std::to_string(buffer.owner) + " of " +
             std::to_string(model.num_projections));
    const snn_projection_desc &projection = model.projections[buffer.owner];
    if (buffer.scope == SNN_SCOPE_ROW)
      expected = uint64_t(model.populations[projection.pre].size) + 1;
    else if (buffer.scope == SNN_SCOPE_PRE)
      expected = model.populations[projection.pre].size;
    else if (buffer.scope == SNN_SCOPE_POST)
      expected = model.populations[projection.post].size;
    else if (buffer.scope == SNN_SCOPE_COLUMN)
      expected = uint64_t(model.populations[projection.post].size) + 1;
  }
  if (buffer.extent != expected)
    broken(which + " has extent " + std::to_string(buffer.extent) + " but its " + kScopeNames[buffer.scope] +
           " scope has " + std::to_string(expected) + " elements");

  struct Rule {
    uint32_t type, scope, batch;
  };
  Rule rule;
  switch (buffer.role) {
  case SNN_ROLE_SPIKED:
  case SNN_ROLE_STIMULUS:
    rule = {SNN_ELEM_U8, SNN_SCOPE_NEURON, SNN_BATCH_PER_EXAMPLE};
    break;
  case SNN_ROLE_ROW_START:
    rule = {SNN_ELEM_U32, SNN_SCOPE_ROW, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_TARGET:
    rule = {SNN_ELEM_U32, SNN_SCOPE_SYNAPSE, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_WEIGHT:
    // Weights are reals of either width (the runtime reads them as double).
    rule = {buffer.type == SNN_ELEM_F32 ? uint32_t(SNN_ELEM_F32) : uint32_t(SNN_ELEM_F64), SNN_SCOPE_SYNAPSE,
            SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_LABEL:
    rule = {SNN_ELEM_I32, SNN_SCOPE_GLOBAL, SNN_BATCH_PER_EXAMPLE};
    break;
  case SNN_ROLE_LOSS:
  case SNN_ROLE_SCORES:
    rule = {model.real_size == 4 ? uint32_t(SNN_ELEM_F32) : uint32_t(SNN_ELEM_F64), SNN_SCOPE_GLOBAL,
            SNN_BATCH_PER_EXAMPLE};
    break;
  case SNN_ROLE_HYPER:
    rule = {model.real_size == 4 ? uint32_t(SNN_ELEM_F32) : uint32_t(SNN_ELEM_F64), SNN_SCOPE_GLOBAL, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_GRADIENT:
    // Gradients have the scope of their parameter (synapse, neuron).
    rule = {model.real_size == 4 ? uint32_t(SNN_ELEM_F32) : uint32_t(SNN_ELEM_F64), buffer.scope, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_BIAS:
    rule = {model.real_size == 4 ? uint32_t(SNN_ELEM_F32) : uint32_t(SNN_ELEM_F64), SNN_SCOPE_NEURON, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_DELAY:
  case SNN_ROLE_COLUMN_SYNAPSE:
  case SNN_ROLE_COLUMN_PRE:
    rule = {SNN_ELEM_U32, SNN_SCOPE_SYNAPSE, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_COLUMN_START:
    rule = {SNN_ELEM_U32, SNN_SCOPE_COLUMN, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_BITMASK:
    rule = {SNN_ELEM_U32, SNN_SCOPE_GLOBAL, SNN_BATCH_SHARED};
    break;
  case SNN_ROLE_SPIKE_BLOCK:
    rule = {SNN_ELEM_BITS, SNN_SCOPE_GLOBAL, SNN_BATCH_PER_EXAMPLE};
    break;
  case SNN_ROLE_NONFINITE_STEP:
    rule = {SNN_ELEM_I32, SNN_SCOPE_GLOBAL, SNN_BATCH_PER_EXAMPLE};
    break;
  case SNN_ROLE_HISTORY:
    // Reals or flags, recorded per step.
    rule = {buffer.type, SNN_SCOPE_GLOBAL, SNN_BATCH_PER_EXAMPLE};
    break;
  case SNN_ROLE_DELAYED:
    rule = {model.real_size == 4 ? uint32_t(SNN_ELEM_F32) : uint32_t(SNN_ELEM_F64), SNN_SCOPE_GLOBAL,
            SNN_BATCH_PER_EXAMPLE};
    break;
  default: // state and input buffers are checked where a population names them; kernels own training buffers
    return;
  }
  if (buffer.type != rule.type || buffer.scope != rule.scope || buffer.batch != rule.batch)
    broken(which + " with role " + kRoleNames[buffer.role] + " is " + kTypeNames[buffer.type] + ", " +
           kScopeNames[buffer.scope] + " scope, " + (buffer.batch ? "per example" : "shared") + "; expected " +
           kTypeNames[rule.type] + ", " + kScopeNames[rule.scope] + " scope, " +
           (rule.batch ? "per example" : "shared"));
}

/// Checks the buffers that populations and projections name: each in range,
/// with the role, scope, owner and batch axis of where it is named, and named
/// at most once.
class References {
public:
  explicit References(const snn_model_desc &model) : model_(model), named_(model.num_buffers, false) {}

  void expect(uint32_t index, const std::string &what, uint32_t role, uint32_t scope, uint32_t owner, uint32_t batch) {
    if (index >= model_.num_buffers)
      broken(what + " is buffer " + std::to_string(index) + " of " + std::to_string(model_.num_buffers));
    const snn_buffer_desc &buffer = model_.buffers[index];
    if (named_[index])
      broken(what + " is buffer " + quoted(buffer.name) + ", which is named twice");
    named_[index] = true;
    if (buffer.role != role || buffer.scope != scope || buffer.owner != owner || buffer.batch != batch)
      broken(what + " is buffer " + quoted(buffer.name) + " (role " + kRoleNames[buffer.role] + ", " +
             kScopeNames[buffer.scope] + " scope of " + std::to_string(buffer.owner) + ", " +
             (buffer.batch ? "per example" : "shared") + "); expected role " + kRoleNames[role] + ", " +
             kScopeNames[scope] + " scope of " + std::to_string(owner) + ", " + (batch ? "per example" : "shared"));
  }

private:
  const snn_model_desc &model_;
  std::vector<bool> named_;
};

void check_variables(References &references, const snn_population_desc &population, uint32_t p, uint32_t count,
                     const snn_variable_desc *variables, const char *kind, uint32_t role) {
  if (count > 0 && !variables)
    broken("population " + quoted(population.name) + " has " + std::to_string(count) + " " + kind +
           "s but no descriptions");
  for (uint32_t k = 0; k < count; ++k) {
    if (!variables[k].name)
      broken("population " + quoted(population.name) + ": " + kind + " " + std::to_string(k) + " has no name");
    references.expect(variables[k].buffer,
                      "population " + quoted(population.name) + ": " + kind + " " + quoted(variables[k].name), role,
                      SNN_SCOPE_NEURON, p, SNN_BATCH_PER_EXAMPLE);
    if ((variables[k].file && role != SNN_ROLE_STATE) || (variables[k].array && !variables[k].file))
      broken("population " + quoted(population.name) + ": " + kind + " " + quoted(variables[k].name) +
             " names an array without a file, or a file for an input");
  }
}

void check_populations(const snn_model_desc &model, References &references) {
  if (model.spike_block_steps & (model.spike_block_steps - 1))
    broken("spike blocks of " + std::to_string(model.spike_block_steps) + " steps, not a power of two");
  if (model.spike_block_steps > 0 && !model.device)
    broken("spike blocks on the CPU, which reads the spike flags every step");
  std::set<std::string_view> names;
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    if (!population.name)
      broken("population " + std::to_string(p) + " has no name");
    if (!names.insert(population.name).second)
      broken("two populations are called " + quoted(population.name));
    check_variables(references, population, p, population.num_state_vars, population.state_vars, "state variable",
                    SNN_ROLE_STATE);
    check_variables(references, population, p, population.num_inputs, population.inputs, "input", SNN_ROLE_INPUT);
    std::string which = "population " + quoted(population.name);
    references.expect(population.spiked, which + ": spike flags", SNN_ROLE_SPIKED, SNN_SCOPE_NEURON, p,
                      SNN_BATCH_PER_EXAMPLE);
    if (population.stimulus != SNN_NO_BUFFER)
      references.expect(population.stimulus, which + ": stimulus flags", SNN_ROLE_STIMULUS, SNN_SCOPE_NEURON, p,
                        SNN_BATCH_PER_EXAMPLE);
    if (model.spike_block_steps > 0) {
      references.expect(population.spike_block, which + ": spike block", SNN_ROLE_SPIKE_BLOCK, SNN_SCOPE_GLOBAL, p,
                        SNN_BATCH_PER_EXAMPLE);
      if (model.buffers[population.spike_block].extent !=
          uint64_t(model.spike_block_steps) * 32 * ((uint64_t(population.size) + 31) / 32))
        broken(which + ": its spike block does not hold " + std::to_string(model.spike_block_steps) +
               " rows of whole words");
      // Optional (a population without real states has none); read only
      // beside the spike blocks.
      if (population.nonfinite != SNN_NO_BUFFER) {
        references.expect(population.nonfinite, which + ": non-finite step", SNN_ROLE_NONFINITE_STEP, SNN_SCOPE_GLOBAL,
                          p, SNN_BATCH_PER_EXAMPLE);
        uint64_t real = 0;
        for (uint32_t v = 0; v < population.num_state_vars; ++v) {
          uint32_t type = model.buffers[population.state_vars[v].buffer].type;
          real += type == SNN_ELEM_F32 || type == SNN_ELEM_F64 ? 1 : 0;
        }
        if (model.buffers[population.nonfinite].extent != real)
          broken(which + ": its non-finite step is not one element per real state and example");
      }
    }
  }
}

void check_projections(const snn_model_desc &model, References &references) {
  for (uint32_t j = 0; j < model.num_projections; ++j) {
    const snn_projection_desc &projection = model.projections[j];
    if (!projection.name)
      broken("projection " + std::to_string(j) + " has no name");
    std::string which = "projection " + quoted(projection.name);
    if (projection.pre >= model.num_populations || projection.post >= model.num_populations)
      broken(which + " names a population out of range");
    if (projection.connectivity > SNN_CONNECT_FROM_LIST)
      broken(which + " has connectivity kind " + std::to_string(projection.connectivity));
    bool windowed = projection.connectivity == SNN_CONNECT_CONV2D || projection.connectivity == SNN_CONNECT_AVG_POOL2D;
    if (windowed != (projection.window != nullptr))
      broken(which + (windowed ? " has no window" : " has a window but no windowed connectivity"));
    bool listed = projection.connectivity == SNN_CONNECT_FROM_LIST && projection.count > 0;
    if (listed != (projection.list_pre != nullptr) || listed != (projection.list_post != nullptr))
      broken(which + (listed ? " has no pair list" : " has a pair list but is not from_list"));
    if (projection.storage > SNN_STORAGE_PROCEDURAL)
      broken(which + " has storage " + std::to_string(projection.storage));
    if (projection.storage == SNN_STORAGE_BITMASK || projection.storage == SNN_STORAGE_PROCEDURAL) {
      // Only spike delivery reads these synapses, from the mask or from the RNG.
      bool bitmask = projection.storage == SNN_STORAGE_BITMASK;
      if (projection.row_start != SNN_NO_BUFFER || projection.target != SNN_NO_BUFFER ||
          projection.weight != SNN_NO_BUFFER || projection.weight_file ||
          (!bitmask && projection.mask != SNN_NO_BUFFER) ||
          (!bitmask &&
           !(projection.connectivity == SNN_CONNECT_FIXED_PROBABILITY && projection.probability > 0 &&
             projection.probability < 1) &&
           !windowed))
        broken(which + " is stored " + (bitmask ? "as a bitmask" : "procedurally") +
               " but has stored synapses, a weight file or a connectivity that allows neither");
      if (bitmask) {
        references.expect(projection.mask, which + ": mask", SNN_ROLE_BITMASK, SNN_SCOPE_GLOBAL, j, SNN_BATCH_SHARED);
        uint64_t words = (uint64_t(model.populations[projection.post].size) + 31) / 32;
        if (model.buffers[projection.mask].extent != words * model.populations[projection.pre].size)
          broken(which + ": its mask does not have " + std::to_string(words) + " words per pre neuron");
      }
      continue;
    }
    if (projection.mask != SNN_NO_BUFFER)
      broken(which + " has a mask but is not stored as a bitmask");
    references.expect(projection.row_start, which + ": row starts", SNN_ROLE_ROW_START, SNN_SCOPE_ROW, j,
                      SNN_BATCH_SHARED);
    bool every_pair = projection.connectivity == SNN_CONNECT_DENSE ||
                      (projection.connectivity == SNN_CONNECT_FIXED_PROBABILITY && projection.probability >= 1);
    if (projection.storage == SNN_STORAGE_DENSE && !every_pair)
      broken(which + " is stored dense but does not connect every pair");
    if (projection.storage == SNN_STORAGE_RAGGED)
      references.expect(projection.target, which + ": targets", SNN_ROLE_TARGET, SNN_SCOPE_SYNAPSE, j,
                        SNN_BATCH_SHARED);
    else if (projection.target != SNN_NO_BUFFER)
      broken(which + " is stored dense but has a target buffer");
    references.expect(projection.weight, which + ": weights", SNN_ROLE_WEIGHT, SNN_SCOPE_SYNAPSE, j, SNN_BATCH_SHARED);
    if (projection.weight_array && !projection.weight_file)
      broken(which + " names a weight array but no weight file");
    if (projection.weight_layout > SNN_LAYOUT_CHW ||
        (projection.weight_layout == SNN_LAYOUT_OIHW && projection.connectivity != SNN_CONNECT_CONV2D))
      broken(which + " has weight layout " + std::to_string(projection.weight_layout));
    bool chw = projection.weight_layout == SNN_LAYOUT_CHW;
    if (chw && (windowed || uint64_t(projection.pre_height) * projection.pre_width * projection.pre_channels !=
                                model.populations[projection.pre].size))
      broken(which + " has a channels-first weight layout that does not fit its pre population");
  }
}

void check_records(const snn_model_desc &model) {
  for (uint32_t r = 0; r < model.num_records; ++r) {
    const snn_record_desc &record = model.records[r];
    std::string which = "record " + std::to_string(r);
    if (record.kind > SNN_RECORD_RATE)
      broken(which + " has kind " + std::to_string(record.kind));
    if (record.interval == 0)
      broken(which + " samples every 0 steps");
    if (record.population >= model.num_populations)
      broken(which + " names a population out of range");
    if ((model.training != nullptr) != (record.example >= 0))
      broken(which + (model.training ? " of a training model names no example" : " of a simulation names an example"));
    const snn_population_desc &population = model.populations[record.population];
    if (record.kind == SNN_RECORD_STATE && !state_variable_name(model, record.population, record.buffer))
      broken(which + " records buffer " + std::to_string(record.buffer) + ", which is no state variable of " +
             quoted(population.name));
    if (record.kind != SNN_RECORD_STATE && record.buffer != SNN_NO_BUFFER)
      broken(which + " records spikes or a rate but names buffer " + std::to_string(record.buffer));
    if (model.training && (record.kind == SNN_RECORD_RATE || record.interval != 1))
      broken(which + " of a training model records a rate or samples less than every step");
    for (uint32_t k = 0; k < record.num_indices; ++k)
      if (!record.indices || record.indices[k] < record.begin || record.indices[k] >= record.end)
        broken(which + " lists a neuron outside " + std::to_string(record.begin) + ":" + std::to_string(record.end));
    if (record.stride == 0 || record.begin > record.end || record.end > population.size)
      broken(which + " selects neurons " + std::to_string(record.begin) + ":" + std::to_string(record.end) + ":" +
             std::to_string(record.stride) + " of a population of size " + std::to_string(population.size));
  }
}

void check_stimuli(const snn_model_desc &model) {
  for (uint32_t s = 0; s < model.num_stimuli; ++s) {
    const snn_stimulus_desc &stimulus = model.stimuli[s];
    if (stimulus.population >= model.num_populations)
      broken("stimulus " + std::to_string(s) + " names a population out of range");
    if (!stimulus.path)
      broken("stimulus " + std::to_string(s) + " has no file");
    if (model.populations[stimulus.population].stimulus == SNN_NO_BUFFER)
      broken("stimulus " + std::to_string(s) + " drives population " +
             quoted(model.populations[stimulus.population].name) + ", which has no stimulus buffer");
  }
}

void check_entries(const snn_model_desc &model) {
  std::set<std::string_view> names;
  for (uint32_t e = 0; e < model.num_entries; ++e) {
    const snn_entry_desc &entry = model.entries[e];
    if (!entry.name)
      broken("entry point " + std::to_string(e) + " has no name");
    if (!names.insert(entry.name).second)
      broken("two entry points are called " + quoted(entry.name));
  }
  // Entries this runtime does not know (end_example, backward, ...) are
  // allowed: a newer compiler may add them for other drivers.
  for (const char *required : {"init", "reset_example", "step"})
    if (!find_entry(model, required))
      broken("entry point " + quoted(required) + " is missing");
  if (const snn_device_desc *device = model.device)
    if (!device->name || !device->allocate || !device->release || !device->finish || !device->copy_rows ||
        !device->allocate_staging || !device->release_staging)
      broken("the device description lacks its name or a function");
  if (const snn_device_desc *device = model.device; device && device->collective) {
    const snn_collective_desc &c = *device->collective;
    // Without the units' identities, ranks sharing one would meet in NCCL.
    if (!device->select_unit)
      broken("the device has a collective but no select_unit");
    if (!c.name || !c.load || !c.make_id || !c.join || !c.gather || !c.leave || c.id_bytes == 0 ||
        c.id_bytes > SNN_COLLECTIVE_ID_BYTES)
      broken("the device's collective lacks its name or a function, or has an id of " + std::to_string(c.id_bytes) +
             " bytes");
  }
}

/// The real element type of the model.
uint32_t real_type(const snn_model_desc &model) { return model.real_size == 4 ? SNN_ELEM_F32 : SNN_ELEM_F64; }

void check_data(const snn_data_desc &data, const char *which, bool required) {
  if (!data.path) {
    if (required)
      broken(std::string("the ") + which + " data has no path");
    return;
  }
  if (data.encoder > SNN_ENCODE_POISSON)
    broken(std::string("the ") + which + " data has encoder " + std::to_string(data.encoder));
  if (data.encoder != SNN_ENCODE_EVENTS && !(std::isfinite(data.max_value) && data.max_value > 0))
    broken(std::string("the ") + which + " data has a maximum value that is not positive");
  if (data.encoder == SNN_ENCODE_POISSON && !(std::isfinite(data.max_rate) && data.max_rate >= 0))
    broken(std::string("the ") + which + " data has a negative Poisson rate");
}

/// The buffer at `index` exists, with `role`, the real type (or `type`) and
/// `extent` elements per copy (0: any).
void expect_training_buffer(const snn_model_desc &model, uint32_t index, const std::string &what, uint32_t role,
                            uint32_t type, uint64_t extent) {
  if (index >= model.num_buffers)
    broken(what + " is buffer " + std::to_string(index) + " of " + std::to_string(model.num_buffers));
  const snn_buffer_desc &buffer = model.buffers[index];
  if (buffer.role != role)
    broken(what + " is buffer " + quoted(buffer.name) + " with role " + kRoleNames[buffer.role] + "; expected " +
           kRoleNames[role]);
  if (buffer.type != type)
    broken(what + " is buffer " + quoted(buffer.name) + " of " + kTypeNames[buffer.type] + "; expected " +
           kTypeNames[type]);
  if (extent != 0 && buffer.extent != extent)
    broken(what + " is buffer " + quoted(buffer.name) + " of extent " + std::to_string(buffer.extent) + "; expected " +
           std::to_string(extent));
}

void check_param(const snn_model_desc &model, const snn_training_desc &training, uint32_t k) {
  const snn_param_desc &param = training.params[k];
  if (!param.name)
    broken("trained parameter " + std::to_string(k) + " has no name");
  std::string which = "trained parameter " + quoted(param.name);
  uint32_t real = real_type(model);
  if (param.kind > SNN_PARAM_FEEDBACK)
    broken(which + " has kind " + std::to_string(param.kind));
  if (param.value >= model.num_buffers)
    broken(which + " has value buffer " + std::to_string(param.value) + " of " + std::to_string(model.num_buffers));
  const snn_buffer_desc &value = model.buffers[param.value];
  if (value.type != real || value.batch != SNN_BATCH_SHARED)
    broken(which + ": its values are not shared reals");
  if (param.kind == SNN_PARAM_WEIGHTS) {
    if (param.index >= model.num_projections || model.projections[param.index].weight != param.value)
      broken(which + " names no projection's weight buffer");
  } else if (param.index >= model.num_populations) {
    broken(which + " names population " + std::to_string(param.index) + " of " + std::to_string(model.num_populations));
  } else if (param.kind == SNN_PARAM_BIAS) {
    if (value.role != SNN_ROLE_BIAS || value.owner != param.index)
      broken(which + ": its values are not a bias of its population");
  } else {
    uint64_t extent = uint64_t(model.populations[param.index].size) * training.classes;
    if (value.scope != SNN_SCOPE_GLOBAL || value.extent != extent)
      broken(which + ": a feedback matrix needs a global buffer of " + std::to_string(extent) + " elements");
    if (param.gradient != SNN_NO_BUFFER || param.example_gradient != SNN_NO_BUFFER)
      broken(which + ": a feedback matrix has no gradient");
    return;
  }
  if (param.example_gradient >= model.num_buffers)
    broken(which + ": its per-example gradient is buffer " + std::to_string(param.example_gradient) + " of " +
           std::to_string(model.num_buffers));
  const snn_buffer_desc &example = model.buffers[param.example_gradient];
  if (example.batch != SNN_BATCH_PER_EXAMPLE || example.type != real || example.scope != value.scope ||
      example.owner != value.owner)
    broken(which + ": its per-example gradient is no per-example real buffer of its values' scope");
  expect_training_buffer(model, param.gradient, which + ": gradient", SNN_ROLE_GRADIENT, real, value.extent);
  const snn_buffer_desc &gradient = model.buffers[param.gradient];
  if (gradient.scope != value.scope || gradient.owner != value.owner)
    broken(which + ": its gradient has another scope than its values");
}

void check_training(const snn_model_desc &model) {
  const snn_training_desc &training = *model.training;
  if (training.timesteps < 1)
    broken("the training regime has no time steps");
  if (!(training.test_split >= 0 && training.test_split < 1) ||
      !(training.validation_split >= 0 && training.validation_split < 1))
    broken("the training regime's splits are not in [0, 1)");
  check_data(training.train, "training", true);
  check_data(training.test, "test", false);
  if (training.input_population >= model.num_populations || training.readout_population >= model.num_populations)
    broken("the training regime names a population out of range");
  if (model.populations[training.input_population].stimulus == SNN_NO_BUFFER)
    broken("the input population " + quoted(model.populations[training.input_population].name) +
           " has no stimulus buffer");
  if (training.classes < 1)
    broken("the training regime has no classes");
  uint32_t real = real_type(model);
  expect_training_buffer(model, training.label, "the label", SNN_ROLE_LABEL, SNN_ELEM_I32, 1);
  expect_training_buffer(model, training.loss, "the loss", SNN_ROLE_LOSS, real, 1);
  expect_training_buffer(model, training.scores, "the scores", SNN_ROLE_SCORES, real, training.classes);
  expect_training_buffer(model, training.lr, "the learning rate", SNN_ROLE_HYPER, real, 1);
  if (!(std::isfinite(training.default_lr) && training.default_lr > 0))
    broken("the default learning rate is not positive");
  if (training.num_params > 0 && !training.params)
    broken("trained parameters missing");
  std::set<std::string_view> names;
  for (uint32_t k = 0; k < training.num_params; ++k) {
    check_param(model, training, k);
    if (!names.insert(training.params[k].name).second)
      broken("two trained parameters are called " + quoted(training.params[k].name));
  }
  if (training.num_hypers > 0 && !training.hypers)
    broken("hyperparameters missing");
  expect_training_buffer(model, training.hyper, "the hyperparameters", SNN_ROLE_HYPER, real,
                         std::max<uint64_t>(training.num_hypers, 0));
  std::set<std::string_view> hyper_names;
  for (uint32_t k = 0; k < training.num_hypers; ++k) {
    const snn_hyper_desc &h = training.hypers[k];
    if (!h.name || !*h.name || !h.help || std::isnan(h.value) || std::isnan(h.min) || std::isnan(h.max) ||
        h.min > h.max)
      broken("hyperparameter " + std::to_string(k) + " is malformed");
    if (!hyper_names.insert(h.name).second)
      broken("two hyperparameters are called " + quoted(h.name));
  }
  if (training.schedule > SNN_SCHEDULE_REDUCE_ON_PLATEAU || training.schedule_unit > SNN_PERIOD_BATCHES ||
      training.warmup_unit > SNN_PERIOD_BATCHES || training.checkpoint_unit > SNN_PERIOD_BATCHES ||
      training.schedule_monitor > SNN_METRIC_TEST_ACCURACY ||
      training.early_stopping_monitor > SNN_METRIC_TEST_ACCURACY)
    broken("the training workflow names an unknown schedule, unit or metric");
  if (training.num_segment_buffers > 0 && !training.segment_buffers)
    broken("the checkpointed buffers are missing");
  for (uint32_t k = 0; k < training.num_segment_buffers; ++k) {
    uint32_t b = training.segment_buffers[k];
    if (b >= model.num_buffers || model.buffers[b].role == SNN_ROLE_HISTORY ||
        (k > 0 && b <= training.segment_buffers[k - 1]))
      broken("checkpointed buffer " + std::to_string(k) + " is out of range, a history or out of order");
  }
  if (training.backward_pass && !hyper_names.count("history-steps"))
    broken("the adjoint strategy's hyperparameter 'history-steps' is missing");
  for (const char *required :
       {"train_step", "end_example", "train_end_example", "train_backward", "reduce_gradients", "apply_gradients"})
    if (!find_entry(model, required))
      broken("entry point " + quoted(required) + " of a training model is missing");
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
  if (!(std::isfinite(model.dt) && model.dt > 0))
    broken("time step " + std::to_string(model.dt) + " s is not positive");
  if (!(std::isfinite(model.duration) && model.duration >= 0))
    broken("default duration " + std::to_string(model.duration) + " s is negative or not finite");
  if (model.default_batch < 1 || model.default_batch > SNN_MAX_BATCH)
    broken("default batch " + std::to_string(model.default_batch) + " is not in 1.." + std::to_string(SNN_MAX_BATCH));
  struct Array {
    uint32_t count;
    const void *data;
    const char *what;
  };
  for (const Array &array :
       {Array{model.num_buffers, model.buffers, "buffers"},
        Array{model.num_populations, model.populations, "populations"},
        Array{model.num_projections, model.projections, "projections"},
        Array{model.num_records, model.records, "records"}, Array{model.num_stimuli, model.stimuli, "stimuli"},
        Array{model.num_entries, model.entries, "entry points"}})
    if (array.count > 0 && !array.data)
      broken(std::string(array.what) + " missing");
  // Projections first: buffer extents depend on their populations.
  for (uint32_t j = 0; j < model.num_projections; ++j)
    if (model.projections[j].pre >= model.num_populations || model.projections[j].post >= model.num_populations)
      broken("projection " + quoted(model.projections[j].name) + " names a population out of range");
  for (uint32_t b = 0; b < model.num_buffers; ++b)
    check_buffer(model, b);
  References references(model);
  check_populations(model, references);
  check_projections(model, references);
  check_records(model);
  check_stimuli(model);
  check_entries(model);
  if (model.training)
    check_training(model);
}

void check_batch(uint32_t batch, uint64_t first_example) {
  if (batch < 1 || batch > SNN_MAX_BATCH)
    throw Error("the batch size must be between 1 and " + std::to_string(SNN_MAX_BATCH) + ", not " +
                std::to_string(batch));
  if (first_example > UINT64_MAX - (batch - 1))
    throw Error("examples " + std::to_string(first_example) + " to " + std::to_string(first_example) + " + " +
                std::to_string(batch - 1) + " go past the last example index, 2^64 - 1");
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
      return desc.state_vars[k].buffer;
  for (uint32_t k = 0; k < desc.num_inputs; ++k)
    if (name == desc.inputs[k].name)
      return desc.inputs[k].buffer;
  return std::nullopt;
}

void record_neurons(const snn_record_desc &record, std::vector<uint32_t> &neurons, std::vector<bool> &listed) {
  neurons.clear();
  listed.clear();
  if (record.num_indices > 0) {
    neurons.assign(record.indices, record.indices + record.num_indices);
    listed.assign(record.end, false);
    for (uint32_t n : neurons)
      listed[n] = true;
    return;
  }
  for (uint64_t n = record.begin; n < record.end; n += record.stride)
    neurons.push_back(uint32_t(n));
}

const char *state_variable_name(const snn_model_desc &model, uint32_t population, uint32_t buffer) {
  const snn_population_desc &desc = model.populations[population];
  for (uint32_t k = 0; k < desc.num_state_vars; ++k)
    if (desc.state_vars[k].buffer == buffer)
      return desc.state_vars[k].name;
  return nullptr;
}

snn_entry_fn find_entry(const snn_model_desc &model, std::string_view name) {
  for (uint32_t e = 0; e < model.num_entries; ++e)
    if (model.entries[e].name && name == model.entries[e].name)
      return model.entries[e].fn;
  return nullptr;
}

uint64_t element_bytes(uint32_t type, uint64_t count) {
  switch (type) {
  case SNN_ELEM_F64:
    return saturating_multiply(count, 8);
  case SNN_ELEM_F32:
  case SNN_ELEM_I32:
  case SNN_ELEM_U32:
    return saturating_multiply(count, 4);
  case SNN_ELEM_U8:
    return count;
  default: // SNN_ELEM_BITS: whole words
    return saturating_multiply(count / 32 + (count % 32 != 0), 4);
  }
}

bool representable(uint32_t type, double value) {
  switch (type) {
  case SNN_ELEM_F32:
  case SNN_ELEM_F64:
    return true;
  case SNN_ELEM_I32:
    return value == std::floor(value) && value >= -2147483648.0 && value <= 2147483647.0;
  case SNN_ELEM_U32:
    return value == std::floor(value) && value >= 0 && value <= 4294967295.0;
  case SNN_ELEM_U8:
    return value == std::floor(value) && value >= 0 && value <= 255;
  default:
    return value == 0 || value == 1;
  }
}

const char *element_type_name(uint32_t type) { return type <= SNN_ELEM_BITS ? kTypeNames[type] : "?"; }

} // namespace snn::rt
