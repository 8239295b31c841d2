//===- backends/Process.h - Running a tool of the toolchain -----*- C++ -*-===//
//
// The linker, nvcc and the host compiler run as child processes; a signal
// that stops snnc meanwhile stops them before their outputs are removed
// (snn/temporary_file.h).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace snn::backends {

/// Runs `args[0]` (found on PATH unless it names a path) with `args`, and
/// waits for it. Its stdout and stderr go to `output` (at most ~20 kB).
/// Returns its exit status, 127 when it could not be run, -1 when it could
/// not be started or died of a signal.
int run_process(const std::vector<std::string> &args, std::string &output);

} // namespace snn::backends
