//===- backends/Backend.h - The seam between lower/ and a target -*- C++ -*-===//
//
// A backend translates a lowered Program into code for one target. It reads
// nothing but the Program: every semantic decision (phase order, layout,
// random counters, gating) was made by lower/. The driver picks one with
// --target; the rest of the compiler sees only this interface, which names
// no LLVM or CUDA types.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/StageTimes.h"
#include "lower/Program.h"

#include "snn/model_abi.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace snn::backends {

enum class Target { Cpu, Cuda };
const char *name_of(Target target);
/// The target called `name` ("cpu", "cuda"), if any.
std::optional<Target> parse_target(std::string_view name);

struct BackendOptions {
  bool double_precision = false; ///< must match the Program's real type
  int opt_level = 2;             ///< 0..3, as clang's -O0..-O3
  std::string cpu = "x86-64-v3"; ///< LLVM CPU name, or "native" (cpu target)
};

/// A mistake of the user's the backend cannot serve: a target not available
/// in this build, an unknown CPU, an unwritable output. The message is
/// complete ("cannot generate code for CPU 'foo': ...").
class BackendError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Generated code loaded into this process; the descriptor lives as long
/// as this object.
class LoadedModel {
public:
  virtual ~LoadedModel() = default;
  virtual const snn_model_desc &model() const = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual Target target() const = 0;
  /// The optimised generated code as text (LLVM IR for the CPU).
  virtual std::string code_text(const lower::Program &program, StageTimes &times) = 0;
  /// Writes an object file implementing snn/model_abi.h, atomically.
  virtual void write_object(const lower::Program &program, const std::string &path, StageTimes &times) = 0;
  /// Compiles the Program into this process.
  virtual std::unique_ptr<LoadedModel> load(const lower::Program &program, StageTimes &times) = 0;
};

/// The backend for `target`. Throws BackendError when the target is not
/// available (today: cuda) or `options` are not valid for it.
std::unique_ptr<Backend> make_backend(Target target, const BackendOptions &options);

} // namespace snn::backends
