//===- frontend/OutputPaths.h - Output paths checked at compile time -*- C++ -*-===//
//
// A recording or checkpoint path that can only fail when the model runs is
// reported when it is compiled, at the string that names it:
//   - a recording "to" a directory (".", "..", "out/", or an existing
//     directory) is an error: recordings are files;
//   - a checkpoint directory that exists as a file is an error (one that
//     does not exist is created by the run);
//   - a parent directory that does not exist is a warning, since the run may
//     start elsewhere, or after it is created. Relative paths are judged
//     from the compiler's working directory, where the executable runs by
//     default.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"

#include <string>

namespace snn::frontend {

/// Checks `path`, the file of a `record ... to` at `loc`; false after an error.
bool check_recording_path(const std::string &path, const SourceLocation &loc, diag::Diagnostics &diags);

/// Checks `path`, the directory of a `checkpoint ... to` at `loc`; false
/// after an error.
bool check_checkpoint_directory(const std::string &path, const SourceLocation &loc, diag::Diagnostics &diags);

} // namespace snn::frontend
