//===- Optimizer.h - The LLVM optimisation pipeline -------------*- C++ -*-===//
#pragma once

#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace snn::cpu {

/// Runs LLVM's default -O`opt_level` pipeline (0..3) with the new pass
/// manager over `module`, with `machine`'s target transform info so that the
/// loop and SLP vectorisers see the real vector widths and costs. Adopts the
/// machine's triple and data layout when `module` has none. Throws
/// ir::InternalError when `module` does not verify or `opt_level` is out of
/// range.
void optimize(llvm::Module &module, llvm::TargetMachine &machine, int opt_level);

/// Throws ir::InternalError carrying the verifier's report when `module` is
/// not well formed.
void verify_or_throw(const llvm::Module &module);

} // namespace snn::cpu
