//===- lib/ExecutableLinker.h - Linking a model with the runtime -*- C++ -*-===//
#pragma once

#include <string>
#include <vector>

namespace snn {

/// Links `object` with the runtime libraries into the executable `output`,
/// using the C++ compiler snnc was built with as the linker driver. The
/// executable appears atomically (linked to a temporary name, then renamed).
/// Returns false with `error` set to why `output` could not be written (the
/// linker's failure and its log, or the system's reason), without the path.
/// `device` lists the libraries of the model's device (the CUDA target's),
/// linked after the runtime; empty for the CPU.
bool link_executable(const std::string &object, const std::string &output, const std::vector<std::string> &device,
                     std::string &error);

} // namespace snn
