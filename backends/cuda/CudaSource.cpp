//===- backends/cuda/CudaSource.cpp - A Program as one CUDA file ----------===//
#include "backends/cuda/CudaSource.h"

#include "backends/cuda/CExpr.h"
#include "backends/cuda/KernelPrinter.h"
#include "lower/Verifier.h"

#include <fmt/format.h>

namespace snn::cuda {

std::string entry_symbol(const std::string &name) { return "snn_cuda_entry_" + name; }

namespace {

std::string scalar_literal(lower::Type type, int64_t value) {
  switch (type) {
  case lower::Type::I32:
    return fmt::format("(int32_t){}", value);
  case lower::Type::U32:
    return fmt::format("{}u", value);
  default:
    return fmt::format("(int64_t){}", value);
  }
}

/// One launch: the grid covers the extent in blocks of kThreadsPerBlock on
/// x and, for a batched domain other than a reduction, the examples on y.
std::string launch(const lower::Program &p, const lower::Launch &l) {
  const lower::Kernel &kernel = p.kernels.at(size_t(l.kernel));
  const lower::Domain &d = kernel.domain;
  int64_t extent = l.args.at(size_t(d.extent)).scalar;
  std::vector<std::string> args;
  for (size_t k = 0; k < kernel.params.size(); ++k) {
    const lower::Param &param = kernel.params[k];
    const lower::Argument &arg = l.args[k];
    if (param.kind == lower::Param::Kind::Buffer)
      args.push_back(fmt::format("({} *)buffers[{}] /* {} */", c_type(param.elem), arg.buffer,
                                 p.buffers.at(size_t(arg.buffer)).name));
    else
      args.push_back(scalar_literal(param.type, arg.scalar));
  }
  for (const char *builtin : {"batch", "first_example", "key[0]", "key[1]"})
    args.push_back(builtin);
  bool over_examples = d.batched && d.kind != lower::DomainKind::BatchReduction;
  int64_t threads = device_threads(kernel, extent);
  int64_t blocks = (threads + kThreadsPerBlock - 1) / kThreadsPerBlock;
  std::string text = fmt::format("  // {}: {}\n", l.what, kernel.name);
  if (extent <= 0)
    return text + "  // (no points: not launched)\n";
  // A kernel whose points run past the extent synchronises its blocks
  // (the host emulation runs their threads as fibers).
  text += fmt::format("  SNN_LAUNCH{}({}, snn_grid({}, {}), {},\n             {});\n",
                      d.runs_past_extent ? "_SYNCED" : "", kernel_symbol(l.kernel), blocks,
                      over_examples ? "batch" : "1", kThreadsPerBlock, fmt::join(args, ",\n             "));
  return text;
}

/// An entry point as two functions: its launches, and the ABI's entry,
/// which first sets the device's clock (the step the kernels read). An
/// entry point the runtime calls at consecutive steps replays its launches
/// and the clock's advance as one CUDA graph (snn_replay).
std::string entry(const lower::Program &p, const lower::EntryPoint &e) {
  int stride = lower::consecutive_step_stride(e.name);
  std::string launches = "snn_cuda_launch_" + e.name;
  std::string text = fmt::format("// Entry point \"{}\": {} launch{}{}.\n", e.name, e.launches.size(),
                                 e.launches.size() == 1 ? "" : "es",
                                 stride != 0 && !e.launches.empty() ? ", replayed at each step as one CUDA graph" : "");
  if (e.launches.empty())
    return text + fmt::format("extern \"C\" void {}(snn_state *state, uint64_t step) {{ (void)state; (void)step; }}\n",
                              entry_symbol(e.name));
  text += fmt::format("static void {}(snn_state *state) {{\n", launches);
  text += "  void **const buffers = state->buffers;\n";
  text += "  const int64_t batch = state->batch;\n";
  text += "  const int64_t first_example = (int64_t)state->first_example;\n";
  text += "  uint32_t key[2];\n  snn_philox_key(state->seed, key);\n";
  text += "  (void)buffers; (void)first_example; (void)key;\n";
  for (const lower::Launch &l : e.launches)
    text += launch(p, l);
  text += "}\n";
  text += fmt::format("extern \"C\" void {}(snn_state *state, uint64_t step) {{\n", entry_symbol(e.name));
  if (stride != 0)
    text += fmt::format("  static snn_step_graph graph;\n  snn_replay(graph, state, {}, step, {}, {});\n",
                        p.buffers.size(), stride, launches);
  else
    text += fmt::format("  snn_clock_at(step);\n  {}(state);\n", launches);
  text += "}\n";
  return text;
}

} // namespace

std::string print_source(const lower::Program &program) {
  std::vector<std::string> problems = lower::verify(program);
  ir::internal_check(problems.empty(), "the CUDA backend was given an invalid Program: " +
                                           (problems.empty() ? std::string() : problems.front()));
  std::string text =
      fmt::format("// CUDA C++ of network \"{}\", printed by snnc from its lowered Program.\n", program.name);
  text += "// One thread per point of a kernel's domain; entry points launch in order.\n";
  text += "#include <snn/cuda_device.h>\n";
  for (size_t k = 0; k < program.kernels.size(); ++k)
    text += "\n" + print_kernel(program, int(k));
  for (const lower::EntryPoint &e : program.entries)
    text += "\n" + entry(program, e);
  return text;
}

} // namespace snn::cuda
