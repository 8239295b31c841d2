//===- lib/Compiler.cpp - The snnc compiler as a library ------------------===//
#include "snn/Compiler.h"

#include "backends/Backend.h"
#include "diag/Diagnostics.h"
#include "frontend/Frontend.h"
#include "ir/Printer.h"
#include "ir/Reader.h"
#include "lib/ExecutableLinker.h"
#include "lib/LargeStack.h"
#include "lib/NirExport.h"
#include "lib/Resources.h"
#include "lib/Toolchain.h"
#include "lower/Printer.h"
#include "lower/Schedule.h"
#include "passes/Pipeline.h"
#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include <fmt/format.h>

#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace snn {

using diag::DiagKind;

const char *version() { return SNN_VERSION; }

std::vector<std::string> pass_names() {
  std::vector<std::string> out;
  for (const auto &p : passes::pipeline())
    out.push_back(p.name);
  return out;
}

struct Compilation::Impl {
  CompileOptions options;
  diag::SourceFiles sources;
  diag::Diagnostics diags{sources}; ///< every layer's: frontend, passes, code generation
  std::unique_ptr<ast::File> ast;   ///< kept for ast_text(), printed on demand
  std::optional<ir::Module> module;
  std::optional<ir::Module> checked;     ///< `module` before the passes (for write_nir)
  std::optional<lower::Program> program; ///< scheduled on first need
  StageTimes times;
  bool failed = false;
  std::string main_file;

  /// Reports an error of `kind` and marks the compilation failed.
  template <typename... Args> void fail(DiagKind kind, const SourceLocation &loc, const Args &...args) {
    diags.report(kind, loc, args...);
    failed = true;
  }

  std::vector<std::string> import_paths() const {
    std::vector<std::string> paths = options.import_paths;
    std::string stdlib = options.stdlib_dir;
    if (stdlib.empty()) {
      const char *env = std::getenv("SNN_STDLIB_DIR");
      stdlib = env && *env ? env : resources().stdlib_dir;
    }
    paths.push_back(stdlib);
    return paths;
  }

  /// Parses and checks a .snn source into `module`; false after errors.
  bool parse_source(const std::string &name, const std::string &text) {
    frontend::Frontend fe(sources, diags, import_paths());
    ast = times.time("parse", [&] { return fe.parse(name, text); });
    if (ast && !diags.has_errors())
      module = times.time("check", [&] { return fe.lower(*ast); });
    return module && !diags.has_errors();
  }

  /// Reads printed IR into `module`; false after errors. The module enters
  /// the pipeline at its start, where the passes that already ran skip it
  /// (see passes/Pipeline.h).
  bool read_ir(const std::string &name, const std::string &text) {
    module = times.time("parse-ir", [&] { return ir::read_module(name, sources.add(name, text), diags); });
    return module.has_value();
  }

  void compile(const std::string &name, const std::string &text) {
    main_file = name;
    run_on_large_stack([&] {
      try {
        if (!(reads_ir(name, options) ? read_ir(name, text) : parse_source(name, text))) {
          module.reset();
          failed = true;
          return;
        }
        checked = *module;
        passes::PipelineOptions popts;
        popts.print_after.insert(options.print_after.begin(), options.print_after.end());
        popts.print_after_all = options.print_after_all;
        popts.log = options.log ? options.log : &std::cerr;
        popts.times = &times;
        passes::PassContext ctx(diags);
        ctx.gpu = options.target == Target::Cuda;
        ctx.real_bytes = options.precision == Precision::Double ? 8 : 4;
        ctx.postsynaptic_delivery = options.spike_delivery == SpikeDelivery::Postsynaptic;
        if (!passes::run_pipeline(*module, popts, ctx)) {
          module.reset();
          failed = true;
        }
      } catch (const ir::InternalError &e) {
        throw InternalCompilerError(e.what());
      }
    });
  }

  backends::BackendOptions backend_options() const {
    backends::BackendOptions b;
    b.double_precision = options.precision == Precision::Double;
    b.opt_level = options.opt_level;
    b.cpu = options.cpu;
    b.cuda_arch = options.cuda_arch;
    b.cuda_host_emulation = options.cuda_host_emulation;
    if (options.target == Target::Cuda) { // the CPU target links through link_executable alone
      b.nvcc = toolchain().nvcc;
      b.nvcc_missing = toolchain().cuda_missing;
      b.host_compiler = toolchain().cxx;
    }
    b.runtime_include = resources().runtime_include_dir;
    return b;
  }
  bool need_runnable_module() {
    if (!module)
      return false;
    const ir::Network &net = module->network;
    if (net.name.empty()) { // where a network would be added
      fail(DiagKind::missing_network, sources.end_of(main_file));
      return false;
    }
    if (!module->has_regime) {
      fail(DiagKind::missing_simulate, net.loc, net.name);
      diags.note(DiagKind::note_add_simulate, net.loc, net.name);
      return false;
    }
    if (net.populations.empty()) {
      fail(DiagKind::empty_network, net.loc, net.name);
      return false;
    }
    if (module->regime.training && module->regime.training->bptt &&
        options.eprop_strategy == EpropStrategyChoice::Online) {
      fail(DiagKind::bptt_needs_adjoint, module->regime.training->loc);
      return false;
    }
    if (module->regime.training && options.eprop_strategy == EpropStrategyChoice::Adjoint) {
      std::string why = lower::adjoint_unsupported(*module->regime.training);
      if (!why.empty()) {
        fail(DiagKind::eprop_adjoint_unsupported, module->regime.training->loc, why);
        return false;
      }
    }
    return true;
  }
  /// The scheduled Program; null after reporting an error.
  const lower::Program *need_program() {
    if (program)
      return &*program;
    if (!need_runnable_module())
      return nullptr;
    run_on_large_stack([&] {
      try {
        lower::ScheduleOptions so;
        so.double_precision = options.precision == Precision::Double;
        so.parallel_device = options.target == Target::Cuda;
        so.delivery = options.spike_delivery == SpikeDelivery::Presynaptic    ? lower::DeliveryChoice::Presynaptic
                      : options.spike_delivery == SpikeDelivery::Postsynaptic ? lower::DeliveryChoice::Postsynaptic
                                                                              : lower::DeliveryChoice::Auto;
        so.eprop = options.eprop_strategy == EpropStrategyChoice::Online    ? lower::EpropChoice::Online
                   : options.eprop_strategy == EpropStrategyChoice::Adjoint ? lower::EpropChoice::Adjoint
                                                                            : lower::EpropChoice::Auto;
        program = times.time("schedule", [&] { return lower::schedule(*module, so); });
      } catch (const ir::InternalError &e) {
        throw InternalCompilerError(e.what());
      }
    });
    return &*program;
  }
  /// The backend of options.target; null after reporting an error.
  std::unique_ptr<backends::Backend> need_backend() {
    backends::Target target = options.target == Target::Cuda ? backends::Target::Cuda : backends::Target::Cpu;
    try {
      return backends::make_backend(target, backend_options());
    } catch (const backends::BackendError &e) {
      fail_backend(e);
      return nullptr;
    }
  }
  /// Runs `body(backend, program)` on the large stack (code generation
  /// recurses over expression trees); false after reporting an error.
  template <typename F> bool with_backend(F &&body) {
    const lower::Program *p = need_program();
    if (!p)
      return false;
    std::unique_ptr<backends::Backend> backend = need_backend();
    if (!backend)
      return false;
    std::optional<backends::BackendError> error;
    run_on_large_stack([&] {
      try {
        body(*backend, *p);
      } catch (const backends::BackendError &e) {
        error = e;
      } catch (const ir::InternalError &e) {
        throw InternalCompilerError(e.what());
      }
    });
    if (error)
      fail_backend(*error);
    return !error;
  }
  /// Reports what a backend could not do, as the kind its reason names.
  void fail_backend(const backends::BackendError &e) {
    switch (e.reason()) {
    case backends::BackendError::Reason::TargetUnavailable:
      throw InternalCompilerError("target unavailable: " + e.detail());
    case backends::BackendError::Reason::Toolchain:
      fail(DiagKind::toolchain_failed, SourceLocation{}, e.detail());
      return;
    case backends::BackendError::Reason::UnknownCpu:
      fail(DiagKind::unknown_cpu, SourceLocation{}, options.cpu, e.detail());
      return;
    case backends::BackendError::Reason::UnknownCudaArch:
      fail(DiagKind::unknown_option_value, SourceLocation{}, "CUDA architecture", e.detail(),
           "a comma-separated list of sm_NN, e.g. sm_80 or sm_80,sm_90");
      return;
    case backends::BackendError::Reason::ObjectEmission:
      fail(DiagKind::object_emission_failed, SourceLocation{}, e.detail());
      return;
    case backends::BackendError::Reason::Load:
      fail(DiagKind::jit_failed, SourceLocation{}, e.detail());
      return;
    }
  }
};

Compilation::Compilation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Compilation::Compilation(Compilation &&) noexcept = default;
Compilation &Compilation::operator=(Compilation &&) noexcept = default;
Compilation::~Compilation() = default;

bool Compilation::ok() const { return !impl_->failed; }
const std::vector<Diagnostic> &Compilation::diagnostics() const { return impl_->diags.all(); }

std::string Compilation::rendered_diagnostics() const {
  std::string out;
  for (const auto &d : impl_->diags.all())
    out += render(d);
  return out;
}

std::string Compilation::ast_text() const {
  if (!impl_->ast)
    return "";
  std::string text;
  run_on_large_stack([&] { text = ast::dump(*impl_->ast); });
  return text;
}
std::string Compilation::ir_text() const {
  if (!impl_->module)
    return "";
  std::string text;
  run_on_large_stack([&] { text = ir::to_string(*impl_->module); });
  return text;
}

std::string Compilation::lowered_text() {
  const lower::Program *p = impl_->need_program();
  return p ? lower::to_string(*p) : "";
}

std::string Compilation::memory_text() {
  const lower::Program *p = impl_->need_program();
  return p ? lower::memory_report(*p, p->batch) : "";
}

std::string Compilation::llvm_ir_text() {
  std::string text;
  impl_->with_backend([&](backends::Backend &b, const lower::Program &p) { text = b.code_text(p, impl_->times); });
  return text;
}

std::string Compilation::ptx_text() {
  if (impl_->options.target != Target::Cuda) { // PTX is the CUDA target's assembly
    impl_->fail(DiagKind::emit_needs_target, SourceLocation{}, "PTX (Compilation::ptx_text)", "cuda");
    return "";
  }
  std::string text;
  impl_->with_backend([&](backends::Backend &b, const lower::Program &p) { text = b.assembly_text(p, impl_->times); });
  return text;
}

bool Compilation::write_nir(const std::string &path, const std::string &weights_file) {
  if (!impl_->module || !impl_->checked)
    return false;
  if (!snn::write_nir(*impl_->checked, path, weights_file, impl_->diags)) {
    impl_->failed = true;
    return false;
  }
  return true;
}

bool Compilation::write_object(const std::string &path) {
  return impl_->with_backend(
      [&](backends::Backend &b, const lower::Program &p) { b.write_object(p, path, impl_->times); });
}

bool Compilation::write_executable(const std::string &path) {
  TemporaryFile marked;
  std::string obj;
  int fd = marked.create("snnc", ".o", obj);
  if (fd < 0) {
    impl_->fail(DiagKind::temporary_file_error, SourceLocation{}, std::strerror(errno));
    return false;
  }
  close(fd);
  bool ok = write_object(obj);
  if (ok) {
    std::string error;
    std::vector<std::string> device;
    if (impl_->options.target == Target::Cuda)
      device = impl_->options.cuda_host_emulation ? resources().cuda_emulation_libs : resources().cuda_libs;
    ok = impl_->times.time("link", [&] { return link_executable(obj, path, device, error); });
    if (!ok)
      impl_->fail(DiagKind::output_error, SourceLocation{}, path, error);
  }
  unlink(obj.c_str());
  return ok;
}

namespace {

class LoadedJitModel : public JitModel {
public:
  explicit LoadedJitModel(std::unique_ptr<backends::LoadedModel> loaded) : loaded_(std::move(loaded)) {}
  const snn_model_desc &model() const override { return loaded_->model(); }

private:
  std::unique_ptr<backends::LoadedModel> loaded_;
};

} // namespace

std::unique_ptr<JitModel> Compilation::jit() {
  std::unique_ptr<backends::LoadedModel> loaded;
  if (!impl_->with_backend([&](backends::Backend &b, const lower::Program &p) { loaded = b.load(p, impl_->times); }))
    return nullptr;
  return std::make_unique<LoadedJitModel>(std::move(loaded));
}

const std::vector<std::pair<std::string, double>> &Compilation::timings() const { return impl_->times.entries(); }

std::string Compilation::timing_report() const {
  double total = 0;
  for (const auto &entry : impl_->times.entries())
    total += entry.second;
  std::string out = "===- compile timing (wall) -===\n";
  for (const auto &[stage, seconds] : impl_->times.entries())
    out += fmt::format("  {:10.6f} s  {:5.1f}%  {}\n", seconds, total > 0 ? 100 * seconds / total : 0.0, stage);
  out += fmt::format("  {:10.6f} s  total\n", total);
  return out;
}

bool reads_ir(const std::string &name, const CompileOptions &options) {
  if (options.language != InputLanguage::Auto)
    return options.language == InputLanguage::SnnIr;
  const std::string ext = ".snnir";
  return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
}

Compilation compile_source(const std::string &source, const std::string &name, const CompileOptions &options) {
  auto impl = std::make_unique<Compilation::Impl>();
  impl->options = options;
  impl->compile(name, source);
  return Compilation(std::move(impl));
}

namespace {

constexpr std::size_t kMaxSourceBytes = 64u << 20;

struct ReadFailure {
  bool too_large = false;
  std::string reason; ///< strerror of a file that cannot be opened
};

/// Reads the whole file at `path` into `text`. Reads what the file holds,
/// not a fixed-size buffer (zero-filling 64 MiB cost 0.3 s of CPU on every
/// compile), and stops past kMaxSourceBytes so that a device such as
/// /dev/zero, which never ends, is an error rather than a hang.
std::optional<ReadFailure> read_source(const std::string &path, std::string &text) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return ReadFailure{false, std::strerror(errno)};
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSourceBytes)
      return ReadFailure{true, ""};
  }
  return std::nullopt;
}

} // namespace

Compilation compile_file(const std::string &path, const CompileOptions &options) {
  auto impl = std::make_unique<Compilation::Impl>();
  impl->options = options;
  std::string text;
  std::optional<ReadFailure> failure = impl->times.time("read", [&] { return read_source(path, text); });
  if (failure && failure->too_large)
    impl->fail(DiagKind::input_too_large, SourceLocation{}, path, kMaxSourceBytes >> 20);
  else if (failure)
    impl->fail(DiagKind::file_not_found, SourceLocation{}, path, failure->reason);
  else
    impl->compile(path, text);
  return Compilation(std::move(impl));
}

} // namespace snn
