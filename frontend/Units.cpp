//===- frontend/Units.cpp - Unit symbols of the language ------------------===//
#include "frontend/Units.h"

#include <algorithm>

namespace snn::frontend {

namespace {
struct Base {
  const char *name;
  ir::Dimension dim;
};
const std::vector<Base> &bases() {
  static const std::vector<Base> kBases = {
      {"s", ir::Dimension::time()},         {"V", ir::Dimension::voltage()},     {"A", ir::Dimension::current()},
      {"Hz", ir::Dimension::frequency()},   {"S", ir::Dimension::conductance()}, {"F", ir::Dimension::capacitance()},
      {"ohm", ir::Dimension::resistance()},
  };
  return kBases;
}
struct Prefix {
  const char *name;
  double scale;
};
const Prefix kPrefixes[] = {{"", 1.0},   {"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6},
                            {"m", 1e-3}, {"k", 1e3},   {"M", 1e6},  {"G", 1e9}};
} // namespace

std::optional<std::string> count_word(const std::string &word) {
  for (const char *plural : {"epochs", "batches", "steps"}) {
    std::string p = plural;
    std::string singular = p == "batches" ? "batch" : p.substr(0, p.size() - 1);
    if (word == p || word == singular)
      return p;
  }
  return std::nullopt;
}

std::optional<Unit> lookup_unit(const std::string &symbol) {
  for (const auto &p : kPrefixes)
    for (const auto &b : bases())
      if (symbol == std::string(p.name) + b.name)
        return Unit{p.scale, b.dim};
  return std::nullopt;
}

std::vector<std::string> all_units() {
  std::vector<std::string> out = common_units();
  for (const auto &p : kPrefixes)
    for (const auto &b : bases()) {
      std::string u = std::string(p.name) + b.name;
      if (std::find(out.begin(), out.end(), u) == out.end())
        out.push_back(u);
    }
  return out;
}

std::vector<std::string> common_units() {
  return {"s", "ms", "us", "V", "mV", "A", "nA", "pA", "Hz", "kHz", "S", "nS", "uS", "F", "pF", "nF", "ohm", "Mohm"};
}

} // namespace snn::frontend
