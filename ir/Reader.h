//===- ir/Reader.h - Reads the printed model IR back -----------*- C++ -*-===//
//
// The inverse of ir::to_string(Module) (ir/Printer.h), as MLIR's `-x mlir`:
// a pass test can start from the IR it needs, and `snnc -x snnir` compiles
// a printed (or hand-edited) module. Reading what the printer wrote and
// printing it again gives the same bytes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "ir/Module.h"

#include <optional>
#include <string>

namespace snn::ir {

/// Parses `text` (the contents of `file`) as printed model IR. The module
/// comes back at the stage the text is at: a model with `discretized with M`
/// is discretised, one with `method M` and `ode` lines is not; a text with no
/// `param` lines, parameter overrides or `init` lines is marked
/// `params_resolved` (everything snnc prints is past resolve-params), so
/// the pipeline skips the passes that already ran (see passes/Pipeline.h).
/// Locations point into `file`: later diagnostics (a nonlinear model asked
/// for `method exact`) point at the IR line. Besides the printed form it
/// accepts `//` and `;` comments to the end of a line (`--print-after`
/// headers start with `;`) and blank lines.
/// Returns nothing after reporting the first error to `diags` (register
/// `text` with the diagnostics' SourceFiles first, for quoted lines).
std::optional<Module> read_module(const std::string &file, const std::string &text, diag::Diagnostics &diags);

/// Parses a dimension as Dimension::str() prints it ("1", "V", "V/s",
/// "kg*m^2*s^-3*A^-1"); nothing when `text` names no dimension.
std::optional<Dimension> parse_dimension(const std::string &text);

} // namespace snn::ir
