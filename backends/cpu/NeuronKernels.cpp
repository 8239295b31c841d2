//===- backends/cpu/NeuronKernels.cpp - Per-population loops --------------===//
#include "backends/cpu/NeuronKernels.h"

#include "backends/cpu/ExprCodegen.h"
#include "backends/cpu/Loops.h"
#include "backends/cpu/Philox.h"

#include "snn/philox.h"

#include "llvm/IR/IRBuilder.h"

#include <map>
#include <unordered_set>

namespace snn::cpu {

namespace {

/// Call sites and populations share counter word 3 (population << 8 | site,
/// 28 bits), so both have hard limits.
constexpr uint32_t MaxSites = 256;
constexpr uint32_t MaxRngPopulations = 1u << 20;

bool reads_stimulus(const ir::Expr &root) {
  std::unordered_set<const ir::ExprNode *> seen;
  std::vector<const ir::ExprNode *> work;
  if (root)
    work.push_back(root.get());
  while (!work.empty()) {
    const ir::ExprNode *node = work.back();
    work.pop_back();
    if (!seen.insert(node).second)
      continue;
    auto push = [&](const ir::Expr &e) {
      if (e)
        work.push_back(e.get());
    };
    switch (node->kind) {
    case ir::ExprKind::Variable:
      if (static_cast<const ir::Variable *>(node)->var_kind == ir::VarKind::Stimulus)
        return true;
      break;
    case ir::ExprKind::Unary:
      push(static_cast<const ir::Unary *>(node)->a);
      break;
    case ir::ExprKind::Binary:
      push(static_cast<const ir::Binary *>(node)->a);
      push(static_cast<const ir::Binary *>(node)->b);
      break;
    case ir::ExprKind::Select:
      push(static_cast<const ir::Select *>(node)->cond);
      push(static_cast<const ir::Select *>(node)->t);
      push(static_cast<const ir::Select *>(node)->f);
      break;
    case ir::ExprKind::Call:
      push(static_cast<const ir::Call *>(node)->arg);
      break;
    default:
      break;
    }
  }
  return false;
}

const char *phase_name(KernelPhase phase) {
  switch (phase) {
  case KernelPhase::Init:
    return "init";
  case KernelPhase::Update:
    return "update";
  case KernelPhase::Reset:
    return "reset";
  }
  return "?";
}

/// Builds the body of one neuron kernel: the values one neuron `n` sees.
class KernelBuilder {
public:
  KernelBuilder(llvm::Function *function, const PopulationPlan &plan, bool with_stimulus, llvm::Type *real)
      : plan_(plan), model_(*plan.model), with_stimulus_(with_stimulus), real_(real),
        b_(llvm::BasicBlock::Create(function->getContext(), "entry", function)) {
    auto arg = function->arg_begin();
    for (size_t k = 0; k < model_.states.size(); ++k)
      states_.push_back(&*arg++);
    for (size_t j = 0; j < model_.inputs.size(); ++j)
      inputs_.push_back(&*arg++);
    spiked_ = &*arg++;
    stimulus_ = &*arg++;
    t_ = &*arg++;
    key_ = {&*arg, &*(arg + 1)};
    arg += 2;
    step_ = &*arg;
  }

  void build(KernelPhase phase) {
    llvm::Value *size = b_.getInt64(plan_.population->size);
    emit_counted_loop(b_, b_.getInt64(0), size, "neuron", [&](llvm::Value *n) {
      n_ = n;
      philox_cache_.clear();
      switch (phase) {
      case KernelPhase::Init:
        init_body();
        break;
      case KernelPhase::Update:
        update_body();
        break;
      case KernelPhase::Reset:
        reset_body();
        break;
      }
    });
    b_.CreateRetVoid();
  }

private:
  llvm::Value *element(llvm::Value *base, llvm::Type *type) { return b_.CreateInBoundsGEP(type, base, n_); }
  llvm::Value *load_real(llvm::Value *base, const llvm::Twine &name) {
    return b_.CreateLoad(real_, element(base, real_), name);
  }
  void store_real(llvm::Value *value, llvm::Value *base) { b_.CreateStore(value, element(base, real_)); }

  int state_index(const std::string &name) const {
    int k = model_.state_index(name);
    ir::internal_check(k >= 0, "model '" + model_.name + "' has no state '" + name + "'");
    return k;
  }
  int input_index(const std::string &name) const {
    int j = model_.input_index(name);
    ir::internal_check(j >= 0, "model '" + model_.name + "' has no input '" + name + "'");
    return j;
  }

  /// Word 3 of a Philox counter for `site` in `domain`.
  llvm::Value *counter_tag(uint32_t domain, uint32_t site) {
    ir::internal_check(site < MaxSites,
                       "random call site " + std::to_string(site) + " of model '" + model_.name + "' exceeds 255");
    ir::internal_check(plan_.index < MaxRngPopulations, "too many populations for the random number streams");
    return b_.getInt32(snn_philox_tag(domain, plan_.index << 8 | site));
  }

  /// Random in update and reset: stream SNN_RNG_STEP, counter (neuron,
  /// step low, step high, tag). One block per site, shared by all contexts
  /// of this neuron, so a site means the same number wherever it appears.
  llvm::Value *step_random(const ir::Random &r) {
    auto found = philox_cache_.find(r.site);
    if (found == philox_cache_.end()) {
      llvm::Type *i32 = b_.getInt32Ty();
      PhiloxBlock counter = {b_.CreateTrunc(n_, i32), b_.CreateTrunc(step_, i32),
                             b_.CreateTrunc(b_.CreateLShr(step_, 32), i32), counter_tag(SNN_RNG_STEP, r.site)};
      found = philox_cache_.emplace(r.site, emit_philox4x32(b_, counter, key_)).first;
    }
    return emit_distribution(b_, r.dist, found->second, real_);
  }

  /// Random in init: stream SNN_RNG_INIT, counter (neuron, state var, 0, tag).
  llvm::Value *init_random(const ir::Random &r, uint32_t state) {
    PhiloxBlock counter = {b_.CreateTrunc(n_, b_.getInt32Ty()), b_.getInt32(state), b_.getInt32(0),
                           counter_tag(SNN_RNG_INIT, r.site)};
    return emit_distribution(b_, r.dist, emit_philox4x32(b_, counter, key_), real_);
  }

  llvm::Value *stimulus_value() {
    if (!with_stimulus_)
      return b_.getFalse();
    llvm::Value *byte = b_.CreateLoad(b_.getInt8Ty(), element(stimulus_, b_.getInt8Ty()));
    return b_.CreateICmpNE(byte, b_.getInt8(0));
  }

  /// Bindings where State reads `state_values` and Input reads `input_values`.
  ExprBindings neuron_bindings(const std::vector<llvm::Value *> &state_values,
                               const std::vector<llvm::Value *> &input_values) {
    ExprBindings bindings;
    bindings.variable = [this, &state_values, &input_values](const ir::Variable &v) -> llvm::Value * {
      switch (v.var_kind) {
      case ir::VarKind::State:
        return state_values[state_index(v.name)];
      case ir::VarKind::Input:
        return input_values[input_index(v.name)];
      case ir::VarKind::Time:
        return t_;
      case ir::VarKind::Stimulus:
        return stimulus_value();
      default:
        break;
      }
      throw ir::InternalError(std::string(ir::name_of(v.var_kind)) + " variable '" + v.name + "' in a neuron kernel");
    };
    bindings.random = [this](const ir::Random &r) { return step_random(r); };
    return bindings;
  }

  void init_body() {
    for (size_t k = 0; k < model_.states.size(); ++k) {
      const ir::StateVar &state = model_.states[k];
      llvm::Value *value = llvm::Constant::getNullValue(state_type(k));
      if (state.initial) {
        ExprBindings bindings;
        bindings.variable = [this, &state](const ir::Variable &v) -> llvm::Value * {
          if (v.var_kind == ir::VarKind::Time)
            return llvm::ConstantFP::get(real_, 0.0);
          throw ir::InternalError("initial value of '" + state.name + "' in model '" + model_.name + "' reads " +
                                  ir::name_of(v.var_kind) + " variable '" + v.name + "'");
        };
        bindings.random = [this, k](const ir::Random &r) { return init_random(r, static_cast<uint32_t>(k)); };
        value = ExprCodegen(b_, real_, bindings).emit(state.initial);
      }
      store_state(value, k);
    }
    for (llvm::Value *input : inputs_)
      store_real(llvm::ConstantFP::get(real_, 0.0), input);
    b_.CreateStore(b_.getInt8(0), element(spiked_, b_.getInt8Ty()));
  }

  /// Loads neuron n's states and inputs, named "<variable>.<suffix>" so
  /// printed IR reads like the model.
  llvm::Type *state_type(size_t k) { return model_.states[k].type == ir::ScalarType::Int ? b_.getInt32Ty() : real_; }
  void store_state(llvm::Value *value, size_t k) { b_.CreateStore(value, element(states_[k], state_type(k))); }

  void load_neuron(std::vector<llvm::Value *> &state_values, std::vector<llvm::Value *> &input_values,
                   const std::string &suffix) {
    for (size_t k = 0; k < states_.size(); ++k)
      state_values.push_back(
          b_.CreateLoad(state_type(k), element(states_[k], state_type(k)), model_.states[k].name + "." + suffix));
    for (size_t j = 0; j < inputs_.size(); ++j)
      input_values.push_back(load_real(inputs_[j], model_.inputs[j].name + "." + suffix));
  }

  /// New values of the states `assignments` name, indexed by state; every
  /// value is computed before any is stored, so all read the old values.
  std::vector<llvm::Value *> assign(const std::vector<ir::Assignment> &assignments, ExprCodegen &codegen,
                                    const char *what) {
    std::vector<llvm::Value *> next(model_.states.size(), nullptr);
    for (const ir::Assignment &a : assignments) {
      int k = state_index(a.state);
      ir::internal_check(!next[k],
                         std::string(what) + " of model '" + model_.name + "' assigns '" + a.state + "' twice");
      ir::internal_check(bool(a.value) && a.value->type == model_.states[k].type,
                         std::string(what) + " of '" + a.state + "' in model '" + model_.name + "' has the wrong type");
      next[k] = codegen.emit(a.value);
      if (!next[k]->hasName() && llvm::isa<llvm::Instruction>(next[k]))
        next[k]->setName(a.state + ".new");
    }
    return next;
  }

  void update_body() {
    std::vector<llvm::Value *> old_states, input_values;
    load_neuron(old_states, input_values, "old");
    ExprCodegen update(b_, real_, neuron_bindings(old_states, input_values));
    std::vector<llvm::Value *> next = assign(model_.update, update, "update");

    std::vector<llvm::Value *> new_states = old_states;
    for (size_t k = 0; k < next.size(); ++k)
      if (next[k])
        new_states[k] = next[k];

    llvm::Value *spike = b_.getFalse();
    if (model_.spike_condition) {
      ir::internal_check(model_.spike_condition->is_bool(),
                         "spike condition of model '" + model_.name + "' is not boolean");
      ExprCodegen condition(b_, real_, neuron_bindings(new_states, input_values));
      spike = condition.emit(model_.spike_condition);
      if (!spike->hasName() && llvm::isa<llvm::Instruction>(spike))
        spike->setName("spike");
    }

    for (size_t k = 0; k < next.size(); ++k)
      if (next[k])
        store_state(next[k], k);
    b_.CreateStore(b_.CreateZExt(spike, b_.getInt8Ty()), element(spiked_, b_.getInt8Ty()));
    // The inputs were consumed by this update; spikes delivered later in
    // this step accumulate into the next one.
    for (llvm::Value *input : inputs_)
      store_real(llvm::ConstantFP::get(real_, 0.0), input);
  }

  void reset_body() {
    std::vector<llvm::Value *> current, input_values;
    load_neuron(current, input_values, "now");
    llvm::Value *spiked =
        b_.CreateICmpNE(b_.CreateLoad(b_.getInt8Ty(), element(spiked_, b_.getInt8Ty())), b_.getInt8(0));
    ExprCodegen reset(b_, real_, neuron_bindings(current, input_values));
    std::vector<llvm::Value *> next = assign(model_.reset, reset, "reset");
    // A select, not a branch, so the loop stays vectorisable.
    for (size_t k = 0; k < next.size(); ++k)
      if (next[k])
        store_state(b_.CreateSelect(spiked, next[k], current[k]), k);
  }

  const PopulationPlan &plan_;
  const ir::NeuronModel &model_;
  bool with_stimulus_;
  llvm::Type *real_;
  llvm::IRBuilder<> b_;

  std::vector<llvm::Value *> states_, inputs_;
  llvm::Value *spiked_, *stimulus_, *t_, *step_;
  PhiloxKey key_;
  llvm::Value *n_ = nullptr;
  std::map<uint32_t, PhiloxBlock> philox_cache_;
};

void mark_noalias_pointers(llvm::Function *fn) {
  for (llvm::Argument &arg : fn->args()) {
    if (!arg.getType()->isPointerTy())
      continue;
    arg.addAttr(llvm::Attribute::NoAlias);
    arg.addAttr(llvm::Attribute::NoCapture);
  }
  fn->addFnAttr(llvm::Attribute::NoUnwind);
}

} // namespace

llvm::FunctionType *neuron_kernel_type(llvm::LLVMContext &context, const ir::NeuronModel &model, llvm::Type *real) {
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  std::vector<llvm::Type *> params(model.states.size() + model.inputs.size() + 2, ptr);
  params.push_back(real);
  params.push_back(llvm::Type::getInt32Ty(context));
  params.push_back(llvm::Type::getInt32Ty(context));
  params.push_back(llvm::Type::getInt64Ty(context));
  return llvm::FunctionType::get(llvm::Type::getVoidTy(context), params, false);
}

bool phase_reads_stimulus(const ir::NeuronModel &model, KernelPhase phase) {
  switch (phase) {
  case KernelPhase::Init:
    return false; // initial values cannot read stimulus() (checked when built)
  case KernelPhase::Update:
    for (const ir::Assignment &a : model.update)
      if (reads_stimulus(a.value))
        return true;
    return reads_stimulus(model.spike_condition);
  case KernelPhase::Reset:
    for (const ir::Assignment &a : model.reset)
      if (reads_stimulus(a.value))
        return true;
    return false;
  }
  return false;
}

bool phase_has_work(const ir::NeuronModel &model, KernelPhase phase) {
  if (phase == KernelPhase::Reset)
    return model.spike_condition && !model.reset.empty();
  return true;
}

llvm::Function *build_neuron_kernel(llvm::Module &module, const PopulationPlan &plan, KernelPhase phase,
                                    bool with_stimulus, llvm::Type *real) {
  const ir::NeuronModel &model = *plan.model;
  ir::internal_check(model.discretized, "model '" + model.name + "' reached the CPU backend in continuous form");
  std::string name = std::string("snn.") + phase_name(phase) + "." + plan.population->name;
  if (with_stimulus)
    name += ".stimulus";
  llvm::Function *fn = llvm::Function::Create(neuron_kernel_type(module.getContext(), model, real),
                                              llvm::GlobalValue::InternalLinkage, name, module);
  mark_noalias_pointers(fn);

  auto arg = fn->arg_begin();
  for (const ir::StateVar &state : model.states)
    (arg++)->setName(state.name);
  for (const ir::InputVar &input : model.inputs)
    (arg++)->setName("input." + input.name);
  const char *rest[] = {"spiked", "stimulus", "t", "key0", "key1", "step"};
  for (const char *arg_name : rest)
    (arg++)->setName(arg_name);

  KernelBuilder(fn, plan, with_stimulus, real).build(phase);
  return fn;
}

llvm::Function *build_delivery_kernel(llvm::Module &module, llvm::Type *real, bool gated) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  llvm::Type *i32 = llvm::Type::getInt32Ty(context);
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *i8 = llvm::Type::getInt8Ty(context);
  std::vector<llvm::Type *> params = {ptr, ptr, ptr, ptr, ptr, i32};
  if (gated)
    params.insert(params.end(), {ptr, ptr});
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context), params, false);
  llvm::Function *fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                              gated ? "snn.deliver_gated" : "snn.deliver", module);
  mark_noalias_pointers(fn);
  llvm::Argument *spiked = fn->getArg(0), *row_start = fn->getArg(1), *target = fn->getArg(2), *weight = fn->getArg(3),
                 *post = fn->getArg(4), *num_pre = fn->getArg(5);
  spiked->setName("spiked_pre");
  row_start->setName("row_start");
  target->setName("target");
  weight->setName("weight");
  post->setName("post");
  num_pre->setName("num_pre");
  llvm::Argument *counter = gated ? fn->getArg(6) : nullptr;
  llvm::Argument *spiked_post = gated ? fn->getArg(7) : nullptr;
  if (gated) {
    counter->setName("refractory_counter");
    spiked_post->setName("spiked_post");
  }

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", fn));
  emit_counted_loop(b, b.getInt64(0), b.CreateZExt(num_pre, i64), "pre", [&](llvm::Value *pre) {
    llvm::Value *fired = b.CreateICmpNE(b.CreateLoad(i8, b.CreateInBoundsGEP(i8, spiked, pre)), b.getInt8(0));
    auto *deliver = llvm::BasicBlock::Create(context, "deliver", fn);
    auto *next = llvm::BasicBlock::Create(context, "next", fn);
    b.CreateCondBr(fired, deliver, next);

    b.SetInsertPoint(deliver);
    llvm::Value *begin = b.CreateZExt(b.CreateLoad(i32, b.CreateInBoundsGEP(i32, row_start, pre)), i64, "begin");
    llvm::Value *end = b.CreateZExt(
        b.CreateLoad(i32, b.CreateInBoundsGEP(i32, row_start, b.CreateAdd(pre, b.getInt64(1)))), i64, "end");
    emit_counted_loop(b, begin, end, "synapse", [&](llvm::Value *s) {
      llvm::Value *post_neuron = b.CreateZExt(b.CreateLoad(i32, b.CreateInBoundsGEP(i32, target, s)), i64);
      llvm::Value *w = b.CreateLoad(real, b.CreateInBoundsGEP(real, weight, s));
      llvm::Value *slot = b.CreateInBoundsGEP(real, post, post_neuron);
      llvm::Value *old = b.CreateLoad(real, slot);
      llvm::Value *sum = b.CreateFAdd(old, w);
      if (gated) { // keep the old value where the target is refractory
        llvm::Value *left = b.CreateLoad(i32, b.CreateInBoundsGEP(i32, counter, post_neuron));
        llvm::Value *fired_post = b.CreateLoad(i8, b.CreateInBoundsGEP(i8, spiked_post, post_neuron));
        llvm::Value *open = b.CreateAnd(b.CreateICmpSLE(left, b.getInt32(0)), b.CreateICmpEQ(fired_post, b.getInt8(0)));
        sum = b.CreateSelect(open, sum, old);
      }
      b.CreateStore(sum, slot);
    });
    b.CreateBr(next);
    b.SetInsertPoint(next);
  });
  b.CreateRetVoid();
  return fn;
}

} // namespace snn::cpu
