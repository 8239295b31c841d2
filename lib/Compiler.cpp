//===- lib/Compiler.cpp - The snnc compiler as a library ------------------===//
#include "snn/Compiler.h"

#include "backends/cpu/Jit.h"
#include "backends/cpu/ModelCodegen.h"
#include "backends/cpu/ObjectEmitter.h"
#include "backends/cpu/Optimizer.h"
#include "backends/cpu/TargetSetup.h"
#include "diag/Diagnostics.h"
#include "frontend/Frontend.h"
#include "ir/Printer.h"
#include "lib/ExecutableLinker.h"
#include "lib/LargeStack.h"
#include "passes/Pipeline.h"

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
      stdlib = env && *env ? env : SNN_STDLIB_DIR;
    }
    paths.push_back(stdlib);
    return paths;
  }

  void compile(const std::string &name, const std::string &text) {
    main_file = name;
    run_on_large_stack([&] {
      try {
        frontend::Frontend fe(sources, diags, import_paths());
        ast = fe.parse(name, text);
        if (ast && !diags.has_errors())
          module = fe.lower(*ast);
        if (!module || diags.has_errors()) {
          module.reset();
          failed = true;
          return;
        }
        passes::PipelineOptions popts;
        popts.print_after.insert(options.print_after.begin(), options.print_after.end());
        popts.print_after_all = options.print_after_all;
        popts.time_passes = options.time_passes;
        popts.log = options.log ? options.log : &std::cerr;
        passes::PassContext ctx(diags);
        if (!passes::run_pipeline(*module, popts, ctx)) {
          module.reset();
          failed = true;
        }
      } catch (const ir::InternalError &e) {
        throw InternalCompilerError(e.what());
      }
    });
  }

  cpu::CodegenOptions codegen_options() const {
    cpu::CodegenOptions c;
    c.double_precision = options.precision == Precision::Double;
    c.opt_level = options.opt_level;
    c.cpu = options.cpu;
    return c;
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
    return true;
  }

  /// Builds and optimises the LLVM module; null after reporting an error.
  std::unique_ptr<llvm::Module> build_llvm(llvm::LLVMContext &context, std::unique_ptr<llvm::TargetMachine> &tm) {
    if (!need_runnable_module())
      return nullptr;
    std::string error;
    tm = cpu::create_target_machine(codegen_options(), error);
    if (!tm) {
      fail(DiagKind::unknown_cpu, SourceLocation{}, options.cpu, error);
      return nullptr;
    }
    std::unique_ptr<llvm::Module> mod;
    run_on_large_stack([&] { // code generation recurses over expression trees
      try {
        mod = cpu::build_module(*module, context, codegen_options());
        mod->setDataLayout(tm->createDataLayout());
        mod->setTargetTriple(tm->getTargetTriple().str());
        cpu::optimize(*mod, *tm, options.opt_level);
      } catch (const ir::InternalError &e) {
        throw InternalCompilerError(e.what());
      }
    });
    return mod;
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

std::string Compilation::llvm_ir_text() {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::TargetMachine> tm;
  auto mod = impl_->build_llvm(context, tm);
  if (!mod)
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  mod->print(os, nullptr);
  os.flush();
  return text;
}

bool Compilation::write_object(const std::string &path) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::TargetMachine> tm;
  auto mod = impl_->build_llvm(context, tm);
  if (!mod)
    return false;
  std::string error;
  if (!cpu::write_object(*mod, *tm, path, error)) {
    impl_->fail(DiagKind::object_emission_failed, SourceLocation{}, error);
    return false;
  }
  return true;
}

bool Compilation::write_executable(const std::string &path) {
  char obj[] = "/tmp/snnc-XXXXXX.o";
  int fd = mkstemps(obj, 2);
  if (fd < 0) {
    impl_->fail(DiagKind::temporary_file_error, SourceLocation{}, std::strerror(errno));
    return false;
  }
  close(fd);
  bool ok = write_object(obj);
  if (ok) {
    std::string error;
    ok = link_executable(obj, path, error);
    if (!ok)
      impl_->fail(DiagKind::output_error, SourceLocation{}, path, error);
  }
  unlink(obj);
  return ok;
}

namespace {
class CpuJitModel : public JitModel {
public:
  explicit CpuJitModel(std::unique_ptr<cpu::JitModel> jit) : jit_(std::move(jit)) {}
  const snn_model_desc &model() const override { return *jit_->model(); }

private:
  std::unique_ptr<cpu::JitModel> jit_;
};
} // namespace

std::unique_ptr<JitModel> Compilation::jit() {
  if (!impl_->need_runnable_module())
    return nullptr;
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> mod;
  run_on_large_stack([&] {
    try {
      mod = cpu::build_module(*impl_->module, *context, impl_->codegen_options());
    } catch (const ir::InternalError &e) {
      throw InternalCompilerError(e.what());
    }
  });
  std::string error;
  auto jit = cpu::JitModel::create(std::move(mod), std::move(context), impl_->codegen_options(), error);
  if (!jit) {
    impl_->fail(DiagKind::jit_failed, SourceLocation{}, error);
    return nullptr;
  }
  return std::make_unique<CpuJitModel>(std::move(jit));
}

Compilation compile_source(const std::string &source, const std::string &name, const CompileOptions &options) {
  auto impl = std::make_unique<Compilation::Impl>();
  impl->options = options;
  impl->compile(name, source);
  return Compilation(std::move(impl));
}

Compilation compile_file(const std::string &path, const CompileOptions &options) {
  auto failed = [&](DiagKind kind, const auto &...args) {
    auto impl = std::make_unique<Compilation::Impl>();
    impl->options = options;
    impl->fail(kind, SourceLocation{}, path, args...);
    return Compilation(std::move(impl));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return failed(DiagKind::file_not_found, std::strerror(errno));
  // Read at most kMaxSourceBytes + 1: a device such as /dev/zero never ends.
  constexpr std::size_t kMaxSourceBytes = 64u << 20;
  std::string text(kMaxSourceBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSourceBytes)
    return failed(DiagKind::input_too_large, kMaxSourceBytes >> 20);
  return compile_source(text, path, options);
}

} // namespace snn
