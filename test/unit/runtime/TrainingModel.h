//===- TrainingModel.h - A hand-written training model ----------*- C++ -*-===//
//
// Multinomial logistic regression written against the training protocol of
// model_abi.h, in plain C++ (float64). Populations: `in` (kFeatures
// neurons, driven by the data's stimulus flags) and `out` (kClasses, the
// readout). The projection in -> out is fixed_probability(0.7) so that some
// pairs have no synapse. Per example, input i accumulates
//   c_i = sum over the steps t it spiked in of (t + 1) / kSteps,
// and end_example computes the logits z_k = sum_i W[k, i] c_i + b_k, the
// scores z and the loss logsumexp(z) - z_label. train_end_example stores the
// exact per-example gradient (softmax(z) - onehot) c_i (and for b), reduce
// sums it over the batch's examples and apply does SGD with the lr buffer.
// A feedback matrix `in.feedback` [kFeatures, kClasses] is drawn by init and
// never used: only the weight files see it.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_TEST_RUNTIME_TRAININGMODEL_H
#define SNN_TEST_RUNTIME_TRAININGMODEL_H

#include "snn/model_abi.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace snn::rt::test {

constexpr uint32_t kFeatures = 4, kClasses = 3, kSteps = 5;

/// Buffer indices of the training model.
enum TrainingBuffer : uint32_t {
  kInSpiked,
  kInStimulus,
  kInCount,
  kOutSpiked,
  kRowStart,
  kTarget,
  kWeight,
  kLabel,
  kLoss,
  kScores,
  kLr,
  kWeightGradient,
  kBias,
  kBiasGradient,
  kExampleWeightGradient,
  kExampleBiasGradient,
  kFeedback,
  kHyper,
  kNumTrainingBuffers
};

/// When nonzero, end_example makes the loss of the example at this position
/// of the batch NaN once `poison_countdown` batches have ended.
inline int poison_countdown = -1;

inline double &real(snn_state *s, uint32_t buffer, uint64_t i) { return static_cast<double *>(s->buffers[buffer])[i]; }
inline uint64_t extent(snn_state *s, uint32_t buffer) { return s->extents[buffer]; }

inline void tm_init(snn_state *s, uint64_t) {
  for (uint64_t k = 0; k < extent(s, kWeight); ++k)
    real(s, kWeight, k) = 0.05 * double(int((k * 7) % 11) - 5);
  for (uint32_t k = 0; k < kClasses; ++k)
    real(s, kBias, k) = 0.01 * k;
  for (uint32_t k = 0; k < kFeatures * kClasses; ++k)
    real(s, kFeedback, k) = 0.5 * k - 1;
}

inline void tm_reset_example(snn_state *s, uint64_t) {
  for (uint32_t b = 0; b < s->batch; ++b) {
    for (uint32_t i = 0; i < kFeatures; ++i)
      real(s, kInCount, b * kFeatures + i) = 0;
    real(s, kLoss, b) = 0;
    for (uint32_t k = 0; k < kClasses; ++k)
      real(s, kScores, b * kClasses + k) = 0;
  }
}

inline void tm_step(snn_state *s, uint64_t step) {
  const uint8_t *stimulus = static_cast<const uint8_t *>(s->buffers[kInStimulus]);
  uint8_t *spiked = static_cast<uint8_t *>(s->buffers[kInSpiked]);
  for (uint32_t b = 0; b < s->batch; ++b)
    for (uint32_t i = 0; i < kFeatures; ++i) {
      spiked[b * kFeatures + i] = stimulus[b * kFeatures + i];
      if (stimulus[b * kFeatures + i])
        real(s, kInCount, b * kFeatures + i) += double(step + 1) / kSteps;
    }
}

/// The logits of example b.
inline std::vector<double> tm_logits(snn_state *s, uint32_t b) {
  const uint32_t *row = static_cast<const uint32_t *>(s->buffers[kRowStart]);
  const uint32_t *target = static_cast<const uint32_t *>(s->buffers[kTarget]);
  std::vector<double> z(kClasses);
  for (uint32_t k = 0; k < kClasses; ++k)
    z[k] = real(s, kBias, k);
  for (uint32_t i = 0; i < kFeatures; ++i)
    for (uint32_t syn = row[i]; syn < row[i + 1]; ++syn)
      z[target[syn]] += real(s, kWeight, syn) * real(s, kInCount, b * kFeatures + i);
  return z;
}

inline void tm_end_example(snn_state *s, uint64_t) {
  const int32_t *label = static_cast<const int32_t *>(s->buffers[kLabel]);
  for (uint32_t b = 0; b < s->batch; ++b) {
    std::vector<double> z = tm_logits(s, b);
    double top = z[0];
    for (double v : z)
      top = std::fmax(top, v);
    double sum = 0;
    for (double v : z)
      sum += std::exp(v - top);
    real(s, kLoss, b) = top + std::log(sum) - z[label[b]];
    for (uint32_t k = 0; k < kClasses; ++k)
      real(s, kScores, b * kClasses + k) = z[k];
  }
  if (poison_countdown >= 0 && poison_countdown-- == 0)
    real(s, kLoss, s->batch - 1) = NAN;
}

/// No recorded history (history_steps 0): the runtime never calls it.
inline void tm_backward(snn_state *, uint64_t) { std::abort(); }

inline void tm_train_end_example(snn_state *s, uint64_t) {
  const int32_t *label = static_cast<const int32_t *>(s->buffers[kLabel]);
  const uint32_t *row = static_cast<const uint32_t *>(s->buffers[kRowStart]);
  const uint32_t *target = static_cast<const uint32_t *>(s->buffers[kTarget]);
  uint64_t synapses = extent(s, kWeight);
  for (uint32_t b = 0; b < s->batch; ++b) {
    std::vector<double> z = tm_logits(s, b);
    double top = z[0], sum = 0;
    for (double v : z)
      top = std::fmax(top, v);
    for (double v : z)
      sum += std::exp(v - top);
    std::vector<double> g(kClasses);
    for (uint32_t k = 0; k < kClasses; ++k)
      g[k] = std::exp(z[k] - top) / sum - (int32_t(k) == label[b] ? 1 : 0);
    for (uint32_t i = 0; i < kFeatures; ++i)
      for (uint32_t syn = row[i]; syn < row[i + 1]; ++syn)
        real(s, kExampleWeightGradient, b * synapses + syn) = g[target[syn]] * real(s, kInCount, b * kFeatures + i);
    for (uint32_t k = 0; k < kClasses; ++k)
      real(s, kExampleBiasGradient, b * kClasses + k) = g[k];
  }
}

inline void tm_reduce_gradients(snn_state *s, uint64_t) {
  uint64_t synapses = extent(s, kWeight);
  for (uint64_t syn = 0; syn < synapses; ++syn) {
    double sum = 0;
    for (uint32_t b = 0; b < s->batch; ++b)
      sum += real(s, kExampleWeightGradient, b * synapses + syn);
    real(s, kWeightGradient, syn) = sum;
  }
  for (uint32_t k = 0; k < kClasses; ++k) {
    double sum = 0;
    for (uint32_t b = 0; b < s->batch; ++b)
      sum += real(s, kExampleBiasGradient, b * kClasses + k);
    real(s, kBiasGradient, k) = sum;
  }
}

inline void tm_apply_gradients(snn_state *s, uint64_t step) {
  if (step == 0)
    return; // the protocol numbers optimiser steps from 1
  double lr = real(s, kLr, 0);
  for (uint64_t syn = 0; syn < extent(s, kWeight); ++syn)
    real(s, kWeight, syn) -= lr * real(s, kWeightGradient, syn);
  for (uint32_t k = 0; k < kClasses; ++k)
    real(s, kBias, k) -= lr * real(s, kBiasGradient, k);
}

/// The descriptor tables of the training model; edit them, then desc().
struct TrainingModel {
  std::vector<snn_buffer_desc> buffers{
      {"in.spiked", "", SNN_ELEM_U8, SNN_SCOPE_NEURON, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_SPIKED, kFeatures},
      {"in.stimulus", "", SNN_ELEM_U8, SNN_SCOPE_NEURON, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STIMULUS, kFeatures},
      {"in.count", "1", SNN_ELEM_F64, SNN_SCOPE_NEURON, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_STATE, kFeatures},
      {"out.spiked", "", SNN_ELEM_U8, SNN_SCOPE_NEURON, 1, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_SPIKED, kClasses},
      {"in->out.row_start", "", SNN_ELEM_U32, SNN_SCOPE_ROW, 0, SNN_BATCH_SHARED, SNN_ROLE_ROW_START, kFeatures + 1},
      {"in->out.target", "", SNN_ELEM_U32, SNN_SCOPE_SYNAPSE, 0, SNN_BATCH_SHARED, SNN_ROLE_TARGET, 8},
      {"in->out.weight", "1", SNN_ELEM_F64, SNN_SCOPE_SYNAPSE, 0, SNN_BATCH_SHARED, SNN_ROLE_WEIGHT, 8},
      {"label", "", SNN_ELEM_I32, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_LABEL, 1},
      {"loss", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_LOSS, 1},
      {"scores", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_SCORES, kClasses},
      {"lr", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_SHARED, SNN_ROLE_HYPER, 1},
      {"in->out.gradient", "1", SNN_ELEM_F64, SNN_SCOPE_SYNAPSE, 0, SNN_BATCH_SHARED, SNN_ROLE_GRADIENT, 8},
      {"out.bias", "1", SNN_ELEM_F64, SNN_SCOPE_NEURON, 1, SNN_BATCH_SHARED, SNN_ROLE_BIAS, kClasses},
      {"out.bias.gradient", "1", SNN_ELEM_F64, SNN_SCOPE_NEURON, 1, SNN_BATCH_SHARED, SNN_ROLE_GRADIENT, kClasses},
      {"in->out.example_gradient", "1", SNN_ELEM_F64, SNN_SCOPE_SYNAPSE, 0, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_TRAINING,
       8},
      {"out.example_bias_gradient", "1", SNN_ELEM_F64, SNN_SCOPE_NEURON, 1, SNN_BATCH_PER_EXAMPLE, SNN_ROLE_TRAINING,
       kClasses},
      {"in.feedback", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_SHARED, SNN_ROLE_TRAINING, kFeatures *kClasses},
      {"hyper", "1", SNN_ELEM_F64, SNN_SCOPE_GLOBAL, 0, SNN_BATCH_SHARED, SNN_ROLE_HYPER, 3},
  };
  /// The hyperparameters every training model has (lower/Hyperparameters.cpp).
  std::vector<snn_hyper_desc> hypers{
      {"checkpoint-every", "checkpoint period", 1, 1, INFINITY, SNN_HYPER_INTEGER},
      {"validation-split", "validation fraction", 0, 0, 1, SNN_HYPER_MAX_OPEN},
      {"test-split", "test fraction", 0, 0, 1, SNN_HYPER_MAX_OPEN},
  };
  std::vector<snn_population_desc> populations{
      {"in", "SpikeSource", kFeatures, 1, nullptr, 0, nullptr, kInSpiked, kInStimulus, SNN_NO_BUFFER, SNN_NO_BUFFER},
      {"out", "Logistic", kClasses, 0, nullptr, 0, nullptr, kOutSpiked, SNN_NO_BUFFER, SNN_NO_BUFFER, SNN_NO_BUFFER},
  };
  snn_variable_desc count{"count", kInCount, 0, nullptr, nullptr};
  std::vector<snn_projection_desc> projections{{"in->out",
                                                0,
                                                1,
                                                SNN_CONNECT_FIXED_PROBABILITY,
                                                0.7,
                                                0,
                                                1,
                                                kRowStart,
                                                kTarget,
                                                kWeight,
                                                nullptr,
                                                nullptr,
                                                nullptr,
                                                nullptr,
                                                nullptr,
                                                SNN_LAYOUT_DEFAULT,
                                                0,
                                                0,
                                                0,
                                                SNN_STORAGE_RAGGED,
                                                SNN_NO_BUFFER}};
  std::vector<snn_entry_desc> entries{
      {"init", tm_init, 0},
      {"reset_example", tm_reset_example, 0},
      {"step", tm_step, 0},
      {"train_step", tm_step, 0},
      {"end_example", tm_end_example, 0},
      {"train_end_example", tm_train_end_example, 0},
      {"train_backward", tm_backward, 0},
      {"reduce_gradients", tm_reduce_gradients, 0},
      {"apply_gradients", tm_apply_gradients, 0},
  };
  std::vector<snn_param_desc> params{
      {"in->out", SNN_PARAM_WEIGHTS, 0, kWeight, kWeightGradient, kExampleWeightGradient},
      {"out.bias", SNN_PARAM_BIAS, 1, kBias, kBiasGradient, kExampleBiasGradient},
      {"in.feedback", SNN_PARAM_FEEDBACK, 0, kFeedback, SNN_NO_BUFFER, SNN_NO_BUFFER},
  };
  snn_training_desc training{};
  snn_model_desc model{};

  /// `train_path`: the training data (dense CSV, latency coding).
  explicit TrainingModel(const std::string &train_path) : train_path_(train_path) {
    training.timesteps = kSteps;
    training.epochs = 2;
    training.train = {train_path_.c_str(), nullptr, SNN_ENCODE_LATENCY, 4.0, 0};
    training.test = {nullptr, nullptr, SNN_ENCODE_LATENCY, 4.0, 0};
    training.input_population = 0;
    training.readout_population = 1;
    training.classes = kClasses;
    training.label = kLabel;
    training.loss = kLoss;
    training.scores = kScores;
    training.lr = kLr;
    training.default_lr = 0.5;
    training.loss_name = "sparse_categorical_crossentropy";
    training.readout_name = "mean";
    training.optimizer_name = "sgd";
    model.abi_version = SNN_MODEL_ABI_VERSION;
    model.real_size = 8;
    model.name = "Logistic";
    model.dt = 1e-3;
    model.duration = 0;
    model.default_seed = 5;
    model.default_batch = 3;
  }

  /// Sets the test file (same encoding).
  void set_test(const std::string &path) {
    test_path_ = path;
    training.test.path = test_path_.c_str();
  }

  snn_model_desc &desc() {
    populations[0].state_vars = &count;
    training.params = params.data();
    training.num_params = uint32_t(params.size());
    training.hyper = kHyper;
    training.hypers = hypers.data();
    training.num_hypers = uint32_t(hypers.size());
    hypers[1].value = training.validation_split;
    hypers[2].value = training.test_split;
    model.buffers = buffers.data();
    model.num_buffers = uint32_t(buffers.size());
    model.populations = populations.data();
    model.num_populations = uint32_t(populations.size());
    model.projections = projections.data();
    model.num_projections = uint32_t(projections.size());
    model.entries = entries.data();
    model.num_entries = uint32_t(entries.size());
    model.training = &training;
    return model;
  }

private:
  std::string train_path_, test_path_;
};

} // namespace snn::rt::test

#endif // SNN_TEST_RUNTIME_TRAININGMODEL_H
