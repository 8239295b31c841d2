//===- backends/cpu/ProgramCodegen.cpp - A Program as an LLVM module ------===//
#include "backends/cpu/ProgramCodegen.h"

#include "backends/cpu/AbiTypes.h"
#include "backends/cpu/Descriptor.h"
#include "backends/cpu/KernelCodegen.h"
#include "backends/cpu/Optimizer.h"
#include "backends/cpu/Philox.h"
#include "backends/cpu/TargetSetup.h"

#include "lower/Verifier.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/TargetParser/Host.h"

namespace snn::cpu {

namespace {

/// Emits the entry points: each reads the state once and calls its
/// launches in order.
class EntryEmitter {
public:
  EntryEmitter(llvm::Module &module, const lower::Program &program, const std::vector<llvm::Function *> &kernels)
      : module_(module), p_(program), kernels_(kernels), types_(AbiTypes::get(module.getContext())),
        b_(module.getContext()) {
    real_ = program.real == lower::ElemType::F64 ? b_.getDoubleTy() : b_.getFloatTy();
  }

  llvm::Function *build(const lower::EntryPoint &entry) {
    auto *type = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), b_.getInt64Ty()}, false);
    auto *fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, "snn.entry." + entry.name, module_);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::Value *state = fn->getArg(0);
    llvm::Value *step = fn->getArg(1);
    state->setName("state");
    step->setName("step");
    b_.SetInsertPoint(llvm::BasicBlock::Create(module_.getContext(), "entry", fn));

    buffers_ = field(state, StateBuffers, b_.getPtrTy(), "buffers");
    llvm::Value *batch =
        b_.CreateZExt(field(state, StateBatch, b_.getInt32Ty(), "batch.u32"), b_.getInt64Ty(), "batch");
    llvm::Value *first = field(state, StateFirstExample, b_.getInt64Ty(), "first_example");
    PhiloxKey key = emit_philox_key(b_, field(state, StateSeed, b_.getInt64Ty(), "seed"));
    // t = step * dt in double, then rounded once to the real type, so long
    // runs do not accumulate rounding in t.
    llvm::Value *t =
        b_.CreateFMul(b_.CreateUIToFP(step, b_.getDoubleTy()), llvm::ConstantFP::get(b_.getDoubleTy(), p_.dt));
    t = b_.CreateFPTrunc(t, real_, "t");
    builtins_ = {batch, first, key[0], key[1], step, t};

    for (const lower::Launch &launch : entry.launches)
      call(launch);
    b_.CreateRetVoid();
    return fn;
  }

private:
  llvm::Value *field(llvm::Value *state, unsigned index, llvm::Type *type, const llvm::Twine &name) {
    return b_.CreateLoad(type, b_.CreateStructGEP(types_.state, state, index), name);
  }

  void call(const lower::Launch &launch) {
    ir::internal_check(launch.kernel >= 0 && size_t(launch.kernel) < kernels_.size(), "launch of an unknown kernel");
    const lower::Kernel &kernel = p_.kernels[launch.kernel];
    llvm::Function *fn = kernels_[launch.kernel];
    std::vector<llvm::Value *> args;
    for (size_t k = 0; k < kernel.params.size(); ++k) {
      const lower::Param &param = kernel.params[k];
      const lower::Argument &arg = launch.args[k];
      if (param.kind == lower::Param::Kind::Buffer) {
        llvm::Value *slot = b_.CreateConstInBoundsGEP1_64(b_.getPtrTy(), buffers_, uint64_t(arg.buffer));
        args.push_back(b_.CreateLoad(b_.getPtrTy(), slot, p_.buffers[arg.buffer].name));
      } else {
        args.push_back(llvm::ConstantInt::get(llvm_type(param.type, real_), uint64_t(arg.scalar), true));
      }
    }
    args.insert(args.end(), builtins_.begin(), builtins_.end());
    b_.CreateCall(fn, args);
  }

  llvm::Module &module_;
  const lower::Program &p_;
  const std::vector<llvm::Function *> &kernels_;
  AbiTypes types_;
  llvm::IRBuilder<> b_;
  llvm::Type *real_;
  llvm::Value *buffers_ = nullptr;
  std::vector<llvm::Value *> builtins_;
};

} // namespace

std::unique_ptr<llvm::Module> build_module(const lower::Program &program, llvm::LLVMContext &context,
                                           const CodegenOptions &options) {
  std::vector<std::string> problems = lower::verify(program);
  ir::internal_check(problems.empty(), "the CPU backend was given an invalid Program: " +
                                           (problems.empty() ? std::string() : problems.front()));
  std::string name = program.name.empty() ? "snn_model" : program.name;
  auto module = std::make_unique<llvm::Module>(name, context);
  module->setTargetTriple(llvm::sys::getDefaultTargetTriple());
  // The data layout comes from the target machine; an unknown CPU is the
  // caller's error to report when it creates its own machine, so it is not
  // an internal error here.
  std::string error;
  if (auto machine = create_target_machine(options, error))
    module->setDataLayout(machine->createDataLayout());

  std::vector<llvm::Function *> kernels;
  for (const lower::Kernel &kernel : program.kernels)
    kernels.push_back(build_kernel(*module, program, kernel));
  EntryEmitter emitter(*module, program, kernels);
  std::vector<llvm::Function *> entries;
  for (const lower::EntryPoint &entry : program.entries)
    entries.push_back(emitter.build(entry));
  llvm::GlobalVariable *desc = build_descriptor(*module, program, entries);

  define_model_function(*module, desc);

  verify_or_throw(*module);
  return module;
}

} // namespace snn::cpu
