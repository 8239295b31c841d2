//===- TargetSetup.h - Target machines for the CPU backend ------*- C++ -*-===//
#pragma once

#include "backends/cpu/CodegenOptions.h"

#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace snn::cpu {

/// Registers the host (x86-64) target, its assembly printer and parser with
/// LLVM; idempotent and thread safe.
void initialize_native_target();

/// The codegen optimisation level matching -O`opt_level` (clamped to 0..3).
llvm::CodeGenOptLevel codegen_opt_level(int opt_level);

/// A target machine for the host triple and `options.cpu` (position
/// independent code, no fast-math). Returns null and sets `error` when the
/// target or the CPU name is unknown.
std::unique_ptr<llvm::TargetMachine> create_target_machine(const CodegenOptions &options, std::string &error);

} // namespace snn::cpu
