//===- ir/ReaderTraining.h - Reads a printed train regime back -*- C++ -*-===//
//
// Internal to the IR reader (ir/Reader.h): the `train NET with eprop { ... }`
// block that ir/Printer.cpp writes for a regime with a Training.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "ir/ReaderLexer.h"

namespace snn::ir::reader {

/// Reads a train block at the cursor (at `train`) into `m.regime` and sets
/// `m.has_regime`. The network must have been read (`network_loc` valid);
/// the regime's populations and readout variable must exist in it. Reports
/// the first error and throws ReadFailure.
void read_training(TokenStream &in, Module &m, const SourceLocation &network_loc);

/// Reads a record at the cursor (after `record`): spikes(POP[B:E:S]) or
/// POP.STATE([B:E:S]), then optionally `to "FILE"` and `on example N`.
Record read_record(TokenStream &in, const Module &m);

} // namespace snn::ir::reader
