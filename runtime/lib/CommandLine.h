//===- CommandLine.h - The command line of a compiled model -----*- C++ -*-===//
//
// What a model executable built by snnc accepts:
//   --duration T  --seed N  --batch N  --first-example K  --out PATH
//   --max-input-bytes N  --quiet  --help
// (each value option also as --name=value). Exit codes: 0 success, 1 user
// error, 70 internal error.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_COMMANDLINE_H
#define SNN_RUNTIME_COMMANDLINE_H

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
};

/// Parses the arguments after the program name. Throws Error naming the
/// offending option for unknown options, missing values and bad values.
CommandLine parse_command_line(const std::vector<std::string> &arguments);

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

/// Prints the model (name, dt, default duration, seed and batch, populations,
/// projections, recordings, stimuli) and the options.
void print_help(const snn_model_desc &model, std::string_view program, std::ostream &out);

/// The whole executable: parses `argv`, runs the model, prints the summary
/// to `out` and errors ("error: ...") to `err`; returns the exit code.
int run_command_line(int argc, const char *const *argv, const snn_model_desc &model, std::ostream &out,
                     std::ostream &err);

} // namespace snn::rt

#endif // SNN_RUNTIME_COMMANDLINE_H
