//===- backends/cpu/KernelCodegen.h - One lowered kernel in LLVM -*- C++ -*-===//
//
// Translates one lower::Kernel into an internal LLVM function: the domain
// becomes counted loops (examples outside, neurons inside, so the neuron loop
// is the one the vectoriser sees), statements become IR, model-IR
// expressions go through ExprCodegen, Philox blocks through Philox.h. No
// semantics are decided here; the Program has decided them.
//
// The function's parameters are the kernel's parameters in order (a buffer
// is a noalias pointer unless another parameter may name the same buffer; a
// scalar is an i64 or i32), followed by the built-ins of lower/Program.h:
// batch (i64), first_example (i64), key.0 and key.1 (i32), step (i64) and
// t (real).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"

namespace snn::cpu {

/// The built-in locals, in the order they follow a kernel's own parameters.
const std::vector<std::string> &kernel_builtins();

/// The LLVM type of a lowered value type; `real` is float or double.
llvm::Type *llvm_type(lower::Type type, llvm::Type *real);

/// Defines kernel `kernel` of `program` in `module` as an internal function
/// named "snn.<kernel name>". Throws ir::InternalError for a kernel the
/// Program verifier should have rejected.
llvm::Function *build_kernel(llvm::Module &module, const lower::Program &program, const lower::Kernel &kernel);

} // namespace snn::cpu
