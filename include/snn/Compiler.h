//===- snn/Compiler.h - The snnc compiler as a library ---------*- C++ -*-===//
//
// libsnnc's public interface: compile a .snn file or string, read its
// diagnostics, print any stage, write an object file or an executable, or
// compile the model in process and run it through the runtime. No ANTLR,
// LLVM or CUDA types appear here.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "snn/Diagnostic.h"
#include "snn/model_abi.h"
#include "snn/runtime.h"

#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace snn {

/// The version of snnc, e.g. "0.1.0".
const char *version();

enum class Precision { Float, Double };

/// What the backend generates code for.
enum class Target {
  Cpu, ///< LLVM for the host CPU
  Cuda ///< CUDA C++ for NVIDIA GPUs, compiled by nvcc
};

/// How spikes reach their targets (one choice for every projection that
/// has both forms: delta synapses without delays).
enum class SpikeDelivery {
  Auto,         ///< by the cost model, per projection
  Presynaptic,  ///< each spiking neuron adds into its targets (atomics on a GPU)
  Postsynaptic, ///< each target gathers its spiking inputs in presynaptic order: deterministic on a GPU
};

/// How e-prop computes the gradient (one choice for the whole regime).
enum class EpropStrategyChoice {
  Auto,    ///< by the cost model
  Online,  ///< per-synapse eligibility traces updated every step
  Adjoint, ///< per-neuron records and a reverse-time pass after each example
};

/// What an input is written in.
enum class InputLanguage {
  Auto,  ///< by the file name: `.snnir` is model IR, anything else .snn source
  Snn,   ///< .snn source
  SnnIr, ///< model IR as `--emit=ir` prints it (`snnc -x snnir`)
};

struct CompileOptions {
  InputLanguage language = InputLanguage::Auto;
  /// Extra folders searched by `import` (after the importing file's own).
  std::vector<std::string> import_paths;
  /// Where `import std.*` is found; empty: $SNN_STDLIB_DIR, else the
  /// installed share/snnc/stdlib (located relative to libsnnc), or in the
  /// build tree the stdlib/ of the source tree.
  std::string stdlib_dir;
  int opt_level = 2;                      ///< 0..3
  Precision precision = Precision::Float; ///< of state variables and arithmetic
  std::string cpu = "x86-64-v3";          ///< LLVM CPU name, or "native"
  Target target = Target::Cpu;
  /// cuda target: the GPU architectures the executable carries code for,
  /// comma-separated sm_NN (an `a` or `f` suffix for architecture-specific
  /// code); the lowest also as PTX, which later GPUs compile at the first
  /// run. The default runs on every GPU that CUDA 13 supports.
  std::string cuda_arch = "sm_75,sm_80,sm_90";
  /// cuda target: compile the printed CUDA as host C++ and link the
  /// emulated device, to test the kernels without a GPU (slow; tests only).
  bool cuda_host_emulation = false;
  SpikeDelivery spike_delivery = SpikeDelivery::Auto;
  EpropStrategyChoice eprop_strategy = EpropStrategyChoice::Auto;
  std::vector<std::string> print_after; ///< pass names: print the IR after each
  bool print_after_all = false;
  /// Time every stage of the compile (see Compilation::timing_report);
  /// also prints nothing by itself.
  bool time_passes = false;
  std::ostream *log = nullptr; ///< printed IR and timings; null: std::cerr
};

/// A model compiled in process (ORC JIT); valid while this object lives.
class JitModel {
public:
  virtual ~JitModel() = default;
  /// The model's description and entry points, as an object file exports them.
  virtual const snn_model_desc &model() const = 0;
  /// Runs the model to completion through the runtime (see snn/runtime.h).
  rt::RunResult run(const rt::RunOptions &options) const { return rt::run(model(), options); }
  /// A fresh simulation to step and inspect.
  rt::Simulation simulation(uint64_t seed) const { return rt::Simulation(model(), seed); }
};

/// One compilation: the source through the frontend and the pass pipeline.
/// Later stages (LLVM IR, object, executable, JIT) are produced on demand.
class Compilation {
public:
  Compilation(Compilation &&) noexcept;
  Compilation &operator=(Compilation &&) noexcept;
  ~Compilation();

  /// True when no error was reported so far.
  bool ok() const;
  /// Errors, warnings and their notes, in the order found.
  const std::vector<Diagnostic> &diagnostics() const;
  /// All diagnostics rendered clang-style.
  std::string rendered_diagnostics() const;

  /// The AST (empty when the file did not parse, or the input is IR).
  std::string ast_text() const;
  /// The IR after the pipeline (empty after errors).
  std::string ir_text() const;
  /// The lowered Program (kernels, buffers with their bytes, entry points);
  /// empty after errors (reported as diagnostics).
  std::string lowered_text();
  /// The memory every buffer of the lowered Program takes for the model's
  /// batch, and the total; empty after errors.
  std::string memory_text();
  /// The generated code: optimised LLVM IR for the CPU target, CUDA C++ for
  /// the CUDA target; empty after errors (reported as diagnostics).
  std::string llvm_ir_text();
  /// The CUDA target's PTX (nvcc -ptx); empty after errors, and for the
  /// CPU target (an `emit-needs-target` error).
  std::string ptx_text();
  /// Writes the network as a NIR graph (HDF5, docs/nir.md), its weights
  /// from `weights_file` (an .npz that --weights-out wrote; empty: the
  /// model's own); false after errors (reported as diagnostics).
  bool write_nir(const std::string &path, const std::string &weights_file = "");
  /// Writes an object file implementing model_abi.h; false after errors.
  bool write_object(const std::string &path);
  /// Writes an executable: the object linked with the runtime; false after errors.
  bool write_executable(const std::string &path);
  /// Compiles in process; null after errors.
  std::unique_ptr<JitModel> jit();
  /// (stage, wall seconds) of every stage run so far, in order: read, parse,
  /// check, each pass, schedule, codegen, optimize, object, link.
  const std::vector<std::pair<std::string, double>> &timings() const;
  /// The timings as a table with percentages and a total.
  std::string timing_report() const;

  struct Impl;

private:
  friend Compilation compile_source(const std::string &, const std::string &, const CompileOptions &);
  friend Compilation compile_file(const std::string &, const CompileOptions &);
  explicit Compilation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Whether `name` is read as model IR under `options` (see InputLanguage).
bool reads_ir(const std::string &name, const CompileOptions &options);

/// Compiles the file at `path`. An unreadable file is an error diagnostic.
Compilation compile_file(const std::string &path, const CompileOptions &options = {});
/// Compiles `source`, named `name` in diagnostics.
Compilation compile_source(const std::string &source, const std::string &name, const CompileOptions &options = {});

/// Names of the passes, in pipeline order (for --print-after).
std::vector<std::string> pass_names();

/// Thrown for compiler bugs (never for mistakes in the input).
class InternalCompilerError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

} // namespace snn
