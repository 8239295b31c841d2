//===- passes/Pass.h - What every pass is handed ---------------*- C++ -*-===//
#pragma once

#include "ir/Module.h"
#include "snn/Diagnostic.h"

#include <string>
#include <vector>

namespace snn::passes {

/// Where passes report user mistakes they find (e.g. an exact integration
/// asked of a nonlinear model). A pass that reports an error returns false.
struct PassContext {
  std::vector<Diagnostic> diagnostics;
  void error(const std::string &kind, const SourceLocation &loc, const std::string &message,
             const std::string &note = "");
};

} // namespace snn::passes
