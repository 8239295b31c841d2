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
  t.optimizer = OptimizerKind::Adam;
  t.lr = 0.0625;
  t.beta1 = 0.5;
  t.beta2 = 0.75;
  t.epsilon = 1e-6;
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
  EXPECT_EQ(t.optimizer, OptimizerKind::Adam);
  EXPECT_EQ(t.lr, 0.0625);
  EXPECT_EQ(t.beta1, 0.5);
  EXPECT_EQ(t.beta2, 0.75);
  EXPECT_EQ(t.epsilon, 1e-6);
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
    t.optimizer = OptimizerKind::Sgd;
    t.lr = 0.5;
    t.momentum = 0.875;
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
    EXPECT_EQ(b.optimizer, OptimizerKind::Sgd);
    EXPECT_EQ(b.lr, 0.5);
    EXPECT_EQ(b.momentum, 0.875);
    EXPECT_EQ(b.train.encoder, EncoderKind::Latency);
    EXPECT_EQ(b.train.max_value, 16);
    EXPECT_TRUE(b.train.labels_path.empty());
    EXPECT_FALSE(b.test.present());
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
