//===- frontend/Units.cpp - Unit symbols of the language ------------------===//
#include "frontend/Units.h"

#include <algorithm>
#include <cmath>

namespace snn::frontend {

namespace {
struct Base {
  const char *name;
  ir::Dimension dim;
  double scale = 1;    ///< of the unit in SI base units (molar: 1000 mol/m^3)
  bool length = false; ///< takes a power: `cm2`, `um3`
};
ir::Dimension molarity() {
  return ir::Dimension::base(ir::Dimension::Mole) / ir::Dimension::base(ir::Dimension::Metre, 3);
}
const std::vector<Base> &bases() {
  // The symbols first, then Brian2's names for the same units.
  static const std::vector<Base> kBases = {
      {"s", ir::Dimension::time()},
      {"V", ir::Dimension::voltage()},
      {"A", ir::Dimension::current()},
      {"Hz", ir::Dimension::frequency()},
      {"S", ir::Dimension::conductance()},
      {"F", ir::Dimension::capacitance()},
      {"ohm", ir::Dimension::resistance()},
      {"m", ir::Dimension::base(ir::Dimension::Metre), 1, true},
      {"M", molarity(), 1e3},
      {"mol", ir::Dimension::base(ir::Dimension::Mole)},
      {"second", ir::Dimension::time()},
      {"volt", ir::Dimension::voltage()},
      {"amp", ir::Dimension::current()},
      {"ampere", ir::Dimension::current()},
      {"hertz", ir::Dimension::frequency()},
      {"siemens", ir::Dimension::conductance()},
      {"farad", ir::Dimension::capacitance()},
      {"metre", ir::Dimension::base(ir::Dimension::Metre), 1, true},
      {"meter", ir::Dimension::base(ir::Dimension::Metre), 1, true},
      {"molar", molarity(), 1e3},
      {"mole", ir::Dimension::base(ir::Dimension::Mole)},
  };
  return kBases;
}
struct Prefix {
  const char *name;
  int exponent; ///< of ten
};
// Micro is `u`, or the micro sign (U+00B5) or Greek mu (U+03BC) in UTF-8.
const Prefix kPrefixes[] = {{"", 0},          {"f", -15}, {"p", -12}, {"n", -9}, {"u", -6}, {"\xC2\xB5", -6},
                            {"\xCE\xBC", -6}, {"m", -3},  {"c", -2},  {"k", 3},  {"M", 6},  {"G", 9}};
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
    for (const auto &b : bases()) {
      std::string name = std::string(p.name) + b.name;
      if (symbol.compare(0, name.size(), name) != 0)
        continue;
      std::string rest = symbol.substr(name.size());
      // A squared or cubed length: the prefix is raised too (1 cm2 = 1e-4 m^2).
      int power = rest.empty() ? 1 : b.length && (rest == "2" || rest == "3") ? rest[0] - '0' : 0;
      if (power > 0)
        return Unit{std::pow(10.0, p.exponent * power) * b.scale, b.dim.pow(power)};
    }
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
  return {"s", "ms", "us", "V",   "mV",   "A",   "nA", "pA", "Hz",     "kHz",  "S",   "nS",      "uS",
          "F", "pF", "nF", "ohm", "Mohm", "cm2", "uF", "mM", "second", "volt", "amp", "siemens", "farad"};
}

} // namespace snn::frontend
