//===- ir/Dimension.cpp - Physical dimensions of IR values ----------------===//
#include "ir/Dimension.h"

#include "ir/Expr.h"

#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace snn::ir {

namespace {
/// Twice an exponent, as stored. Exponents stay in [-128, 127]; one outside
/// is a bug (a wrapped exponent would silently turn, say, V^257 into V).
int16_t halves_of(long long halves) {
  internal_check(halves >= -256 && halves <= 254, "dimension exponent " + format_exponent(halves) + " out of range");
  return static_cast<int16_t>(halves);
}
} // namespace

std::string format_exponent(long long halves) {
  if (halves % 2 == 0)
    return std::to_string(halves / 2);
  return (halves < 0 ? "-" : "") + std::to_string(std::llabs(halves) / 2) + ".5";
}

Dimension Dimension::base(Base b, int power) {
  Dimension d;
  d.halves_[b] = halves_of(2LL * power);
  return d;
}

int Dimension::exponent(Base b) const {
  internal_check(halves_[b] % 2 == 0, "half exponent read as a whole one");
  return halves_[b] / 2;
}

Dimension Dimension::voltage() { return base(Kilogram) * base(Metre, 2) * base(Second, -3) * base(Ampere, -1); }
Dimension Dimension::resistance() { return voltage() / current(); }
Dimension Dimension::conductance() { return current() / voltage(); }
Dimension Dimension::capacitance() { return current() * time() / voltage(); }

bool Dimension::dimensionless() const {
  for (int16_t e : halves_)
    if (e != 0)
      return false;
  return true;
}

Dimension Dimension::operator*(const Dimension &o) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.halves_[i] = halves_of(halves_[i] + o.halves_[i]);
  return d;
}

Dimension Dimension::operator/(const Dimension &o) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.halves_[i] = halves_of(halves_[i] - o.halves_[i]);
  return d;
}

Dimension Dimension::pow(int n) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.halves_[i] = halves_of(static_cast<long long>(halves_[i]) * n);
  return d;
}

std::optional<Dimension> Dimension::pow_half(int n) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i) {
    long long twice = static_cast<long long>(halves_[i]) * n; // four times the new exponent
    if (twice % 2 != 0)
      return std::nullopt;
    d.halves_[i] = halves_of(twice / 2);
  }
  return d;
}

std::string Dimension::str() const {
  if (dimensionless())
    return "1";
  const std::vector<std::pair<Dimension, const char *>> named = {
      {time(), "s"},
      {frequency(), "Hz"},
      {voltage(), "V"},
      {current(), "A"},
      {conductance(), "S"},
      {capacitance(), "F"},
      {resistance(), "ohm"},
      {voltage() / time(), "V/s"},
      {current() / time(), "A/s"},
      {voltage().pow(2), "V^2"},
      {time().pow(2), "s^2"},
      {frequency().pow(2), "Hz^2"},
      {*frequency().sqrt(), "Hz^0.5"},
      {voltage() * *frequency().sqrt(), "V*Hz^0.5"},
  };
  for (const auto &[dim, name] : named)
    if (dim == *this)
      return name;
  static const char *const symbols[NumBases] = {"s", "m", "kg", "A", "K", "mol", "cd"};
  // Mass and length first, as SI writes derived units.
  static const int order[NumBases] = {Kilogram, Metre, Second, Ampere, Kelvin, Mole, Candela};
  std::string out;
  for (int i : order) {
    if (halves_[i] == 0)
      continue;
    if (!out.empty())
      out += "*";
    out += symbols[i];
    if (halves_[i] != 2)
      out += "^" + format_exponent(halves_[i]);
  }
  return out;
}

} // namespace snn::ir
