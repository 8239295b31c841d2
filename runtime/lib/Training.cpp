//===- Training.cpp - The training loop of a `train` regime ---------------===//

#include "Training.h"

#include "Trainer.h"

#include "Checkpoint.h"
#include "EntryPoint.h"
#include "HistorySegments.h"
#include "Hyperparameters.h"
#include "LearningRateSchedule.h"
#include "ModelDescription.h"
#include "NonFinite.h"
#include "OutOfMemory.h"
#include "Pruning.h"
#include "TrainingData.h"
#include "TrainingRecorder.h"
#include "WeightFiles.h"

#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <tuple>

namespace snn::rt {
namespace {

std::string plural(uint64_t count, const char *noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

/// A JSON number: shortest round-trip text of a finite double.
std::string json_number(double value) {
  if (!std::isfinite(value))
    return "null";
  return fmt::format("{}", value);
}

/// Writes `text` to `path` completely before it replaces the old file.
void write_text_atomically(const std::string &path, const std::string &text) {
  OutputPlan plan = plan_output(path);
  TemporaryFile marked(plan.temporary);
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

std::string set_text(const char *name, const SetMetrics &metrics) {
  return fmt::format("{} loss {:.4f} accuracy {:.2f} %", name, metrics.loss, 100 * metrics.accuracy);
}

std::string duration_text(double seconds) {
  if (seconds < 60)
    return fmt::format("{:.2f} s", seconds);
  if (seconds < 3600)
    return fmt::format("{:.0f} min {:.0f} s", std::floor(seconds / 60), std::fmod(seconds, 60));
  return fmt::format("{:.0f} h {:.0f} min", std::floor(seconds / 3600), std::fmod(seconds, 3600) / 60);
}

void warn_dropped(const ExampleSet &set, const snn_model_desc &model, uint32_t steps, std::ostream &err) {
  if (set.dropped_spikes() == 0)
    return;
  err << "warning: " << set.source() << ": " << plural(set.dropped_spikes(), "spike")
      << " at or after t = " << fmt::format("{:g}", double(steps) * model.dt) << " s (step " << steps << " of " << steps << ") "
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
  if (m.epoch > 0)
    json += ", \"lr\": " + json_number(m.lr);
  if (!m.densities.empty()) {
    std::string sep;
    json += ", \"density\": {";
    for (const auto &[name, density] : m.densities) {
      json += sep + "\"" + name + "\": " + json_number(density);
      sep = ", ";
    }
    json += "}";
  }
  if (m.rewired >= 0)
    json += ", \"rewired\": " + std::to_string(m.rewired);
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
  for (const auto &[name, density] : m.densities) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%", 100 * density);
    line += sep + name + " density " + text;
    sep = ", ";
  }
  line += sep + duration_text(m.seconds);
  if (m.epoch > 0 && m.epoch < epochs)
    line += ", ETA " + duration_text(eta_seconds);
  return line;
}

namespace {

/// The value of `metric` (enum snn_metric) in `m`; NaN when not computed.
double metric_value(const EpochMetrics &m, uint32_t metric) {
  const std::optional<SetMetrics> &set = metric <= SNN_METRIC_TRAIN_ACCURACY        ? m.train
                                         : metric <= SNN_METRIC_VALIDATION_ACCURACY ? m.validation
                                                                                    : m.test;
  if (!set)
    return std::nan("");
  return metric % 2 == 0 ? set->loss : set->accuracy;
}

const char *metric_name(uint32_t metric) {
  static const char *const names[] = {"train_loss",          "train_accuracy", "validation_loss",
                                      "validation_accuracy", "test_loss",      "test_accuracy"};
  return metric <= SNN_METRIC_TEST_ACCURACY ? names[metric] : "?";
}

/// The values of every trained parameter (not feedback), by desc index.
std::vector<std::vector<double>> parameter_values(const Simulation &simulation) {
  const snn_training_desc &t = *simulation.model().training;
  std::vector<std::vector<double>> out(t.num_params);
  const snn_state &state = simulation.state();
  for (uint32_t i = 0; i < t.num_params; ++i) {
    if (t.params[i].kind == SNN_PARAM_FEEDBACK)
      continue;
    uint32_t k = t.params[i].value;
    uint32_t type = simulation.model().buffers[k].type;
    out[i].resize(state.extents[k]);
    for (std::size_t e = 0; e < out[i].size(); ++e)
      out[i][e] = load_element(state.buffers[k], type, e);
  }
  return out;
}

void set_parameter_values(Simulation &simulation, const std::vector<std::vector<double>> &values) {
  const snn_training_desc &t = *simulation.model().training;
  snn_state &state = simulation.state();
  for (uint32_t i = 0; i < t.num_params && i < values.size(); ++i) {
    uint32_t k = t.params[i].value;
    if (values[i].size() != state.extents[k])
      continue;
    uint32_t type = simulation.model().buffers[k].type;
    for (std::size_t e = 0; e < values[i].size(); ++e)
      store_element(state.buffers[k], type, e, values[i][e]);
  }
}

/// A progress bar for a terminal: "epoch 3/30 [=====>    ] 12/45 loss ... ETA ...".
std::string progress_bar(uint32_t epoch, uint32_t epochs, uint64_t done, uint64_t total, const SetMetrics &sums,
                         double eta) {
  constexpr int width = 24;
  int filled = total ? int(double(done) / double(total) * width) : width;
  std::string bar = "[" + std::string(std::size_t(filled), '=') + (filled < width ? ">" : "") +
                    std::string(std::size_t(std::max(0, width - filled - 1)), ' ') + "]";
  std::string line = "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + " " + bar + " " +
                     std::to_string(done) + "/" + std::to_string(total);
  if (sums.examples)
    line += fmt::format(" loss {:.4f} accuracy {:.1f} %", sums.loss / double(sums.examples),
                        100 * sums.accuracy / double(sums.examples));
  return line + " ETA " + duration_text(eta);
}

/// Removes the partial files of checkpoint writes that a kill interrupted.
void remove_stale_partials(const std::string &directory) {
  std::error_code ec;
  std::filesystem::remove(std::filesystem::path(directory) / ".checkpoint.npz.partial", ec);
  for (const auto &entry : std::filesystem::directory_iterator(directory, ec))
    if (entry.path().filename().string().rfind(".snn-tmp-", 0) == 0)
      std::filesystem::remove(entry.path(), ec);
}

} // namespace

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
  Hyperparameters hypers(training, options.hypers);
  uint32_t steps = hypers.has("timesteps") ? uint32_t(hypers.get("timesteps")) : training.timesteps;
  std::string checkpoint_dir =
      options.checkpoint.empty() && training.checkpoint_dir ? training.checkpoint_dir : options.checkpoint;
  if (options.resume && checkpoint_dir.empty())
    throw Error("--resume needs a checkpoint directory: --checkpoint DIR, or `checkpoint every N epochs to \"DIR\"` "
                "in the regime");
  uint64_t checkpoint_every = uint64_t(hypers.get("checkpoint-every"));

  // Data and splits.
  std::string train_path = options.data_train.empty() ? training.train.path : options.data_train;
  ExampleSet train_set =
      ExampleSet::load(model, training.train, train_path, options.data_train.empty() ? "" : "--data-train", steps);
  warn_dropped(train_set, model, steps, err);
  std::unique_ptr<ExampleSet> test_set;
  if (!options.data_test.empty() || training.test.path) {
    const snn_data_desc &test_desc = training.test.path ? training.test : training.train;
    std::string test_path = options.data_test.empty() ? training.test.path : options.data_test;
    test_set = std::make_unique<ExampleSet>(
        ExampleSet::load(model, test_desc, test_path, options.data_test.empty() ? "" : "--data-test", steps));
    warn_dropped(*test_set, model, steps, err);
  }
  double validation_split = hypers.get("validation-split");
  for (auto [on, metric, who] :
       {std::tuple<bool, uint32_t, const char *>{training.early_stopping != 0, training.early_stopping_monitor,
                                                 "early stopping"},
        {training.schedule == SNN_SCHEDULE_REDUCE_ON_PLATEAU, training.schedule_monitor, "the schedule"}}) {
    bool validation_metric = metric == SNN_METRIC_VALIDATION_LOSS || metric == SNN_METRIC_VALIDATION_ACCURACY;
    if (on && validation_metric && !(validation_split > 0))
      throw Error(std::string("--validation-split 0: ") + who + " monitors " + metric_name(metric) +
                  ", which needs a validation set");
  }
  Splits splits = split_examples(train_set.size(), test_set ? 0.0 : hypers.get("test-split"), validation_split, seed,
                                 train_set.source());
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
  uint32_t history_steps = steps;
  if (training.backward_pass) {
    // The histories of every step, or of segments recomputed from
    // checkpoints when those would need more than half the memory.
    double memory = physical_memory();
    history_steps = choose_history_steps(steps, uint32_t(hypers.get("history-steps")), history_memory(model, allocated),
                                         memory > 0 ? memory / 2 : std::numeric_limits<double>::infinity());
  }
  // Data-parallel: what the split over ranks needs of the model.
  const DataParallel *parallel = options.parallel && options.parallel->distributed() ? options.parallel : nullptr;
  const bool primary = !parallel || parallel->rank() == 0; // prints and writes the run's files
  if (parallel)
    check_data_parallel(model);
  Trainer trainer(model, seed, allocated, steps, history_steps, options.threads, parallel);
  trainer.set_check_finite(!options.allow_nonfinite);
  if (!options.weights_in.empty())
    read_parameters(trainer.simulation(), options.weights_in);
  trainer.store_hypers(hypers);
  trainer.set_learning_rate(lr);
  TrainingRecorder recorder(
      model, steps, options.recordings.empty() ? std::string(model.name) + "_recordings.npz" : options.recordings);
  trainer.set_recorder(&recorder, &train_set);
  LearningRateSchedule schedule(training, hypers, lr);
  EarlyStopping stopping(training, hypers);
  // Before a checkpoint restores pruned connectivity: the densities the
  // schedule starts from.
  Pruning pruning(model, trainer.simulation(), epochs);
  if ((pruning.enabled() || training.num_rewire_rules > 0) && stopping.enabled() && stopping.restore_best())
    throw Error("--restore-best: early stopping cannot restore the weights of an earlier epoch when pruning or "
                "rewiring changes the synapses; train without restore-best");

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
    // The loss of each example, whose sum the gradient is the gradient of.
    DenseParameter losses{"loss", {count}, std::vector<double>(count)};
    const snn_state &state = trainer.simulation().state();
    for (uint32_t b = 0; b < count; ++b)
      losses.values[b] = load_element(state.buffers[training.loss], model.buffers[training.loss].type, b);
    if (primary) {
      write_parameters(trainer.simulation(), options.gradients_out, true, {std::move(losses)});
      result.files_written.push_back(options.gradients_out);
    }
    if (!options.quiet)
      out << "gradient of the first batch (" << plural(count, "example") << ", loss "
          << fmt::format("{:.6g}", sums.loss / double(count)) << ")\nwrote " << options.gradients_out << "\n";
    out.flush();
    return result;
  }

  // Where the run stands; a checkpoint restores it.
  TrainingProgress progress;
  progress.seed = seed;
  progress.hypers = hypers.values();
  progress.run = {lr, double(batch), options.shuffle ? 1.0 : 0.0, double(options.batches.value_or(0))};
  std::vector<std::vector<double>> best;
  if (options.resume) {
    if (std::filesystem::is_directory(checkpoint_dir))
      remove_stale_partials(checkpoint_dir);
    if (auto restored = read_checkpoint(checkpoint_dir, trainer.simulation())) {
      if (restored->hypers != progress.hypers)
        throw Error(checkpoint_path(checkpoint_dir),
                    "the checkpoint was written with other hyperparameters (--help lists them); resume with the "
                    "options of the interrupted run");
      const char *options_names[] = {"--lr", "--batch", "--no-shuffle", "--batches"};
      for (std::size_t i = 0; i < progress.run.size(); ++i)
        if (restored->run.size() != progress.run.size() || restored->run[i] != progress.run[i])
          throw Error(checkpoint_path(checkpoint_dir),
                      std::string("the checkpoint was written by a run with other options (") + options_names[i] +
                          " differs); resume with the options of the interrupted run");
      progress = std::move(*restored);
      schedule.restore(progress.schedule);
      stopping.restore(progress.stopping);
      best = progress.best;
      trainer.store_hypers(hypers);
      trainer.set_optimizer_steps(progress.optimizer_steps);
      result.resumed = true;
    } else if (!options.quiet) {
      out << "no checkpoint in " << checkpoint_dir << ": starting from the beginning\n";
    }
  }

  if (!options.quiet) {
    out << "model " << model.name << ": training on " << plural(train_subset.size(), "example")
        << (validation.size() ? ", validating on " + std::to_string(validation.size()) : std::string())
        << (test.size() ? ", testing on " + std::to_string(test.size()) : std::string()) << "; batch " << batch << ", "
        << plural(epochs, "epoch") << ", learning rate " << fmt::format("{:g}", lr) << "\n";
    if (parallel)
      out << "data-parallel over " << parallel->size() << " MPI ranks: each simulates its share of every batch's "
          << plural(allocated, "example slot") << "; gradients exchanged by " << parallel->exchange() << "\n";
    if (training.backward_pass) {
      // The adjoint strategy's records: what its memory grows with.
      const snn_state &state = trainer.simulation().state();
      double bytes = 0;
      for (uint32_t k = 0; k < model.num_buffers; ++k)
        if (model.buffers[k].role == SNN_ROLE_HISTORY)
          bytes += double(element_bytes(model.buffers[k].type, state.extents[k])) * state.batch;
      if (!trainer.segmented())
        out << "gradient: a backward pass over " << plural(steps, "recorded step") << ", history "
            << format_bytes(bytes) << " for the batch\n";
      else
        out << "gradient: a backward pass over " << plural(steps, "step") << " in "
            << segment_count(steps, trainer.history_steps()) << " segments of "
            << plural(trainer.history_steps(), "recorded step") << ", history " << format_bytes(bytes)
            << " and checkpoints "
            << format_bytes(double(trainer.checkpoints().bytes_per_copy()) *
                            segment_count(steps, trainer.history_steps()))
            << " for the batch; each segment but the last is run forward twice\n";
    }
    if (result.resumed)
      out << "resumed from " << checkpoint_path(checkpoint_dir) << " at epoch " << progress.epoch << ", batch "
          << progress.batches_done << " (" << plural(progress.optimizer_steps, "optimizer step") << ")\n";
    out << std::flush;
  }

  auto record = [&](EpochMetrics metrics, double eta) {
    if (!options.quiet) {
      if (options.terminal)
        out << "\r\033[K";
      out << progress_line(metrics, epochs, eta) << "\n" << std::flush;
    }
    progress.metrics += metrics_json(metrics) + "\n";
    if (!options.metrics.empty() && primary)
      write_text_atomically(options.metrics, progress.metrics);
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
  auto save = [&](double seconds_so_far) {
    progress.schedule = schedule.state();
    progress.stopping = stopping.state();
    progress.optimizer_steps = trainer.optimizer_steps();
    progress.seconds = seconds_so_far;
    progress.best = best;
    if (primary)
      write_checkpoint(checkpoint_dir, trainer.simulation(), progress);
    ++result.checkpoints;
  };

  auto run_start = std::chrono::steady_clock::now();
  double previous_seconds = progress.seconds; // of the sessions before a resume
  auto elapsed = [&] {
    return previous_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  };
  if (epochs == 0) {
    EpochMetrics metrics;
    evaluate_into(metrics, "(--epochs 0)");
    metrics.seconds = elapsed();
    record(std::move(metrics), 0);
  }
  bool stop = false;
  uint64_t rewired_before = 0;
  for (uint32_t epoch = progress.epoch; epoch <= epochs && !stop; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    trainer.set_epoch(epoch);
    bool resuming = progress.epoch == epoch && progress.batches_done > 0;
    if (!resuming) {
      progress.epoch = epoch;
      progress.order = order_of(epoch);
      progress.batches_done = 0;
      progress.loss_sum = progress.hits = 0;
      progress.examples = 0;
    }
    const std::vector<std::size_t> &order = progress.order;
    uint64_t total = (order.size() + batch - 1) / batch;
    if (options.batches)
      total = std::min<uint64_t>(total, *options.batches);
    EpochMetrics metrics;
    metrics.epoch = epoch;
    for (uint64_t number = progress.batches_done; number < total; ++number) {
      std::size_t first = std::size_t(number) * batch;
      uint32_t count = uint32_t(std::min<std::size_t>(batch, order.size() - first));
      metrics.lr = schedule.rate(epoch - 1, trainer.optimizer_steps());
      trainer.set_learning_rate(metrics.lr);
      SetMetrics sums{progress.loss_sum, progress.hits, progress.examples};
      trainer.run_batch(train_subset, order, first, count, Pass::Train,
                        uint64_t(epoch - 1) * train_subset.size() + first,
                        "in epoch " + std::to_string(epoch) + ", batch " + std::to_string(number + 1), sums);
      progress.loss_sum = sums.loss;
      progress.hits = sums.accuracy;
      progress.examples = sums.examples;
      progress.batches_done = number + 1;
      if (!checkpoint_dir.empty() && training.checkpoint_unit == SNN_PERIOD_BATCHES &&
          trainer.optimizer_steps() % checkpoint_every == 0 && number + 1 < total)
        save(elapsed());
      if (options.terminal && !options.quiet) {
        double done = double(epoch - 1) + double(number + 1) / double(total);
        double eta = elapsed() / done * (double(epochs) - done);
        out << "\r\033[K" << progress_bar(epoch, epochs, number + 1, total, sums, eta) << std::flush;
      }
    }
    if (total > 0 && metrics.lr == 0)
      metrics.lr = schedule.rate(epoch - 1, trainer.optimizer_steps() - 1);
    metrics.train = Trainer::averaged(SetMetrics{progress.loss_sum, progress.hits, progress.examples});
    pruning.end_epoch(epoch, trainer.simulation());
    metrics.densities = pruning.densities(trainer.simulation());
    for (uint32_t r = 0; r < training.num_rewire_rules; ++r) {
      uint32_t j = training.rewire_rules[r].projection;
      metrics.densities.emplace_back(model.projections[j].name, projection_density(trainer.simulation(), j));
    }
    if (training.num_rewire_rules > 0) {
      metrics.rewired = int64_t(trainer.rewired() - rewired_before);
      rewired_before = trainer.rewired();
    }
    evaluate_into(metrics, "after epoch " + std::to_string(epoch));
    metrics.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    schedule.end_epoch(metric_value(metrics, training.schedule_monitor));
    stop = stopping.end_epoch(epoch, metric_value(metrics, training.early_stopping_monitor));
    if (stopping.improved() && stopping.restore_best())
      best = parameter_values(trainer.simulation());
    double eta = elapsed() / epoch * (epochs - epoch);
    record(std::move(metrics), eta);
    if (!options.quiet && schedule.reduced())
      out << "learning rate reduced to " << fmt::format("{:g}", schedule.rate(epoch, trainer.optimizer_steps())) << " ("
          << metric_name(training.schedule_monitor) << " on a plateau)\n";
    progress.epoch = epoch + 1;
    progress.batches_done = 0;
    progress.loss_sum = progress.hits = 0;
    progress.examples = 0;
    progress.order.clear();
    if (stop) {
      result.stopped_early = true;
      if (!options.quiet)
        out << "early stopping: " << metric_name(training.early_stopping_monitor) << " has not improved for "
            << plural(uint64_t(hypers.get("patience")), "epoch") << "\n";
    }
    bool period_end = training.checkpoint_unit == SNN_PERIOD_EPOCHS ? epoch % checkpoint_every == 0
                                                                    : trainer.optimizer_steps() % checkpoint_every == 0;
    if (!checkpoint_dir.empty() && (period_end || epoch == epochs || stop))
      save(elapsed());
  }
  result.optimizer_steps = trainer.optimizer_steps();
  result.best_epoch = stopping.enabled() ? stopping.best_epoch() : 0;
  if (stopping.enabled() && stopping.restore_best() && !best.empty() && stopping.best_epoch() > 0) {
    set_parameter_values(trainer.simulation(), best);
    if (test.size())
      result.final_test = trainer.evaluate(test, "with the weights of epoch " + std::to_string(stopping.best_epoch()));
  }
  if (!options.weights_out.empty()) {
    if (primary) {
      write_parameters(trainer.simulation(), options.weights_out, false);
      result.files_written.push_back(options.weights_out);
    }
  }
  if (!recorder.empty())
    for (const std::string &file : recorder.write())
      result.files_written.push_back(file);
  if (!options.quiet) {
    if (stopping.enabled() && stopping.best_epoch() > 0) {
      out << "best epoch: " << stopping.best_epoch() << " (" << metric_name(training.early_stopping_monitor) << " "
          << fmt::format("{:.4f}", stopping.best()) << ")" << (stopping.restore_best() ? ", its weights restored" : "") << "\n";
    } else if (!result.epochs.empty() && result.epochs.front().epoch > 0) {
      // Without early stopping: the best epoch by the validation loss, else
      // the test loss, else the training loss (this session's epochs).
      uint32_t metric = result.epochs.front().validation ? SNN_METRIC_VALIDATION_LOSS
                        : result.epochs.front().test     ? SNN_METRIC_TEST_LOSS
                                                         : SNN_METRIC_TRAIN_LOSS;
      const EpochMetrics *best_metrics = &result.epochs.front();
      for (const EpochMetrics &m : result.epochs)
        if (metric_value(m, metric) < metric_value(*best_metrics, metric))
          best_metrics = &m;
      out << "best epoch: " << best_metrics->epoch << " (" << metric_name(metric) << " "
          << fmt::format("{:.4f}", metric_value(*best_metrics, metric)) << ")\n";
    }
    if (result.final_test)
      out << "test accuracy: " << fmt::format("{:.1f}", 100 * result.final_test->accuracy) << " %\n";
    out << "wall time: " << duration_text(elapsed()) << (result.resumed ? " (all sessions)" : "") << "\n";
    if (!options.metrics.empty())
      out << "wrote " << options.metrics << "\n";
    if (result.checkpoints)
      out << "wrote " << checkpoint_path(checkpoint_dir) << "\n";
    for (const std::string &file : result.files_written)
      out << "wrote " << file << "\n";
    out.flush();
  }
  return result;
}

} // namespace snn::rt
