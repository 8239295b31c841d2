//===- lower/Printer.h - Deterministic text of a lowered Program -*- C++ -*-===//
#pragma once

#include "lower/Program.h"

#include <string>

namespace snn::lower {

/// A value as the Program printer writes it.
std::string to_string(const Value &v, const Kernel &kernel);

/// The whole Program (`snnc --emit=lowered`): the settings; every buffer with
/// its element type, scope, batch axis, elements and bytes, and the total for
/// the default batch; every kernel with its domain, parameters and body; and
/// the launches of each entry point. Equal Programs print byte-identically.
std::string to_string(const Program &program);

/// Only the memory table: buffers and the total for `batch` examples
/// (`snnc --emit=memory`).
std::string memory_report(const Program &program, uint32_t batch);

/// "1.5 KiB", "12.0 MiB", ...: bytes for people.
std::string human_bytes(uint64_t bytes);

} // namespace snn::lower
