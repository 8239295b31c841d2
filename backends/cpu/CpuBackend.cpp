//===- backends/cpu/CpuBackend.cpp - The CPU target -----------------------===//
#include "backends/cpu/CpuBackend.h"

#include "backends/cpu/Jit.h"
#include "backends/cpu/ObjectEmitter.h"
#include "backends/cpu/Optimizer.h"
#include "backends/cpu/ProgramCodegen.h"
#include "backends/cpu/TargetSetup.h"

#include "llvm/Support/raw_ostream.h"

namespace snn::cpu {

namespace {

class CpuLoadedModel : public backends::LoadedModel {
public:
  explicit CpuLoadedModel(std::unique_ptr<JitModel> jit) : jit_(std::move(jit)) {}
  const snn_model_desc &model() const override { return *jit_->model(); }

private:
  std::unique_ptr<JitModel> jit_;
};

class CpuBackend : public backends::Backend {
public:
  CpuBackend(const backends::BackendOptions &options, std::unique_ptr<llvm::TargetMachine> machine)
      : machine_(std::move(machine)) {
    options_.double_precision = options.double_precision;
    options_.opt_level = options.opt_level;
    options_.cpu = options.cpu;
  }

  backends::Target target() const override { return backends::Target::Cpu; }

  std::string code_text(const lower::Program &program, StageTimes &times) override {
    llvm::LLVMContext context;
    auto module = build(program, context, times);
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, nullptr);
    os.flush();
    return text;
  }

  std::string assembly_text(const lower::Program &, StageTimes &) override {
    throw backends::BackendError(backends::BackendError::Reason::TargetUnavailable,
                                 "assembly text is printed for --target=cuda (PTX) only");
  }

  void write_object(const lower::Program &program, const std::string &path, StageTimes &times) override {
    llvm::LLVMContext context;
    auto module = build(program, context, times);
    std::string error;
    bool ok = times.time("object", [&] { return cpu::write_object(*module, *machine_, path, error); });
    if (!ok)
      throw backends::BackendError(backends::BackendError::Reason::ObjectEmission, error);
  }

  std::unique_ptr<backends::LoadedModel> load(const lower::Program &program, StageTimes &times) override {
    auto context = std::make_unique<llvm::LLVMContext>();
    std::unique_ptr<llvm::Module> module =
        times.time("codegen", [&] { return build_module(program, *context, options_); });
    std::string error;
    auto jit =
        times.time("jit", [&] { return JitModel::create(std::move(module), std::move(context), options_, error); });
    if (!jit)
      throw backends::BackendError(backends::BackendError::Reason::Load, error);
    return std::make_unique<CpuLoadedModel>(std::move(jit));
  }

private:
  /// The optimised module of `program`.
  std::unique_ptr<llvm::Module> build(const lower::Program &program, llvm::LLVMContext &context, StageTimes &times) {
    std::unique_ptr<llvm::Module> module = times.time("codegen", [&] {
      auto m = build_module(program, context, options_);
      m->setDataLayout(machine_->createDataLayout());
      m->setTargetTriple(machine_->getTargetTriple().str());
      return m;
    });
    times.time("optimize", [&] { optimize(*module, *machine_, options_.opt_level); });
    return module;
  }

  CodegenOptions options_;
  std::unique_ptr<llvm::TargetMachine> machine_;
};

} // namespace

std::unique_ptr<backends::Backend> make_cpu_backend(const backends::BackendOptions &options) {
  CodegenOptions codegen;
  codegen.double_precision = options.double_precision;
  codegen.opt_level = options.opt_level;
  codegen.cpu = options.cpu;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = create_target_machine(codegen, error);
  if (!machine)
    throw backends::BackendError(backends::BackendError::Reason::UnknownCpu, error);
  return std::make_unique<CpuBackend>(options, std::move(machine));
}

} // namespace snn::cpu
