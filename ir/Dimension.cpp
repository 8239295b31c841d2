//===- ir/Dimension.cpp - Physical dimensions of IR values ----------------===//
#include "ir/Dimension.h"

#include "ir/Expr.h"

#include <limits>
#include <utility>
#include <vector>

namespace snn::ir {

namespace {
/// An exponent as stored; one that does not fit is a bug (a wrapped
/// exponent would silently turn, say, V^257 into V).
int8_t exponent_of(long long e) {
  internal_check(e >= std::numeric_limits<int8_t>::min() && e <= std::numeric_limits<int8_t>::max(),
                 "dimension exponent " + std::to_string(e) + " out of range");
  return static_cast<int8_t>(e);
}
} // namespace

Dimension Dimension::base(Base b, int power) {
  Dimension d;
  d.exp_[b] = exponent_of(power);
  return d;
}

Dimension Dimension::voltage() { return base(Kilogram) * base(Metre, 2) * base(Second, -3) * base(Ampere, -1); }
Dimension Dimension::resistance() { return voltage() / current(); }
Dimension Dimension::conductance() { return current() / voltage(); }
Dimension Dimension::capacitance() { return current() * time() / voltage(); }

bool Dimension::dimensionless() const {
  for (int8_t e : exp_)
    if (e != 0)
      return false;
  return true;
}

Dimension Dimension::operator*(const Dimension &o) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.exp_[i] = exponent_of(exp_[i] + o.exp_[i]);
  return d;
}

Dimension Dimension::operator/(const Dimension &o) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.exp_[i] = exponent_of(exp_[i] - o.exp_[i]);
  return d;
}

Dimension Dimension::pow(int n) const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i)
    d.exp_[i] = exponent_of(static_cast<long long>(exp_[i]) * n);
  return d;
}

std::optional<Dimension> Dimension::sqrt() const {
  Dimension d;
  for (int i = 0; i < NumBases; ++i) {
    if (exp_[i] % 2 != 0)
      return std::nullopt;
    d.exp_[i] = static_cast<int8_t>(exp_[i] / 2);
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
  };
  for (const auto &[dim, name] : named)
    if (dim == *this)
      return name;
  static const char *const symbols[NumBases] = {"s", "m", "kg", "A", "K", "mol", "cd"};
  // Mass and length first, as SI writes derived units.
  static const int order[NumBases] = {Kilogram, Metre, Second, Ampere, Kelvin, Mole, Candela};
  std::string out;
  for (int i : order) {
    if (exp_[i] == 0)
      continue;
    if (!out.empty())
      out += "*";
    out += symbols[i];
    if (exp_[i] != 1)
      out += "^" + std::to_string(exp_[i]);
  }
  return out;
}

} // namespace snn::ir
