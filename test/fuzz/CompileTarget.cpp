//===- test/fuzz/CompileTarget.cpp - libFuzzer: source text to Program ---===//
//
// Compiles the input as a .snn file, front to back as far as the lowered
// Program (parse, check, passes, schedule), and stops at the first broken
// promise of the compiler:
//   - an exception escapes (InternalCompilerError is a compiler bug; any
//     other exception is one too, since user mistakes are diagnostics);
//   - an error is reported without a source location;
//   - a compile that failed reports no error, or one that succeeded yields
//     no lowered Program.
// Imports resolve against the source tree's stdlib (SNN_STDLIB_DIR).
//
//===----------------------------------------------------------------------===//
#include "snn/Compiler.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
[[noreturn]] void broken(const std::string &what, const std::string &details) {
  std::fprintf(stderr, "compile fuzz target: %s\n%s\n", what.c_str(), details.c_str());
  std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string source(reinterpret_cast<const char *>(data), size);
  snn::CompileOptions options;
  options.stdlib_dir = SNN_FUZZ_STDLIB_DIR;
  snn::Compilation compilation = snn::compile_source(source, "fuzz.snn", options);
  // The Program is scheduled on demand: lowered_text() runs lower/.
  std::string lowered = compilation.lowered_text();
  bool failed = false;
  for (const snn::Diagnostic &d : compilation.diagnostics()) {
    if (d.severity != snn::Severity::Error)
      continue;
    failed = true;
    if (!d.location.valid())
      broken("an error without a location", compilation.rendered_diagnostics());
  }
  if (!failed && lowered.empty())
    broken("no error and no lowered Program", compilation.rendered_diagnostics());
  if (failed && !lowered.empty())
    broken("errors and yet a lowered Program", compilation.rendered_diagnostics());
  return 0;
}
