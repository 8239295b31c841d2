//===- TestHelpers.h - Assertions shared by the runtime tests ---*- C++ -*-===//
#ifndef SNN_TEST_RUNTIME_TESTHELPERS_H
#define SNN_TEST_RUNTIME_TESTHELPERS_H

#include "TestEnvironment.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <string>

namespace snn::rt::test {

/// Runs `body` and returns the Error it throws (fails the test if none).
template <typename Body> Error error_of(Body body) {
  try {
    body();
  } catch (const Error &error) {
    return error;
  }
  ADD_FAILURE() << "expected an Error";
  return Error("no error");
}

/// Reads the arrays of an NPZ file with numpy, one line per array in name
/// order: "name dtype shape [values]", values rounded to 12 digits.
inline std::string numpy_dump(const std::string &path) {
  std::string script = "import sys, numpy\n"
                       "with numpy.load(sys.argv[1]) as f:\n"
                       "    for k in sorted(f.files):\n"
                       "        a = f[k]\n"
                       "        print(k, a.dtype, a.shape, [round(float(x), 12) for x in "
                       "a.ravel()])\n";
  CommandResult result =
      run_shell(std::string(python()) + " -c " + shell_quote(script) + " " + shell_quote(path) + " 2>&1");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return result.output;
}

} // namespace snn::rt::test

#endif // SNN_TEST_RUNTIME_TESTHELPERS_H
