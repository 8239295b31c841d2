//===- backends/cpu/Descriptor.h - The constant snn_model_desc --*- C++ -*-===//
#pragma once

#include "lower/Program.h"

#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

#include <vector>

namespace snn::cpu {

/// Defines the private constant global `snn.model_desc` of type
/// snn_model_desc (model ABI version 2) describing `program`: its buffers,
/// populations, projections, records, stimuli and regime settings, and its
/// entry points, `entries[k]` being the function of program.entries[k].
/// Strings and arrays are private constant globals; empty arrays are null.
/// `device` is the model's snn_device_desc (null for the CPU).
llvm::GlobalVariable *build_descriptor(llvm::Module &module, const lower::Program &program,
                                       const std::vector<llvm::Function *> &entries, llvm::Constant *device = nullptr);

/// Defines `const snn_model_desc *snn_model(void)` returning `desc`: the
/// one symbol a model object exports.
void define_model_function(llvm::Module &module, llvm::GlobalVariable *desc);

} // namespace snn::cpu
