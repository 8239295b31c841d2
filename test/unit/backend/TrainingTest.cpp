//===- test/unit/backend/TrainingTest.cpp - e-prop kernels, run -----------===//
//
// A small network with a training regime goes through the frontend, the
// pass pipeline (eprop included), the schedule and the CPU backend, and its
// training entry points run on a TestState. The readout's weights and bias
// get their exact gradient from e-prop, so they are checked against central
// finite differences of the loss that the model's own forward pass computes.
//
//===----------------------------------------------------------------------===//
#include "TestState.h"

#include "backends/Backend.h"
#include "frontend/Frontend.h"
#include "ir/StageTimes.h"
#include "lower/Schedule.h"
#include "passes/Pipeline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace snn {
namespace {

const char *kSource = R"(
neuron Hidden {
  param tau = 20 ms
  param v_th = 0.6
  state v = 0
  input i : Hz
  dv/dt = -v / tau + 2 * i
  spike when v >= v_th
  surrogate = 0.5 * max(0, 1 - abs(v - v_th) / v_th)
}
neuron Out {
  param tau = 20 ms
  state y = 0
  input i : Hz
  dy/dt = -y / tau + i
}
neuron Source {
  spike when stimulus()
}
network Net {
  population input = Source x 3
  population hidden = Hidden x 4
  population output = Out x 3
  connect input -> hidden : dense, weight 0
  connect hidden -> output : dense, weight 0
}
simulate Net { dt = 1 ms; duration = 30 ms }
)";

constexpr uint32_t kSteps = 30, kBatch = 2;

struct Trained {
  std::unique_ptr<backends::LoadedModel> model;
  lower::Program program;
};

Trained build(ir::ReadoutKind kind, ir::LossKind loss, bool bias) {
  diag::SourceFiles sources;
  diag::Diagnostics diags(sources);
  frontend::Frontend fe(sources, diags, {});
  auto ast = fe.parse("test.snn", kSource);
  EXPECT_TRUE(ast);
  std::optional<ir::Module> m = fe.lower(*ast);
  EXPECT_TRUE(m.has_value());
  ir::Training tr;
  tr.timesteps = kSteps;
  tr.input = "input";
  tr.readout = "output";
  tr.readout_variable = "y";
  tr.readout_kind = kind;
  tr.last_steps = 10;
  tr.loss = loss;
  tr.workflow.set_optimizer(ir::OptimizerKind::Sgd);
  tr.readout_bias = bias;
  m->regime.training = tr;
  passes::PassContext ctx(diags);
  EXPECT_TRUE(passes::run_pipeline(*m, {}, ctx));
  for (const auto &d : diags.all())
    // The simulate regime (whose input has no spike file) is replaced by the
    // training above, whose data drive the input.
    if (d.kind != "undriven-spike-source")
      ADD_FAILURE() << render(d);
  lower::ScheduleOptions so;
  so.double_precision = true;
  Trained t;
  t.program = lower::schedule(*m, so);
  backends::BackendOptions bo;
  bo.double_precision = true;
  StageTimes times;
  t.model = backends::make_backend(backends::Target::Cpu, bo)->load(t.program, times);
  return t;
}

/// Runs the examples of a batch forward (or training) and returns the summed loss.
double run(test::TestState &s, const std::vector<std::vector<uint8_t>> &input, bool train) {
  s.reset_example();
  uint32_t in = 0;
  for (uint32_t t = 0; t < kSteps; ++t) {
    for (uint32_t b = 0; b < kBatch; ++b)
      for (uint32_t n = 0; n < 3; ++n)
        s.set_stimulus(in, n, input[b][t * 3 + n] != 0, b);
    s.call(train ? "train_step" : "step", t);
  }
  s.call("end_example");
  if (train) {
    s.call("train_end_example");
    if (s.desc().training->backward_pass)
      for (uint32_t t = kSteps; t-- > 0;)
        s.call("train_backward", t);
  }
  double loss = 0;
  uint32_t l = s.buffer_named("train.loss");
  for (uint32_t b = 0; b < kBatch; ++b)
    loss += s.get(l, 0, b);
  return loss;
}

void check_readout_gradient(ir::ReadoutKind kind, ir::LossKind loss) {
  Trained t = build(kind, loss, true);
  const snn_model_desc &desc = t.model->model();
  test::TestState s(desc, 7, kBatch);
  // Dense connectivity.
  for (uint32_t j = 0; j < desc.num_projections; ++j) {
    uint32_t pre = desc.populations[desc.projections[j].pre].size,
             post = desc.populations[desc.projections[j].post].size;
    std::vector<uint32_t> rows, targets;
    for (uint32_t i = 0; i <= pre; ++i)
      rows.push_back(i * post);
    for (uint32_t i = 0; i < pre; ++i)
      for (uint32_t k = 0; k < post; ++k)
        targets.push_back(k);
    s.set_synapses(j, rows, targets);
  }
  s.init();
  // The hyperparameters at the regime's values (the runtime writes them).
  for (uint32_t i = 0; i < desc.training->num_hypers; ++i)
    s.put(desc.training->hyper, i, desc.training->hypers[i].value);
  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0, 1);
  for (uint32_t j = 0; j < desc.num_projections; ++j)
    for (uint64_t k = 0; k < s.extent(desc.projections[j].weight); ++k)
      s.set_weight(j, k, (j == 0 ? 0.4 : 0.5) * normal(rng));
  uint32_t bias = s.buffer_named("output.bias");
  for (uint32_t k = 0; k < 3; ++k)
    s.put(bias, k, 0.1 * normal(rng));
  std::vector<std::vector<uint8_t>> input(kBatch, std::vector<uint8_t>(kSteps * 3));
  std::bernoulli_distribution fire(0.3);
  for (auto &example : input)
    for (auto &f : example)
      f = fire(rng);
  uint32_t label = s.buffer_named("train.label");
  s.put(label, 0, 0, 0);
  s.put(label, 0, 2, 1);
  run(s, input, true);
  s.call("reduce_gradients");
  uint32_t hidden_spikes = 0;
  (void)hidden_spikes;
  // Readout weights (projection 1) and bias: exact.
  uint32_t grad_w = s.buffer_named("hidden->output.gradient"), grad_b = s.buffer_named("output.bias.gradient");
  std::vector<double> gw(s.extent(grad_w)), gb(3);
  for (size_t k = 0; k < gw.size(); ++k)
    gw[k] = s.get(grad_w, k);
  for (size_t k = 0; k < 3; ++k)
    gb[k] = s.get(grad_b, k);
  double eps = 1e-6;
  double largest = 0;
  for (size_t k = 0; k < gw.size(); ++k) {
    double w = s.weight(1, k);
    s.set_weight(1, k, w + eps);
    double up = run(s, input, false);
    s.set_weight(1, k, w - eps);
    double down = run(s, input, false);
    s.set_weight(1, k, w);
    double fd = (up - down) / (2 * eps);
    largest = std::max(largest, std::fabs(fd));
    EXPECT_NEAR(gw[k], fd, 1e-6 + 1e-5 * std::fabs(fd)) << "readout weight " << k;
  }
  EXPECT_GT(largest, 1e-4) << "no hidden neuron spiked: the test checks nothing";
  for (size_t k = 0; k < 3; ++k) {
    double b = s.get(bias, k);
    s.put(bias, k, b + eps);
    double up = run(s, input, false);
    s.put(bias, k, b - eps);
    double down = run(s, input, false);
    s.put(bias, k, b);
    double fd = (up - down) / (2 * eps);
    EXPECT_NEAR(gb[k], fd, 1e-6 + 1e-5 * std::fabs(fd)) << "bias " << k;
  }
}

TEST(Training, ReadoutGradientIsExactPerStepCrossEntropy) {
  check_readout_gradient(ir::ReadoutKind::PerStep, ir::LossKind::SparseCategoricalCrossentropy);
}
TEST(Training, ReadoutGradientIsExactLastStepsMeanSquared) {
  check_readout_gradient(ir::ReadoutKind::LastSteps, ir::LossKind::MeanSquaredError);
}
TEST(Training, ReadoutGradientIsExactMeanCrossEntropy) {
  check_readout_gradient(ir::ReadoutKind::Mean, ir::LossKind::SparseCategoricalCrossentropy);
}
TEST(Training, ReadoutGradientIsExactFinalMeanSquared) {
  check_readout_gradient(ir::ReadoutKind::Final, ir::LossKind::MeanSquaredError);
}

TEST(Training, ReadoutGradientIsExactMaxCrossEntropy) {
  check_readout_gradient(ir::ReadoutKind::Max, ir::LossKind::SparseCategoricalCrossentropy);
}

} // namespace
} // namespace snn
