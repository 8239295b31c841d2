//===- backends/cpu/Jit.h - Running a model in process with ORC -*- C++ -*-===//
#pragma once

#include "backends/cpu/CodegenOptions.h"

#include "snn/model_abi.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>

namespace llvm::orc {
class LLJIT;
}

namespace snn::cpu {

/// A model compiled in process by ORC's LLJIT. It owns the JIT, hence the
/// generated code and the descriptor, so both live as long as the JitModel.
class JitModel {
public:
  /// Optimises `module` (from build_module, in `context`) at
  /// `options.opt_level` for `options.cpu`, compiles it and resolves
  /// `snn_model`. Generated code may call the C math library (e.g. tanh),
  /// which is found in the host process. The CPU must be one the host can
  /// run ("native" always is). Returns null and sets `error` on failure;
  /// throws ir::InternalError when `module` does not verify.
  static std::unique_ptr<JitModel> create(std::unique_ptr<llvm::Module> module,
                                          std::unique_ptr<llvm::LLVMContext> context, const CodegenOptions &options,
                                          std::string &error);

  ~JitModel();
  JitModel(const JitModel &) = delete;
  JitModel &operator=(const JitModel &) = delete;

  /// The model's descriptor, as `snn_model()` returns it.
  const snn_model_desc *model() const { return model_; }

private:
  JitModel(std::unique_ptr<llvm::orc::LLJIT> jit, const snn_model_desc *model);

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  const snn_model_desc *model_;
};

} // namespace snn::cpu
