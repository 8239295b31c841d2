//===- passes/Pass.cpp - What every pass is handed ------------------------===//
#include "passes/Pass.h"

namespace snn::passes {

void PassContext::error(const std::string &kind, const SourceLocation &loc, const std::string &message,
                        const std::string &note) {
  Diagnostic d;
  d.severity = Severity::Error;
  d.kind = kind;
  d.message = message;
  d.location = loc;
  if (!note.empty()) {
    Diagnostic n;
    n.severity = Severity::Note;
    n.kind = "context";
    n.message = note;
    n.location = loc;
    d.notes.push_back(std::move(n));
  }
  diagnostics.push_back(std::move(d));
}

} // namespace snn::passes
