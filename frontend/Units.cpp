//===- frontend/Units.cpp - Unit symbols of the language ------------------===//
#include "frontend/Units.h"

namespace snn::frontend {

std::optional<Unit> lookup_unit(const std::string &symbol) {
  struct Base {
    const char *name;
    ir::Dimension dim;
  };
  const Base bases[] = {
      {"s", ir::Dimension::time()},         {"V", ir::Dimension::voltage()},
      {"A", ir::Dimension::current()},      {"Hz", ir::Dimension::frequency()},
      {"S", ir::Dimension::conductance()},  {"F", ir::Dimension::capacitance()},
      {"ohm", ir::Dimension::resistance()},
  };
  struct Prefix {
    const char *name;
    double scale;
  };
  const Prefix prefixes[] = {{"", 1.0},   {"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6},
                             {"m", 1e-3}, {"k", 1e3},   {"M", 1e6},  {"G", 1e9}};
  for (const auto &p : prefixes)
    for (const auto &b : bases)
      if (symbol == std::string(p.name) + b.name)
        return Unit{p.scale, b.dim};
  return std::nullopt;
}

std::vector<std::string> common_units() {
  return {"s", "ms", "us", "V", "mV", "A", "nA", "pA", "Hz", "kHz", "S", "nS", "uS", "F", "pF", "nF", "ohm", "Mohm"};
}

} // namespace snn::frontend
