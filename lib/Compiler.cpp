//===- lib/Compiler.cpp - The snnc compiler as a library ------------------===//
#include "snn/Compiler.h"

#include "backends/cpu/Jit.h"
#include "backends/cpu/ModelCodegen.h"
#include "backends/cpu/ObjectEmitter.h"
#include "backends/cpu/Optimizer.h"
#include "backends/cpu/TargetSetup.h"
#include "frontend/Frontend.h"
#include "ir/Printer.h"
#include "ir/Reader.h"
#include "lib/ExecutableLinker.h"
#include "lib/LargeStack.h"
#include "passes/Pipeline.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace snn {

const char *version() { return SNN_VERSION; }

std::vector<std::string> pass_names() {
  std::vector<std::string> out;
  for (const auto &p : passes::pipeline())
    out.push_back(p.name);
  return out;
}

struct Compilation::Impl {
  CompileOptions options;
  frontend::SourceFiles sources;
  frontend::Diagnostics diags{sources};
  std::vector<Diagnostic> extra;  ///< from passes and backends, after diags.all()
  std::vector<Diagnostic> all;    ///< diags.all() + extra, rebuilt on change
  std::unique_ptr<ast::File> ast; ///< kept for ast_text(), printed on demand
  std::optional<ir::Module> module;
  bool failed = false;

  void refresh() {
    all = diags.all();
    all.insert(all.end(), extra.begin(), extra.end());
  }
  std::string main_file;

  void fail(const std::string &kind, const std::string &message, const std::string &file = "", unsigned line = 0) {
    Diagnostic d;
    d.kind = kind;
    d.message = message;
    d.location.file = file;
    d.location.line = line;
    d.location.column = line ? 1 : 0;
    d.source_line = sources.line_text(file, line);
    extra.push_back(std::move(d));
    failed = true;
    refresh();
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

  /// Reads a .snn source into `module`; false after errors.
  bool read_source(const std::string &name, const std::string &text) {
    frontend::Frontend fe(sources, diags, import_paths());
    ast = fe.parse(name, text);
    if (ast && !diags.has_errors())
      module = fe.lower(*ast);
    return module && !diags.has_errors();
  }

  /// Reads printed IR into `module`; false after errors. The module enters
  /// the pipeline at its start, where the passes that already ran skip it
  /// (see passes/Pipeline.h).
  bool read_ir(const std::string &name, const std::string &text) {
    module = ir::read_module(name, sources.add(name, text), diags);
    return module.has_value();
  }

  void compile(const std::string &name, const std::string &text) {
    main_file = name;
    run_on_large_stack([&] {
      try {
        if (!(reads_ir(name, options) ? read_ir(name, text) : read_source(name, text))) {
          module.reset();
          failed = true;
          return;
        }
        passes::PipelineOptions popts;
        popts.print_after.insert(options.print_after.begin(), options.print_after.end());
        popts.print_after_all = options.print_after_all;
        popts.time_passes = options.time_passes;
        popts.log = options.log ? options.log : &std::cerr;
        passes::PassContext ctx;
        bool ok = passes::run_pipeline(*module, popts, ctx);
        for (auto &d : ctx.diagnostics) {
          d.source_line = sources.line_text(d.location.file, d.location.line);
          for (auto &n : d.notes)
            n.source_line = sources.line_text(n.location.file, n.location.line);
          extra.push_back(std::move(d));
        }
        if (!ok) {
          module.reset();
          failed = true;
        }
      } catch (const ir::InternalError &e) {
        throw InternalCompilerError(e.what());
      }
    });
    refresh();
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
    if (!module->has_regime) {
      fail("missing-network", "nothing to run: the file needs a network and a 'simulate' block", main_file, 1);
      return false;
    }
    if (module->network.populations.empty()) {
      fail("missing-network", "nothing to run: network '" + module->network.name + "' has no populations", main_file,
           1);
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
      fail("invalid-value", "cannot generate code for CPU '" + options.cpu + "': " + error);
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
const std::vector<Diagnostic> &Compilation::diagnostics() const { return impl_->all; }

std::string Compilation::rendered_diagnostics() const {
  std::string out;
  for (const auto &d : impl_->all)
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
    impl_->fail("output-error", error, path);
    return false;
  }
  return true;
}

bool Compilation::write_executable(const std::string &path) {
  char obj[] = "/tmp/snnc-XXXXXX.o";
  int fd = mkstemps(obj, 2);
  if (fd < 0) {
    impl_->fail("output-error", "cannot create a temporary object file");
    return false;
  }
  close(fd);
  bool ok = write_object(obj);
  if (ok) {
    std::string error;
    ok = link_executable(obj, path, error);
    if (!ok)
      impl_->fail("output-error", error, path);
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
    impl_->fail("invalid-value", "cannot compile in process: " + error);
    return nullptr;
  }
  return std::make_unique<CpuJitModel>(std::move(jit));
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

Compilation compile_file(const std::string &path, const CompileOptions &options) {
  auto failed = [&](const std::string &message) {
    auto impl = std::make_unique<Compilation::Impl>();
    impl->options = options;
    impl->fail("file-not-found", message);
    return Compilation(std::move(impl));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return failed("cannot open '" + path + "'");
  // Read at most kMaxSourceBytes + 1: a device such as /dev/zero never ends.
  constexpr std::size_t kMaxSourceBytes = 64u << 20;
  std::string text(kMaxSourceBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSourceBytes)
    return failed("cannot read '" + path + "': larger than 64 MiB");
  return compile_source(text, path, options);
}

} // namespace snn
