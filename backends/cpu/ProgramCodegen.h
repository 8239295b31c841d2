//===- backends/cpu/ProgramCodegen.h - A Program as an LLVM module -*- C++ -*-===//
//
// The CPU backend's entry point: turns a lowered Program into an LLVM module
// that implements runtime/include/snn/model_abi.h. Each kernel becomes an
// internal function (KernelCodegen.h); each entry point an internal function
// `void(snn_state *, i64 step)` that reads the state once (buffers, batch,
// first example, the Philox key of the seed, t = step * dt) and calls its
// launches in order. The module defines one external symbol, `snn_model`,
// returning the constant descriptor (Descriptor.h).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "backends/cpu/CodegenOptions.h"

#include "lower/Program.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>

namespace snn::cpu {

/// Generates the model ABI for `program` in `context`. The module carries
/// the host triple and the data layout of `options.cpu`; it is verified, not
/// yet optimised (see optimize()). Throws ir::InternalError for a Program
/// that does not verify, or with the LLVM verifier's report.
std::unique_ptr<llvm::Module> build_module(const lower::Program &program, llvm::LLVMContext &context,
                                           const CodegenOptions &options);

} // namespace snn::cpu
