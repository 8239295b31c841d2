//===- test/unit/passes/TestCompile.h - .snn text to an ir::Module -*- C++ -*-===//
//
// Runs the frontend (and optionally the pass pipeline) on source text, so a
// pass test can start from a few lines of .snn instead of hand-built IR.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/Frontend.h"
#include "ir/Module.h"
#include "passes/Pipeline.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace snn::test {

struct Compiled {
  std::optional<ir::Module> module;    ///< absent after frontend or pass errors
  std::vector<Diagnostic> diagnostics; ///< the frontend's, then the passes'
  std::string rendered;                ///< all diagnostics rendered clang-style
};

/// Parses and lowers `source` (named "test.snn"); with `run_passes`, runs the
/// whole pipeline too. Diagnostics carry their source lines.
inline Compiled compile(const std::string &source, bool run_passes = true) {
  diag::SourceFiles sources;
  diag::Diagnostics diags(sources);
  frontend::Frontend fe(sources, diags, {});
  Compiled out;
  auto ast = fe.parse("test.snn", source);
  std::optional<ir::Module> m;
  if (ast)
    m = fe.lower(*ast);
  if (m && run_passes) {
    passes::PassContext ctx(diags);
    if (!passes::run_pipeline(*m, {}, ctx))
      m.reset();
  }
  out.diagnostics = diags.all();
  out.module = std::move(m);
  for (const auto &d : out.diagnostics)
    out.rendered += render(d);
  return out;
}

/// A PassContext with a sink of its own, for running passes on a module
/// built without one.
struct PassHarness {
  diag::SourceFiles sources;
  diag::Diagnostics diags{sources};
  passes::PassContext ctx{diags};
};

/// Compiles `source`, which must succeed, and returns the module.
inline ir::Module compile_ok(const std::string &source, bool run_passes = true) {
  Compiled c = compile(source, run_passes);
  EXPECT_TRUE(c.module.has_value()) << c.rendered;
  return c.module ? std::move(*c.module) : ir::Module();
}

/// The expression assigned to `state` in `as`, or null.
inline ir::Expr assigned(const std::vector<ir::Assignment> &as, const std::string &state) {
  for (const auto &a : as)
    if (a.state == state)
      return a.value;
  return {};
}

} // namespace snn::test
