//===- backends/cpu/Descriptor.cpp - The constant snn_model_desc ----------===//
#include "backends/cpu/Descriptor.h"

#include "backends/cpu/AbiTypes.h"

#include "snn/model_abi.h"

#include "llvm/IR/Constants.h"

#include <map>

namespace snn::cpu {

namespace {

/// Builds the constants of one descriptor; strings are shared by content.
class DescriptorBuilder {
public:
  DescriptorBuilder(llvm::Module &module, const ir::Module &source)
      : module_(module), source_(source), types_(AbiTypes::get(module.getContext())) {}

  llvm::GlobalVariable *build(const std::vector<PopulationPlan> &plans, llvm::Function *init, llvm::Function *step,
                              bool double_precision) {
    std::vector<llvm::Constant *> populations, projections, records, stimuli;
    for (const PopulationPlan &plan : plans)
      populations.push_back(population(plan));
    for (const ir::Projection &p : source_.network.projections)
      projections.push_back(projection(p));
    for (const ir::Record &r : source_.regime.records)
      records.push_back(record(r));
    for (const ir::Stimulus &s : source_.regime.stimuli)
      stimuli.push_back(stimulus(s));

    llvm::Constant *fields[] = {
        u32(SNN_MODEL_ABI_VERSION),
        u32(double_precision ? 8 : 4),
        string(source_.network.name),
        f64(source_.regime.dt),
        f64(source_.regime.duration),
        llvm::ConstantInt::get(llvm::Type::getInt64Ty(context()), source_.regime.seed),
        u32(populations.size()),
        array(types_.population_desc, populations, "snn.populations"),
        u32(projections.size()),
        array(types_.projection_desc, projections, "snn.projections"),
        u32(records.size()),
        array(types_.record_desc, records, "snn.records"),
        u32(stimuli.size()),
        array(types_.stimulus_desc, stimuli, "snn.stimuli"),
        init,
        step,
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
  llvm::Constant *f64(double value) { return llvm::ConstantFP::get(llvm::Type::getDoubleTy(context()), value); }
  llvm::Constant *null() { return llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(context())); }

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

  llvm::Constant *variable(const std::string &name, const ir::Dimension &dim) {
    llvm::Constant *fields[] = {string(name), string(dim.str())};
    return llvm::ConstantStruct::get(types_.variable_desc, fields);
  }

  llvm::Constant *population(const PopulationPlan &plan) {
    const ir::NeuronModel &model = *plan.model;
    std::vector<llvm::Constant *> states, inputs;
    for (const ir::StateVar &s : model.states)
      states.push_back(variable(s.name, s.dim));
    for (const ir::InputVar &i : model.inputs)
      inputs.push_back(variable(i.name, i.dim));
    const std::string &name = plan.population->name;
    llvm::Constant *fields[] = {
        string(name),
        string(model.name),
        u32(plan.population->size),
        u32(states.size()),
        array(types_.variable_desc, states, "snn.state_vars." + name),
        u32(inputs.size()),
        array(types_.variable_desc, inputs, "snn.inputs." + name),
        u32(plan.first_buffer),
    };
    return llvm::ConstantStruct::get(types_.population_desc, fields);
  }

  uint32_t population_index(const std::string &name) {
    int index = source_.network.population_index(name);
    ir::internal_check(index >= 0, "unknown population '" + name + "'");
    return static_cast<uint32_t>(index);
  }

  const ir::NeuronModel &model_of(const std::string &population) {
    const ir::Population &pop = source_.network.populations[population_index(population)];
    const ir::NeuronModel *model = source_.find_model(pop.model);
    ir::internal_check(model != nullptr, "unknown neuron model '" + pop.model + "'");
    return *model;
  }

  llvm::Constant *projection(const ir::Projection &p) {
    bool to_state = p.target_kind == ir::TargetKind::State;
    uint32_t target = projection_target_index(source_, p);

    uint32_t connectivity = SNN_CONNECT_DENSE;
    switch (p.connectivity) {
    case ir::ConnectivityKind::Dense:
      connectivity = SNN_CONNECT_DENSE;
      break;
    case ir::ConnectivityKind::FixedProbability:
      connectivity = SNN_CONNECT_FIXED_PROBABILITY;
      break;
    case ir::ConnectivityKind::OneToOne:
      connectivity = SNN_CONNECT_ONE_TO_ONE;
      break;
    }
    uint32_t distribution = SNN_DIST_CONSTANT;
    switch (p.weight.dist) {
    case ir::WeightDistribution::Constant:
      distribution = SNN_DIST_CONSTANT;
      break;
    case ir::WeightDistribution::Uniform:
      distribution = SNN_DIST_UNIFORM;
      break;
    case ir::WeightDistribution::Normal:
      distribution = SNN_DIST_NORMAL;
      break;
    }
    llvm::Constant *weight_fields[] = {u32(distribution), f64(p.weight.a), f64(p.weight.b)};
    llvm::Constant *fields[] = {
        string(p.pre + " -> " + p.post + "." + p.target),
        u32(population_index(p.pre)),
        u32(population_index(p.post)),
        u32(connectivity),
        f64(p.probability),
        u32(p.autapses ? 1 : 0),
        llvm::ConstantStruct::get(types_.distribution, weight_fields),
        u32(to_state ? SNN_TARGET_STATE : SNN_TARGET_INPUT),
        u32(target),
    };
    return llvm::ConstantStruct::get(types_.projection_desc, fields);
  }

  llvm::Constant *record(const ir::Record &r) {
    uint32_t variable = 0;
    bool is_state = r.kind == ir::RecordKind::State;
    if (is_state) {
      int k = model_of(r.population).state_index(r.variable);
      ir::internal_check(k >= 0, "record of '" + r.population + "." + r.variable + "', which is not a state variable");
      variable = static_cast<uint32_t>(k);
    }
    llvm::Constant *fields[] = {
        u32(is_state ? SNN_RECORD_STATE : SNN_RECORD_SPIKES),
        u32(population_index(r.population)),
        u32(variable),
        u32(r.begin),
        u32(r.end),
        u32(r.stride),
        r.file.empty() ? null() : string(r.file),
    };
    return llvm::ConstantStruct::get(types_.record_desc, fields);
  }

  llvm::Constant *stimulus(const ir::Stimulus &s) {
    llvm::Constant *fields[] = {u32(population_index(s.population)), string(s.path)};
    return llvm::ConstantStruct::get(types_.stimulus_desc, fields);
  }

  llvm::Module &module_;
  const ir::Module &source_;
  AbiTypes types_;
  std::map<std::string, llvm::Constant *> strings_;
};

} // namespace

uint32_t projection_target_index(const ir::Module &source, const ir::Projection &projection) {
  const ir::Population *post = source.network.find_population(projection.post);
  ir::internal_check(post != nullptr,
                     "projection " + projection.pre + " -> " + projection.post + " names an unknown population");
  const ir::NeuronModel *model = source.find_model(post->model);
  ir::internal_check(model != nullptr, "unknown neuron model '" + post->model + "'");
  bool to_state = projection.target_kind == ir::TargetKind::State;
  int target = to_state ? model->state_index(projection.target) : model->input_index(projection.target);
  ir::internal_check(target >= 0, "projection " + projection.pre + " -> " + projection.post + " targets '" +
                                      projection.target + "', which is not " + (to_state ? "a state" : "an input") +
                                      " of '" + model->name + "'");
  return static_cast<uint32_t>(target);
}

llvm::GlobalVariable *build_descriptor(llvm::Module &module, const ir::Module &source,
                                       const std::vector<PopulationPlan> &plans, llvm::Function *init,
                                       llvm::Function *step, bool double_precision) {
  return DescriptorBuilder(module, source).build(plans, init, step, double_precision);
}

} // namespace snn::cpu
