//===- snn/Diagnostic.h - Located messages about a .snn program -*- C++ -*-===//
//
// Part of the public API of libsnnc: plain data, no ANTLR or LLVM types.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace snn {

/// A position in a source file; line and column count from 1.
struct SourceLocation {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  unsigned length = 1; ///< characters underlined from `column`
  bool valid() const { return line > 0; }
};

enum class Severity { Error, Warning, Note };

/// One diagnostic: a declared kind (see diag/DiagnosticKinds.def), its
/// message, where it points, and notes such as "did you mean 'v'?".
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string kind;    ///< e.g. "unknown-name"
  std::string message; ///< e.g. "unknown name 'v_m'"
  SourceLocation location;
  std::string source_line; ///< the text of the line it points at (may be empty)
  std::vector<Diagnostic> notes;
};

/// Renders clang-style:
///   model.snn:12:7: error: unknown name 'v_m' [unknown-name]
///     dv/dt = -v_m / tau
///              ^~~
///   model.snn:12:7: note: did you mean 'v'?
std::string render(const Diagnostic &d);

} // namespace snn
