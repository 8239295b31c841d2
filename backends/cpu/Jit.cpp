//===- backends/cpu/Jit.cpp - Running a model in process with ORC ---------===//
#include "backends/cpu/Jit.h"

#include "backends/cpu/Optimizer.h"
#include "backends/cpu/TargetSetup.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/Support/Error.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace snn::cpu {

JitModel::JitModel(std::unique_ptr<llvm::orc::LLJIT> jit, const snn_model_desc *model)
    : jit_(std::move(jit)), model_(model) {}

JitModel::~JitModel() = default;

std::unique_ptr<JitModel> JitModel::create(std::unique_ptr<llvm::Module> module,
                                           std::unique_ptr<llvm::LLVMContext> context, const CodegenOptions &options,
                                           std::string &error) {
  initialize_native_target();
  // One description of the target for both the IR optimiser and the JIT's
  // code generator, so the vectoriser's costs match the emitted code.
  std::unique_ptr<llvm::TargetMachine> machine = create_target_machine(options, error);
  if (!machine)
    return nullptr;
  llvm::orc::JITTargetMachineBuilder target(machine->getTargetTriple());
  target.setCPU(machine->getTargetCPU().str());
  llvm::SubtargetFeatures features(machine->getTargetFeatureString());
  target.addFeatures(features.getFeatures());
  target.setCodeGenOptLevel(codegen_opt_level(options.opt_level));
  target.setRelocationModel(llvm::Reloc::PIC_);

  module->setDataLayout(machine->createDataLayout());
  optimize(*module, *machine, options.opt_level);

  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(target)).create();
  if (!jit) {
    error = "cannot create the JIT: " + llvm::toString(jit.takeError());
    return nullptr;
  }
  // Math functions that have no instruction (exp, log, tanh, ...) become
  // libm calls; resolve them, and memset/memcpy, from the host process.
  auto host = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess((*jit)->getDataLayout().getGlobalPrefix());
  if (!host) {
    error = "cannot search the host process for symbols: " + llvm::toString(host.takeError());
    return nullptr;
  }
  (*jit)->getMainJITDylib().addGenerator(std::move(*host));

  if (llvm::Error e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    error = "cannot add the model to the JIT: " + llvm::toString(std::move(e));
    return nullptr;
  }
  auto symbol = (*jit)->lookup("snn_model");
  if (!symbol) {
    error = "cannot compile the model: " + llvm::toString(symbol.takeError());
    return nullptr;
  }
  auto *entry = symbol->toPtr<const snn_model_desc *(*)()>();
  const snn_model_desc *model = entry();
  return std::unique_ptr<JitModel>(new JitModel(std::move(*jit), model));
}

} // namespace snn::cpu
