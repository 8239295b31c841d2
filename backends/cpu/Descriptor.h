//===- backends/cpu/Descriptor.h - The constant snn_model_desc --*- C++ -*-===//
#pragma once

#include "backends/cpu/NeuronKernels.h"

#include "ir/Module.h"

#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

#include <vector>

namespace snn::cpu {

/// The index of `projection`'s target among the post model's state
/// variables (TargetKind::State) or inputs (TargetKind::Input). Throws
/// ir::InternalError when the post population or the target does not exist.
uint32_t projection_target_index(const ir::Module &source, const ir::Projection &projection);

/// Defines the private constant global `snn.model_desc` of type
/// snn_model_desc describing `source` (populations in `plans` order, with
/// their state variables, inputs and buffer indices; projections; records;
/// stimuli; the regime's dt, duration and seed), pointing at `init` and
/// `step`. Strings and arrays are private constant globals; empty arrays are
/// null. Throws ir::InternalError for names that do not resolve.
llvm::GlobalVariable *build_descriptor(llvm::Module &module, const ir::Module &source,
                                       const std::vector<PopulationPlan> &plans, llvm::Function *init,
                                       llvm::Function *step, bool double_precision);

} // namespace snn::cpu
