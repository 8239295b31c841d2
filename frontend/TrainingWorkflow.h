//===- frontend/TrainingWorkflow.h - The workflow of a train regime -*- C++ -*-===//
//
// Lowers what a train regime says beyond the gradient into ir::Workflow:
// the settings `optimizer`, `schedule` and `warmup`, and the statements
// `regularize`, `clip_gradients`, `clamp_weights`, `dropout`,
// `early_stopping`, `checkpoint every ... to "..."` and `freeze a -> b`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

#include <map>
#include <string>

namespace snn::frontend {

/// Lowers the workflow of `decl` into `t.workflow` (and `freeze` into the
/// projections of `m`). `settings` are the regime's settings by name; `t`
/// already holds the data, splits and readout, against which monitored
/// metrics are checked. Reports every mistake where it was written.
void lower_workflow(const ast::TrainDecl &decl, const std::map<std::string, const ast::Setting *> &settings,
                    ir::Module &m, ir::Training &t, diag::Diagnostics &diags, const FunctionTable *functions);

/// The statement keywords of the workflow (`regularize`, `checkpoint`, ...).
const std::vector<std::string> &workflow_statements();

} // namespace snn::frontend
