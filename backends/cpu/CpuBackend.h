//===- backends/cpu/CpuBackend.h - The CPU target ---------------*- C++ -*-===//
#pragma once

#include "backends/Backend.h"

namespace snn::cpu {

/// The CPU backend: Program -> LLVM IR (ProgramCodegen) -> optimised ->
/// object file or ORC JIT. Throws backends::BackendError for a CPU name LLVM
/// does not know.
std::unique_ptr<backends::Backend> make_cpu_backend(const backends::BackendOptions &options);

} // namespace snn::cpu
