//===- tools/snnc/main.cpp - The snnc command-line driver -----------------===//
//
// A thin client of libsnnc: parses clang-style options, compiles, prints
// diagnostics, and writes what --emit asks for. Exit codes: 0 ok, 1 errors
// in the input or the command line, 70 internal compiler error.
//
//===----------------------------------------------------------------------===//
#include "diag/DiagnosticKind.h"
#include "diag/Diagnostics.h"
#include "snn/Compiler.h"
#include "snn/help_format.h"
#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace {

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

/// An option snnc does not have, with the closest one it has.
int unknown_option(const CLI::App &app, const std::string &option) {
  report(DiagKind::unknown_option, option);
  // Compared without their dashes: '--=x' is not one edit from '-o'.
  std::vector<std::string> names;
  for (const CLI::Option *o : app.get_options())
    for (const std::string &name : o->get_lnames())
      names.push_back(name);
  std::string spelled = option.substr(0, option.find('='));
  spelled.erase(0, spelled.find_first_not_of('-'));
  if (std::string best = snn::diag::closest_name(spelled, names); !best.empty())
    report(DiagKind::note_did_you_mean, "--" + best);
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

/// What the command line asks for: each value as given, checked by run()
/// in the driver's own words.
struct CommandLine {
  std::vector<std::string> inputs, import_paths, print_after;
  std::string output, emit = "exe", weights, opt_level, language, target, cuda_arch, spike_delivery, eprop_strategy,
                      cpu, precision;
  bool help = false, version = false, cuda_host_emulation = false, print_after_all = false, time_passes = false,
       run_jit = false;
};

/// snnc's options, in the order --help lists them.
void add_options(CLI::App &app, CommandLine &line) {
  app.option_defaults()->group("options");
  snn::add_value_option(app, "-o", line.output, "PATH",
                        "output file (default: FILE without .snn, FILE.nir.h5 for --emit=nir; stdout for "
                        "--emit=ast|ir|lowered|memory|llvm|cuda|ptx)");
  snn::add_value_option(app, "-x", line.language, "LANG",
                        "read the input as LANG: snn (source) or snnir (model IR as --emit=ir prints it); default: "
                        "snnir for a .snnir file, else snn");
  snn::add_value_option(
      app, "--emit", line.emit, "KIND",
      "ast | ir | lowered | memory | llvm | cuda | ptx | obj | exe | nir (default: exe); llvm is the cpu target's "
      "code, cuda (CUDA C++) and ptx the cuda target's; nir the network as a NIR graph (HDF5, docs/nir.md)");
  snn::add_value_option(app, "--weights", line.weights, "FILE",
                        "--emit=nir: the weights, an .npz that the executable's --weights-out wrote");
  snn::add_value_option(app, "--target", line.target, "T",
                        "code generation target: cpu (default) or cuda (NVIDIA GPUs: CUDA C++ compiled by nvcc)");
  snn::add_value_option(
      app, "--cuda-arch", line.cuda_arch, "LIST",
      "cuda target: the GPU architectures the executable has native code for, comma-separated (default: "
      "sm_75,sm_80,sm_90: Turing, Ampere, Ada, Hopper; later GPUs compile the sm_75 PTX at the first run)");
  snn::add_value_option(
      app, "--spike-delivery", line.spike_delivery, "S",
      "auto (default: a cost model per projection), presynaptic (spiking neurons add into their targets; on a GPU with "
      "atomics, so sums may change order), or postsynaptic (targets gather their inputs in presynaptic order: "
      "deterministic on a GPU, the same sums as the CPU bit for bit)");
  snn::add_value_option(app, "--eprop-strategy", line.eprop_strategy, "S",
                        "auto (default: the cost model's choice), online (eligibility traces per synapse, every step) "
                        "or adjoint (per-neuron records, a reverse-time pass after each example, event-driven "
                        "gradients; not for max and spike-count readouts); --emit=lowered shows the choice");
  app.add_flag("--cuda-host-emulation", line.cuda_host_emulation,
               "cuda target: run the printed kernels on the host CPU, thread by thread, instead of on a GPU (for "
               "testing the CUDA code on machines without one; slow)");
  snn::add_value_option(app, "-O", line.opt_level, "N", "optimisation level, -O0 to -O3 (default: -O2)");
  snn::add_value_option(app, "--cpu", line.cpu, "NAME",
                        "LLVM CPU to generate code for (default: x86-64-v3; 'native' for this machine)");
  snn::add_value_option(app, "--precision", line.precision, "P",
                        "float | double: type of state and arithmetic (default: float)");
  snn::add_list_option(app, "-I", line.import_paths, "DIR", "add DIR to the import search path");
  snn::add_list_option(app, "--print-after", line.print_after, "PASS", "print the IR after PASS (repeatable)");
  app.add_flag("--print-after-all", line.print_after_all, "print the IR after every pass");
  app.add_flag(
      "--time-passes", line.time_passes,
      "print how long each stage of the compile took (read, parse, check, each pass, schedule, codegen, object, link)");
  app.add_flag("--run", line.run_jit, "compile in process (JIT) and run the simulation");
  app.add_flag("--version", line.version, "print the version and exit");
  app.add_flag("-h,--help", line.help, "print this help and exit");
  app.add_option("FILE", line.inputs)->group("");
  std::string passes = "passes, in order:";
  for (const auto &p : snn::pass_names())
    passes += " " + p;
  app.footer(passes);
}

/// `value` if it is one of `allowed`, else nullopt.
std::optional<std::string> one_of(const std::string &value, std::initializer_list<const char *> allowed) {
  for (const char *a : allowed)
    if (value == a)
      return value;
  return std::nullopt;
}

/// Sets `into` to the choice that `value` names when `option` was given;
/// false after reporting a value that names none.
template <typename T>
bool choose(const CLI::App &app, const char *option, const std::string &value, const char *what,
            std::initializer_list<std::pair<const char *, T>> choices, T &into) {
  if (app.count(option) == 0)
    return true;
  std::string expected;
  std::size_t k = 0;
  for (const auto &[name, choice] : choices) {
    if (value == name) {
      into = choice;
      return true;
    }
    if (k > 0)
      expected += k + 1 == choices.size() ? " or " : ", ";
    expected += name;
    ++k;
  }
  usage_error(DiagKind::unknown_option_value, what, value, expected);
  return false;
}

int run(int argc, char **argv) {
  CLI::App app("Compiles a spiking neural network model into an executable that simulates it.", "snnc");
  app.set_help_flag();
  app.allow_extras();
  app.formatter(std::make_shared<snn::HelpFormat>("usage: snnc [options] FILE.snn", '='));
  CommandLine line;
  add_options(app, line);
  std::vector<std::string> arguments(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (std::string flag = snn::flag_given_a_value(app, arguments); !flag.empty())
    return usage_error(DiagKind::option_takes_no_value, flag);
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError &e) { // values are strings and options optional: only odd spellings get here
    return usage_error(DiagKind::malformed_command_line, e.what());
  }
  for (const std::string &extra : app.remaining())
    if (extra != "--") // CLI11 leaves the end of options mark among the extras
      return unknown_option(app, extra);
  for (const CLI::Option *option : app.get_options()) {
    const std::vector<std::string> &given = option->results();
    if (option->get_option_text().empty() || std::find(given.begin(), given.end(), "") == given.end())
      continue;
    std::string name = snn::option_name(*option), value = option->get_option_text();
    return usage_error(DiagKind::missing_option_value, name,
                       name == "-o"   ? "a file name"
                       : name == "-I" ? "a directory"
                       : name == "-x" ? "a language (snn or snnir)"
                                      : "a value (" + value + ", see snnc --help)");
  }
  if (line.help) {
    std::cout << app.help();
    return 0;
  }
  if (line.version) {
    std::cout << "snnc version " << snn::version() << '\n';
    return 0;
  }

  snn::CompileOptions options;
  std::string input = line.inputs.empty() ? "" : line.inputs[0], output = line.output, emit = line.emit,
              weights = line.weights;
  bool run_jit = line.run_jit;
  if (line.inputs.size() > 1)
    return usage_error(DiagKind::multiple_input_files, line.inputs[0], line.inputs[1]);
  for (const std::string &path : line.import_paths) {
    options.import_paths.push_back(path);
  }
  if (app.count("-O") > 0) {
    if (!one_of(line.opt_level, {"0", "1", "2", "3"}))
      return usage_error(DiagKind::unknown_option_value, "optimisation level", "-O" + line.opt_level,
                         "-O0, -O1, -O2 or -O3");
    options.opt_level = line.opt_level[0] - '0';
  }
  if (!choose(app, "-x", line.language, "language",
              {{"snn", snn::InputLanguage::Snn}, {"snnir", snn::InputLanguage::SnnIr}}, options.language))
    return 1;
  if (!one_of(emit, {"ast", "ir", "lowered", "memory", "llvm", "cuda", "ptx", "obj", "exe", "nir"}))
    return usage_error(DiagKind::unknown_option_value, "--emit kind", emit,
                       "ast, ir, lowered, memory, llvm, cuda, ptx, obj, exe or nir");
  if (!choose(app, "--target", line.target, "target", {{"cpu", snn::Target::Cpu}, {"cuda", snn::Target::Cuda}},
              options.target))
    return 1;
  if (app.count("--cuda-arch") > 0) // checked by the backend (backends/cuda/CudaArchitectures.h)
    options.cuda_arch = line.cuda_arch;
  if (!choose(app, "--spike-delivery", line.spike_delivery, "spike delivery",
              {{"auto", snn::SpikeDelivery::Auto},
               {"presynaptic", snn::SpikeDelivery::Presynaptic},
               {"postsynaptic", snn::SpikeDelivery::Postsynaptic}},
              options.spike_delivery) ||
      !choose(app, "--eprop-strategy", line.eprop_strategy, "e-prop strategy",
              {{"auto", snn::EpropStrategyChoice::Auto},
               {"online", snn::EpropStrategyChoice::Online},
               {"adjoint", snn::EpropStrategyChoice::Adjoint}},
              options.eprop_strategy) ||
      !choose(app, "--precision", line.precision, "precision",
              {{"float", snn::Precision::Float}, {"double", snn::Precision::Double}}, options.precision))
    return 1;
  options.cuda_host_emulation = line.cuda_host_emulation;
  if (app.count("--cpu") > 0)
    options.cpu = line.cpu;
  for (const std::string &pass : line.print_after) {
    bool known = false;
    for (const auto &p : snn::pass_names())
      known = known || p == pass;
    if (!known)
      return usage_error(DiagKind::unknown_pass, pass);
    options.print_after.push_back(pass);
  }
  options.print_after_all = line.print_after_all;
  options.time_passes = line.time_passes;
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
  // As --emit=cuda: options of the cuda target are not silently dropped.
  for (const char *option : {"--cuda-arch", "--cuda-host-emulation"})
    if (!cuda && app.count(option) > 0)
      return usage_error(DiagKind::emit_needs_target, option, "cuda");
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
