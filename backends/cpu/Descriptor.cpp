//===- backends/cpu/Descriptor.cpp - The constant snn_model_desc ----------===//
#include "backends/cpu/Descriptor.h"

#include "backends/cpu/AbiTypes.h"
#include "ir/Module.h"

#include "snn/model_abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

#include <map>

namespace snn::cpu {

namespace {

uint32_t abi_elem(lower::ElemType type) {
  switch (type) {
  case lower::ElemType::F32:
    return SNN_ELEM_F32;
  case lower::ElemType::F64:
    return SNN_ELEM_F64;
  case lower::ElemType::I32:
    return SNN_ELEM_I32;
  case lower::ElemType::U32:
    return SNN_ELEM_U32;
  case lower::ElemType::U8:
    return SNN_ELEM_U8;
  case lower::ElemType::Bits:
    return SNN_ELEM_BITS;
  }
  throw ir::InternalError("unknown element type");
}

uint32_t abi_scope(lower::ScopeKind scope) {
  switch (scope) {
  case lower::ScopeKind::Neuron:
    return SNN_SCOPE_NEURON;
  case lower::ScopeKind::Synapse:
    return SNN_SCOPE_SYNAPSE;
  case lower::ScopeKind::Pre:
    return SNN_SCOPE_PRE;
  case lower::ScopeKind::Post:
    return SNN_SCOPE_POST;
  case lower::ScopeKind::Row:
    return SNN_SCOPE_ROW;
  case lower::ScopeKind::Global:
    return SNN_SCOPE_GLOBAL;
  case lower::ScopeKind::Column:
    return SNN_SCOPE_COLUMN;
  }
  throw ir::InternalError("unknown scope");
}

uint32_t abi_role(lower::BufferRole role) {
  switch (role) {
  case lower::BufferRole::State:
    return SNN_ROLE_STATE;
  case lower::BufferRole::Input:
    return SNN_ROLE_INPUT;
  case lower::BufferRole::Spiked:
    return SNN_ROLE_SPIKED;
  case lower::BufferRole::Stimulus:
    return SNN_ROLE_STIMULUS;
  case lower::BufferRole::RowStart:
    return SNN_ROLE_ROW_START;
  case lower::BufferRole::Target:
    return SNN_ROLE_TARGET;
  case lower::BufferRole::Weight:
    return SNN_ROLE_WEIGHT;
  case lower::BufferRole::Label:
    return SNN_ROLE_LABEL;
  case lower::BufferRole::Loss:
    return SNN_ROLE_LOSS;
  case lower::BufferRole::Scores:
    return SNN_ROLE_SCORES;
  case lower::BufferRole::Gradient:
    return SNN_ROLE_GRADIENT;
  case lower::BufferRole::Hyper:
    return SNN_ROLE_HYPER;
  case lower::BufferRole::Training:
    return SNN_ROLE_TRAINING;
  case lower::BufferRole::Bias:
    return SNN_ROLE_BIAS;
  case lower::BufferRole::Running:
    return SNN_ROLE_RUNNING;
  case lower::BufferRole::Delay:
    return SNN_ROLE_DELAY;
  case lower::BufferRole::Delayed:
    return SNN_ROLE_DELAYED;
  case lower::BufferRole::SynapseState:
    return SNN_ROLE_SYNAPSE_STATE;
  case lower::BufferRole::ColumnStart:
    return SNN_ROLE_COLUMN_START;
  case lower::BufferRole::ColumnSynapse:
    return SNN_ROLE_COLUMN_SYNAPSE;
  case lower::BufferRole::ColumnPre:
    return SNN_ROLE_COLUMN_PRE;
  case lower::BufferRole::History:
    return SNN_ROLE_HISTORY;
  case lower::BufferRole::Bitmask:
    return SNN_ROLE_BITMASK;
  case lower::BufferRole::SpikeBlock:
    return SNN_ROLE_SPIKE_BLOCK;
  case lower::BufferRole::NonfiniteStep:
    return SNN_ROLE_NONFINITE_STEP;
  }
  throw ir::InternalError("unknown buffer role");
}

uint32_t abi_storage(ir::SynapseStorage s) {
  switch (s) {
  case ir::SynapseStorage::Auto: // lower stores a module that skipped the sparsify pass ragged
  case ir::SynapseStorage::Ragged:
    return SNN_STORAGE_RAGGED;
  case ir::SynapseStorage::Dense:
    return SNN_STORAGE_DENSE;
  case ir::SynapseStorage::Bitmask:
    return SNN_STORAGE_BITMASK;
  case ir::SynapseStorage::Procedural:
    return SNN_STORAGE_PROCEDURAL;
  }
  throw ir::InternalError("unknown synapse storage");
}

uint32_t abi_layout(ir::WeightLayout l) {
  switch (l) {
  case ir::WeightLayout::Default:
    return SNN_LAYOUT_DEFAULT;
  case ir::WeightLayout::Oihw:
    return SNN_LAYOUT_OIHW;
  case ir::WeightLayout::Chw:
    return SNN_LAYOUT_CHW;
  }
  return SNN_LAYOUT_DEFAULT;
}

uint32_t abi_connectivity(lower::Connectivity c) {
  switch (c) {
  case lower::Connectivity::Dense:
    return SNN_CONNECT_DENSE;
  case lower::Connectivity::FixedProbability:
    return SNN_CONNECT_FIXED_PROBABILITY;
  case lower::Connectivity::OneToOne:
    return SNN_CONNECT_ONE_TO_ONE;
  case lower::Connectivity::FixedInDegree:
    return SNN_CONNECT_FIXED_IN_DEGREE;
  case lower::Connectivity::FixedOutDegree:
    return SNN_CONNECT_FIXED_OUT_DEGREE;
  case lower::Connectivity::Conv2D:
    return SNN_CONNECT_CONV2D;
  case lower::Connectivity::AvgPool2D:
    return SNN_CONNECT_AVG_POOL2D;
  case lower::Connectivity::FromList:
    return SNN_CONNECT_FROM_LIST;
  case lower::Connectivity::FixedTotal:
    return SNN_CONNECT_FIXED_TOTAL;
  }
  throw ir::InternalError("unknown connectivity");
}

uint32_t abi_encoder(ir::EncoderKind kind) {
  switch (kind) {
  case ir::EncoderKind::Events:
    return SNN_ENCODE_EVENTS;
  case ir::EncoderKind::Latency:
    return SNN_ENCODE_LATENCY;
  case ir::EncoderKind::Poisson:
    return SNN_ENCODE_POISSON;
  }
  throw ir::InternalError("unknown encoder");
}

/// Builds the constants of one descriptor; strings are shared by content.
class DescriptorBuilder {
public:
  DescriptorBuilder(llvm::Module &module, const lower::Program &program)
      : module_(module), p_(program), types_(AbiTypes::get(module.getContext())) {}

  llvm::GlobalVariable *build(const std::vector<llvm::Function *> &functions, llvm::Constant *device) {
    ir::internal_check(functions.size() == p_.entries.size(), "one function per entry point");
    std::vector<llvm::Constant *> buffers, populations, projections, records, stimuli, entries;
    for (const lower::Buffer &b : p_.buffers)
      buffers.push_back(buffer(b));
    for (const lower::PopulationInfo &pop : p_.populations)
      populations.push_back(population(pop));
    for (const lower::ProjectionInfo &proj : p_.projections)
      projections.push_back(projection(proj));
    for (const lower::RecordInfo &r : p_.records)
      records.push_back(record(r));
    for (const lower::StimulusInfo &s : p_.stimuli)
      stimuli.push_back(struct_of(types_.stimulus_desc, {u32(s.population), string(s.path)}));
    for (size_t k = 0; k < functions.size(); ++k)
      entries.push_back(
          struct_of(types_.entry_desc, {string(p_.entries[k].name), functions[k],
                                        u32(p_.entries[k].batch_separable ? SNN_ENTRY_BATCH_SEPARABLE : 0)}));
    llvm::Constant *fields[] = {
        u32(SNN_MODEL_ABI_VERSION),
        u32(p_.real == lower::ElemType::F64 ? 8 : 4),
        string(p_.name),
        f64(p_.dt),
        f64(p_.duration),
        u64(p_.seed),
        u32(p_.batch),
        u32(buffers.size()),
        array(types_.buffer_desc, buffers, "snn.buffers"),
        u32(populations.size()),
        array(types_.population_desc, populations, "snn.populations"),
        u32(projections.size()),
        array(types_.projection_desc, projections, "snn.projections"),
        u32(records.size()),
        array(types_.record_desc, records, "snn.records"),
        u32(stimuli.size()),
        array(types_.stimulus_desc, stimuli, "snn.stimuli"),
        u32(entries.size()),
        array(types_.entry_desc, entries, "snn.entries"),
        p_.training.enabled ? training(p_.training) : null(),
        device ? device : null(),
        u32(p_.spike_block_steps),
    };
    auto *desc =
        new llvm::GlobalVariable(module_, types_.model_desc, /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage,
                                 llvm::ConstantStruct::get(types_.model_desc, fields), "snn.model_desc");
    desc->setAlignment(llvm::Align(8));
    return desc;
  }

private:
  llvm::LLVMContext &context() { return module_.getContext(); }
  llvm::Constant *u32(uint64_t value) {
    ir::internal_check(value <= UINT32_MAX, "descriptor field " + std::to_string(value) + " does not fit in 32 bits");
    return llvm::ConstantInt::get(llvm::Type::getInt32Ty(context()), value);
  }
  llvm::Constant *u64(uint64_t value) { return llvm::ConstantInt::get(llvm::Type::getInt64Ty(context()), value); }
  /// A buffer index, or SNN_NO_BUFFER for -1.
  llvm::Constant *buffer_index(int index) {
    ir::internal_check(index < int(p_.buffers.size()), "buffer index out of range");
    return u32(index < 0 ? SNN_NO_BUFFER : uint32_t(index));
  }
  llvm::Constant *f64(double value) { return llvm::ConstantFP::get(llvm::Type::getDoubleTy(context()), value); }
  llvm::Constant *null() { return llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(context())); }
  llvm::Constant *struct_of(llvm::StructType *type, llvm::ArrayRef<llvm::Constant *> fields) {
    return llvm::ConstantStruct::get(type, fields);
  }

  /// A NUL-terminated private string, shared by content.
  llvm::Constant *string(const std::string &text) {
    auto found = strings_.find(text);
    if (found != strings_.end())
      return found->second;
    llvm::Constant *data = llvm::ConstantDataArray::getString(context(), text);
    auto *global =
        new llvm::GlobalVariable(module_, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data, ".str");
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    global->setAlignment(llvm::Align(1));
    strings_.emplace(text, global);
    return global;
  }

  /// A private constant array of `elements`, or null when there are none.
  llvm::Constant *array(llvm::StructType *type, const std::vector<llvm::Constant *> &elements,
                        const std::string &name) {
    if (elements.empty())
      return null();
    auto *array_type = llvm::ArrayType::get(type, elements.size());
    auto *global = new llvm::GlobalVariable(module_, array_type, true, llvm::GlobalValue::PrivateLinkage,
                                            llvm::ConstantArray::get(array_type, elements), name);
    global->setAlignment(llvm::Align(8));
    return global;
  }

  /// A private constant array of u32 values (a record's neuron list).
  llvm::Constant *u32_array(const std::vector<uint32_t> &values, const std::string &name = "snn.record_indices") {
    llvm::Constant *data = llvm::ConstantDataArray::get(context(), values);
    auto *global =
        new llvm::GlobalVariable(module_, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data, name);
    global->setAlignment(llvm::Align(4));
    return global;
  }

  llvm::Constant *buffer(const lower::Buffer &b) {
    return struct_of(types_.buffer_desc,
                     {string(b.name), string(b.unit), u32(abi_elem(b.type)), u32(abi_scope(b.scope.kind)),
                      u32(b.scope.owner < 0 ? 0 : uint32_t(b.scope.owner)),
                      u32(b.batch == lower::BatchAxis::PerExample ? SNN_BATCH_PER_EXAMPLE : SNN_BATCH_SHARED),
                      u32(abi_role(b.role)), u64(b.extent)});
  }

  llvm::Constant *variables(const std::vector<lower::VariableInfo> &vars, const std::string &name) {
    std::vector<llvm::Constant *> out;
    // A recorded input's state goes by the input's name (`p.i` in the NPZ).
    for (const lower::VariableInfo &v : vars) {
      std::string input = ir::received_input(v.name);
      out.push_back(struct_of(types_.variable_desc,
                              {string(input.empty() ? v.name : input), buffer_index(v.buffer), u32(v.hidden ? 1 : 0),
                               v.file.empty() ? null() : string(v.file), v.array.empty() ? null() : string(v.array)}));
    }
    return array(types_.variable_desc, out, name);
  }

  llvm::Constant *population(const lower::PopulationInfo &pop) {
    return struct_of(types_.population_desc,
                     {string(pop.name), string(pop.model), u32(pop.size), u32(pop.states.size()),
                      variables(pop.states, "snn.state_vars." + pop.name), u32(pop.inputs.size()),
                      variables(pop.inputs, "snn.inputs." + pop.name), buffer_index(pop.spiked),
                      buffer_index(pop.stimulus), buffer_index(pop.spike_block), buffer_index(pop.nonfinite)});
  }

  llvm::Constant *projection(const lower::ProjectionInfo &proj) {
    bool chw = proj.weight_layout == ir::WeightLayout::Chw;
    return struct_of(types_.projection_desc, {string(proj.name),
                                              u32(proj.pre),
                                              u32(proj.post),
                                              u32(abi_connectivity(proj.connectivity)),
                                              f64(proj.probability),
                                              llvm::ConstantInt::get(llvm::Type::getInt64Ty(context()), proj.count),
                                              u32(proj.autapses ? 1 : 0),
                                              buffer_index(proj.row_start),
                                              buffer_index(proj.target),
                                              buffer_index(proj.weight),
                                              proj.weight_file.empty() ? null() : string(proj.weight_file),
                                              proj.weight_array.empty() ? null() : string(proj.weight_array),
                                              window(proj),
                                              list(proj, true),
                                              list(proj, false),
                                              u32(abi_layout(proj.weight_layout)),
                                              u32(chw ? proj.pre_shape.height : 0),
                                              u32(chw ? proj.pre_shape.width : 0),
                                              u32(chw ? proj.pre_shape.channels : 0),
                                              u32(abi_storage(proj.storage)),
                                              buffer_index(proj.mask)});
  }

  /// A FromList projection's pre (or post) neurons, or null.
  llvm::Constant *list(const lower::ProjectionInfo &proj, bool pre) {
    if (proj.connectivity != lower::Connectivity::FromList || proj.pairs.empty())
      return null();
    std::vector<uint32_t> neurons;
    for (const auto &[i, j] : proj.pairs)
      neurons.push_back(pre ? i : j);
    return u32_array(neurons, pre ? "snn.list_pre" : "snn.list_post");
  }

  /// A private constant snn_window_desc, or null.
  llvm::Constant *window(const lower::ProjectionInfo &proj) {
    if (proj.connectivity != lower::Connectivity::Conv2D && proj.connectivity != lower::Connectivity::AvgPool2D)
      return null();
    const ir::Shape &a = proj.pre_shape, &b = proj.post_shape;
    const ir::Window &w = proj.window;
    llvm::Constant *desc =
        struct_of(types_.window_desc,
                  {u32(a.height), u32(a.width), u32(a.channels), u32(b.height), u32(b.width), u32(b.channels),
                   u32(w.height), u32(w.width), u32(w.stride_y), u32(w.stride_x), u32(w.pad_y), u32(w.pad_x)});
    auto *global = new llvm::GlobalVariable(module_, types_.window_desc, true, llvm::GlobalValue::PrivateLinkage, desc,
                                            "snn.window");
    global->setAlignment(llvm::Align(4));
    return global;
  }

  llvm::Constant *record(const lower::RecordInfo &r) {
    return struct_of(types_.record_desc,
                     {u32(r.rate     ? SNN_RECORD_RATE
                          : r.spikes ? SNN_RECORD_SPIKES
                                     : SNN_RECORD_STATE),
                      u32(r.population), buffer_index(r.spikes ? -1 : r.buffer), u32(r.begin), u32(r.end),
                      u32(r.stride), u32(r.interval), r.file.empty() ? null() : string(r.file),
                      llvm::ConstantInt::get(llvm::Type::getInt64Ty(context()), uint64_t(r.example)),
                      u32(uint32_t(r.indices.size())), r.indices.empty() ? null() : u32_array(r.indices)});
  }

  llvm::Constant *data(const lower::DataInfo &d) {
    return struct_of(types_.data_desc,
                     {d.path.empty() ? null() : string(d.path), d.labels_path.empty() ? null() : string(d.labels_path),
                      u32(abi_encoder(d.encoder)), f64(d.max_value), f64(d.max_rate)});
  }

  llvm::Constant *param(const lower::TrainedParamInfo &param) {
    ir::internal_check(!(param.bias && param.feedback), "a trained parameter is a bias or a feedback matrix");
    ir::internal_check(param.index >= 0 && param.value >= 0, "trained parameter " + param.name + " has no buffer");
    ir::internal_check(param.feedback == (param.gradient < 0),
                       "trained parameter " + param.name + ": exactly the feedback matrices have no gradient");
    uint32_t kind = param.feedback ? SNN_PARAM_FEEDBACK : param.bias ? SNN_PARAM_BIAS : SNN_PARAM_WEIGHTS;
    return struct_of(types_.param_desc, {string(param.name), u32(kind), u32(param.index), buffer_index(param.value),
                                         buffer_index(param.gradient), buffer_index(param.example_gradient)});
  }

  /// The snn_training_desc of an enabled training regime, as a private global.
  llvm::Constant *training(const lower::TrainingInfo &t) {
    ir::internal_check(t.input >= 0 && t.readout >= 0, "training regime without input or readout population");
    ir::internal_check(t.label >= 0 && t.loss >= 0 && t.scores >= 0 && t.lr >= 0,
                       "training regime without label, loss, scores or lr buffer");
    std::vector<llvm::Constant *> params;
    for (const lower::TrainedParamInfo &p : t.params)
      params.push_back(param(p));
    std::vector<llvm::Constant *> hypers;
    for (const lower::HyperInfo &h : t.hypers) {
      uint32_t flags = (h.min_open ? SNN_HYPER_MIN_OPEN : 0) | (h.max_open ? SNN_HYPER_MAX_OPEN : 0) |
                       (h.integer ? SNN_HYPER_INTEGER : 0) | (h.boolean ? SNN_HYPER_BOOLEAN : 0);
      hypers.push_back(struct_of(types_.hyper_desc,
                                 {string(h.name), string(h.help), f64(h.value), f64(h.min), f64(h.max), u32(flags)}));
    }
    std::vector<uint32_t> segment(t.segment_state.begin(), t.segment_state.end());
    std::vector<llvm::Constant *> prune;
    for (const lower::PruneInfo &p : t.prune)
      prune.push_back(struct_of(types_.prune_desc,
                                {u32(uint32_t(p.projection)), f64(p.density), u32(p.gradual ? 1 : 0), u32(p.epochs)}));
    std::vector<llvm::Constant *> rewire;
    for (const lower::RewireInfo &r : t.rewire)
      rewire.push_back(struct_of(
          types_.rewire_desc, {u32(uint32_t(r.projection)), f64(r.l1), f64(r.temperature), buffer_index(r.dormant)}));
    llvm::Constant *fields[] = {
        u32(t.timesteps),
        u32(t.epochs),
        f64(t.test_split),
        f64(t.validation_split),
        data(t.train),
        data(t.test),
        u32(uint32_t(t.input)),
        u32(uint32_t(t.readout)),
        u32(t.classes),
        buffer_index(t.label),
        buffer_index(t.loss),
        buffer_index(t.scores),
        buffer_index(t.lr),
        f64(t.lr_default),
        string(t.loss_name),
        string(t.readout_name),
        string(t.optimizer_name),
        u32(params.size()),
        array(types_.param_desc, params, "snn.params"),
        buffer_index(t.hyper),
        u32(hypers.size()),
        array(types_.hyper_desc, hypers, "snn.hypers"),
        u32(uint32_t(t.schedule)),
        u32(uint32_t(t.schedule_unit)),
        u32(uint32_t(t.schedule_monitor)),
        u32(uint32_t(t.warmup_unit)),
        u32(t.early_stopping ? 1 : 0),
        u32(uint32_t(t.early_stopping_monitor)),
        u32(uint32_t(t.checkpoint_unit)),
        t.checkpoint_dir.empty() ? null() : string(t.checkpoint_dir),
        u32(t.backward_pass ? 1 : 0),
        u32(uint32_t(segment.size())),
        segment.empty() ? null() : u32_array(segment, "snn.segment_buffers"),
        u32(uint32_t(prune.size())),
        prune.empty() ? null() : array(types_.prune_desc, prune, "snn.prune_rules"),
        u32(uint32_t(rewire.size())),
        rewire.empty() ? null() : array(types_.rewire_desc, rewire, "snn.rewire_rules"),
    };
    auto *global =
        new llvm::GlobalVariable(module_, types_.training_desc, /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage,
                                 llvm::ConstantStruct::get(types_.training_desc, fields), "snn.training");
    global->setAlignment(llvm::Align(8));
    return global;
  }

  llvm::Module &module_;
  const lower::Program &p_;
  AbiTypes types_;
  std::map<std::string, llvm::Constant *> strings_;
};

} // namespace

llvm::GlobalVariable *build_descriptor(llvm::Module &module, const lower::Program &program,
                                       const std::vector<llvm::Function *> &entries, llvm::Constant *device) {
  return DescriptorBuilder(module, program).build(entries, device);
}

void define_model_function(llvm::Module &module, llvm::GlobalVariable *desc) {
  llvm::LLVMContext &context = module.getContext();
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(llvm::PointerType::getUnqual(context), false),
                                    llvm::GlobalValue::ExternalLinkage, "snn_model", module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", fn));
  b.CreateRet(desc);
}

} // namespace snn::cpu
