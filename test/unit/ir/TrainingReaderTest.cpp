//===- test/unit/ir/TrainingReaderTest.cpp - A train regime through the IR text -===//
//
// The printer writes every field of ir::Training that the frontend sets and
// the reader fills each one back: checked field by field against the values
// put in (not against a second print), for both optimizers and encoders.
//
//===----------------------------------------------------------------------===//
#include "ir/Reader.h"

#include "TestModule.h"
#include "ir/Printer.h"

#include <gtest/gtest.h>

namespace snn::ir {
namespace {

std::optional<Module> read(const std::string &text, std::string *errors) {
  diag::SourceFiles sources;
  diag::Diagnostics diags(sources);
  const std::string &stored = sources.add("m.snnir", text);
  std::optional<Module> m = read_module("m.snnir", stored, diags);
  for (const auto &d : diags.all())
    *errors += render(d);
  return m;
}

/// small_module() with a train regime in which no field has its default.
Module trained_module() {
  Module m = test::small_module();
  m.regime.records.clear();
  m.regime.dt = 5e-4;
  m.regime.duration = 0.0125;
  m.regime.seed = 9;
  m.regime.batch = 7;
  Training t;
  t.train = {"a/x.npy", "a/y.npy", EncoderKind::Poisson, 2.5, 250, SourceLocation()};
  t.test = {"t.h5", "", EncoderKind::Events, 1, 100, SourceLocation()};
  t.test_split = 0.25;
  t.validation_split = 0.125;
  t.timesteps = 25;
  t.epochs = 0;
  t.input = "p";
  t.readout = "p";
  t.readout_variable = "v";
  t.readout_kind = ReadoutKind::LastSteps;
  t.last_steps = 4;
  t.readout_bias = true;
  t.loss = LossKind::MeanSquaredError;
  t.workflow.set_optimizer(OptimizerKind::Adam);
  t.workflow.optimizer_options.values = {0.0625, 0.5, 0.75, 1e-6};
  t.feedback = FeedbackKind::Random;
  t.differentiate_reset = true;
  m.regime.training = t;
  return m;
}

TEST(TrainingReader, EveryFieldReadsBack) {
  Module m = trained_module();
  std::string text = to_string(m), errors;
  ASSERT_NE(text.find("train Net with eprop {"), std::string::npos) << text;
  std::optional<Module> back = read(text, &errors);
  ASSERT_TRUE(back) << errors << text;
  ASSERT_TRUE(back->has_regime);
  ASSERT_TRUE(back->regime.training);
  const Regime &r = back->regime;
  EXPECT_EQ(r.dt, 5e-4);
  EXPECT_EQ(r.duration, 0.0125);
  EXPECT_EQ(r.seed, 9u);
  EXPECT_EQ(r.batch, 7u);
  const Training &t = *r.training;
  EXPECT_EQ(t.train.path, "a/x.npy");
  EXPECT_EQ(t.train.labels_path, "a/y.npy");
  EXPECT_EQ(t.train.encoder, EncoderKind::Poisson);
  EXPECT_EQ(t.train.max_value, 2.5);
  EXPECT_EQ(t.train.max_rate, 250);
  EXPECT_EQ(t.test.path, "t.h5");
  EXPECT_EQ(t.test.encoder, EncoderKind::Events);
  EXPECT_EQ(t.test_split, 0.25);
  EXPECT_EQ(t.validation_split, 0.125);
  EXPECT_EQ(t.timesteps, 25u);
  EXPECT_EQ(t.epochs, 0u);
  EXPECT_EQ(t.input, "p");
  EXPECT_EQ(t.readout, "p");
  EXPECT_EQ(t.readout_variable, "v");
  EXPECT_EQ(t.readout_kind, ReadoutKind::LastSteps);
  EXPECT_EQ(t.last_steps, 4u);
  EXPECT_TRUE(t.readout_bias);
  EXPECT_EQ(t.loss, LossKind::MeanSquaredError);
  EXPECT_EQ(t.workflow.optimizer, OptimizerKind::Adam);
  EXPECT_EQ(t.workflow.optimizer_options.values, (std::vector<double>{0.0625, 0.5, 0.75, 1e-6}));
  EXPECT_EQ(t.feedback, FeedbackKind::Random);
  EXPECT_TRUE(t.differentiate_reset);
  EXPECT_FALSE(t.derived);
  EXPECT_EQ(to_string(*back), text);
}

TEST(TrainingReader, SgdLatencyAndEachReadoutKind) {
  for (ReadoutKind k :
       {ReadoutKind::PerStep, ReadoutKind::Mean, ReadoutKind::Max, ReadoutKind::Final, ReadoutKind::SpikeCount}) {
    Module m = trained_module();
    Training &t = *m.regime.training;
    t.train = {"x.csv.gz", "", EncoderKind::Latency, 16, 100, SourceLocation()};
    t.test = DataSource();
    t.workflow.set_optimizer(OptimizerKind::Sgd);
    t.workflow.optimizer_options.values = {0.5, 0.875, 1, 0.25};
    t.readout_kind = k;
    t.last_steps = 0;
    if (k == ReadoutKind::SpikeCount)
      t.readout_variable.clear();
    std::string text = to_string(m), errors;
    std::optional<Module> back = read(text, &errors);
    ASSERT_TRUE(back) << errors << text;
    const Training &b = *back->regime.training;
    EXPECT_EQ(b.readout_kind, k) << name_of(k);
    EXPECT_EQ(b.readout_variable, t.readout_variable);
    EXPECT_EQ(b.workflow.optimizer, OptimizerKind::Sgd);
    EXPECT_EQ(b.workflow.optimizer_options.values, (std::vector<double>{0.5, 0.875, 1, 0.25}));
    EXPECT_EQ(b.train.encoder, EncoderKind::Latency);
    EXPECT_EQ(b.train.max_value, 16);
    EXPECT_TRUE(b.train.labels_path.empty());
    EXPECT_FALSE(b.test.present());
  }
}

// Every optimiser, every schedule and every workflow statement prints and
// reads back unchanged.
TEST(TrainingReader, EveryWorkflowSettingReadsBack) {
  const ScheduleKind schedules[] = {ScheduleKind::Step,   ScheduleKind::Exponential,     ScheduleKind::Power,
                                    ScheduleKind::Cosine, ScheduleKind::ReduceOnPlateau, ScheduleKind::Constant};
  const OptimizerKind optimizers[] = {OptimizerKind::Sgd,  OptimizerKind::Adagrad, OptimizerKind::Rmsprop,
                                      OptimizerKind::Adam, OptimizerKind::AdamW,   OptimizerKind::Sgd};
  for (size_t i = 0; i < 6; ++i) {
    Module m = trained_module();
    Workflow &w = m.regime.training->workflow;
    w.set_optimizer(optimizers[i]);
    for (size_t k = 0; k < w.optimizer_options.values.size(); ++k)
      w.optimizer_options.values[k] = k == 2 && optimizers[i] == OptimizerKind::Sgd ? 1 : 0.125 * double(k + 1);
    w.set_schedule(schedules[i]);
    for (size_t k = 0; k < w.schedule_options.values.size(); ++k)
      w.schedule_options.values[k] = double(k + 2);
    w.schedule_unit = i % 2 ? PeriodUnit::Batches : PeriodUnit::Epochs;
    w.schedule_monitor = Metric::ValidationAccuracy;
    w.warmup = uint32_t(i);
    w.warmup_unit = PeriodUnit::Batches;
    w.clip_norm = 1.5;
    w.clip_value = i % 2 ? 0.25 : 0;
    w.l1 = 1e-5;
    w.l2 = i % 2 ? 0 : 2e-4;
    w.clamp = i % 2;
    w.clamp_min = -1.5;
    w.clamp_max = 2.5;
    w.rate_regularizers.push_back({"p", 12, 0.001, 0.25});
    w.dropouts.push_back({"p", 0.125});
    w.early_stopping = {true, Metric::TestLoss, 7, 0.01, true};
    w.checkpoint = {3, PeriodUnit::Epochs, "ckpt dir/"};
    std::string text = to_string(m), errors;
    std::optional<Module> back = read(text, &errors);
    ASSERT_TRUE(back) << errors << text;
    const Workflow &b = back->regime.training->workflow;
    EXPECT_EQ(b.optimizer, w.optimizer);
    EXPECT_EQ(b.optimizer_options.values, w.optimizer_options.values);
    EXPECT_EQ(b.schedule, w.schedule);
    EXPECT_EQ(b.schedule_options.values, w.schedule_options.values);
    if (w.schedule != ScheduleKind::Constant && w.schedule != ScheduleKind::ReduceOnPlateau) {
      EXPECT_EQ(b.schedule_unit, w.schedule_unit);
    }
    EXPECT_EQ(b.warmup, w.warmup);
    EXPECT_EQ(b.clip_norm, 1.5);
    EXPECT_EQ(b.clip_value, w.clip_value);
    EXPECT_EQ(b.l2, w.l2);
    EXPECT_EQ(b.clamp, w.clamp);
    ASSERT_EQ(b.rate_regularizers.size(), 1u);
    EXPECT_EQ(b.rate_regularizers[0].target, 12);
    EXPECT_EQ(b.rate_regularizers[0].tau, 0.25);
    ASSERT_EQ(b.dropouts.size(), 1u);
    EXPECT_EQ(b.dropouts[0].rate, 0.125);
    EXPECT_TRUE(b.early_stopping.restore_best);
    EXPECT_EQ(b.early_stopping.monitor, Metric::TestLoss);
    EXPECT_EQ(b.early_stopping.patience, 7u);
    EXPECT_EQ(b.checkpoint.every, 3u);
    EXPECT_EQ(b.checkpoint.directory, "ckpt dir/");
    EXPECT_EQ(to_string(*back), text);
  }
}

TEST(TrainingReader, RejectsAReadoutThatIsNoState) {
  Module m = trained_module();
  std::string text = to_string(m), errors;
  size_t at = text.find("last(p.v");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 8, "last(p.w");
  EXPECT_FALSE(read(text, &errors));
  EXPECT_NE(errors.find("model 'LIF@p' has no state 'w' [unknown-variable]"), std::string::npos) << errors;
}

TEST(TrainingReader, RejectsATrainRegimeWithoutReadout) {
  Module m = trained_module();
  std::string text = to_string(m), errors;
  size_t at = text.find("  readout = ");
  text.erase(at, text.find('\n', at) + 1 - at);
  EXPECT_FALSE(read(text, &errors));
  EXPECT_NE(errors.find("the train regime has no 'readout' [ir-invalid-module]"), std::string::npos) << errors;
}

} // namespace
} // namespace snn::ir
