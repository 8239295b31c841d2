//===- TrainingTest.cpp - The training loop against a C++ reference -------===//
//
// Trains the hand-written logistic regression of TrainingModel.h through the
// runtime's loop and checks every number against a reference written here:
// the latency code, the logits, softmax cross-entropy, its gradient and SGD
// computed densely from the connectivity the Simulation built.
//
//===----------------------------------------------------------------------===//
#include "Training.h"
#include "CommandLine.h"
#include "ModelDescription.h"
#include "Npz.h"
#include "NpzReader.h"
#include "TrainingData.h"
#include "WeightFiles.h"

#include "TestEnvironment.h"
#include "TestModel.h"
#include "TrainingModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace snn::rt::test {
namespace {

/// 10 training examples: 4 features in [0, 4] and a label.
const char *kTrainCsv = "4,0,1,2,0\n"
                        "0,4,3,0,1\n"
                        "1,1,4,4,2\n"
                        "3,0,0,1,0\n"
                        "0,3,4,0,1\n"
                        "2,2,3,4,2\n"
                        "4,1,0,0,0\n"
                        "0,4,4,1,1\n"
                        "1,0,2,3,2\n"
                        "3,1,1,0,0\n";
const char *kTestCsv = "4,1,0,1,0\n"
                       "1,4,3,0,1\n"
                       "0,1,3,4,2\n"
                       "2,3,0,0,1\n";

struct Example {
  std::vector<double> c; ///< the accumulated input of each feature
  uint32_t label;
};

/// Parses the CSV above and computes the latency code by hand:
/// step round((1 - v/4) * 4), c = (step + 1) / 5 for v > 0.
std::vector<Example> reference_examples(const std::string &csv) {
  std::vector<Example> out;
  std::istringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<double> fields;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ','))
      fields.push_back(std::stod(cell));
    Example e;
    for (uint32_t i = 0; i < kFeatures; ++i) {
      double x = fields[i] / 4;
      double step = std::round((1 - x) * (kSteps - 1));
      e.c.push_back(x > 0 ? (step + 1) / kSteps : 0);
    }
    e.label = uint32_t(fields[kFeatures]);
    out.push_back(e);
  }
  return out;
}

/// Dense logistic regression: W [classes][features] on the synapse mask.
struct Reference {
  std::vector<std::vector<double>> w;
  std::vector<std::vector<bool>> mask;
  std::vector<double> b;

  /// The initial parameters of the model built with `seed`.
  static Reference initial(snn_model_desc &model, uint64_t seed) {
    Simulation simulation(model, seed, 1);
    SynapseView view = simulation.synapses(0);
    std::vector<double> weights = simulation.weights(0);
    Reference r;
    r.w.assign(kClasses, std::vector<double>(kFeatures, 0));
    r.mask.assign(kClasses, std::vector<bool>(kFeatures, false));
    for (uint32_t i = 0; i < kFeatures; ++i)
      for (uint32_t s = view.row_start[i]; s < view.row_start[i + 1]; ++s) {
        r.w[view.target[s]][i] = weights[s];
        r.mask[view.target[s]][i] = true;
      }
    for (uint32_t k = 0; k < kClasses; ++k)
      r.b.push_back(0.01 * k);
    return r;
  }

  std::vector<double> logits(const Example &e) const {
    std::vector<double> z = b;
    for (uint32_t k = 0; k < kClasses; ++k)
      for (uint32_t i = 0; i < kFeatures; ++i)
        z[k] += w[k][i] * e.c[i];
    return z;
  }
  double loss(const Example &e) const {
    std::vector<double> z = logits(e);
    double top = *std::max_element(z.begin(), z.end()), sum = 0;
    for (double v : z)
      sum += std::exp(v - top);
    return top + std::log(sum) - z[e.label];
  }
  bool hit(const Example &e) const {
    std::vector<double> z = logits(e);
    return uint32_t(std::max_element(z.begin(), z.end()) - z.begin()) == e.label;
  }
  /// Gradient (dW, db) of the summed loss of `batch`.
  std::pair<std::vector<std::vector<double>>, std::vector<double>> gradient(const std::vector<Example> &batch) const {
    std::vector<std::vector<double>> dw(kClasses, std::vector<double>(kFeatures, 0));
    std::vector<double> db(kClasses, 0);
    for (const Example &e : batch) {
      std::vector<double> z = logits(e);
      double top = *std::max_element(z.begin(), z.end()), sum = 0;
      for (double v : z)
        sum += std::exp(v - top);
      for (uint32_t k = 0; k < kClasses; ++k) {
        double g = std::exp(z[k] - top) / sum - (k == e.label ? 1 : 0);
        db[k] += g;
        for (uint32_t i = 0; i < kFeatures; ++i)
          if (mask[k][i])
            dw[k][i] += g * e.c[i];
      }
    }
    return {dw, db};
  }
  void sgd(const std::vector<Example> &batch, double lr) {
    auto [dw, db] = gradient(batch);
    for (uint32_t k = 0; k < kClasses; ++k) {
      b[k] -= lr * db[k];
      for (uint32_t i = 0; i < kFeatures; ++i)
        w[k][i] -= lr * dw[k][i];
    }
  }
  SetMetrics metrics(const std::vector<Example> &set) const {
    SetMetrics m;
    for (const Example &e : set) {
      m.loss += loss(e);
      m.accuracy += hit(e) ? 1 : 0;
    }
    m.loss /= double(set.size());
    m.accuracy /= double(set.size());
    m.examples = set.size();
    return m;
  }
};

/// Trains the reference over `epochs` epochs of `batch`-sized batches in
/// the order `order(epoch)`, at most `max_batches` per epoch; returns the
/// per-epoch training metrics (measured during the epoch, before each step).
template <typename Order>
std::vector<SetMetrics> train_reference(Reference &r, const std::vector<Example> &train, uint32_t epochs,
                                        uint32_t batch, double lr, Order order, uint64_t max_batches = UINT64_MAX) {
  std::vector<SetMetrics> out;
  for (uint32_t epoch = 1; epoch <= epochs; ++epoch) {
    std::vector<std::size_t> o = order(epoch);
    SetMetrics m;
    uint64_t done = 0;
    for (std::size_t first = 0; first < o.size() && done < max_batches; first += batch, ++done) {
      std::vector<Example> examples;
      for (std::size_t k = first; k < std::min(o.size(), first + batch); ++k)
        examples.push_back(train[o[k]]);
      for (const Example &e : examples) {
        m.loss += r.loss(e);
        m.accuracy += r.hit(e) ? 1 : 0;
        ++m.examples;
      }
      r.sgd(examples, lr);
    }
    m.loss /= double(m.examples);
    m.accuracy /= double(m.examples);
    out.push_back(m);
  }
  return out;
}

std::vector<std::size_t> identity(std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = i;
  return order;
}

/// The dense arrays of an NPZ file.
std::map<std::string, std::vector<double>> read_arrays(const std::string &path) {
  NpzArchive archive(path);
  std::map<std::string, std::vector<double>> out;
  for (const std::string &name : archive.names())
    out[name] = archive.array(name).to_doubles();
  return out;
}

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Training : public ::testing::Test {
protected:
  void SetUp() override {
    poison_countdown = -1;
    train_path_ = dir_.write("train.csv", kTrainCsv);
    test_path_ = dir_.write("test.csv", kTestCsv);
    model_ = std::make_unique<TrainingModel>(train_path_);
    model_->set_test(test_path_);
    options_.out = &out_;
    options_.err = &err_;
  }
  snn_model_desc &desc() { return model_->desc(); }
  /// The expected weights file contents of reference `r`.
  void expect_weights(const std::string &path, const Reference &r) {
    auto arrays = read_arrays(path);
    ASSERT_EQ(arrays.size(), 3u);
    std::vector<double> w = arrays.at("in->out");
    ASSERT_EQ(w.size(), kClasses * kFeatures);
    for (uint32_t k = 0; k < kClasses; ++k)
      for (uint32_t i = 0; i < kFeatures; ++i)
        EXPECT_NEAR(w[k * kFeatures + i], r.mask[k][i] ? r.w[k][i] : 0.0, 1e-12) << k << "," << i;
    for (uint32_t k = 0; k < kClasses; ++k)
      EXPECT_NEAR(arrays.at("out.bias")[k], r.b[k], 1e-12);
    for (uint32_t j = 0; j < kFeatures * kClasses; ++j)
      EXPECT_EQ(arrays.at("in.feedback")[j], 0.5 * j - 1) << "the feedback matrix is never trained";
  }

  ScratchDirectory dir_;
  std::string train_path_, test_path_;
  std::unique_ptr<TrainingModel> model_;
  TrainOptions options_;
  std::ostringstream out_, err_;
};

TEST_F(Training, TrainsLikeTheReferenceWithASmallerLastBatch) {
  options_.shuffle = false;
  options_.weights_out = dir_.file("w.npz");
  TrainResult result = train(desc(), options_);
  // 10 examples in batches of 3: 3, 3, 3, 1 -> 4 optimiser steps per epoch.
  EXPECT_EQ(result.optimizer_steps, 8u);
  EXPECT_EQ(result.train_examples, 10u);
  EXPECT_EQ(result.test_examples, 4u);

  Reference r = Reference::initial(desc(), 5);
  std::vector<Example> train_set = reference_examples(kTrainCsv), test_set = reference_examples(kTestCsv);
  Reference copy = r;
  std::vector<SetMetrics> expected = train_reference(r, train_set, 2, 3, 0.5, [](uint32_t) { return identity(10); });
  ASSERT_EQ(result.epochs.size(), 2u);
  for (uint32_t e = 0; e < 2; ++e) {
    ASSERT_TRUE(result.epochs[e].train);
    EXPECT_NEAR(result.epochs[e].train->loss, expected[e].loss, 1e-12) << e;
    EXPECT_DOUBLE_EQ(result.epochs[e].train->accuracy, expected[e].accuracy) << e;
    EXPECT_FALSE(result.epochs[e].validation);
  }
  SetMetrics test = r.metrics(test_set);
  ASSERT_TRUE(result.final_test);
  EXPECT_NEAR(result.final_test->loss, test.loss, 1e-12);
  EXPECT_DOUBLE_EQ(result.final_test->accuracy, test.accuracy);
  expect_weights(options_.weights_out, r);
  // Training changed something: the reference is not trivially the start.
  EXPECT_GT(std::fabs(r.b[0] - copy.b[0]), 1e-3);

  std::string text = out_.str();
  EXPECT_NE(text.find("model Logistic: training on 10 examples, testing on 4; batch 3, 2 epochs"), std::string::npos)
      << text;
  EXPECT_NE(text.find("epoch 1/2: train loss "), std::string::npos) << text;
  EXPECT_NE(text.find("epoch 2/2: train loss "), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << "no carriage returns when not a terminal";
  char accuracy[64];
  std::snprintf(accuracy, sizeof accuracy, "test accuracy: %.1f %%\n", 100 * test.accuracy);
  EXPECT_NE(text.find(accuracy), std::string::npos) << text;
}

TEST_F(Training, ShufflesBySeededPermutationsPerEpoch) {
  options_.seed = 11;
  options_.epochs = 3;
  options_.batch = 4;
  options_.lr = 0.25;
  TrainResult first = train(desc(), options_);
  TrainResult second = train(desc(), options_);
  Reference r = Reference::initial(desc(), 11);
  std::vector<Example> train_set = reference_examples(kTrainCsv);
  std::vector<SetMetrics> expected = train_reference(
      r, train_set, 3, 4, 0.25, [](uint32_t epoch) { return seeded_permutation(10, 11, kShuffleStream + epoch); });
  for (uint32_t e = 0; e < 3; ++e) {
    EXPECT_NEAR(first.epochs[e].train->loss, expected[e].loss, 1e-12) << e;
    EXPECT_EQ(first.epochs[e].train->loss, second.epochs[e].train->loss) << "same seed, same run";
  }
  // The permutations: permutations, different per epoch and per seed.
  std::vector<std::size_t> a = seeded_permutation(10, 11, kShuffleStream + 1);
  std::vector<std::size_t> b = seeded_permutation(10, 11, kShuffleStream + 2);
  std::vector<std::size_t> c = seeded_permutation(10, 12, kShuffleStream + 1);
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 10u);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, identity(10));
  EXPECT_EQ(a, seeded_permutation(10, 11, kShuffleStream + 1));
}

TEST_F(Training, BatchesLimitsTheBatchesOfAnEpoch) {
  options_.shuffle = false;
  options_.batches = 2;
  options_.weights_out = dir_.file("w.npz");
  TrainResult result = train(desc(), options_);
  EXPECT_EQ(result.optimizer_steps, 4u);
  Reference r = Reference::initial(desc(), 5);
  std::vector<SetMetrics> expected = train_reference(
      r, reference_examples(kTrainCsv), 2, 3, 0.5, [](uint32_t) { return identity(10); }, 2);
  EXPECT_EQ(result.epochs[1].train->examples, 6u);
  EXPECT_NEAR(result.epochs[1].train->loss, expected[1].loss, 1e-12);
  expect_weights(options_.weights_out, r);
}

TEST_F(Training, WritesOneMetricsObjectPerEpoch) {
  options_.metrics = dir_.file("metrics.jsonl");
  options_.epochs = 3;
  TrainResult result = train(desc(), options_);
  std::string text = read_text(options_.metrics);
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> objects;
  while (std::getline(lines, line))
    objects.push_back(line);
  ASSERT_EQ(objects.size(), 3u) << text;
  for (uint32_t e = 0; e < 3; ++e) {
    EXPECT_EQ(objects[e], metrics_json(result.epochs[e]));
    EXPECT_EQ(objects[e].rfind("{\"epoch\": " + std::to_string(e + 1) + ", \"train_loss\": ", 0), 0u) << objects[e];
    for (const char *key : {"\"train_accuracy\": ", "\"test_loss\": ", "\"test_accuracy\": ", "\"seconds\": "})
      EXPECT_NE(objects[e].find(key), std::string::npos) << key;
    EXPECT_EQ(objects[e].find("validation"), std::string::npos);
    // The numbers round-trip.
    std::size_t at = objects[e].find("\"train_loss\": ") + 14;
    EXPECT_EQ(std::stod(objects[e].substr(at)), result.epochs[e].train->loss);
  }
  EpochMetrics m;
  m.epoch = 2;
  m.train = SetMetrics{0.5, 0.25, 4};
  m.validation = SetMetrics{1.5, 0.75, 2};
  m.lr = 0.125;
  m.seconds = 2;
  EXPECT_EQ(metrics_json(m), "{\"epoch\": 2, \"train_loss\": 0.5, \"train_accuracy\": 0.25, \"test_loss\": null, "
                             "\"test_accuracy\": null, \"validation_loss\": 1.5, \"validation_accuracy\": 0.75, "
                             "\"lr\": 0.125, \"seconds\": 2}");
  EXPECT_EQ(progress_line(m, 5, 90), "epoch 2/5: train loss 0.5000 accuracy 25.00 %, validation loss 1.5000 "
                                     "accuracy 75.00 %, 2.00 s, ETA 1 min 30 s");
}

TEST_F(Training, SplitsHoldOutTestAndValidationExamples) {
  model_ = std::make_unique<TrainingModel>(train_path_);
  model_->training.test_split = 0.2;
  model_->training.validation_split = 0.25;
  options_.metrics = dir_.file("m.jsonl");
  options_.shuffle = false;
  options_.epochs = 1;
  TrainResult result = train(desc(), options_);
  EXPECT_EQ(result.test_examples, 2u);
  EXPECT_EQ(result.validation_examples, 2u);
  EXPECT_EQ(result.train_examples, 6u);
  Splits splits = split_examples(10, 0.2, 0.25, 5, "x");
  std::vector<std::size_t> all;
  for (auto *set : {&splits.train, &splits.validation, &splits.test}) {
    EXPECT_TRUE(std::is_sorted(set->begin(), set->end()));
    all.insert(all.end(), set->begin(), set->end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, identity(10));
  // The reference on those splits.
  std::vector<Example> examples = reference_examples(kTrainCsv), train_set, validation, test;
  for (std::size_t i : splits.train)
    train_set.push_back(examples[i]);
  for (std::size_t i : splits.validation)
    validation.push_back(examples[i]);
  for (std::size_t i : splits.test)
    test.push_back(examples[i]);
  Reference r = Reference::initial(desc(), 5);
  train_reference(r, train_set, 1, 3, 0.5, [](uint32_t) { return identity(6); });
  EXPECT_NEAR(result.epochs[0].validation->loss, r.metrics(validation).loss, 1e-12);
  EXPECT_NEAR(result.epochs[0].test->loss, r.metrics(test).loss, 1e-12);
  std::string text = read_text(options_.metrics);
  EXPECT_NE(text.find("\"validation_loss\": "), std::string::npos) << text;
  EXPECT_NE(text.find("\"validation_accuracy\": "), std::string::npos) << text;
  EXPECT_THROW(split_examples(3, 0.1, 0, 5, "x"), Error) << "0.3 rounds to no test example";
  EXPECT_EQ(split_examples(3, 0.2, 0, 5, "x").test.size(), 1u) << "0.6 rounds to 1";
  EXPECT_THROW(split_examples(2, 0.5, 0.5, 5, "x"), Error);
}

TEST_F(Training, WeightFilesRoundTrip) {
  options_.weights_out = dir_.file("trained.npz");
  TrainResult trained = train(desc(), options_);
  TrainOptions evaluate = options_;
  evaluate.epochs = 0;
  evaluate.weights_in = options_.weights_out;
  evaluate.weights_out = dir_.file("again.npz");
  evaluate.metrics = dir_.file("eval.jsonl");
  TrainResult evaluated = train(desc(), evaluate);
  ASSERT_EQ(evaluated.epochs.size(), 1u);
  EXPECT_EQ(evaluated.epochs[0].epoch, 0u);
  EXPECT_FALSE(evaluated.epochs[0].train);
  ASSERT_TRUE(evaluated.final_test && trained.final_test);
  EXPECT_DOUBLE_EQ(evaluated.final_test->loss, trained.final_test->loss);
  EXPECT_EQ(read_arrays(options_.weights_out), read_arrays(evaluate.weights_out));
  EXPECT_EQ(read_text(evaluate.metrics).rfind("{\"epoch\": 0, \"test_loss\": ", 0), 0u);
  EXPECT_NE(out_.str().find("evaluation: test loss"), std::string::npos) << out_.str();
}

/// Writes a weight file with the given arrays.
std::string weight_file(const ScratchDirectory &dir, const std::map<std::string, std::vector<double>> &arrays,
                        const std::map<std::string, std::vector<uint64_t>> &shapes) {
  NpzWriter writer;
  for (const auto &[name, values] : arrays)
    writer.add(name, values, shapes.at(name));
  std::string path = dir.file("bad.npz");
  writer.write(path);
  return path;
}

TEST_F(Training, BadWeightFilesAreErrorsNamingArrayAndFile) {
  Reference r = Reference::initial(desc(), 5);
  std::vector<double> dense(kClasses * kFeatures, 0);
  int hole = -1;
  for (uint32_t k = 0; k < kClasses; ++k)
    for (uint32_t i = 0; i < kFeatures; ++i)
      if (!r.mask[k][i])
        hole = int(k * kFeatures + i);
  ASSERT_GE(hole, 0) << "the 0.7 connectivity of seed 5 must leave a pair unconnected";
  std::map<std::string, std::vector<double>> good{
      {"in->out", dense}, {"out.bias", {1, 2, 3}}, {"in.feedback", std::vector<double>(12, 0.5)}};
  std::map<std::string, std::vector<uint64_t>> shapes{{"in->out", {kClasses, kFeatures}},
                                                      {"out.bias", {kClasses}},
                                                      {"in.feedback", {kFeatures, kClasses}},
                                                      {"extra", {1}}};
  auto message = [&](std::map<std::string, std::vector<double>> arrays,
                     std::map<std::string, std::vector<uint64_t>> shape_overrides = {}) {
    auto all_shapes = shapes;
    for (auto &[name, shape] : shape_overrides)
      all_shapes[name] = shape;
    TrainOptions options = options_;
    options.weights_in = weight_file(dir_, arrays, all_shapes);
    options.epochs = 0;
    try {
      train(desc(), options);
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  std::string path = dir_.file("bad.npz");
  EXPECT_EQ(message(good), "(no error)");
  auto missing = good;
  missing.erase("out.bias");
  EXPECT_EQ(message(missing), path + ": error: array 'out.bias' is missing");
  auto extra = good;
  extra["extra"] = {1};
  EXPECT_EQ(message(extra),
            path + ": error: array 'extra' is no parameter of the model (it has 'in->out', 'out.bias', 'in.feedback')");
  auto transposed = good;
  EXPECT_EQ(message(transposed, {{"in->out", {kFeatures, kClasses}}}),
            path + ": error: array 'in->out' has shape [4, 3] but the model needs [3, 4]");
  auto nan = good;
  nan["out.bias"][1] = NAN;
  EXPECT_EQ(message(nan), path + ": error: array 'out.bias': element 1 is not finite");
  auto no_synapse = good;
  no_synapse["in->out"][std::size_t(hole)] = 0.25;
  EXPECT_EQ(message(no_synapse), path + ": error: array 'in->out': element [" + std::to_string(hole / kFeatures) +
                                     ", " + std::to_string(hole % kFeatures) +
                                     "] is 0.25 but the projection has no synapse from " +
                                     std::to_string(hole % kFeatures) + " to " + std::to_string(hole / kFeatures));
  EXPECT_NE(message({}, {}).find("array 'in->out' is missing"), std::string::npos);
}

TEST_F(Training, GradientsOutIsTheFirstBatchGradient) {
  Reference r = Reference::initial(desc(), 5);
  // Start from weights of our own on the synapses.
  std::vector<double> dense(kClasses * kFeatures, 0);
  for (uint32_t k = 0; k < kClasses; ++k)
    for (uint32_t i = 0; i < kFeatures; ++i)
      if (r.mask[k][i])
        dense[k * kFeatures + i] = r.w[k][i] = 0.1 * (double(k) - double(i));
  r.b = {0.3, -0.2, 0.1};
  NpzWriter writer;
  writer.add("in->out", dense, {kClasses, kFeatures});
  writer.add("out.bias", r.b, {kClasses});
  writer.add("in.feedback", std::vector<double>(12, 0), {kFeatures, kClasses});
  writer.write(dir_.file("w.npz"));
  options_.weights_in = dir_.file("w.npz");
  options_.gradients_out = dir_.file("g.npz");
  options_.shuffle = false;
  options_.batches = 1;
  options_.batch = 4;
  TrainResult result = train(desc(), options_);
  EXPECT_EQ(result.optimizer_steps, 0u);
  std::vector<Example> examples = reference_examples(kTrainCsv);
  auto [dw, db] = r.gradient({examples[0], examples[1], examples[2], examples[3]});
  auto arrays = read_arrays(options_.gradients_out);
  ASSERT_EQ(arrays.size(), 3u) << "two gradients (no feedback gradient) and the losses";
  ASSERT_EQ(arrays.at("loss").size(), 4u);
  for (uint32_t b = 0; b < 4; ++b)
    EXPECT_NEAR(arrays.at("loss")[b], r.loss(examples[b]), 1e-12);
  for (uint32_t k = 0; k < kClasses; ++k) {
    EXPECT_NEAR(arrays.at("out.bias")[k], db[k], 1e-12);
    for (uint32_t i = 0; i < kFeatures; ++i)
      EXPECT_NEAR(arrays.at("in->out")[k * kFeatures + i], dw[k][i], 1e-12);
  }
  EXPECT_NE(out_.str().find("wrote " + options_.gradients_out), std::string::npos);
}

TEST_F(Training, NonFiniteLossNamesEpochAndBatch) {
  // end_example runs for 4 training and 2 test batches per epoch: the
  // eighth call is epoch 2, batch 2.
  poison_countdown = 7;
  options_.shuffle = false;
  try {
    train(desc(), options_);
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_EQ(e.exit_code(), 1);
    EXPECT_NE(std::string(e.what()).find("the loss is not finite (nan) in epoch 2, batch 2, example 2 of the batch"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(Training, EventsFallInTheirStepAndLateSpikesAreCounted) {
  // Two examples; spikes at 0, 0.9 ms (step 0), 1 ms (step 1), 4.999 ms
  // (step 4), and 5 ms, 7 ms past the 5 steps: dropped.
  NpzWriter writer;
  writer.add("times", std::vector<double>{0, 0.0009, 0.001, 0.004999, 0.005, 0.0015, 0.007}, {7});
  writer.add("units", std::vector<int32_t>{0, 1, 2, 3, 0, 1, 2}, {7});
  writer.add("offsets", std::vector<int32_t>{0, 5, 7}, {3});
  writer.add("labels", std::vector<int32_t>{1, 2}, {2});
  std::string path = dir_.file("events.npz");
  writer.write(path);
  model_ = std::make_unique<TrainingModel>(path);
  model_->training.train.encoder = SNN_ENCODE_EVENTS;
  ExampleSet set = ExampleSet::load(desc(), desc().training->train, path, "", desc().training->timesteps);
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.dropped_spikes(), 2u);
  std::vector<uint8_t> flags(kSteps * kFeatures, 9);
  set.encode(0, kSteps, 1e-3, 1, flags.data());
  std::vector<uint8_t> expected(kSteps * kFeatures, 0);
  expected[0 * kFeatures + 0] = expected[0 * kFeatures + 1] = expected[1 * kFeatures + 2] =
      expected[4 * kFeatures + 3] = 1;
  EXPECT_EQ(flags, expected);
  options_.epochs = 1;
  train(desc(), options_);
  EXPECT_EQ(err_.str(), "warning: " + path + ": 2 spikes at or after t = 0.005 s (step 5 of 5) are dropped\n");
}

// A batch's flags, encoded on threads, are each example's encode() wherever
// it runs: Poisson draws keyed by the example.
TEST_F(Training, EncodingABatchOnThreadsGivesEachExamplesFlags) {
  std::string rows;
  for (int e = 0; e < 40; ++e)
    rows += std::to_string(e % 5) + "," + std::to_string(3 * e % 5) + ",4," + std::to_string(e % 2) + "," +
            std::to_string(e % 3) + "\n";
  std::string path = dir_.write("many.csv", rows);
  model_ = std::make_unique<TrainingModel>(path);
  model_->training.train.encoder = SNN_ENCODE_POISSON;
  model_->training.train.max_rate = 300.0;
  ExampleSet set = ExampleSet::load(desc(), desc().training->train, path, "", kSteps);
  const uint64_t steps = 200;
  const std::size_t frame = steps * kFeatures;
  std::vector<std::size_t> examples = {39, 0, 7, 7, 12, 3, 25, 31, 18, 2, 9};
  std::vector<uint8_t> expected(examples.size() * frame);
  for (std::size_t i = 0; i < examples.size(); ++i)
    set.encode(examples[i], steps, 1e-3, 42, expected.data() + i * frame);
  EXPECT_GT(std::count(expected.begin(), expected.end(), 1), 100) << "Poisson draws some spikes";
  EXPECT_NE(std::vector<uint8_t>(expected.begin(), expected.begin() + frame),
            std::vector<uint8_t>(expected.begin() + frame, expected.begin() + 2 * frame));
  for (unsigned threads : {1u, 3u, 16u}) {
    std::vector<uint8_t> flags(expected.size(), 7);
    set.encode_all(examples, steps, 1e-3, 42, flags.data(), threads, /*bytes_per_thread=*/1);
    EXPECT_EQ(flags, expected) << threads << " threads";
  }
}

TEST_F(Training, DataMustFitTheInputPopulation) {
  std::string wide = dir_.write("wide.csv", "1,2,3,4,0,0\n");
  options_.data_train = wide;
  try {
    train(desc(), options_);
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), wide + ": error: the data (--data-train) has 5 features per example but the "
                                            "input population 'in' has 4 neurons");
  }
  options_.data_train = dir_.write("big.csv", "1,2,3,5,0\n0,0,0,0,1\n");
  EXPECT_THROW(train(desc(), options_), Error) << "5 lies outside [0, 4]";
  options_.data_train = dir_.write("label.csv", "1,2,3,4,3\n0,0,0,0,1\n");
  EXPECT_THROW(train(desc(), options_), Error) << "label 3 of 3 classes";
}

/// Runs the command line on `model`; returns exit code and stderr.
std::pair<int, std::string> command(const snn_model_desc &model, std::vector<std::string> args,
                                    std::string *stdout_text = nullptr) {
  args.insert(args.begin(), "model");
  std::vector<const char *> argv;
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = run_command_line(int(argv.size()), argv.data(), model, out, err);
  if (stdout_text)
    *stdout_text = out.str();
  return {code, err.str()};
}

TEST_F(Training, CommandLineOptions) {
  snn_model_desc &model = desc();
  using Result = std::pair<int, std::string>;
  EXPECT_EQ(command(model, {"--lr", "0"}),
            Result(1, "error: option '--lr' needs a positive, finite number, not '0'\n"));
  EXPECT_EQ(command(model, {"--lr=nan"}),
            Result(1, "error: option '--lr' needs a positive, finite number, not 'nan'\n"));
  EXPECT_EQ(command(model, {"--lr", "1e400"}).first, 1);
  EXPECT_EQ(command(model, {"--lr", "-1"}).first, 1);
  EXPECT_EQ(command(model, {"--lr", "0.1x"}).first, 1);
  EXPECT_EQ(command(model, {"--epochs", "-1"}),
            Result(1, "error: option '--epochs' needs an integer from 0 to 4294967295, not '-1'\n"));
  EXPECT_EQ(command(model, {"--epochs", "4294967296"}).first, 1);
  EXPECT_EQ(command(model, {"--batches", "0"}),
            Result(1, "error: option '--batches' needs an integer from 1 to 2^64 - 1, not '0'\n"));
  EXPECT_EQ(command(model, {"--batch", "0"}).first, 1);
  EXPECT_EQ(command(model, {"--metrics", ""}), Result(1, "error: option '--metrics' needs a file name\n"));
  EXPECT_EQ(command(model, {"--weights-in"}), Result(1, "error: option '--weights-in' needs a file name\n"));
  EXPECT_EQ(command(model, {"--no-shuffle=1"}), Result(1, "error: option '--no-shuffle' takes no value\n"));
  EXPECT_EQ(command(model, {"--duration", "1s"}),
            Result(1, "error: option '--duration' is for simulations; the model 'Logistic' trains (see --help)\n"));
  // --out names the file of recordings that name none (this model has none).
  EXPECT_EQ(command(model, {"--quiet", "--epochs", "0", "--out", dir_.file("x.npz")}).first, 0);
  // Hyperparameters: checked by name and range.
  EXPECT_EQ(command(model, {"--checkpoint-evry", "2"}),
            Result(1, "error: unknown option '--checkpoint-evry'; did you mean '--checkpoint-every'? (see --help)\n"));
  EXPECT_EQ(command(model, {"--checkpoint-every", "0"}),
            Result(1, "error: --checkpoint-every: expected an integer >= 1, found '0'\n"));
  EXPECT_EQ(command(model, {"--validation-split", "1"}),
            Result(1, "error: --validation-split: expected a number from 0 to 1 (excluded), found '1'\n"));
  EXPECT_EQ(command(model, {"--bogus"}), Result(1, "error: unknown option '--bogus' (see --help)\n"));
  EXPECT_EQ(command(model, {"--resume"}),
            Result(1, "error: --resume needs a checkpoint directory: --checkpoint DIR, or `checkpoint every N "
                      "epochs to \"DIR\"` in the regime\n"));
  EXPECT_EQ(command(model, {"--weights-in", dir_.file("none.npz")}).first, 1);
  EXPECT_EQ(command(*snn_test_model_f64(), {"--epochs", "2"}),
            Result(1, "error: option '--epochs' is for training models; the model 'TestNet' simulates (see --help)\n"));
  EXPECT_EQ(command(*snn_test_model_f64(), {"--no-shuffle"}).first, 1);

  std::string text;
  EXPECT_EQ(command(model, {"--help"}, &text), Result(0, ""));
  for (const char *option :
       {"--epochs", "--batch", "--lr", "--seed", "--data-train", "--data-test", "--metrics", "--weights-in",
        "--weights-out", "--no-shuffle", "--batches", "--gradients-out", "-q, --quiet", "--checkpoint-every"})
    EXPECT_NE(text.find(std::string("  ") + option + " "), std::string::npos) << option;
  EXPECT_EQ(text.find("--duration"), std::string::npos);
  EXPECT_NE(text.find("in.feedback (random feedback, not trained)"), std::string::npos) << text;

  EXPECT_EQ(command(model, {"--quiet", "--epochs", "1", "--metrics", dir_.file("m.jsonl")}, &text), Result(0, ""));
  EXPECT_EQ(text, "");
  EXPECT_EQ(command(model, {"--epochs=1", "--batch=5", "--seed", "3", "--lr", "0.1", "--no-shuffle"}, &text).first, 0);
  EXPECT_NE(text.find("batch 5, 1 epoch, learning rate 0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("test accuracy: "), std::string::npos) << text;
}

TEST_F(Training, TerminalProgressUpdatesInPlace) {
  options_.terminal = true;
  options_.epochs = 1;
  train(desc(), options_);
  std::string text = out_.str();
  EXPECT_NE(text.find("\r\033[Kepoch 1/1 [========================] 4/4 loss "), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[Kepoch 1/1 [======>                 ] 1/4 loss "), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[Kepoch 1/1: train loss "), std::string::npos) << text;
}

TEST_F(Training, MalformedTrainingDescriptorsAreInternalErrors) {
  auto error_of = [&](auto edit) {
    TrainingModel model(train_path_);
    edit(model);
    try {
      validate_model(model.desc());
    } catch (const Error &e) {
      EXPECT_EQ(e.exit_code(), 70);
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of([](TrainingModel &) {}), "(no error)");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.buffers[kLabel].type = SNN_ELEM_F64; }),
            "internal error: malformed model descriptor: buffer 'label' with role label is float64, global scope, per "
            "example; expected int32, global scope, per example");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.training.scores = kLoss; }),
            "internal error: malformed model descriptor: the scores is buffer 'loss' with role loss; expected scores");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.params[2].gradient = kBiasGradient; }),
            "internal error: malformed model descriptor: trained parameter 'in.feedback': a feedback matrix has no "
            "gradient");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.params[0].value = kBias; }),
            "internal error: malformed model descriptor: trained parameter 'in->out' names no projection's weight "
            "buffer");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.params[1].name = "in->out"; }),
            "internal error: malformed model descriptor: two trained parameters are called 'in->out'");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.entries.pop_back(); }),
            "internal error: malformed model descriptor: entry point 'apply_gradients' of a training model is missing");
  EXPECT_EQ(error_of([](TrainingModel &m) { m.populations[0].stimulus = SNN_NO_BUFFER; }),
            "internal error: malformed model descriptor: the input population 'in' has no stimulus buffer");
}

TEST_F(Training, TheExecutableTrains) {
  ScratchDirectory dir;
  dir.write("train.csv", kTrainCsv);
  dir.write("test.csv", kTestCsv);
  std::string cd = "cd " + shell_quote(dir.path().string()) + " && " + shell_quote(SNN_TEST_TRAIN_MODEL_EXE);
  CommandResult run = run_shell(cd + " --epochs 2 --no-shuffle --metrics m.jsonl --weights-out w.npz 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("epoch 2/2: train loss"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("test accuracy: "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("wrote w.npz"), std::string::npos) << run.output;
  Reference r = Reference::initial(desc(), 5);
  train_reference(r, reference_examples(kTrainCsv), 2, 3, 0.5, [](uint32_t) { return identity(10); });
  expect_weights(dir.file("w.npz"), r);
  run = run_shell(cd + " --weights-in w.npz --no-shuffle --batches 1 --gradients-out g.npz 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(read_arrays(dir.file("g.npz")).size(), 3u); // two gradients and the losses
  run = run_shell(cd + " --lr -1 2>&1");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output, "error: option '--lr' needs a positive, finite number, not '-1'\n");
}

} // namespace
} // namespace snn::rt::test
