//===- ir/ReaderWorkflow.h - Reads printed workflow statements -*- C++ -*-===//
//
// Internal to the IR reader (ir/Reader.h): the statements of a train block
// that ir::to_string(const Workflow &, ...) writes (optimizer, schedule,
// warmup, clip_gradients, regularize, clamp_weights, dropout,
// early_stopping, checkpoint).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "ir/ReaderLexer.h"

namespace snn::ir::reader {

/// Reads the rest of the workflow statement that starts with `keyword`
/// into `w` and returns true; returns false (reading nothing) when
/// `keyword` starts no workflow statement. Reports the first error and
/// throws ReadFailure.
bool read_workflow_statement(TokenStream &in, const Token &keyword, const Module &m, Workflow &w);

} // namespace snn::ir::reader
