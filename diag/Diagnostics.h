//===- diag/Diagnostics.h - Reporting declared diagnostics -----*- C++ -*-===//
//
// The sink every layer reports to: a diagnostic is a DiagKind, a location and
// the arguments of the kind's format string, never a message built by the
// caller.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/DiagnosticKind.h"
#include "snn/Diagnostic.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snn::diag {

/// The text of loaded source files, for quoting lines in diagnostics.
class SourceFiles {
public:
  /// Registers `text` under `name`; returns a stable reference.
  const std::string &add(const std::string &name, std::string text);
  /// The line `line` (from 1) of `file`, without its newline.
  std::string line_text(const std::string &file, unsigned line) const;
  /// Just after the last character of `file` that is not white space (1:1
  /// for an empty or unknown file): where something missing would be added.
  SourceLocation end_of(const std::string &file) const;

private:
  std::map<std::string, std::unique_ptr<std::string>> files_;
};

/// Collects diagnostics in emission order, each with its source line.
class Diagnostics {
public:
  explicit Diagnostics(const SourceFiles &sources) : sources_(sources) {}

  /// Emits an error or warning of `kind`; `args` fill its format string.
  template <typename... Args> Diagnostic &report(DiagKind kind, const SourceLocation &loc, const Args &...args) {
    return emit(make_diagnostic(kind, loc, args...));
  }
  /// Attaches a note of `kind` to the last diagnostic.
  template <typename... Args> void note(DiagKind kind, const SourceLocation &loc, const Args &...args) {
    add_note(make_diagnostic(kind, loc, args...));
  }
  /// Records `name` as defined at `loc`; if `seen` already has it, reports a
  /// duplicate definition of `what` with a note at the first one and
  /// returns false.
  bool define_once(std::map<std::string, SourceLocation> &seen, const std::string &name, const SourceLocation &loc,
                   const std::string &what);
  /// Adds "did you mean 'x'?" when a candidate is close to `name`.
  void suggest(const std::string &name, const std::vector<std::string> &candidates, const SourceLocation &loc);

  bool has_errors() const { return errors_ > 0; }
  unsigned error_count() const { return errors_; }
  const std::vector<Diagnostic> &all() const { return diags_; }

private:
  Diagnostic &emit(Diagnostic d);
  void add_note(Diagnostic n);

  const SourceFiles &sources_;
  std::vector<Diagnostic> diags_;
  unsigned errors_ = 0;
};

/// The closest candidate by edit distance, or "" when none is close enough.
std::string closest_name(const std::string &name, const std::vector<std::string> &candidates);

} // namespace snn::diag
