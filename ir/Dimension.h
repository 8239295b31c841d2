//===- ir/Dimension.h - Physical dimensions of IR values -------*- C++ -*-===//
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace snn::ir {

/// A physical dimension: exponents of the SI base units (s, m, kg, A, K,
/// mol, cd), each a whole or half integer. Every IR expression carries one,
/// and every stored value is in SI base units, so a dimension fixes the
/// scale too. Half exponents exist for white noise: `xi` has s^-1/2, and
/// `sqrt(2 / tau)` has the same, as in Brian2's `sigma*sqrt(2/tau)*xi`.
class Dimension {
public:
  enum Base { Second, Metre, Kilogram, Ampere, Kelvin, Mole, Candela, NumBases };

  constexpr Dimension() : halves_{} {}
  static Dimension base(Base b, int power = 1);
  static Dimension time() { return base(Second); }
  static Dimension frequency() { return base(Second, -1); }
  static Dimension current() { return base(Ampere); }
  static Dimension voltage();
  static Dimension conductance();
  static Dimension capacitance();
  static Dimension resistance();

  bool dimensionless() const;
  /// The exponent of `b`; a half exponent is an internal error here (ask
  /// `halves` where one may occur).
  int exponent(Base b) const;
  /// Twice the exponent of `b`: exact for whole and half exponents.
  int halves(Base b) const { return halves_[b]; }

  /// Exponents stay in [-128, 127]; arithmetic that would leave that range
  /// throws InternalError rather than wrap.
  Dimension operator*(const Dimension &o) const;
  Dimension operator/(const Dimension &o) const;
  Dimension pow(int n) const;
  /// The power n / 2, or nothing when an exponent would become a quarter.
  std::optional<Dimension> pow_half(int n) const;
  /// The square root, or nothing when an exponent is a half integer.
  std::optional<Dimension> sqrt() const { return pow_half(1); }

  bool operator==(const Dimension &o) const { return halves_ == o.halves_; }
  bool operator!=(const Dimension &o) const { return halves_ != o.halves_; }
  bool operator<(const Dimension &o) const { return halves_ < o.halves_; }

  /// A readable SI name: "1", "V", "s", "Hz", "A", "V/s", or base units
  /// such as "kg*m^2*s^-3*A^-1" when no named unit fits; a half exponent
  /// prints as "^-0.5" or "^1.5".
  std::string str() const;

private:
  std::array<int16_t, NumBases> halves_; ///< twice each exponent
};

/// An exponent given as twice its value, as printed: "2", "-3", "-0.5".
std::string format_exponent(long long halves);

} // namespace snn::ir
