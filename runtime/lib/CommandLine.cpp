//===- CommandLine.cpp - The command line of a compiled model -------------===//

#include "CommandLine.h"

#include "DataParallel.h"

#include "Duration.h"
#include "Hyperparameters.h"
#include "ModelDescription.h"

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

/// The options every executable takes, simulating or training.
const char *const kCommonUsage =
    "  --threads N          threads that share a batch's examples, 1 to 256 (default 1); the results\n"
    "                       are the same for any N\n"
    "  --max-input-bytes N  most bytes read from one input file, or inflated from one\n"
    "                       compressed input, 1 to 2^64 - 1 (default 1073741824)\n"
    "  --allow-nonfinite    run on when a state (or, training, a gradient) becomes NaN or infinite\n"
    "                       (default: stop with an error naming it)\n"
    "  --quiet              print nothing on success\n"
    "  --help               print this help and exit\n";

/// The options of a training model, with its defaults.
std::string training_usage(const snn_model_desc &model) {
  const snn_training_desc &training = *model.training;
  char lr[32];
  std::snprintf(lr, sizeof lr, "%g", training.default_lr);
  return "options:\n"
         "  --epochs N           passes over the training data; 0 evaluates only (default " +
         std::to_string(training.epochs) +
         ")\n"
         "  --batch N            examples per batch, 1 to " +
         std::to_string(SNN_MAX_BATCH) + " (default " + std::to_string(model.default_batch) +
         ")\n"
         "  --lr X               learning rate, positive (default " +
         lr +
         ")\n"
         "  --seed N             seed of connectivity, weights, splits and shuffles (unsigned 64-bit)\n"
         "  --data-train PATH    training data instead of the regime's (same format and encoder)\n"
         "  --data-test PATH     test data instead of the regime's (or of its test split)\n"
         "  --metrics PATH       write one JSON object per epoch to PATH (JSON lines)\n"
         "  --weights-in PATH    start from the weights in this NPZ file\n"
         "  --weights-out PATH   write the trained weights to this NPZ file\n"
         "  --no-shuffle         train on the examples in file order\n"
         "  --batches N          stop each epoch after at most N batches\n"
         "  --gradients-out PATH write the gradient of the first training batch to PATH and exit\n"
         "  --out PATH           NPZ file of the recordings that name no file (default " +
         std::string(model.name) +
         "_recordings.npz)\n"
         "  --checkpoint DIR     write checkpoints to DIR/checkpoint.npz (default: " +
         std::string(training.checkpoint_dir ? std::string("the regime's \"") + training.checkpoint_dir + "\""
                                             : "none") +
         ")\n"
         "  --resume             continue from DIR/checkpoint.npz (bit-identical to an uninterrupted run)\n"
         "  --exchange WAY       under mpirun, how the ranks exchange gradients: auto, mpi or nccl (default\n"
         "                       auto: NCCL when every rank has a GPU of its own and NCCL starts, else MPI)\n" +
         std::string(kCommonUsage);
}

/// The hyperparameters a training model takes as `--NAME VALUE`.
std::string hyper_usage(const snn_model_desc &model) {
  const snn_training_desc &training = *model.training;
  std::string text = "\nhyperparameters (the regime's values; override with --NAME VALUE):\n";
  for (uint32_t i = 0; i < training.num_hypers; ++i) {
    const snn_hyper_desc &h = training.hypers[i];
    std::string option = std::string("  --") + h.name + (h.flags & SNN_HYPER_BOOLEAN ? " B" : " X");
    if (option.size() < 27)
      option.resize(27, ' ');
    else
      option += "\n" + std::string(27, ' ');
    text += option + h.help + " (" + hyper_text(h, h.value) + "; " + hyper_range(h) + ")\n";
  }
  return text;
}

/// The options, with the model's default batch size.
std::string usage(const snn_model_desc &model) {
  return "options:\n"
         "  --duration T         simulated time, e.g. 2.5s, 500ms, 500 ms, 0.1us, 2 (seconds)\n"
         "  --seed N             seed of the random number generator (unsigned 64-bit)\n"
         "  --batch N            examples simulated at once, 1 to " +
         std::to_string(SNN_MAX_BATCH) + " (default " + std::to_string(model.default_batch) +
         ")\n"
         "  --first-example K    global index of the batch's first example, which selects\n"
         "                       its random numbers (unsigned 64-bit, default 0)\n"
         "  --input NAME=FILE    drive population NAME from the spike-times CSV FILE instead of\n"
         "                       the regime's file (repeatable)\n"
         "  --out PATH           NPZ file for recordings that name no file of their own\n" +
         std::string(kCommonUsage);
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

CommandLine parse_command_line(const std::vector<std::string> &arguments) {
  CommandLine line;
  for (std::size_t a = 0; a < arguments.size(); ++a) {
    std::string name = arguments[a];
    std::optional<std::string> value;
    if (std::size_t equals = name.find('='); name.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    if (name == "--help" || name == "-h" || name == "--quiet" || name == "-q" || name == "--no-shuffle" ||
        name == "--resume" || name == "--allow-nonfinite") {
      if (value)
        throw Error("option '" + name + "' takes no value");
      if (name == "--help" || name == "-h")
        line.help = true;
      else if (name == "--allow-nonfinite")
        line.options.allow_nonfinite = line.train.allow_nonfinite = true;
      else if (name == "--no-shuffle" || name == "--resume") {
        (name == "--resume" ? line.train.resume : line.train.shuffle) = name == "--resume";
        line.training_only.push_back(name);
      } else {
        line.options.quiet = true;
        line.train.quiet = true;
      }
      continue;
    }
    static const char *const kSimulation[] = {"--duration", "--first-example", "--input"};
    static const char *const kTraining[] = {"--epochs",  "--lr",         "--data-train",  "--data-test",
                                            "--metrics", "--weights-in", "--weights-out", "--gradients-out",
                                            "--batches", "--checkpoint", "--exchange"};
    bool simulation_only = std::find(std::begin(kSimulation), std::end(kSimulation), name) != std::end(kSimulation);
    bool training_only = std::find(std::begin(kTraining), std::end(kTraining), name) != std::end(kTraining);
    bool common =
        name == "--seed" || name == "--batch" || name == "--threads" || name == "--max-input-bytes" || name == "--out";
    bool hyper = !simulation_only && !training_only && !common && name.size() > 2 && name.rfind("--", 0) == 0;
    if (!simulation_only && !training_only && !hyper && !common)
      throw Error((name.rfind("-", 0) == 0 ? "unknown option '" : "unexpected argument '") + name + "' (see --help)");
    if (hyper) {
      // A training model's hyperparameter (--beta1 0.95); checked against
      // the model's list once it is known.
      if (!value && (a + 1 >= arguments.size() || arguments[a + 1].rfind("--", 0) == 0))
        throw Error("unknown option '" + name + "' (see --help)");
      line.train.hypers[name.substr(2)] = value ? *value : arguments[++a];
      line.training_only.push_back(name);
      continue;
    }
    if (!value) {
      if (a + 1 >= arguments.size())
        throw Error("option '" + name + "' needs a value");
      value = arguments[++a];
    }
    if (simulation_only)
      line.simulation_only.push_back(name);
    if (training_only)
      line.training_only.push_back(name);
    if (name == "--duration")
      line.options.duration = parse_duration(*value);
    else if (name == "--seed")
      line.train.seed = line.options.seed = parse_seed(*value);
    else if (name == "--batch")
      line.train.batch = line.options.batch = parse_batch(*value);
    else if (name == "--threads")
      line.train.threads = line.options.threads = parse_threads(*value);
    else if (name == "--first-example")
      line.options.first_example = parse_first_example(*value);
    else if (name == "--input")
      line.options.inputs.push_back(parse_input(*value));
    else if (name == "--max-input-bytes")
      line.max_input_bytes = parse_max_input_bytes(*value);
    else if (name == "--epochs")
      line.train.epochs = parse_epochs(*value);
    else if (name == "--lr")
      line.train.lr = parse_learning_rate(*value);
    else if (name == "--batches")
      line.train.batches = parse_batches(*value);
    else if (name == "--exchange")
      line.exchange = parse_exchange(*value);
    else if (value->empty())
      throw Error("option '" + name + "' needs a file name");
    else if (name == "--out")
      line.train.recordings = line.options.out = *value;
    else if (name == "--data-train")
      line.train.data_train = *value;
    else if (name == "--data-test")
      line.train.data_test = *value;
    else if (name == "--metrics")
      line.train.metrics = *value;
    else if (name == "--weights-in")
      line.train.weights_in = *value;
    else if (name == "--weights-out")
      line.train.weights_out = *value;
    else if (name == "--checkpoint")
      line.train.checkpoint = *value;
    else
      line.train.gradients_out = *value;
  }
  return line;
}

void print_help(const snn_model_desc &model, std::string_view program, std::ostream &out) {
  if (model.training) {
    const snn_training_desc &training = *model.training;
    out << "usage: " << base_name(program) << " [options]\n\n"
        << "Trains the spiking network '" << model.name << "' (compiled by snnc) with e-prop.\n"
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
    out << "\n\ntrained parameters:\n";
    for (uint32_t k = 0; k < training.num_params; ++k)
      out << "  " << training.params[k].name
          << (training.params[k].kind == SNN_PARAM_FEEDBACK ? " (random feedback, not trained)" : "") << "\n";
    out << "\n" << training_usage(model) << hyper_usage(model);
    return;
  }
  out << "usage: " << base_name(program) << " [options]\n\n"
      << "Simulates the spiking network '" << model.name << "' (compiled by snnc).\n"
      << "  time step " << format_seconds(model.dt) << ", default duration " << format_seconds(model.duration)
      << ", default seed " << model.default_seed << ", default batch " << model.default_batch << ", "
      << (model.real_size == 4 ? "float32" : "float64") << " state\n\n"
      << "populations:\n";
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    out << "  " << population.name << ": " << population.size << " neurons";
    if (population.model)
      out << " (" << population.model << ")";
    out << "\n";
  }
  if (model.num_projections > 0)
    out << "projections:\n";
  for (uint32_t j = 0; j < model.num_projections; ++j) {
    const snn_projection_desc &projection = model.projections[j];
    out << "  " << (projection.name ? projection.name : "?") << ": "
        << (projection.connectivity <= SNN_CONNECT_FIXED_TOTAL ? kConnectivity[projection.connectivity] : "?");
    if (projection.connectivity == SNN_CONNECT_FIXED_PROBABILITY)
      out << " " << projection.probability;
    else if (projection.connectivity >= SNN_CONNECT_FIXED_IN_DEGREE &&
             projection.connectivity <= SNN_CONNECT_FIXED_TOTAL)
      out << " " << projection.count;
    static const char *const kStorage[] = {"ragged", "dense", "bitmask", "procedural"};
    out << ", stored " << (projection.storage <= SNN_STORAGE_PROCEDURAL ? kStorage[projection.storage] : "?") << "\n";
  }
  if (model.num_records > 0)
    out << "recordings:\n";
  for (uint32_t r = 0; r < model.num_records; ++r) {
    const snn_record_desc &record = model.records[r];
    if (record.population >= model.num_populations)
      continue;
    const snn_population_desc &population = model.populations[record.population];
    out << "  " << population.name << " ";
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
    out << " -> " << (record.file ? record.file : "the --out file") << "\n";
  }
  if (model.num_stimuli > 0)
    out << "stimuli:\n";
  for (uint32_t s = 0; s < model.num_stimuli; ++s) {
    const snn_stimulus_desc &stimulus = model.stimuli[s];
    if (stimulus.population < model.num_populations)
      out << "  " << model.populations[stimulus.population].name << " <- " << (stimulus.path ? stimulus.path : "?")
          << "\n";
  }
  out << "\n" << usage(model) << "\nRecordings without a file go to --out (default " << model.name << ".npz).\n";
}

int run_command_line(int argc, const char *const *argv, const snn_model_desc &model, std::ostream &out,
                     std::ostream &err, bool terminal) {
  try {
    std::vector<std::string> arguments(argv + (argc > 0 ? 1 : 0), argv + argc);
    CommandLine line = parse_command_line(arguments);
    validate_model(model);
    if (line.help) {
      print_help(model, argc > 0 ? argv[0] : model.name, out);
      return 0;
    }
    if (line.max_input_bytes)
      set_max_input_bytes(*line.max_input_bytes);
    if (model.training) {
      if (!line.simulation_only.empty())
        throw Error("option '" + line.simulation_only.front() + "' is for simulations; the model '" + model.name +
                    "' trains (see --help)");
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
    if (!line.training_only.empty())
      throw Error("option '" + line.training_only.front() + "' is for training models; the model '" + model.name +
                  "' simulates (see --help)");
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
