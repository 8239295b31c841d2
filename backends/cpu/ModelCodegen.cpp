//===- backends/cpu/ModelCodegen.cpp - A network as an LLVM module --------===//
#include "backends/cpu/ModelCodegen.h"

#include "backends/cpu/AbiTypes.h"
#include "backends/cpu/Descriptor.h"
#include "backends/cpu/NeuronKernels.h"
#include "backends/cpu/Optimizer.h"
#include "backends/cpu/Philox.h"
#include "backends/cpu/TargetSetup.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/TargetParser/Host.h"

namespace snn::cpu {

namespace {

/// The kernels of one population; a `with_stimulus` variant exists only
/// when the phase reads stimulus().
struct PhaseKernels {
  llvm::Function *plain = nullptr;
  llvm::Function *with_stimulus = nullptr;
};

struct PopulationKernels {
  PhaseKernels init, update, reset;
};

std::vector<PopulationPlan> plan_populations(const ir::Module &source) {
  std::vector<PopulationPlan> plans;
  uint64_t next_buffer = 0;
  const auto &populations = source.network.populations;
  for (size_t p = 0; p < populations.size(); ++p) {
    const ir::Population &pop = populations[p];
    const ir::NeuronModel *model = source.find_model(pop.model);
    ir::internal_check(model != nullptr, "population '" + pop.name + "' names unknown model '" + pop.model + "'");
    ir::internal_check(pop.overrides.empty() && pop.inits.empty(),
                       "population '" + pop.name + "' still has parameter overrides or inits (not specialised)");
    plans.push_back({&pop, model, static_cast<uint32_t>(p), static_cast<uint32_t>(next_buffer)});
    next_buffer += model->states.size() + model->inputs.size();
    ir::internal_check(next_buffer <= UINT32_MAX, "too many population buffers");
  }
  return plans;
}

PhaseKernels build_phase(llvm::Module &module, const PopulationPlan &plan, KernelPhase phase, llvm::Type *real) {
  PhaseKernels kernels;
  if (!phase_has_work(*plan.model, phase))
    return kernels;
  kernels.plain = build_neuron_kernel(module, plan, phase, false, real);
  if (phase_reads_stimulus(*plan.model, phase))
    kernels.with_stimulus = build_neuron_kernel(module, plan, phase, true, real);
  return kernels;
}

/// Emits the bodies of the exported `init` and `step` functions.
/// The two spike-delivery kernels, defined on first use.
class DeliveryKernels {
public:
  DeliveryKernels(llvm::Module &module, llvm::Type *real) : module_(module), real_(real) {}
  llvm::Function *get(bool gated) {
    llvm::Function *&fn = gated ? gated_ : plain_;
    if (!fn)
      fn = build_delivery_kernel(module_, real_, gated);
    return fn;
  }

private:
  llvm::Module &module_;
  llvm::Type *real_;
  llvm::Function *plain_ = nullptr, *gated_ = nullptr;
};

class EntryBuilder {
public:
  EntryBuilder(llvm::Module &module, const ir::Module &source, const std::vector<PopulationPlan> &plans,
               const std::vector<PopulationKernels> &kernels, llvm::Type *real)
      : module_(module), source_(source), plans_(plans), kernels_(kernels), real_(real),
        types_(AbiTypes::get(module.getContext())), b_(module.getContext()) {}

  llvm::Function *build_init() {
    llvm::Function *fn = begin("snn.init", {ptr()});
    load_state(fn->getArg(0));
    for (size_t p = 0; p < plans_.size(); ++p)
      call(kernels_[p].init.plain, plans_[p], llvm::ConstantPointerNull::get(ptr()), llvm::ConstantFP::get(real_, 0.0),
           b_.getInt64(0));
    b_.CreateRetVoid();
    return fn;
  }

  llvm::Function *build_step(DeliveryKernels &deliver) {
    llvm::Function *fn = begin("snn.step", {ptr(), b_.getInt64Ty()});
    llvm::Value *step = fn->getArg(1);
    step->setName("step");
    load_state(fn->getArg(0));
    // t = step * dt in double, then rounded once to the real type, so long
    // runs do not accumulate rounding in t.
    llvm::Value *t = b_.CreateFMul(b_.CreateUIToFP(step, b_.getDoubleTy()),
                                   llvm::ConstantFP::get(b_.getDoubleTy(), source_.regime.dt));
    t = b_.CreateFPTrunc(t, real_, "t");

    for (size_t p = 0; p < plans_.size(); ++p)
      call_phase(kernels_[p].update, plans_[p], t, step);
    deliver_spikes(deliver);
    for (size_t p = 0; p < plans_.size(); ++p)
      if (kernels_[p].reset.plain)
        call_phase(kernels_[p].reset, plans_[p], t, step);
    b_.CreateRetVoid();
    return fn;
  }

private:
  llvm::PointerType *ptr() { return b_.getPtrTy(); }

  llvm::Function *begin(const char *name, llvm::ArrayRef<llvm::Type *> params) {
    auto *type = llvm::FunctionType::get(b_.getVoidTy(), params, false);
    llvm::Function *fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, name, module_);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    fn->getArg(0)->setName("state");
    b_.SetInsertPoint(llvm::BasicBlock::Create(module_.getContext(), "entry", fn));
    return fn;
  }

  llvm::Value *field(llvm::Value *base, llvm::StructType *type, unsigned index, llvm::Type *field_type,
                     const llvm::Twine &name) {
    return b_.CreateLoad(field_type, b_.CreateStructGEP(type, base, index), name);
  }

  llvm::Value *element(llvm::Value *array, uint64_t index, const llvm::Twine &name = "") {
    return b_.CreateLoad(ptr(), b_.CreateConstInBoundsGEP1_64(ptr(), array, index), name);
  }

  void load_state(llvm::Value *state) {
    buffers_ = field(state, types_.state, StateBuffers, ptr(), "buffers");
    spiked_ = field(state, types_.state, StateSpiked, ptr(), "spiked");
    stimulus_ = field(state, types_.state, StateStimulus, ptr(), "stimulus");
    synapses_ = field(state, types_.state, StateSynapses, ptr(), "synapses");
    key_ = emit_philox_key(b_, field(state, types_.state, StateSeed, b_.getInt64Ty(), "seed"));
  }

  void call(llvm::Function *kernel, const PopulationPlan &plan, llvm::Value *stimulus, llvm::Value *t,
            llvm::Value *step) {
    std::vector<llvm::Value *> args;
    size_t buffers = plan.model->states.size() + plan.model->inputs.size();
    for (size_t k = 0; k < buffers; ++k)
      args.push_back(element(buffers_, plan.first_buffer + k));
    args.push_back(element(spiked_, plan.index));
    args.push_back(stimulus);
    args.push_back(t);
    args.push_back(key_[0]);
    args.push_back(key_[1]);
    args.push_back(step);
    b_.CreateCall(kernel, args);
  }

  /// Calls the stimulus variant when the runtime gave this population a
  /// stimulus array, else the plain kernel (stimulus() is then false).
  void call_phase(const PhaseKernels &kernels, const PopulationPlan &plan, llvm::Value *t, llvm::Value *step) {
    llvm::Constant *null = llvm::ConstantPointerNull::get(ptr());
    if (!kernels.with_stimulus) {
      call(kernels.plain, plan, null, t, step);
      return;
    }
    llvm::LLVMContext &context = module_.getContext();
    llvm::Function *fn = b_.GetInsertBlock()->getParent();
    const std::string &name = plan.population->name;
    auto *load = llvm::BasicBlock::Create(context, "stimulus.load." + name, fn);
    auto *choose = llvm::BasicBlock::Create(context, "stimulus.choose." + name, fn);
    auto *with = llvm::BasicBlock::Create(context, "stimulus.with." + name, fn);
    auto *without = llvm::BasicBlock::Create(context, "stimulus.without." + name, fn);
    auto *done = llvm::BasicBlock::Create(context, "stimulus.done." + name, fn);

    llvm::BasicBlock *entry = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateIsNotNull(stimulus_), load, choose);
    b_.SetInsertPoint(load);
    llvm::Value *array = element(stimulus_, plan.index);
    b_.CreateBr(choose);
    b_.SetInsertPoint(choose);
    llvm::PHINode *stimulus = b_.CreatePHI(ptr(), 2, "stimulus." + name);
    stimulus->addIncoming(null, entry);
    stimulus->addIncoming(array, load);
    b_.CreateCondBr(b_.CreateIsNotNull(stimulus), with, without);
    b_.SetInsertPoint(with);
    call(kernels.with_stimulus, plan, stimulus, t, step);
    b_.CreateBr(done);
    b_.SetInsertPoint(without);
    call(kernels.plain, plan, null, t, step);
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  void deliver_spikes(DeliveryKernels &deliver) {
    const auto &projections = source_.network.projections;
    for (size_t j = 0; j < projections.size(); ++j) {
      const ir::Projection &projection = projections[j];
      const PopulationPlan &pre = plan_named(projection.pre);
      const PopulationPlan &post = plan_named(projection.post);
      uint64_t buffer = post.first_buffer + projection_target_index(source_, projection);
      if (projection.target_kind == ir::TargetKind::Input)
        buffer += post.model->states.size();
      llvm::Value *synapses = b_.CreateConstInBoundsGEP1_64(types_.synapses, synapses_, j);
      llvm::Value *args[] = {
          element(spiked_, pre.index),
          field(synapses, types_.synapses, SynRowStart, ptr(), "row_start"),
          field(synapses, types_.synapses, SynTarget, ptr(), "target"),
          field(synapses, types_.synapses, SynWeight, ptr(), "weight"),
          element(buffers_, buffer),
          b_.getInt32(pre.population->size),
      };
      const ir::NeuronModel &model = *post.model;
      const ir::StateVar *state =
          projection.target_kind == ir::TargetKind::State ? model.find_state(projection.target) : nullptr;
      if (state && state->frozen_when_refractory && !model.refractory_counter.empty()) {
        uint64_t counter = post.first_buffer + model.state_index(model.refractory_counter);
        std::vector<llvm::Value *> gated(std::begin(args), std::end(args));
        gated.push_back(element(buffers_, counter));
        gated.push_back(element(spiked_, post.index));
        b_.CreateCall(deliver.get(true), gated);
      } else {
        b_.CreateCall(deliver.get(false), args);
      }
    }
  }

  const PopulationPlan &plan_named(const std::string &name) {
    int index = source_.network.population_index(name);
    ir::internal_check(index >= 0, "projection names unknown population '" + name + "'");
    return plans_[index];
  }

  llvm::Module &module_;
  const ir::Module &source_;
  const std::vector<PopulationPlan> &plans_;
  const std::vector<PopulationKernels> &kernels_;
  llvm::Type *real_;
  AbiTypes types_;
  llvm::IRBuilder<> b_;
  llvm::Value *buffers_ = nullptr, *spiked_ = nullptr, *stimulus_ = nullptr, *synapses_ = nullptr;
  PhiloxKey key_{};
};

} // namespace

std::unique_ptr<llvm::Module> build_module(const ir::Module &source, llvm::LLVMContext &context,
                                           const CodegenOptions &options) {
  std::string name = source.network.name.empty() ? "snn_model" : source.network.name;
  auto module = std::make_unique<llvm::Module>(name, context);
  module->setTargetTriple(llvm::sys::getDefaultTargetTriple());
  // The data layout comes from the target machine; an unknown CPU is the
  // caller's error to report when it creates its own machine, so it is not
  // an internal error here.
  std::string error;
  if (auto machine = create_target_machine(options, error))
    module->setDataLayout(machine->createDataLayout());

  llvm::Type *real = options.double_precision ? llvm::Type::getDoubleTy(context) : llvm::Type::getFloatTy(context);
  std::vector<PopulationPlan> plans = plan_populations(source);
  std::vector<PopulationKernels> kernels;
  for (const PopulationPlan &plan : plans) {
    PopulationKernels k;
    k.init = build_phase(*module, plan, KernelPhase::Init, real);
    k.update = build_phase(*module, plan, KernelPhase::Update, real);
    k.reset = build_phase(*module, plan, KernelPhase::Reset, real);
    kernels.push_back(k);
  }
  DeliveryKernels deliver{*module, real};

  EntryBuilder entries(*module, source, plans, kernels, real);
  llvm::Function *init = entries.build_init();
  llvm::Function *step = entries.build_step(deliver);
  llvm::GlobalVariable *desc = build_descriptor(*module, source, plans, init, step, options.double_precision);

  // const snn_model_desc *snn_model(void) { return &desc; }
  auto *model_fn = llvm::Function::Create(llvm::FunctionType::get(llvm::PointerType::getUnqual(context), false),
                                          llvm::GlobalValue::ExternalLinkage, "snn_model", *module);
  model_fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", model_fn));
  b.CreateRet(desc);

  verify_or_throw(*module);
  return module;
}

} // namespace snn::cpu
