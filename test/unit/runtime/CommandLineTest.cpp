//===- CommandLineTest.cpp - Options and exit codes of a model executable -===//

#include "CommandLine.h"
#include "Duration.h"

#include "TestEnvironment.h"
#include "TestModel.h"
#include "TestNetwork.h"
#include "TrainingModel.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace snn::rt {
namespace {

using test::ScratchDirectory;
using test::TestNetwork;
using test::TrainingModel;

/// A simulation model, for the options it takes.
const snn_model_desc &simulation() { return *snn_test_model_f64(); }

std::string duration_error(const std::string &text) {
  try {
    parse_duration(text);
  } catch (const Error &error) {
    return error.what();
  }
  return "no error for '" + text + "'";
}

TEST(Duration, ParsesNumbersWithUnits) {
  EXPECT_DOUBLE_EQ(parse_duration("2.5s"), 2.5);
  EXPECT_DOUBLE_EQ(parse_duration("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(parse_duration("500 ms"), 0.5);
  EXPECT_DOUBLE_EQ(parse_duration("2"), 2.0);
  EXPECT_DOUBLE_EQ(parse_duration("0.1us"), 1e-7);
  EXPECT_DOUBLE_EQ(parse_duration("0.1\xc2\xb5s"), 1e-7);
  EXPECT_DOUBLE_EQ(parse_duration("250ns"), 2.5e-7);
  EXPECT_DOUBLE_EQ(parse_duration("1e-3 s"), 1e-3);
  EXPECT_DOUBLE_EQ(parse_duration("2E2ms"), 0.2);
  EXPECT_DOUBLE_EQ(parse_duration(".5s"), 0.5);
  EXPECT_DOUBLE_EQ(parse_duration("3min"), 180.0);
  EXPECT_DOUBLE_EQ(parse_duration("1h"), 3600.0);
  EXPECT_DOUBLE_EQ(parse_duration(" 10 s "), 10.0);
}

TEST(Duration, RejectsGarbage) {
  EXPECT_EQ(duration_error(""), "error: invalid duration '': expected a number with an optional "
                                "unit, e.g. 2.5s or 500ms");
  EXPECT_EQ(duration_error("abc"), "error: invalid duration 'abc': expected a number with an "
                                   "optional unit, e.g. 2.5s or 500ms");
  EXPECT_EQ(duration_error("5 parsecs"), "error: invalid duration '5 parsecs': unknown unit 'parsecs' (use "
                                         "s, ms, us, ns, min or h)");
  EXPECT_EQ(duration_error("1.2.3s"), "error: invalid duration '1.2.3s': unknown unit '.3s' (use s, ms, "
                                      "us, ns, min or h)");
  EXPECT_EQ(duration_error("2e"), "error: invalid duration '2e': unknown unit 'e' (use s, ms, us, "
                                  "ns, min or h)");
  EXPECT_EQ(duration_error("0x10"), "error: invalid duration '0x10': unknown unit 'x10' (use s, ms, "
                                    "us, ns, min or h)");
}

TEST(Duration, RejectsNonPositiveAndNonFinite) {
  EXPECT_EQ(duration_error("-1s"), "error: invalid duration '-1s': must be greater than zero");
  EXPECT_EQ(duration_error("0"), "error: invalid duration '0': must be greater than zero");
  EXPECT_EQ(duration_error("0 ms"), "error: invalid duration '0 ms': must be greater than zero");
  EXPECT_EQ(duration_error("1e999s"), "error: invalid duration '1e999s': not a finite time");
  EXPECT_EQ(duration_error("inf"), "error: invalid duration 'inf': expected a number with an "
                                   "optional unit, e.g. 2.5s or 500ms");
  EXPECT_EQ(duration_error("nan s"), "error: invalid duration 'nan s': expected a number with an "
                                     "optional unit, e.g. 2.5s or 500ms");
}

TEST(Duration, FormatsWithReadableUnit) {
  EXPECT_EQ(format_seconds(1), "1 s");
  EXPECT_EQ(format_seconds(2.5), "2.5 s");
  EXPECT_EQ(format_seconds(120), "120 s");
  EXPECT_EQ(format_seconds(0.5), "500 ms");
  EXPECT_EQ(format_seconds(0.01), "10 ms");
  EXPECT_EQ(format_seconds(1e-4), "0.1 ms");
  EXPECT_EQ(format_seconds(2e-5), "20 us");
  EXPECT_EQ(format_seconds(1e-8), "10 ns");
  EXPECT_EQ(format_seconds(0), "0 s");
}

std::string seed_error(const std::string &text) {
  try {
    parse_seed(text);
  } catch (const Error &error) {
    return error.what();
  }
  return "no error for '" + text + "'";
}

TEST(Seed, ParsesUnsigned64BitIntegers) {
  EXPECT_EQ(parse_seed("0"), 0u);
  EXPECT_EQ(parse_seed("1234"), 1234u);
  EXPECT_EQ(parse_seed("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_seed("0xFFff"), 0xffffu);
  EXPECT_EQ(seed_error("18446744073709551616"), "error: invalid seed '18446744073709551616': larger than 2^64 - 1");
  EXPECT_EQ(seed_error("-1"), "error: invalid seed '-1': expected an unsigned 64-bit integer");
  EXPECT_EQ(seed_error("1.5"), "error: invalid seed '1.5': expected an unsigned 64-bit integer");
  EXPECT_EQ(seed_error(""), "error: invalid seed '': expected an unsigned 64-bit integer");
  EXPECT_EQ(seed_error("0x"), "error: invalid seed '0x': expected an unsigned 64-bit integer");
  EXPECT_EQ(seed_error("12abc"), "error: invalid seed '12abc': expected an unsigned 64-bit integer");
}

TEST(CommandLine, ParsesEveryOptionInBothSpellings) {
  CommandLine line =
      parse_command_line({"--duration", "500 ms", "--seed=9", "--out", "x.npz", "--quiet"}, simulation());
  EXPECT_FALSE(line.help);
  EXPECT_DOUBLE_EQ(*line.options.duration, 0.5);
  EXPECT_EQ(*line.options.seed, 9u);
  EXPECT_EQ(line.options.out, "x.npz");
  EXPECT_TRUE(line.options.quiet);
  line = parse_command_line({"--duration=2", "--seed", "3", "--out=y.npz"}, simulation());
  EXPECT_DOUBLE_EQ(*line.options.duration, 2.0);
  EXPECT_EQ(*line.options.seed, 3u);
  EXPECT_EQ(line.options.out, "y.npz");
  EXPECT_FALSE(line.options.quiet);
  EXPECT_TRUE(parse_command_line({"--help"}, simulation()).help);
  EXPECT_TRUE(parse_command_line({"-h"}, simulation()).help);
  line = parse_command_line({}, simulation());
  EXPECT_FALSE(line.options.duration);
  EXPECT_FALSE(line.options.seed);
  EXPECT_EQ(line.options.out, "");
}

TEST(CommandLine, ParsesBatchAndFirstExample) {
  CommandLine line = parse_command_line({"--batch", "4", "--first-example=18446744073709551615"}, simulation());
  EXPECT_EQ(*line.options.batch, 4u);
  EXPECT_EQ(line.options.first_example, UINT64_MAX);
  line = parse_command_line({"--batch=1048576", "--first-example", "7"}, simulation());
  EXPECT_EQ(*line.options.batch, SNN_MAX_BATCH);
  EXPECT_EQ(line.options.first_example, 7u);
  line = parse_command_line({}, simulation());
  EXPECT_FALSE(line.options.batch);
  EXPECT_EQ(line.options.first_example, 0u);
}

std::string command_line_error(const std::vector<std::string> &arguments) {
  try {
    parse_command_line(arguments, simulation());
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

TEST(CommandLine, RejectsUnknownOptionsAndMissingValues) {
  EXPECT_EQ(command_line_error({"--bogus"}), "error: unknown option '--bogus' (see --help)");
  EXPECT_EQ(command_line_error({"model.snn"}), "error: unexpected argument 'model.snn' (see --help)");
  EXPECT_EQ(command_line_error({"--seed"}), "error: option '--seed' needs a value");
  EXPECT_EQ(command_line_error({"--quiet", "--duration"}), "error: option '--duration' needs a value");
  EXPECT_EQ(command_line_error({"--quiet=yes"}), "error: option '--quiet' takes no value");
  EXPECT_EQ(command_line_error({"--out="}), "error: option '--out' needs a file name");
  EXPECT_EQ(command_line_error({"--seed", "x"}), "error: invalid seed 'x': expected an unsigned 64-bit integer");
  EXPECT_EQ(command_line_error({"--duration", "-2s"}), "error: invalid duration '-2s': must be greater than zero");
  EXPECT_EQ(command_line_error({"--batch"}), "error: option '--batch' needs a value");
}

TEST(CommandLine, SuggestsTheClosestOptionOfTheModelsKind) {
  EXPECT_EQ(command_line_error({"--dration", "2s"}),
            "error: unknown option '--dration'; did you mean '--duration'? (see --help)");
  EXPECT_EQ(command_line_error({"--frst-example=3"}),
            "error: unknown option '--frst-example=3'; did you mean '--first-example'? (see --help)");
  // A training option is known, but not for a simulation; and it is not
  // suggested for one.
  EXPECT_EQ(command_line_error({"--epochs", "2"}),
            "error: option '--epochs' is for training models; the model 'TestNet' simulates (see --help)");
  EXPECT_EQ(command_line_error({"--epoch", "2"}), "error: unknown option '--epoch' (see --help)");
  EXPECT_EQ(command_line_error({"--", "--seed"}), "error: unexpected argument '--seed' (see --help)");
  EXPECT_EQ(command_line_error({"--seed", "1", "--batch"}), "error: option '--batch' needs a value");
}

TEST(CommandLine, TheLastOfARepeatedOptionCountsAndInputsAddUp) {
  CommandLine line =
      parse_command_line({"--seed", "1", "-q", "--seed=2", "--input", "in=a.csv", "--input=out=b.csv"}, simulation());
  EXPECT_EQ(*line.options.seed, 2u);
  EXPECT_TRUE(line.options.quiet);
  ASSERT_EQ(line.options.inputs.size(), 2u);
  EXPECT_EQ(line.options.inputs[0], std::make_pair(std::string("in"), std::string("a.csv")));
  EXPECT_EQ(line.options.inputs[1], std::make_pair(std::string("out"), std::string("b.csv")));
  // Negative numbers are values, not options, so their errors name them.
  EXPECT_EQ(command_line_error({"--seed", "-3"}), "error: invalid seed '-3': expected an unsigned 64-bit integer");
}

TEST(CommandLine, RejectsBadBatchSizes) {
  // An empty value is no value: CLI11 does not tell `--batch ''` from a
  // `--batch` at the end of the line.
  EXPECT_EQ(command_line_error({"--batch", ""}), "error: option '--batch' needs a value");
  for (const char *bad : {"0", "-1", "1.5", "2000000", "1048577", "abc", "18446744073709551616", " 2"})
    EXPECT_EQ(command_line_error({"--batch", bad}),
              "error: option '--batch' needs an integer from 1 to 1048576, not '" + std::string(bad) + "'");
  for (const char *bad : {"-1", "x", "1e3", "18446744073709551616"})
    EXPECT_EQ(command_line_error({"--first-example", bad}),
              "error: option '--first-example' needs an integer from 0 to 2^64 - 1, not '" + std::string(bad) + "'");
}

/// Runs the command line in-process with `arguments` after "./testnet".
struct Outcome {
  int exit_code;
  std::string out, err;
};
Outcome run_main(const snn_model_desc &model, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "./testnet");
  std::vector<const char *> argv;
  for (const std::string &argument : arguments)
    argv.push_back(argument.c_str());
  std::ostringstream out, err;
  int code = run_command_line(int(argv.size()), argv.data(), model, out, err);
  return {code, out.str(), err.str()};
}

class CommandLineRun : public ::testing::Test {
protected:
  ScratchDirectory directory;
  TestNetwork network{snn_test_model_f64(), directory};
};

TEST_F(CommandLineRun, HelpDescribesModelAndOptions) {
  Outcome outcome = run_main(network.desc(), {"--help"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.err, "");
  const std::string &help = outcome.out;
  for (const char *expected : {"usage: testnet [options]",
                               "'TestNet'",
                               "time step 1 ms",
                               "default duration 10 ms",
                               "default seed 42",
                               "float64",
                               "default batch 1",
                               "  in: 3 neurons (Integrator)\n",
                               "  out: 2 neurons (LeakyIntegrator)\n",
                               "  in -> out.i: dense, stored ragged\n",
                               "  in spikes [0:3:1] -> the --out file\n",
                               "  out v [0:2:1] -> the --out file\n",
                               "--duration T",
                               "--seed N",
                               "--batch N",
                               "examples simulated at once, 1 to 1048576 "
                               "(default 1)",
                               "--first-example K",
                               "--out PATH",
                               "--quiet",
                               "--help",
                               "(default TestNet.npz)"})
    EXPECT_NE(help.find(expected), std::string::npos) << "missing '" << expected << "' in:\n" << help;
  // Training options are not listed for a simulation.
  for (const char *training : {"--epochs", "--lr", "--resume", "--exchange"})
    EXPECT_EQ(help.find(training), std::string::npos) << training << " in:\n" << help;
  EXPECT_NE(help.find("  in <- " + network.stimulus_path() + "\n"), std::string::npos);
}

TEST_F(CommandLineRun, RunsAndPrintsSummary) {
  std::string out = directory.file("cli.npz");
  Outcome outcome = run_main(network.desc(), {"--duration", "5ms", "--out", out});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  EXPECT_NE(outcome.out.find("simulated 5 ms (5 steps of 1 ms) in "), std::string::npos);
  EXPECT_NE(outcome.out.find("in             3       2  133.33 Hz\n"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("wrote " + out + "\n"), std::string::npos);
}

TEST_F(CommandLineRun, QuietPrintsNothing) {
  Outcome outcome = run_main(network.desc(), {"--quiet", "--out", directory.file("q.npz")});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "");
}

TEST_F(CommandLineRun, UserErrorsExitWithOne) {
  Outcome bad_flag = run_main(network.desc(), {"--bogus"});
  EXPECT_EQ(bad_flag.exit_code, 1);
  EXPECT_EQ(bad_flag.err, "error: unknown option '--bogus' (see --help)\n");
  EXPECT_EQ(bad_flag.out, "");

  directory.write("stimulus.csv", "0.001,1\n0.002,7\n");
  Outcome bad_stimulus = run_main(network.desc(), {});
  EXPECT_EQ(bad_stimulus.exit_code, 1);
  EXPECT_EQ(bad_stimulus.err, network.stimulus_path() + ":2:7: error: neuron index 7 is out of range: population 'in' "
                                                        "has 3 neurons\n");

  directory.write("stimulus.csv", test::test_stimulus());
  Outcome unwritable = run_main(network.desc(), {"--out", directory.file("nowhere/x.npz"), "--quiet"});
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_EQ(unwritable.err,
            "error: cannot write '" + directory.file("nowhere/x.npz") + "': No such file or directory\n");
}

TEST_F(CommandLineRun, BatchRunsAndIsSummarised) {
  std::string out = directory.file("batch.npz");
  Outcome outcome = run_main(network.desc(), {"--batch", "3", "--first-example", "5", "--out", out});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out.rfind("model TestNet: 2 populations, 5 neurons, 1 projection, 6 synapses, batch of 3 "
                              "examples from example 5\n",
                              0),
            0u)
      << outcome.out;
  // 3 spikes per example, 9 in all; the rate is per neuron and example.
  EXPECT_NE(outcome.out.find("in             3       9  100.00 Hz\n"), std::string::npos) << outcome.out;
}

TEST_F(CommandLineRun, BatchErrorsExitWithOne) {
  Outcome zero = run_main(network.desc(), {"--batch=0"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_EQ(zero.err, "error: option '--batch' needs an integer from 1 to 1048576, not '0'\n");
  Outcome past_end = run_main(network.desc(), {"--batch", "2", "--first-example", "18446744073709551615"});
  EXPECT_EQ(past_end.exit_code, 1);
  EXPECT_EQ(past_end.err, "error: examples 18446744073709551615 to 18446744073709551615 + 1 go past the last "
                          "example index, 2^64 - 1\n");
}

TEST_F(CommandLineRun, BrokenModelExitsWithSeventy) {
  // desc() re-points the tables at the network's copies: break it after.
  snn_model_desc &desc = network.desc();
  desc.populations = nullptr;
  Outcome outcome = run_main(desc, {});
  EXPECT_EQ(outcome.exit_code, 70);
  EXPECT_EQ(outcome.err, "internal error: malformed model descriptor: populations missing\n");
}

/// The test model linked with snnrt_main, run as a process in `directory`.
test::CommandResult run_executable(const ScratchDirectory &directory, const std::string &arguments) {
  return test::run_shell("cd " + test::shell_quote(directory.path().string()) + " && " +
                         test::shell_quote(SNN_TEST_MODEL_EXE) + " " + arguments + " 2>&1");
}

TEST(ModelExecutable, RunsWithDefaultsAndWritesDefaultFile) {
  ScratchDirectory directory;
  directory.write("stimulus.csv", test::test_stimulus());
  test::CommandResult result = run_executable(directory, "");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.rfind("model TestNet: 2 populations, 5 neurons, 1 "
                                "projection, 6 synapses\n",
                                0),
            0u)
      << result.output;
  EXPECT_NE(result.output.find("out            2       2  100.00 Hz\n"), std::string::npos);
  EXPECT_NE(result.output.find("wrote TestNet.npz\n"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(directory.file("TestNet.npz")));
}

TEST(ModelExecutable, ExitCodesOfErrors) {
  ScratchDirectory directory;
  test::CommandResult garbage = run_executable(directory, "--duration garbage");
  EXPECT_EQ(garbage.exit_code, 1);
  EXPECT_EQ(garbage.output, "error: invalid duration 'garbage': expected a "
                            "number with an optional unit, e.g. 2.5s or "
                            "500ms\n");
  test::CommandResult missing = run_executable(directory, "--seed 3");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.output, "stimulus.csv: error: cannot open stimulus file: "
                            "No such file or directory\n");
  test::CommandResult batch = run_executable(directory, "--batch 1.5");
  EXPECT_EQ(batch.exit_code, 1);
  EXPECT_EQ(batch.output, "error: option '--batch' needs an integer from 1 to 1048576, not '1.5'\n");
  test::CommandResult limit = run_executable(directory, "--max-input-bytes 0");
  EXPECT_EQ(limit.exit_code, 1);
  EXPECT_EQ(limit.output, "error: option '--max-input-bytes' needs an integer from 1 to 2^64 - 1, not '0'\n");
  test::CommandResult help = run_executable(directory, "--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("usage: "), std::string::npos);
}

// A stimulus that never ends is read up to the limit, then refused.
TEST(ModelExecutable, EndlessStimulusStopsAtTheInputLimit) {
  ScratchDirectory directory;
  std::filesystem::create_symlink("/dev/zero", directory.file("stimulus.csv"));
  test::CommandResult result = run_executable(directory, "--max-input-bytes 65536");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.output, "stimulus.csv: error: the stimulus file holds more than the input limit of 65536 bytes "
                           "(see --max-input-bytes)\n");
}

/// Random command lines made of both kinds' option names, the model's
/// hyperparameters, odd values and odd spellings: parsing either succeeds
/// or throws a user Error naming what is wrong, never anything else.
TEST(CommandLine, RandomCommandLinesAreParsedOrRejectedAsUserErrors) {
  ScratchDirectory directory;
  const std::string train_path = directory.write("train.csv", "1,0\n");
  TrainingModel training(train_path);
  const snn_model_desc &trains = training.desc();
  std::vector<std::string> names = {"--duration",
                                    "--first-example",
                                    "--input",
                                    "--epochs",
                                    "--lr",
                                    "--data-train",
                                    "--data-test",
                                    "--metrics",
                                    "--weights-in",
                                    "--weights-out",
                                    "--no-shuffle",
                                    "--batches",
                                    "--gradients-out",
                                    "--checkpoint",
                                    "--resume",
                                    "--exchange",
                                    "--seed",
                                    "--batch",
                                    "--out",
                                    "--threads",
                                    "--max-input-bytes",
                                    "--allow-nonfinite",
                                    "--quiet",
                                    "-q",
                                    "--bogus",
                                    "-Z",
                                    "--"};
  for (uint32_t i = 0; i < trains.training->num_hypers; ++i)
    names.push_back(std::string("--") + trains.training->hypers[i].name);
  const std::vector<std::string> values = {
      "",           "0", "1",  "-1", "2.5", "1e400", "nan", "-inf", "0x10", "x",
      "a=b",        "=", "--", "-",  "-q",  "ms",    "1 s", "\xff", "mpi",  std::string(300, '9'),
      "in=stim.csv"};
  std::mt19937_64 random(7);
  auto pick = [&](const std::vector<std::string> &from) { return from[random() % from.size()]; };
  for (const snn_model_desc *model : {&trains, snn_test_model_f64()}) {
    uint32_t accepted = 0, rejected = 0;
    for (int trial = 0; trial < 3000; ++trial) {
      std::vector<std::string> arguments;
      for (uint64_t k = random() % 7; k > 0; --k) {
        switch (random() % 4) {
        case 0:
          arguments.push_back(pick(names) + "=" + pick(values));
          break;
        case 1:
          arguments.push_back(pick(values));
          break;
        default:
          arguments.push_back(pick(names));
        }
      }
      try {
        parse_command_line(arguments, *model);
        ++accepted;
      } catch (const Error &error) {
        EXPECT_EQ(error.kind(), Error::Kind::User) << error.what();
        EXPECT_NE(std::string(error.what()), "error: ");
        ++rejected;
      } catch (const std::exception &other) {
        ADD_FAILURE() << "not an Error: " << other.what();
      }
    }
    // Both outcomes are exercised, not only one.
    EXPECT_GT(accepted, 100u);
    EXPECT_GT(rejected, 100u);
  }
}

} // namespace
} // namespace snn::rt
