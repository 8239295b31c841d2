//===- Training.cpp - The training loop of a `train` regime ---------------===//

#include "Training.h"

#include "ModelDescription.h"
#include "TrainingData.h"
#include "WeightFiles.h"

#include "snn/output_file.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

namespace snn::rt {
namespace {

std::string fixed(double value, const char *format) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string plural(uint64_t count, const char *noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

/// A JSON number: shortest round-trip text of a finite double.
std::string json_number(double value) {
  if (!std::isfinite(value))
    return "null";
  return fixed(value, "%.17g");
}

/// Writes `text` to `path` completely before it replaces the old file.
void write_text_atomically(const std::string &path, const std::string &text) {
  OutputPlan plan = plan_output(path);
  std::string file = plan.temporary.empty() ? plan.target : plan.temporary;
  std::FILE *stream = std::fopen(file.c_str(), "wb");
  if (!stream)
    throw Error("cannot write '" + path + "': " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), stream) == text.size();
  int error = errno;
  ok = std::fclose(stream) == 0 && ok;
  if (ok && !plan.temporary.empty() && std::rename(plan.temporary.c_str(), plan.target.c_str()) != 0) {
    error = errno;
    ok = false;
  } else if (!ok) {
    error = errno ? errno : error;
  }
  if (!ok) {
    if (!plan.temporary.empty())
      std::remove(plan.temporary.c_str());
    throw Error("cannot write '" + path + "': " + std::strerror(error));
  }
}

/// Examples of one set: the data set and the indices into it.
struct Subset {
  const ExampleSet *set = nullptr;
  std::vector<std::size_t> indices;
  const char *name = "";
  std::size_t size() const { return indices.size(); }
};

enum class Pass { Train, Gradient, Evaluate };

/// The state of one run: the simulation, its entry points and scratch.
class Trainer {
public:
  Trainer(const snn_model_desc &model, uint64_t seed, uint32_t batch)
      : model_(model), training_(*model.training), seed_(seed), batch_(batch), simulation_(model, seed, batch) {
    reset_example_ = find_entry(model, "reset_example");
    step_ = find_entry(model, "step");
    train_step_ = find_entry(model, "train_step");
    end_example_ = find_entry(model, "end_example");
    train_end_example_ = find_entry(model, "train_end_example");
    reduce_gradients_ = find_entry(model, "reduce_gradients");
    apply_gradients_ = find_entry(model, "apply_gradients");
    neurons_ = model.populations[training_.input_population].size;
    raster_.assign(std::size_t(batch) * training_.timesteps * neurons_, 0);
  }

  Simulation &simulation() { return simulation_; }

  void set_learning_rate(double lr) {
    snn_state &state = simulation_.state();
    store_element(state.buffers[training_.lr], model_.buffers[training_.lr].type, 0, lr);
  }

  /// Runs examples `first .. first + count - 1` of `order` (indices into
  /// `subset`) as one batch; adds their losses and hits to `sums`.
  void run_batch(const Subset &subset, const std::vector<std::size_t> &order, std::size_t first, uint32_t count,
                 Pass pass, uint64_t first_example, const std::string &where, SetMetrics &sums) {
    snn_state &state = simulation_.state();
    state.batch = count;
    state.first_example = first_example;
    const uint32_t steps = training_.timesteps;
    const std::size_t frame = std::size_t(steps) * neurons_;
    for (uint32_t b = 0; b < count; ++b) {
      std::size_t example = subset.indices[order[first + b]];
      store_element(state.buffers[training_.label], SNN_ELEM_I32, b, subset.set->label(example));
      subset.set->encode(example, steps, model_.dt, seed_, raster_.data() + b * frame);
    }
    reset_example_(&state, 0);
    uint8_t *flags = static_cast<uint8_t *>(state.buffers[model_.populations[training_.input_population].stimulus]);
    snn_entry_fn advance = pass == Pass::Evaluate ? step_ : train_step_;
    for (uint32_t t = 0; t < steps; ++t) {
      for (uint32_t b = 0; b < count; ++b)
        std::memcpy(flags + std::size_t(b) * neurons_, raster_.data() + b * frame + std::size_t(t) * neurons_,
                    neurons_);
      advance(&state, t);
    }
    end_example_(&state, 0);
    if (pass != Pass::Evaluate)
      train_end_example_(&state, 0);
    uint32_t loss_type = model_.buffers[training_.loss].type;
    uint32_t scores_type = model_.buffers[training_.scores].type;
    for (uint32_t b = 0; b < count; ++b) {
      double loss = load_element(state.buffers[training_.loss], loss_type, b);
      if (!std::isfinite(loss))
        throw Error("the loss is not finite (" + fixed(loss, "%g") + ") " + where + ", example " + std::to_string(b) +
                    " of the batch (example " + std::to_string(subset.indices[order[first + b]]) + " of " +
                    subset.set->source() + "); try a smaller learning rate (--lr)");
      std::size_t base = std::size_t(b) * training_.classes;
      uint32_t best = 0;
      double best_score = load_element(state.buffers[training_.scores], scores_type, base);
      for (uint32_t k = 1; k < training_.classes; ++k) {
        double score = load_element(state.buffers[training_.scores], scores_type, base + k);
        if (score > best_score) {
          best_score = score;
          best = k;
        }
      }
      sums.loss += loss;
      sums.accuracy += best == subset.set->label(subset.indices[order[first + b]]) ? 1 : 0;
      ++sums.examples;
    }
    if (pass == Pass::Evaluate)
      return;
    reduce_gradients_(&state, 0);
    if (pass == Pass::Train)
      apply_gradients_(&state, ++optimizer_steps_);
  }

  /// Loss and accuracy of `subset` (in its order), by `step`.
  SetMetrics evaluate(const Subset &subset, const std::string &when) {
    SetMetrics sums;
    std::vector<std::size_t> order(subset.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    uint64_t number = 0;
    for (std::size_t first = 0; first < order.size(); first += batch_) {
      uint32_t count = uint32_t(std::min<std::size_t>(batch_, order.size() - first));
      run_batch(subset, order, first, count, Pass::Evaluate, first,
                "while evaluating the " + std::string(subset.name) + " data " + when + ", batch " +
                    std::to_string(++number),
                sums);
    }
    return averaged(sums);
  }

  static SetMetrics averaged(SetMetrics sums) {
    if (sums.examples > 0) {
      sums.loss /= double(sums.examples);
      sums.accuracy /= double(sums.examples);
    }
    return sums;
  }

  uint64_t optimizer_steps() const { return optimizer_steps_; }

private:
  const snn_model_desc &model_;
  const snn_training_desc &training_;
  uint64_t seed_;
  uint32_t batch_;
  Simulation simulation_;
  snn_entry_fn reset_example_, step_, train_step_, end_example_, train_end_example_, reduce_gradients_,
      apply_gradients_;
  uint32_t neurons_ = 0;
  std::vector<uint8_t> raster_; ///< batch x steps x neurons flags of the current batch
  uint64_t optimizer_steps_ = 0;
};

std::string set_text(const char *name, const SetMetrics &metrics) {
  return std::string(name) + " loss " + fixed(metrics.loss, "%.4f") + " accuracy " +
         fixed(100 * metrics.accuracy, "%.2f") + " %";
}

std::string duration_text(double seconds) {
  if (seconds < 60)
    return fixed(seconds, "%.2f") + " s";
  if (seconds < 3600)
    return fixed(std::floor(seconds / 60), "%.0f") + " min " + fixed(std::fmod(seconds, 60), "%.0f") + " s";
  return fixed(std::floor(seconds / 3600), "%.0f") + " h " + fixed(std::fmod(seconds, 3600) / 60, "%.0f") + " min";
}

void warn_dropped(const ExampleSet &set, const snn_model_desc &model, std::ostream &err) {
  if (set.dropped_spikes() == 0)
    return;
  uint32_t steps = model.training->timesteps;
  err << "warning: " << set.source() << ": " << plural(set.dropped_spikes(), "spike")
      << " at or after t = " << fixed(double(steps) * model.dt, "%g") << " s (step " << steps << " of " << steps << ") "
      << (set.dropped_spikes() == 1 ? "is" : "are") << " dropped\n";
}

} // namespace

std::string metrics_json(const EpochMetrics &m) {
  std::string json = "{\"epoch\": " + std::to_string(m.epoch);
  auto add = [&](const char *name, const std::optional<SetMetrics> &set, bool always) {
    if (!set && !always)
      return;
    json += std::string(", \"") + name + "_loss\": " + (set ? json_number(set->loss) : "null");
    json += std::string(", \"") + name + "_accuracy\": " + (set ? json_number(set->accuracy) : "null");
  };
  add("train", m.train, m.epoch > 0);
  add("test", m.test, true);
  add("validation", m.validation, false);
  json += ", \"seconds\": " + json_number(m.seconds) + "}";
  return json;
}

std::string progress_line(const EpochMetrics &m, uint32_t epochs, double eta_seconds) {
  std::string line = m.epoch == 0 ? "evaluation" : "epoch " + std::to_string(m.epoch) + "/" + std::to_string(epochs);
  std::string sep = ": ";
  for (auto [name, set] : {std::pair<const char *, const std::optional<SetMetrics> *>{"train", &m.train},
                           {"validation", &m.validation},
                           {"test", &m.test}})
    if (*set) {
      line += sep + set_text(name, **set);
      sep = ", ";
    }
  line += sep + duration_text(m.seconds);
  if (m.epoch > 0 && m.epoch < epochs)
    line += ", ETA " + duration_text(eta_seconds);
  return line;
}

TrainResult train(const snn_model_desc &model, const TrainOptions &options) {
  validate_model(model);
  if (!model.training)
    throw Error::internal("train called for a model without a training regime");
  const snn_training_desc &training = *model.training;
  std::ostream &out = options.out ? *options.out : std::cout;
  std::ostream &err = options.err ? *options.err : std::cerr;
  uint64_t seed = options.seed.value_or(model.default_seed);
  uint32_t batch = options.batch.value_or(model.default_batch);
  uint32_t epochs = options.epochs.value_or(training.epochs);
  double lr = options.lr.value_or(training.default_lr);

  // Data and splits.
  std::string train_path = options.data_train.empty() ? training.train.path : options.data_train;
  ExampleSet train_set =
      ExampleSet::load(model, training.train, train_path, options.data_train.empty() ? "" : "--data-train");
  warn_dropped(train_set, model, err);
  std::unique_ptr<ExampleSet> test_set;
  if (!options.data_test.empty() || training.test.path) {
    const snn_data_desc &test_desc = training.test.path ? training.test : training.train;
    std::string test_path = options.data_test.empty() ? training.test.path : options.data_test;
    test_set = std::make_unique<ExampleSet>(
        ExampleSet::load(model, test_desc, test_path, options.data_test.empty() ? "" : "--data-test"));
    warn_dropped(*test_set, model, err);
  }
  Splits splits = split_examples(train_set.size(), test_set ? 0.0 : training.test_split, training.validation_split,
                                 seed, train_set.source());
  Subset train_subset{&train_set, splits.train, "training"};
  Subset validation{&train_set, splits.validation, "validation"};
  Subset test{test_set ? test_set.get() : &train_set, splits.test, "test"};
  if (test_set) {
    test.indices.resize(test_set->size());
    for (std::size_t i = 0; i < test.indices.size(); ++i)
      test.indices[i] = i;
  }

  TrainResult result;
  result.train_examples = train_subset.size();
  result.validation_examples = validation.size();
  result.test_examples = test.size();
  std::size_t largest = std::max({train_subset.size(), validation.size(), test.size()});
  uint32_t allocated = uint32_t(std::min<std::size_t>(batch, largest));
  Trainer trainer(model, seed, allocated);
  if (!options.weights_in.empty())
    read_parameters(trainer.simulation(), options.weights_in);
  trainer.set_learning_rate(lr);

  // The order of the training examples in an epoch: file order, or a
  // permutation seeded by the run seed and the epoch.
  auto order_of = [&](uint32_t epoch) {
    if (options.shuffle)
      return seeded_permutation(train_subset.size(), seed, kShuffleStream + epoch);
    std::vector<std::size_t> order(train_subset.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    return order;
  };

  if (!options.gradients_out.empty()) {
    std::vector<std::size_t> order = order_of(1);
    uint32_t count = uint32_t(std::min<std::size_t>(allocated, order.size()));
    SetMetrics sums;
    trainer.run_batch(train_subset, order, 0, count, Pass::Gradient, 0, "in the gradient batch", sums);
    write_parameters(trainer.simulation(), options.gradients_out, true);
    result.files_written.push_back(options.gradients_out);
    if (!options.quiet)
      out << "gradient of the first batch (" << plural(count, "example") << ", loss "
          << fixed(sums.loss / double(count), "%.6g") << ")\nwrote " << options.gradients_out << "\n";
    out.flush();
    return result;
  }

  if (!options.quiet)
    out << "model " << model.name << ": training on " << plural(train_subset.size(), "example")
        << (validation.size() ? ", validating on " + std::to_string(validation.size()) : std::string())
        << (test.size() ? ", testing on " + std::to_string(test.size()) : std::string()) << "; batch " << batch << ", "
        << plural(epochs, "epoch") << ", learning rate " << fixed(lr, "%g") << "\n"
        << std::flush;

  std::string metrics_text;
  auto record = [&](EpochMetrics metrics, double eta) {
    if (!options.quiet) {
      if (options.terminal)
        out << "\r\033[K";
      out << progress_line(metrics, epochs, eta) << "\n" << std::flush;
    }
    if (!options.metrics.empty()) {
      metrics_text += metrics_json(metrics) + "\n";
      write_text_atomically(options.metrics, metrics_text);
    }
    if (metrics.test)
      result.final_test = metrics.test;
    result.epochs.push_back(std::move(metrics));
  };
  auto evaluate_into = [&](EpochMetrics &metrics, const std::string &when) {
    if (validation.size())
      metrics.validation = trainer.evaluate(validation, when);
    if (test.size())
      metrics.test = trainer.evaluate(test, when);
  };

  auto run_start = std::chrono::steady_clock::now();
  if (epochs == 0) {
    EpochMetrics metrics;
    evaluate_into(metrics, "(--epochs 0)");
    metrics.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
    record(std::move(metrics), 0);
  }
  for (uint32_t epoch = 1; epoch <= epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::size_t> order = order_of(epoch);
    uint64_t total = (order.size() + batch - 1) / batch;
    if (options.batches)
      total = std::min<uint64_t>(total, *options.batches);
    SetMetrics sums;
    for (uint64_t number = 0; number < total; ++number) {
      std::size_t first = std::size_t(number) * batch;
      uint32_t count = uint32_t(std::min<std::size_t>(batch, order.size() - first));
      trainer.run_batch(train_subset, order, first, count, Pass::Train,
                        uint64_t(epoch - 1) * train_subset.size() + first,
                        "in epoch " + std::to_string(epoch) + ", batch " + std::to_string(number + 1), sums);
      if (options.terminal && !options.quiet)
        out << "\r\033[Kepoch " << epoch << "/" << epochs << " batch " << number + 1 << "/" << total << " loss "
            << fixed(sums.loss / double(sums.examples), "%.4f") << std::flush;
    }
    EpochMetrics metrics;
    metrics.epoch = epoch;
    metrics.train = Trainer::averaged(sums);
    evaluate_into(metrics, "after epoch " + std::to_string(epoch));
    auto stop = std::chrono::steady_clock::now();
    metrics.seconds = std::chrono::duration<double>(stop - start).count();
    double elapsed = std::chrono::duration<double>(stop - run_start).count();
    record(std::move(metrics), elapsed / epoch * (epochs - epoch));
  }
  result.optimizer_steps = trainer.optimizer_steps();
  if (!options.weights_out.empty()) {
    write_parameters(trainer.simulation(), options.weights_out, false);
    result.files_written.push_back(options.weights_out);
  }
  if (!options.quiet) {
    if (result.final_test)
      out << "test accuracy: " << fixed(100 * result.final_test->accuracy, "%.1f") << " %\n";
    if (!options.metrics.empty())
      out << "wrote " << options.metrics << "\n";
    for (const std::string &file : result.files_written)
      out << "wrote " << file << "\n";
    out.flush();
  }
  return result;
}

} // namespace snn::rt
