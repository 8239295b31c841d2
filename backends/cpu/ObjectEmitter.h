//===- backends/cpu/ObjectEmitter.h - Writing object files ------*- C++ -*-===//
#pragma once

#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <string>

namespace snn::cpu {

/// Compiles `module` with `machine` into a relocatable object file at
/// `path`. The file appears atomically: the object is written to a temporary
/// file beside `path` and renamed over it, so a failed or interrupted build
/// never leaves a truncated object behind. Code generation changes `module`
/// (it prepares the IR for instruction selection), so emit a module once.
/// Returns false and sets `error` on failure.
bool write_object(llvm::Module &module, llvm::TargetMachine &machine, const std::string &path, std::string &error);

} // namespace snn::cpu
