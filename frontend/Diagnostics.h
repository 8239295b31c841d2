//===- frontend/Diagnostics.h - Emitting declared diagnostics --*- C++ -*-===//
#pragma once

#include "snn/Diagnostic.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snn::frontend {

/// Every diagnostic kind, from DiagnosticKinds.def.
enum class DiagKind {
#define DIAGNOSTIC(Id, Sev, Fmt) Id,
#include "frontend/DiagnosticKinds.def"
#undef DIAGNOSTIC
};

/// The kind's name as shown to users, e.g. "unknown-name".
std::string kind_name(DiagKind kind);
/// All kinds, in declaration order (for the coverage test).
std::vector<std::string> all_kind_names();

/// The text of loaded source files, for quoting lines in diagnostics.
class SourceFiles {
public:
  /// Registers `text` under `name`; returns a stable reference.
  const std::string &add(const std::string &name, std::string text);
  /// The line `line` (from 1) of `file`, without its newline.
  std::string line_text(const std::string &file, unsigned line) const;

private:
  std::map<std::string, std::unique_ptr<std::string>> files_;
};

/// Collects diagnostics in emission order.
class Diagnostics {
public:
  explicit Diagnostics(const SourceFiles &sources) : sources_(sources) {}

  /// Emits a diagnostic of `kind` (its severity comes from DiagnosticKinds.def).
  template <typename... Args> Diagnostic &report(DiagKind kind, const SourceLocation &loc, Args &&...args) {
    return emit(kind, loc, format(kind, {fmt::format("{}", std::forward<Args>(args))...}));
  }
  /// Attaches a note to the last diagnostic.
  template <typename... Args> void note(DiagKind kind, const SourceLocation &loc, Args &&...args) {
    add_note(kind, loc, format(kind, {fmt::format("{}", std::forward<Args>(args))...}));
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
  static std::string format(DiagKind kind, const std::vector<std::string> &args);
  Diagnostic &emit(DiagKind kind, const SourceLocation &loc, std::string message);
  void add_note(DiagKind kind, const SourceLocation &loc, std::string message);

  const SourceFiles &sources_;
  std::vector<Diagnostic> diags_;
  unsigned errors_ = 0;
};

/// The closest candidate by edit distance, or "" when none is close enough.
std::string closest_name(const std::string &name, const std::vector<std::string> &candidates);

} // namespace snn::frontend
