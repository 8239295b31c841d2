//===- CommandLine.h - The command line of a compiled model -----*- C++ -*-===//
//
// What a model executable built by snnc accepts, parsed by CLI11 and
// described by --help from the same option table (snn/help_format.h):
//   --duration T  --first-example K  --input NAME=FILE  (simulations)
//   --epochs N  --lr X  --data-train PATH  --data-test PATH  --metrics PATH
//   --weights-in PATH  --weights-out PATH  --no-shuffle  --batches N
//   --gradients-out PATH  --checkpoint DIR  --resume  --exchange WAY
//   and the regime's hyperparameters as --NAME VALUE  (training models)
//   --seed N  --batch N  --out PATH  --threads N  --max-input-bytes N
//   --allow-nonfinite  --quiet  --help  (both)
// Each value option also as --name=value. Exit codes: 0 success, 1 user
// error, 70 internal error.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_COMMANDLINE_H
#define SNN_RUNTIME_COMMANDLINE_H

#include "DataParallel.h"
#include "Training.h"

#include "snn/runtime.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

/// The parsed command line.
struct CommandLine {
  RunOptions options;
  /// --max-input-bytes: applied with set_max_input_bytes before the run.
  std::optional<uint64_t> max_input_bytes;
  bool help = false;
  /// The training options (used for a training model).
  TrainOptions train;
  /// --exchange: how mpirun's ranks exchange gradients (DataParallel.h).
  Exchange exchange = Exchange::Auto;
};

/// Parses the arguments after the program name, for `model` (validated):
/// the options of its kind, simulation or training, and its
/// hyperparameters as `--NAME VALUE`. Throws Error naming the offending
/// option for unknown options (with the closest known one), options of the
/// other kind, missing values and bad values.
CommandLine parse_command_line(const std::vector<std::string> &arguments, const snn_model_desc &model);

/// Parses a seed: a decimal (or 0x-prefixed hexadecimal) unsigned 64-bit
/// integer. Throws Error.
uint64_t parse_seed(std::string_view text);

/// Parses a batch size: an integer from 1 to SNN_MAX_BATCH. Throws Error
/// naming --batch and the range.
uint32_t parse_batch(std::string_view text);

/// Parses an input size limit: an integer from 1 to 2^64 - 1. Throws Error
/// naming --max-input-bytes.
uint64_t parse_max_input_bytes(std::string_view text);

/// Parses a first example index: an unsigned 64-bit integer. Throws Error
/// naming --first-example.
uint64_t parse_first_example(std::string_view text);

/// Parses an epoch count: an integer from 0 to 2^32 - 1. Throws Error
/// naming --epochs.
uint32_t parse_epochs(std::string_view text);

/// Parses a learning rate: a positive, finite number. Throws Error naming
/// --lr.
double parse_learning_rate(std::string_view text);

/// Parses a batch limit: an integer from 1 to 2^64 - 1. Throws Error naming
/// --batches.
uint64_t parse_batches(std::string_view text);

/// Prints the model (name, dt, default duration, seed and batch, populations,
/// projections, recordings, stimuli) and the options.
void print_help(const snn_model_desc &model, std::string_view program, std::ostream &out);

/// The whole executable: parses `argv`, runs (or trains) the model, prints
/// the summary to `out` and errors ("error: ...") to `err`; returns the exit
/// code. `terminal`: `out` is a terminal (training progress updates in place).
int run_command_line(int argc, const char *const *argv, const snn_model_desc &model, std::ostream &out,
                     std::ostream &err, bool terminal = false);

} // namespace snn::rt

#endif // SNN_RUNTIME_COMMANDLINE_H
