//===- ModelCodegen.h - A network as an LLVM module -------------*- C++ -*-===//
//
// The CPU backend's entry point: turns a lowered ir::Module into an LLVM
// module that implements runtime/include/snn/model_abi.h. The module defines
// one external symbol, `snn_model`, which returns a constant descriptor
// pointing at the internal `init` and `step` functions.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "backends/cpu/CodegenOptions.h"

#include "ir/Module.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>

namespace snn::cpu {

/// Generates the model ABI for `source` in `context`: reals are float, or
/// double with `options.double_precision`; the module carries the host
/// triple and the data layout of `options.cpu`. The module is verified, not
/// yet optimised (see optimize()).
///
/// Preconditions (the pass pipeline's output): every population names a
/// discretised model specialised to it (no parameters, no `dt`, no
/// population overrides or inits left). Throws ir::InternalError, with a
/// message naming the offending model, population or variable, for IR it
/// cannot compile, and with the verifier's report if the result does not
/// verify.
std::unique_ptr<llvm::Module> build_module(const ir::Module &source, llvm::LLVMContext &context,
                                           const CodegenOptions &options);

} // namespace snn::cpu
