//===- Duration.cpp - Reading and printing times with units ---------------===//

#include "Duration.h"

#include "snn/runtime.h"

#include <fmt/format.h>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace snn::rt {
namespace {

struct Unit {
  std::string_view name;
  double seconds;
};

constexpr Unit kUnits[] = {{"s", 1},     {"ms", 1e-3}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6},
                           {"ns", 1e-9}, {"min", 60},  {"h", 3600}};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)); }

/// Length of the decimal number at the start of `text` (digits, one point,
/// an exponent), or 0 if there is none. Hexadecimal, "inf" and "nan", which
/// strtod would accept, are not numbers here.
std::size_t number_length(std::string_view text) {
  std::size_t i = 0, digits = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-'))
    ++i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
    ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      ++i, ++digits;
  }
  if (digits == 0)
    return 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-'))
      ++j;
    std::size_t exponent_start = j;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
      ++j;
    if (j > exponent_start)
      i = j;
  }
  return i;
}

} // namespace

double parse_duration(std::string_view text) {
  std::string quoted = "'" + std::string(text) + "'";
  std::string_view rest = text;
  while (!rest.empty() && is_space(rest.front()))
    rest.remove_prefix(1);
  while (!rest.empty() && is_space(rest.back()))
    rest.remove_suffix(1);
  std::size_t length = number_length(rest);
  if (length == 0)
    throw Error("invalid duration " + quoted +
                ": expected a number with an optional unit, e.g. 2.5s or "
                "500ms");
  std::string number(rest.substr(0, length));
  rest.remove_prefix(length);
  while (!rest.empty() && is_space(rest.front()))
    rest.remove_prefix(1);
  double scale = 1;
  if (!rest.empty()) {
    const Unit *unit = nullptr;
    for (const Unit &candidate : kUnits)
      if (rest == candidate.name)
        unit = &candidate;
    if (!unit)
      throw Error("invalid duration " + quoted + ": unknown unit '" + std::string(rest) +
                  "' (use s, ms, us, ns, min or h)");
    scale = unit->seconds;
  }
  double value = std::strtod(number.c_str(), nullptr) * scale;
  if (!std::isfinite(value))
    throw Error("invalid duration " + quoted + ": not a finite time");
  if (value <= 0)
    throw Error("invalid duration " + quoted + ": must be greater than zero");
  return value;
}

std::string format_seconds(double seconds) {
  double magnitude = std::fabs(seconds);
  const char *unit = "s";
  double scale = 1;
  // Sub-second times keep a leading "0." down to a tenth of the smaller
  // unit: 1e-4 s prints as "0.1 ms", the usual way to write a time step.
  if (magnitude > 0 && magnitude < 1) {
    if (magnitude >= 1e-4) {
      unit = "ms";
      scale = 1e3;
    } else if (magnitude >= 1e-7) {
      unit = "us";
      scale = 1e6;
    } else {
      unit = "ns";
      scale = 1e9;
    }
  }
  return fmt::format("{:.6g} {}", seconds * scale, unit);
}

} // namespace snn::rt
