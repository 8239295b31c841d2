//===- Duration.h - Reading and printing times with units -------*- C++ -*-===//
#ifndef SNN_RUNTIME_DURATION_H
#define SNN_RUNTIME_DURATION_H

#include <string>
#include <string_view>

namespace snn::rt {

/// Parses a positive, finite time: a decimal number, optionally followed
/// (with or without spaces) by a unit: s, ms, us, µs, ns, min, h. A bare
/// number is in seconds ("2" is 2 s). Throws Error naming the text and what
/// is wrong with it.
double parse_duration(std::string_view text);

/// Formats seconds with the unit that reads best: "1 s", "0.1 ms", "500 ms",
/// "2.5 s", "20 us" (six significant digits at most).
std::string format_seconds(double seconds);

} // namespace snn::rt

#endif // SNN_RUNTIME_DURATION_H
