//===- frontend/TrainingLowering.h - A train regime to the IR --*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

namespace snn::frontend {

/// Checks a `train NET with eprop { ... }` block against `module.network`
/// (already lowered) and fills `module.regime`: dt (1 ms unless set), seed,
/// batch (32 unless set), duration = timesteps * dt, and `regime.training`
/// (data sets, splits, timesteps, epochs, the input population that reads
/// stimulus(), readout, loss, optimizer, feedback; defaults as in
/// docs/training.md). Data paths are kept as written. Returns false after
/// errors.
bool lower_training(const ast::TrainDecl &decl, ir::Module &module, diag::Diagnostics &diags,
                    const FunctionTable *functions);

} // namespace snn::frontend
