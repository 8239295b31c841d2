//===- tools/snnc/main.cpp - The snnc command-line driver -----------------===//
//
// A thin client of libsnnc: parses clang-style options, compiles, prints
// diagnostics, and writes what --emit asks for. Exit codes: 0 ok, 1 errors
// in the input or the command line, 70 internal compiler error.
//
//===----------------------------------------------------------------------===//
#include "diag/DiagnosticKind.h"
#include "snn/Compiler.h"
#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace {

const char *kUsage = R"(usage: snnc [options] FILE.snn

Compiles a spiking neural network model into an executable that simulates it.

options:
  -o PATH              output file (default: FILE without .snn, FILE.nir.h5
                       for --emit=nir; stdout for
                       --emit=ast|ir|lowered|memory|llvm|cuda|ptx)
  -x LANG              read the input as LANG: snn (source) or snnir (model
                       IR as --emit=ir prints it); default: snnir for a
                       .snnir file, else snn
  --emit=KIND          ast | ir | lowered | memory | llvm | cuda | ptx | obj |
                       exe | nir (default: exe); llvm is the cpu target's
                       code, cuda (CUDA C++) and ptx the cuda target's; nir
                       the network as a NIR graph (HDF5, docs/nir.md)
  --weights=FILE       --emit=nir: the weights, an .npz that the
                       executable's --weights-out wrote
  --target=T           code generation target: cpu (default) or cuda (NVIDIA
                       GPUs: CUDA C++ compiled by nvcc)
  --cuda-arch=SM       cuda target: the GPU architecture nvcc compiles for
                       (default: sm_90, H100/H200; e.g. sm_80 for A100)
  --spike-delivery=S   auto (default: a cost model per projection),
                       presynaptic (spiking neurons add into their targets;
                       on a GPU with atomics, so sums may change order), or
                       postsynaptic (targets gather their inputs in
                       presynaptic order: deterministic on a GPU, the same
                       sums as the CPU bit for bit)
  --eprop-strategy=S   auto (default: the cost model's choice), online
                       (eligibility traces per synapse, every step) or
                       adjoint (per-neuron records, a reverse-time pass
                       after each example, event-driven gradients; not for
                       max and spike-count readouts); --emit=lowered shows
                       the choice
  --cuda-host-emulation
                       cuda target: run the printed kernels on the host CPU,
                       thread by thread, instead of on a GPU (for testing
                       the CUDA code on machines without one; slow)
  -O0 -O1 -O2 -O3      optimisation level (default: -O2)
  --cpu=NAME           LLVM CPU to generate code for (default: x86-64-v3;
                       'native' for this machine)
  --precision=P        float | double: type of state and arithmetic (default: float)
  -I DIR               add DIR to the import search path
  --print-after=PASS   print the IR after PASS (repeatable)
  --print-after-all    print the IR after every pass
  --time-passes        print how long each stage of the compile took (read,
                       parse, check, each pass, schedule, codegen, object, link)
  --run                compile in process (JIT) and run the simulation
  --version            print the version and exit
  --help               print this help and exit

passes, in order:)";

using snn::diag::DiagKind;

/// Prints a diagnostic that belongs to no source file, clang-style:
/// "snnc: error: no input file [no-input-file]".
template <typename... Args> void report(DiagKind kind, const Args &...args) {
  std::cerr << "snnc: " << snn::render(snn::diag::make_diagnostic(kind, snn::SourceLocation{}, args...));
}

/// A mistake on the command line: the diagnostic and a usage hint; exit 1.
template <typename... Args> int usage_error(DiagKind kind, const Args &...args) {
  report(kind, args...);
  std::cerr << "run 'snnc --help' for usage\n";
  return 1;
}

/// A file the command line names cannot be read or written: no usage hint.
template <typename... Args> int file_error(DiagKind kind, const Args &...args) {
  report(kind, args...);
  return 1;
}

/// Writes `text` to `path` (stdout for "" or "-") through a temporary file,
/// so a failed write leaves no partial output; `error` says why it failed.
bool write_text(const std::string &text, const std::string &path, std::string &error) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return true;
  }
  snn::OutputPlan plan = snn::plan_output(path);
  snn::TemporaryFile marked(plan.temporary);
  std::string tmp = plan.temporary.empty() ? plan.target : plan.temporary;
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) {
      error = std::strerror(errno);
      return false;
    }
    if (!(out << text) || !(out.flush())) {
      error = "write failed";
      out.close();
      if (!plan.temporary.empty())
        std::remove(tmp.c_str());
      return false;
    }
  }
  if (!plan.temporary.empty() && std::rename(tmp.c_str(), plan.target.c_str()) != 0) {
    error = std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

/// Writes or reports: false after printing why `path` cannot be written.
bool write_or_report(const std::string &text, const std::string &path) {
  std::string error;
  if (write_text(text, path, error))
    return true;
  file_error(DiagKind::output_error, path, error);
  return false;
}

std::string default_output(const std::string &input) {
  std::string base = input.substr(input.find_last_of('/') + 1);
  for (std::string ext : {".snn", ".snnir"})
    if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
      base.resize(base.size() - ext.size());
      break;
    }
  if (base.empty() || base == input.substr(input.find_last_of('/') + 1))
    base = "a.out";
  return base;
}

int run(int argc, char **argv) {
  snn::CompileOptions options;
  std::string input, output, emit = "exe", weights;
  bool run_jit = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto value_of = [&](size_t &i, const std::string &flag) -> std::optional<std::string> {
    const std::string &a = args[i];
    if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0)
      return a.substr(flag.size() + 1);
    if (a == flag && i + 1 < args.size())
      return args[++i];
    return std::nullopt;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    std::optional<std::string> v;
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      for (const auto &p : snn::pass_names())
        std::cout << ' ' << p;
      std::cout << '\n';
      return 0;
    } else if (a == "--version") {
      std::cout << "snnc version " << snn::version() << '\n';
      return 0;
    } else if (a == "-o") {
      if (i + 1 >= args.size())
        return usage_error(DiagKind::missing_option_value, "-o", "a file name");
      output = args[++i];
    } else if (a.rfind("-O", 0) == 0 && a.size() == 3 && a[2] >= '0' && a[2] <= '3') {
      options.opt_level = a[2] - '0';
    } else if (a == "-I") {
      if (i + 1 >= args.size())
        return usage_error(DiagKind::missing_option_value, "-I", "a directory");
      options.import_paths.push_back(args[++i]);
    } else if (a.rfind("-I", 0) == 0 && a.size() > 2) {
      options.import_paths.push_back(a.substr(2));
    } else if (a == "-x" || (a.rfind("-x", 0) == 0 && a.size() > 2)) {
      if (a == "-x" && i + 1 >= args.size())
        return usage_error(DiagKind::missing_option_value, "-x", "a language (snn or snnir)");
      std::string lang = a == "-x" ? args[++i] : a.substr(2);
      if (lang != "snn" && lang != "snnir")
        return usage_error(DiagKind::unknown_option_value, "language", lang, "snn or snnir");
      options.language = lang == "snn" ? snn::InputLanguage::Snn : snn::InputLanguage::SnnIr;
    } else if ((v = value_of(i, "--emit"))) {
      if (*v != "ast" && *v != "ir" && *v != "lowered" && *v != "memory" && *v != "llvm" && *v != "cuda" &&
          *v != "ptx" && *v != "obj" && *v != "exe" && *v != "nir")
        return usage_error(DiagKind::unknown_option_value, "--emit kind", *v,
                           "ast, ir, lowered, memory, llvm, cuda, ptx, obj, exe or nir");
      emit = *v;
    } else if ((v = value_of(i, "--weights"))) {
      weights = *v;
    } else if ((v = value_of(i, "--target"))) {
      if (*v != "cpu" && *v != "cuda")
        return usage_error(DiagKind::unknown_option_value, "target", *v, "cpu or cuda");
      options.target = *v == "cuda" ? snn::Target::Cuda : snn::Target::Cpu;
    } else if ((v = value_of(i, "--cuda-arch"))) {
      bool valid = v->size() > 3 && v->compare(0, 3, "sm_") == 0 && v->size() <= 8;
      for (size_t k = 3; valid && k < v->size(); ++k)
        valid = std::isdigit(static_cast<unsigned char>((*v)[k])) || (k + 1 == v->size() && (*v)[k] == 'a');
      if (!valid)
        return usage_error(DiagKind::unknown_option_value, "CUDA architecture", *v, "sm_NN, e.g. sm_80 or sm_90");
      options.cuda_arch = *v;
    } else if ((v = value_of(i, "--spike-delivery"))) {
      if (*v != "auto" && *v != "presynaptic" && *v != "postsynaptic")
        return usage_error(DiagKind::unknown_option_value, "spike delivery", *v, "auto, presynaptic or postsynaptic");
      options.spike_delivery = *v == "auto"          ? snn::SpikeDelivery::Auto
                               : *v == "presynaptic" ? snn::SpikeDelivery::Presynaptic
                                                     : snn::SpikeDelivery::Postsynaptic;
    } else if ((v = value_of(i, "--eprop-strategy"))) {
      if (*v != "auto" && *v != "online" && *v != "adjoint")
        return usage_error(DiagKind::unknown_option_value, "e-prop strategy", *v, "auto, online or adjoint");
      options.eprop_strategy = *v == "auto"     ? snn::EpropStrategyChoice::Auto
                               : *v == "online" ? snn::EpropStrategyChoice::Online
                                                : snn::EpropStrategyChoice::Adjoint;
    } else if (a == "--cuda-host-emulation") {
      options.cuda_host_emulation = true;
    } else if ((v = value_of(i, "--cpu"))) {
      options.cpu = *v;
    } else if ((v = value_of(i, "--precision"))) {
      if (*v != "float" && *v != "double")
        return usage_error(DiagKind::unknown_option_value, "precision", *v, "float or double");
      options.precision = *v == "double" ? snn::Precision::Double : snn::Precision::Float;
    } else if ((v = value_of(i, "--print-after"))) {
      bool known = false;
      for (const auto &p : snn::pass_names())
        known = known || p == *v;
      if (!known)
        return usage_error(DiagKind::unknown_pass, *v);
      options.print_after.push_back(*v);
    } else if (a == "--print-after-all") {
      options.print_after_all = true;
    } else if (a == "--time-passes") {
      options.time_passes = true;
    } else if (a == "--run") {
      run_jit = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error(DiagKind::unknown_option, a);
    } else if (!input.empty()) {
      return usage_error(DiagKind::multiple_input_files, input, a);
    } else {
      input = a;
    }
  }
  if (input.empty())
    return usage_error(DiagKind::no_input_file);
  {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec))
      return file_error(DiagKind::input_is_directory, input);
    std::ifstream probe(input, std::ios::binary);
    if (!probe)
      return file_error(DiagKind::file_not_found, input, std::strerror(errno));
    // As gcc: writing the output over the source would lose the source.
    if (!output.empty() && output != "-" && std::filesystem::equivalent(input, output, ec))
      return file_error(DiagKind::output_is_input, input, output);
  }

  if (emit == "ast" && snn::reads_ir(input, options))
    return usage_error(DiagKind::emit_ast_of_ir, input);
  bool cuda = options.target == snn::Target::Cuda;
  if ((emit == "cuda" || emit == "ptx") && !cuda)
    return usage_error(DiagKind::emit_needs_target, "--emit=" + emit, "cuda");
  if (emit == "llvm" && cuda)
    return usage_error(DiagKind::emit_needs_target, "--emit=" + emit, "cpu");
  if (run_jit && cuda)
    return usage_error(DiagKind::emit_needs_target, "--run", "cpu");
  if (!weights.empty() && emit != "nir")
    return usage_error(DiagKind::option_needs_emit, "--weights", "nir");

  snn::Compilation c = snn::compile_file(input, options);
  auto finish = [&](bool ok) {
    std::cerr << c.rendered_diagnostics();
    if (options.time_passes)
      std::cerr << c.timing_report();
    return ok && c.ok() ? 0 : 1;
  };
  if (emit == "ast") {
    std::string ast = c.ast_text();
    if (!ast.empty() && !write_or_report(ast, output))
      return finish(false);
    return finish(!ast.empty());
  }
  if (!c.ok())
    return finish(false);
  if (run_jit) {
    auto jit = c.jit();
    if (!jit)
      return finish(false);
    std::cerr << c.rendered_diagnostics();
    if (options.time_passes)
      std::cerr << c.timing_report();
    try {
      jit->run(snn::rt::RunOptions{});
    } catch (const snn::rt::Error &e) {
      std::cerr << e.what() << '\n';
      return e.exit_code();
    } catch (const std::bad_alloc &) { // the network the user asked for is too large
      report(DiagKind::out_of_memory);
      return 1;
    }
    return 0;
  }
  if (emit == "ir")
    return finish(write_or_report(c.ir_text(), output));
  if (emit == "lowered" || emit == "memory") {
    std::string text = emit == "lowered" ? c.lowered_text() : c.memory_text();
    if (text.empty())
      return finish(false);
    return finish(write_or_report(text, output));
  }
  if (emit == "llvm" || emit == "cuda" || emit == "ptx") {
    std::string text = emit == "ptx" ? c.ptx_text() : c.llvm_ir_text();
    if (text.empty())
      return finish(false);
    return finish(write_or_report(text, output));
  }
  if (emit == "nir")
    return finish(c.write_nir(output.empty() ? default_output(input) + ".nir.h5" : output, weights));
  if (output.empty())
    output = emit == "obj" ? default_output(input) + ".o" : default_output(input);
  bool ok = emit == "obj" ? c.write_object(output) : c.write_executable(output);
  return finish(ok);
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const snn::InternalCompilerError &e) {
    std::cerr << "snnc: internal error: " << e.what() << '\n';
  } catch (const std::bad_alloc &) {
    std::cerr << "snnc: internal error: out of memory\n";
  } catch (const std::exception &e) {
    std::cerr << "snnc: internal error: " << e.what() << '\n';
  }
  return 70;
}
