//===- CompilerApiTest.cpp - libsnnc as an embedding program uses it ------===//
#include "snn/Compiler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <sys/wait.h>

namespace {

const char *kLif = R"(
import std.neurons.LIF
network One {
  population cell = LIF(tau_mem: 10 ms, v_th: 10 mV, i_offset: 12 mV) x 3
}
simulate One { dt = 0.1 ms; duration = 100 ms }
)";

std::string temp_dir() {
  const char *dir = std::getenv("SNN_TEST_TMP");
  return dir ? dir : std::filesystem::temp_directory_path().string();
}

/// Steps until the first spike of LIF under constant drive I towards a
/// threshold: the first n with I (1 - exp(-n dt / tau)) > v_th.
int first_spike_step(double drive, double v_th, double tau, double dt) {
  for (int n = 1;; ++n)
    if (drive * (1 - std::exp(-n * dt / tau)) > v_th)
      return n;
}

TEST(CompilerApi, ReportsLocatedDiagnostics) {
  snn::Compilation c = snn::compile_source("neuron A {\n  state v = 0 mV\n  dv/dt = -v_m / 10 ms\n}\n", "a.snn");
  EXPECT_FALSE(c.ok());
  ASSERT_EQ(c.diagnostics().size(), 1u);
  const snn::Diagnostic &d = c.diagnostics()[0];
  EXPECT_EQ(d.kind, "unknown-name");
  EXPECT_EQ(d.message, "unknown name 'v_m'");
  EXPECT_EQ(d.location.file, "a.snn");
  EXPECT_EQ(d.location.line, 3u);
  EXPECT_EQ(d.location.column, 12u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "did you mean 'v'?");
  EXPECT_NE(c.rendered_diagnostics().find("a.snn:3:12: error: unknown name 'v_m' [unknown-name]"), std::string::npos);
  EXPECT_EQ(c.ir_text(), "");
  EXPECT_EQ(c.jit(), nullptr);
}

TEST(CompilerApi, UnreadableFileIsAnError) {
  snn::Compilation c = snn::compile_file("/nonexistent/model.snn");
  EXPECT_FALSE(c.ok());
  ASSERT_EQ(c.diagnostics().size(), 1u);
  EXPECT_EQ(c.diagnostics()[0].kind, "file-not-found");
}

TEST(CompilerApi, PrintsEveryStage) {
  snn::Compilation c = snn::compile_source(kLif, "lif.snn");
  ASSERT_TRUE(c.ok()) << c.rendered_diagnostics();
  EXPECT_NE(c.ast_text().find("Population cell = LIF"), std::string::npos);
  EXPECT_NE(c.ir_text().find("discretized with exact"), std::string::npos);
  EXPECT_NE(c.llvm_ir_text().find("define noundef nonnull ptr @snn_model()"), std::string::npos);
}

TEST(CompilerApi, JitRunMatchesTheAnalyticSpikeTimes) {
  snn::CompileOptions options;
  options.precision = snn::Precision::Double;
  snn::Compilation c = snn::compile_source(kLif, "lif.snn", options);
  auto model = c.jit();
  ASSERT_NE(model, nullptr) << c.rendered_diagnostics();
  EXPECT_EQ(model->model().num_populations, 1u);
  EXPECT_EQ(model->model().real_size, 8u);

  snn::rt::Simulation sim = model->simulation(7);
  sim.init();
  int n = first_spike_step(12e-3, 10e-3, 10e-3, 1e-4);
  sim.advance(n - 1);
  EXPECT_EQ(sim.spike_count("cell"), 0u);
  double expected = 12e-3 * (1 - std::exp(-(n - 1) * 1e-4 / 10e-3));
  for (double v : sim.read("cell", "v"))
    EXPECT_NEAR(v, expected, 1e-15);
  sim.step();
  EXPECT_EQ(sim.spike_count("cell"), 3u);
  for (double v : sim.read("cell", "v"))
    EXPECT_EQ(v, 0.0); // reset

  std::ostringstream summary;
  snn::rt::RunOptions run;
  run.summary = &summary;
  snn::rt::RunResult result = model->run(run);
  // Spikes every n steps (no refractory period): floor(1000 / n) per neuron.
  EXPECT_EQ(result.populations.at(0).spikes, 3u * (1000 / n));
  EXPECT_NE(summary.str().find("model One: 1 population, 3 neurons"), std::string::npos);
}

TEST(CompilerApi, WritesARunnableExecutable) {
  std::string exe = temp_dir() + "/lif_api";
  snn::Compilation c = snn::compile_source(kLif, "lif.snn");
  ASSERT_TRUE(c.write_executable(exe)) << c.rendered_diagnostics();
  std::string out = temp_dir() + "/lif_api.txt";
  int status = std::system((exe + " --duration 50ms > " + out).c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(std::filesystem::exists(exe + ".tmp"));
}

TEST(CompilerApi, UnwritableOutputIsAUserError) {
  snn::Compilation c = snn::compile_source(kLif, "lif.snn");
  EXPECT_FALSE(c.write_object("/nonexistent/dir/model.o"));
  ASSERT_FALSE(c.diagnostics().empty());
  EXPECT_EQ(c.diagnostics().back().kind, "object-emission-failed");
  EXPECT_NE(c.diagnostics().back().message.find("/nonexistent/dir/model.o"), std::string::npos)
      << c.rendered_diagnostics();
}

TEST(CompilerApi, ModelsWithoutARegimeCannotRun) {
  snn::Compilation c = snn::compile_source("import std.neurons.LIF\n", "lib.snn");
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.jit(), nullptr);
  ASSERT_FALSE(c.diagnostics().empty());
  const snn::Diagnostic &d = c.diagnostics().back();
  EXPECT_EQ(d.kind, "missing-network");
  // At the end of the file, where a network would be added.
  EXPECT_EQ(d.location.line, 1u);
  EXPECT_EQ(d.location.column, 23u);
}

} // namespace

namespace {

TEST(CompilerApi, PrintsTheLoweredProgramAndItsMemory) {
  snn::Compilation c = snn::compile_source(kLif, "lif.snn");
  ASSERT_TRUE(c.ok()) << c.rendered_diagnostics();
  std::string lowered = c.lowered_text();
  // Nothing delivers to the LIF, so its reset runs in the update (lower/Dependence.h).
  EXPECT_NE(lowered.find("kernel update_reset.LIF over neurons(size) x batch {"), std::string::npos) << lowered;
  EXPECT_NE(lowered.find("entry step {"), std::string::npos);
  // 3 neurons: v and i (4 bytes each) and a spike flag (1 byte).
  std::string memory = c.memory_text();
  EXPECT_NE(memory.find("total 27 bytes"), std::string::npos) << memory;
}

TEST(CompilerApi, CudaTargetPrintsCudaAndRunsOnlyAsAnExecutable) {
  snn::CompileOptions options;
  options.target = snn::Target::Cuda;
  snn::Compilation c = snn::compile_source(kLif, "lif.snn", options);
  ASSERT_TRUE(c.ok()) << c.rendered_diagnostics(); // front end and passes are target-independent
  std::string cuda = c.llvm_ir_text();
  EXPECT_NE(cuda.find("extern \"C\" __global__ void snn_kernel_0("), std::string::npos) << cuda;
  EXPECT_NE(cuda.find("extern \"C\" void snn_cuda_entry_step(snn_state *state, uint64_t step) {"), std::string::npos);
  // In-process loading is the CPU target's.
  EXPECT_EQ(c.jit(), nullptr);
  EXPECT_FALSE(c.ok());
  ASSERT_FALSE(c.diagnostics().empty());
  EXPECT_EQ(c.diagnostics()[0].kind, "jit-failed");
}

TEST(CompilerApi, PtxOfTheCpuTargetIsAnError) {
  snn::Compilation c = snn::compile_source(kLif, "lif.snn");
  ASSERT_TRUE(c.ok()) << c.rendered_diagnostics();
  EXPECT_EQ(c.ptx_text(), "");
  EXPECT_FALSE(c.ok());
  ASSERT_EQ(c.diagnostics().size(), 1u);
  EXPECT_EQ(c.diagnostics()[0].kind, "emit-needs-target");
  EXPECT_NE(c.rendered_diagnostics().find("error: PTX (Compilation::ptx_text) needs --target=cuda"), std::string::npos)
      << c.rendered_diagnostics();
}

TEST(CompilerApi, TimesEveryStageInOrder) {
  snn::Compilation c = snn::compile_source(kLif, "lif.snn");
  ASSERT_FALSE(c.llvm_ir_text().empty()) << c.rendered_diagnostics();
  std::vector<std::string> stages;
  for (const auto &[stage, seconds] : c.timings()) {
    stages.push_back(stage);
    EXPECT_GE(seconds, 0.0) << stage;
  }
  std::vector<std::string> expected = {"parse", "check"};
  for (const std::string &pass : snn::pass_names())
    expected.push_back(pass);
  expected.insert(expected.end(), {"schedule", "codegen", "optimize"});
  EXPECT_EQ(stages, expected);
  EXPECT_NE(c.timing_report().find("  total\n"), std::string::npos);
}

} // namespace
