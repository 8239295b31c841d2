//===- frontend/NetworkLowering.h - Network and regime to IR ---*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

namespace snn::frontend {

/// Checks the network (populations, their model arguments and sizes,
/// projections, connectivity, weights) against the models already in
/// `module`, and fills `module.network`. Returns false after errors.
/// `functions` holds the user functions and `let` constants in scope.
bool lower_network(const ast::NetworkDecl &decl, ir::Module &module, diag::Diagnostics &diags,
                   const FunctionTable *functions);

/// The `record ... on example N` statements of a train regime, into
/// module.regime.records (the network must be lowered).
void lower_training_records(const std::vector<ast::RecordDecl> &records, ir::Module &module, diag::Diagnostics &diags,
                            const FunctionTable *functions);

/// Checks a `simulate` block against `module.network` and fills
/// `module.regime` (and regime init overrides into the populations).
/// Relative stimulus paths are resolved against `source_dir`.
bool lower_simulation(const ast::SimulateDecl &decl, const std::string &source_dir, ir::Module &module,
                      diag::Diagnostics &diags, const FunctionTable *functions);

} // namespace snn::frontend
