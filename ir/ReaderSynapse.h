//===- ir/ReaderSynapse.h - Reads a printed synapse model back -*- C++ -*-===//
//
// Internal to the IR reader (ir/Reader.h): the `synapse NAME { ... }` block
// that ir/Printer.cpp writes for a synapse model.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "ir/ReaderLexer.h"

#include <map>
#include <string>

namespace snn::ir::reader {

/// Reads a synapse block at the cursor (at `synapse`) into `m.synapses`;
/// its name must be new among `model_names` (neuron and synapse models),
/// where it is then defined. Reports the first error and throws ReadFailure.
void read_synapse(TokenStream &in, Module &m, std::map<std::string, SourceLocation> &model_names);

} // namespace snn::ir::reader
