//===- CommandLine.cpp - The command line of a compiled model -------------===//

#include "CommandLine.h"

#include "DataParallel.h"

#include "Duration.h"
#include "Hyperparameters.h"
#include "ModelDescription.h"
#include "PretrainedWeights.h"

#include "snn/help_format.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <iterator>
#include <new>
#include <optional>
#include <set>
#include <sstream>

namespace snn::rt {
namespace {

/// What the exception in flight tells the user, and the exit code: an
/// Error's own, 1 when out of memory, 70 (internal error) for the rest.
struct Failure {
  std::string message;
  int exit_code;
};
Failure current_failure() {
  try {
    throw;
  } catch (const Error &error) {
    return {error.what(), error.exit_code()};
  } catch (const std::bad_alloc &) {
    return {"error: out of memory", 1};
  } catch (const std::exception &exception) {
    return {std::string("internal error: ") + exception.what(), 70};
  }
}

const char *const kConnectivity[] = {"dense",           "fixed probability", "one to one",
                                     "fixed in-degree", "fixed out-degree",  "fixed total"};

std::string base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

/// A decimal or 0x-prefixed hexadecimal unsigned 64-bit integer; nullopt
/// for anything else, with `too_large` set when only the value is wrong.
std::optional<uint64_t> parse_unsigned(std::string_view text, bool &too_large) {
  too_large = false;
  unsigned base = 10;
  std::string_view digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty())
    return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    unsigned digit;
    if (c >= '0' && c <= '9')
      digit = unsigned(c - '0');
    else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c)))
      digit = unsigned(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    else
      return std::nullopt;
    if (value > (UINT64_MAX - digit) / base)
      too_large = true;
    else
      value = value * base + digit;
  }
  if (too_large)
    return std::nullopt;
  return value;
}

} // namespace

uint64_t parse_seed(std::string_view text) {
  std::string quoted = "'" + std::string(text) + "'";
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (too_large)
    throw Error("invalid seed " + quoted + ": larger than 2^64 - 1");
  if (!value)
    throw Error("invalid seed " + quoted + ": expected an unsigned 64-bit integer");
  return *value;
}

uint32_t parse_batch(std::string_view text) {
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (!value || *value < 1 || *value > SNN_MAX_BATCH)
    throw Error("option '--batch' needs an integer from 1 to " + std::to_string(SNN_MAX_BATCH) + ", not '" +
                std::string(text) + "'");
  return uint32_t(*value);
}

uint64_t parse_max_input_bytes(std::string_view text) {
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (!value || *value < 1)
    throw Error("option '--max-input-bytes' needs an integer from 1 to 2^64 - 1, not '" + std::string(text) + "'");
  return *value;
}

uint64_t parse_first_example(std::string_view text) {
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (!value)
    throw Error("option '--first-example' needs an integer from 0 to 2^64 - 1, not '" + std::string(text) + "'");
  return *value;
}

uint32_t parse_epochs(std::string_view text) {
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (!value || *value > UINT32_MAX)
    throw Error("option '--epochs' needs an integer from 0 to " + std::to_string(UINT32_MAX) + ", not '" +
                std::string(text) + "'");
  return uint32_t(*value);
}

double parse_learning_rate(std::string_view text) {
  std::string copy(text);
  char *end = nullptr;
  errno = 0;
  double value =
      copy.empty() || std::isspace(static_cast<unsigned char>(copy[0])) ? 0 : std::strtod(copy.c_str(), &end);
  if (!end || *end != '\0' || !std::isfinite(value) || !(value > 0))
    throw Error("option '--lr' needs a positive, finite number, not '" + copy + "'");
  return value;
}

/// `--input NAME=FILE`: a population and its spike-times file.
std::pair<std::string, std::string> parse_input(std::string_view text) {
  std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size())
    throw Error("option '--input' needs POPULATION=FILE (a spike-times CSV), not '" + std::string(text) + "'");
  return {std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
}

uint32_t parse_threads(std::string_view text) {
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (!value || *value < 1 || *value > 256)
    throw Error("option '--threads' needs an integer from 1 to 256, not '" + std::string(text) + "'");
  return uint32_t(*value);
}

uint64_t parse_batches(std::string_view text) {
  bool too_large;
  std::optional<uint64_t> value = parse_unsigned(text, too_large);
  if (!value || *value < 1)
    throw Error("option '--batches' needs an integer from 1 to 2^64 - 1, not '" + std::string(text) + "'");
  return *value;
}

namespace {

/// What --help says of the model above its options.
std::string describe_model(const snn_model_desc &model) {
  std::ostringstream out;
  if (model.training) {
    const snn_training_desc &training = *model.training;
    out << "Trains the spiking network '" << model.name << "' (compiled by snnc) with e-prop.\n"
        << "  time step " << format_seconds(model.dt) << ", " << training.timesteps << " steps per example, "
        << training.classes << " classes, default seed " << model.default_seed << ", "
        << (model.real_size == 4 ? "float32" : "float64") << " state\n"
        << "  loss " << (training.loss_name ? training.loss_name : "?") << ", readout "
        << (training.readout_name ? training.readout_name : "?") << ", optimizer "
        << (training.optimizer_name ? training.optimizer_name : "?") << "\n"
        << "  training data " << training.train.path;
    if (training.test.path)
      out << ", test data " << training.test.path;
    else if (training.test_split > 0)
      out << ", test split " << training.test_split;
    if (training.validation_split > 0)
      out << ", validation split " << training.validation_split;
    out << "\n\ntrained parameters:";
    for (uint32_t k = 0; k < training.num_params; ++k)
      out << "\n  " << training.params[k].name
          << (training.params[k].kind == SNN_PARAM_FEEDBACK ? " (random feedback, not trained)" : "");
    return out.str();
  }
  out << "Simulates the spiking network '" << model.name << "' (compiled by snnc).\n"
      << "  time step " << format_seconds(model.dt) << ", default duration " << format_seconds(model.duration)
      << ", default seed " << model.default_seed << ", default batch " << model.default_batch << ", "
      << (model.real_size == 4 ? "float32" : "float64") << " state\n\n"
      << "populations:";
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    out << "\n  " << population.name << ": " << population.size << " neurons";
    if (population.model)
      out << " (" << population.model << ")";
  }
  if (model.num_projections > 0)
    out << "\nprojections:";
  for (uint32_t j = 0; j < model.num_projections; ++j) {
    const snn_projection_desc &projection = model.projections[j];
    out << "\n  " << (projection.name ? projection.name : "?") << ": "
        << (projection.connectivity <= SNN_CONNECT_FIXED_TOTAL ? kConnectivity[projection.connectivity] : "?");
    if (projection.connectivity == SNN_CONNECT_FIXED_PROBABILITY)
      out << " " << projection.probability;
    else if (projection.connectivity >= SNN_CONNECT_FIXED_IN_DEGREE &&
             projection.connectivity <= SNN_CONNECT_FIXED_TOTAL)
      out << " " << projection.count;
    static const char *const kStorage[] = {"ragged", "dense", "bitmask", "procedural"};
    out << ", stored " << (projection.storage <= SNN_STORAGE_PROCEDURAL ? kStorage[projection.storage] : "?");
  }
  if (model.num_records > 0)
    out << "\nrecordings:";
  for (uint32_t r = 0; r < model.num_records; ++r) {
    const snn_record_desc &record = model.records[r];
    if (record.population >= model.num_populations)
      continue;
    const snn_population_desc &population = model.populations[record.population];
    out << "\n  " << population.name << " ";
    const char *variable = state_variable_name(model, record.population, record.buffer);
    out << (record.kind == SNN_RECORD_RATE                  ? "rate"
            : record.kind == SNN_RECORD_SPIKES || !variable ? "spikes"
                                                            : variable);
    if (record.num_indices == 0) {
      out << " [" << record.begin << ":" << record.end << ":" << record.stride << "]";
    } else {
      for (uint32_t k = 0; k < record.num_indices && record.indices; ++k)
        out << (k ? ", " : " [") << record.indices[k];
      out << "]";
    }
    if (record.kind != SNN_RECORD_SPIKES && record.interval > 1)
      out << " every " << record.interval << " steps";
    out << " -> " << (record.file ? record.file : "the --out file");
  }
  if (model.num_stimuli > 0)
    out << "\nstimuli:";
  for (uint32_t s = 0; s < model.num_stimuli; ++s) {
    const snn_stimulus_desc &stimulus = model.stimuli[s];
    if (stimulus.population < model.num_populations)
      out << "\n  " << model.populations[stimulus.population].name << " <- " << (stimulus.path ? stimulus.path : "?");
  }
  return out.str();
}

/// The options' values as given, bound to the app and checked after it
/// has parsed them, in the runtime's words.
struct Given {
  std::string duration, first_example, epochs, lr, data_train, data_test, metrics, weights_in, weights_out, batches,
      gradients_out, checkpoint, exchange, seed, batch, out, threads, max_input_bytes;
  std::vector<std::string> inputs;
  std::map<std::string, std::string> hypers;
  bool no_shuffle = false, resume = false, allow_nonfinite = false, quiet = false, help = false;
};

/// A model executable's command line. The options of the model's kind
/// (simulation or training) are listed by --help; those of the other kind
/// are hidden but known, so giving one says whom it is for.
class Options {
public:
  Options(const snn_model_desc &model, std::string_view program);

  CLI::App app;
  Given given;
  /// The options for simulations only, and for training models only.
  std::set<const CLI::Option *> simulation, training;
  /// The options whose value is a file or folder name.
  std::set<const CLI::Option *> files;
};

Options::Options(const snn_model_desc &model, std::string_view program) : app(describe_model(model)) {
  const bool trains = model.training != nullptr;
  app.set_help_flag();
  app.allow_extras();
  app.formatter(std::make_shared<HelpFormat>("usage: " + base_name(program) + " [options]", ' '));
  app.option_defaults()->group("options");
  auto only = [&](bool for_training, CLI::Option *option) {
    (for_training ? training : simulation).insert(option);
    if (for_training != trains)
      option->group("");
    return option;
  };
  auto file = [&](CLI::Option *option) {
    files.insert(option);
    return option;
  };
  only(false, add_value_option(app, "--duration", given.duration, "T",
                               "simulated time, e.g. 2.5s, 500ms, 500 ms, 0.1us, 2 (seconds)"));
  only(false,
       add_value_option(
           app, "--first-example", given.first_example, "K",
           "global index of the batch's first example, which selects its random numbers (unsigned 64-bit, default 0)"));
  only(false, add_list_option(
                  app, "--input", given.inputs, "NAME=FILE",
                  "drive population NAME from the spike-times CSV FILE instead of the regime's file (repeatable)"));
  const snn_training_desc *t = model.training;
  only(true, add_value_option(app, "--epochs", given.epochs, "N",
                              "passes over the training data; 0 evaluates only (default " +
                                  std::to_string(t ? t->epochs : 0) + ")"));
  only(true, add_value_option(app, "--lr", given.lr, "X", fmt::format("learning rate, positive (default {:g})", t ? t->default_lr : 0.0)));
  only(true, file(add_value_option(app, "--data-train", given.data_train, "PATH",
                                   "training data instead of the regime's (same format and encoder)")));
  only(true, file(add_value_option(app, "--data-test", given.data_test, "PATH",
                                   "test data instead of the regime's (or of its test split)")));
  only(true, file(add_value_option(app, "--metrics", given.metrics, "PATH",
                                   "write one JSON object per epoch to PATH (JSON lines)")));
  only(true, file(add_value_option(app, "--weights-in", given.weights_in, "PATH",
                                   "start from the weights in this NPZ file")));
  only(true, file(add_value_option(app, "--weights-out", given.weights_out, "PATH",
                                   "write the trained weights to this NPZ file")));
  only(true, app.add_flag("--no-shuffle", given.no_shuffle, "train on the examples in file order"));
  only(true, add_value_option(app, "--batches", given.batches, "N", "stop each epoch after at most N batches"));
  only(true, file(add_value_option(app, "--gradients-out", given.gradients_out, "PATH",
                                   "write the gradient of the first training batch to PATH and exit")));
  only(true, file(add_value_option(app, "--checkpoint", given.checkpoint, "DIR",
                                   "write checkpoints to DIR/checkpoint.npz (default: " +
                                       std::string(t && t->checkpoint_dir
                                                       ? std::string("the regime's \"") + t->checkpoint_dir + "\""
                                                       : "none") +
                                       ")")));
  only(true, app.add_flag("--resume", given.resume,
                          "continue from DIR/checkpoint.npz (bit-identical to an uninterrupted run)"));
  only(true, add_value_option(app, "--exchange", given.exchange, "WAY",
                              "under mpirun, how the ranks exchange gradients: auto, mpi or nccl (default auto: NCCL "
                              "when every rank has a GPU of its own and NCCL starts, else MPI)"));
  add_value_option(app, "--seed", given.seed, "N",
                   trains ? "seed of connectivity, weights, splits and shuffles (unsigned 64-bit)"
                          : "seed of the random number generator (unsigned 64-bit)");
  add_value_option(app, "--batch", given.batch, "N",
                   std::string(trains ? "examples per batch" : "examples simulated at once") + ", 1 to " +
                       std::to_string(SNN_MAX_BATCH) + " (default " + std::to_string(model.default_batch) + ")");
  file(add_value_option(app, "--out", given.out, "PATH",
                        trains ? "NPZ file of the recordings that name no file (default " + std::string(model.name) +
                                     "_recordings.npz)"
                               : std::string("NPZ file for recordings that name no file of their own")));
  add_value_option(app, "--threads", given.threads, "N",
                   "threads that share a batch's examples, 1 to 256 (default 1); the results are the same for any N");
  add_value_option(
      app, "--max-input-bytes", given.max_input_bytes, "N",
      "most bytes read from one input file, or inflated from one compressed input, 1 to 2^64 - 1 (default 1073741824)");
  app.add_flag("--allow-nonfinite", given.allow_nonfinite,
               std::string("run on when a state") + (trains ? " (or a gradient)" : "") +
                   " becomes NaN or infinite\n(default: stop with an error naming it)");
  app.add_flag("-q,--quiet", given.quiet, "print nothing on success");
  app.add_flag("-h,--help", given.help, "print this help and exit");
  if (!trains) {
    app.footer(std::string("Recordings without a file go to --out (default ") + model.name + ".npz).");
    return;
  }
  const std::string group = "hyperparameters (the regime's values; override with --NAME VALUE)";
  for (uint32_t i = 0; i < t->num_hypers; ++i) {
    const snn_hyper_desc &h = t->hypers[i];
    std::string name = std::string("--") + h.name;
    if (app.get_option_no_throw(name))
      throw Error::internal("the model's hyperparameter '" + name + "' has the name of an option");
    add_value_option(app, name, given.hypers[h.name], h.flags & SNN_HYPER_BOOLEAN ? "B" : "X",
                     std::string(h.help) + " (" + hyper_text(h, h.value) + "; " + hyper_range(h) + ")")
        ->group(group);
  }
}

/// The error for an argument that no option took: "unknown option" with
/// the closest option that --help lists, or "unexpected argument" for one
/// that is no option (`positional`: it came after `--`).
Error unknown_argument(const CLI::App &app, const std::string &argument, bool positional) {
  if (positional || argument.size() < 2 || argument[0] != '-')
    return Error("unexpected argument '" + argument + "' (see --help)");
  std::vector<std::string> names;
  for (const CLI::Option *option : app.get_options())
    if (!option->get_group().empty())
      for (const std::string &name : option->get_lnames())
        names.push_back(name);
  std::string spelled = argument.substr(0, argument.find('='));
  spelled.erase(0, spelled.find_first_not_of('-'));
  std::string best = closest_array_name(spelled, names);
  return Error("unknown option '" + argument + "'" + (best.empty() ? "" : "; did you mean '--" + best + "'?") +
               " (see --help)");
}

} // namespace

CommandLine parse_command_line(const std::vector<std::string> &arguments, const snn_model_desc &model) {
  Options options(model, model.name);
  CLI::App &app = options.app;
  const Given &given = options.given;
  if (std::string flag = flag_given_a_value(app, arguments); !flag.empty())
    throw Error("option '" + flag + "' takes no value");
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError &error) { // values are strings and options optional: only odd spellings get here
    throw Error(std::string("malformed command line: ") + error.what());
  }
  bool after_options = false; // CLI11 leaves the end of options mark, `--`, among the extras
  for (const std::string &extra : app.remaining())
    if (extra == "--" && !after_options)
      after_options = true;
    else
      throw unknown_argument(app, extra, after_options);
  CommandLine line;
  if (given.help) {
    line.help = true;
    return line;
  }
  for (const CLI::Option *option : app.parse_order()) {
    std::string name = option_name(*option);
    if (options.simulation.count(option) && model.training)
      throw Error("option '" + name + "' is for simulations; the model '" + model.name + "' trains (see --help)");
    if (options.training.count(option) && !model.training)
      throw Error("option '" + name + "' is for training models; the model '" + model.name +
                  "' simulates (see --help)");
    const std::vector<std::string> &values = option->results();
    if (option->get_expected_max() > 0 && std::find(values.begin(), values.end(), "") != values.end())
      throw Error("option '" + name + "' needs " + (options.files.count(option) ? "a file name" : "a value"));
  }
  auto given_option = [&](const char *name) { return app.count(name) > 0; };
  if (given_option("--duration"))
    line.options.duration = parse_duration(given.duration);
  if (given_option("--first-example"))
    line.options.first_example = parse_first_example(given.first_example);
  for (const std::string &input : given.inputs)
    line.options.inputs.push_back(parse_input(input));
  if (given_option("--epochs"))
    line.train.epochs = parse_epochs(given.epochs);
  if (given_option("--lr"))
    line.train.lr = parse_learning_rate(given.lr);
  line.train.data_train = given.data_train;
  line.train.data_test = given.data_test;
  line.train.metrics = given.metrics;
  line.train.weights_in = given.weights_in;
  line.train.weights_out = given.weights_out;
  line.train.shuffle = !given.no_shuffle;
  if (given_option("--batches"))
    line.train.batches = parse_batches(given.batches);
  line.train.gradients_out = given.gradients_out;
  line.train.checkpoint = given.checkpoint;
  line.train.resume = given.resume;
  if (given_option("--exchange"))
    line.exchange = parse_exchange(given.exchange);
  if (given_option("--seed"))
    line.train.seed = line.options.seed = parse_seed(given.seed);
  if (given_option("--batch"))
    line.train.batch = line.options.batch = parse_batch(given.batch);
  line.train.recordings = line.options.out = given.out;
  if (given_option("--threads"))
    line.train.threads = line.options.threads = parse_threads(given.threads);
  if (given_option("--max-input-bytes"))
    line.max_input_bytes = parse_max_input_bytes(given.max_input_bytes);
  line.options.allow_nonfinite = line.train.allow_nonfinite = given.allow_nonfinite;
  line.options.quiet = line.train.quiet = given.quiet;
  for (const auto &[name, text] : given.hypers)
    if (given_option(("--" + name).c_str()))
      line.train.hypers[name] = text;
  return line;
}

void print_help(const snn_model_desc &model, std::string_view program, std::ostream &out) {
  out << Options(model, program).app.help();
}

int run_command_line(int argc, const char *const *argv, const snn_model_desc &model, std::ostream &out,
                     std::ostream &err, bool terminal) {
  try {
    std::vector<std::string> arguments(argv + (argc > 0 ? 1 : 0), argv + argc);
    validate_model(model);
    CommandLine line = parse_command_line(arguments, model);
    if (line.help) {
      print_help(model, argc > 0 ? argv[0] : model.name, out);
      return 0;
    }
    if (line.max_input_bytes)
      set_max_input_bytes(*line.max_input_bytes);
    if (model.training) {
      // `mpirun -np K`: rank 0 prints; every rank trains its share.
      DataParallel parallel;
      std::ostream silent(nullptr);
      line.train.out = parallel.rank() == 0 ? &out : &silent;
      line.train.err = parallel.rank() == 0 ? &err : &silent;
      // Open MPI gives its ranks a pseudo-terminal whatever mpirun's own
      // output is (a pipe, a file): no carriage-return progress there.
      line.train.terminal = terminal && !parallel.distributed();
      line.train.parallel = &parallel;
      try {
        parallel.choose_exchange(model.device, line.exchange);
        train(model, line.train);
      } catch (const std::exception &) {
        if (!parallel.distributed())
          throw;
        // The other ranks wait for this one: end them all.
        Failure failure = current_failure();
        err << "rank " << parallel.rank() << ": " << failure.message << "\n" << std::flush;
        parallel.abort(failure.exit_code);
      }
      return 0;
    }
    if (launched_as_mpi_job())
      throw Error(std::string("the model '") + model.name +
                  "' simulates: only training runs data-parallel under mpirun; run it as one process");
    line.options.summary = &out;
    run(model, line.options);
    return 0;
  } catch (const std::exception &) {
    Failure failure = current_failure();
    err << failure.message << "\n";
    return failure.exit_code;
  }
}

} // namespace snn::rt
