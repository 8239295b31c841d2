//===- ir/Dimension.h - Physical dimensions of IR values -------*- C++ -*-===//
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace snn::ir {

/// A physical dimension: integer exponents of the SI base units
/// (s, m, kg, A, K, mol, cd). Every IR expression carries one, and every
/// stored value is in SI base units, so a dimension fixes the scale too.
class Dimension {
public:
  enum Base { Second, Metre, Kilogram, Ampere, Kelvin, Mole, Candela, NumBases };

  constexpr Dimension() : exp_{} {}
  static Dimension base(Base b, int power = 1);
  static Dimension time() { return base(Second); }
  static Dimension frequency() { return base(Second, -1); }
  static Dimension current() { return base(Ampere); }
  static Dimension voltage();
  static Dimension conductance();
  static Dimension capacitance();
  static Dimension resistance();

  bool dimensionless() const;
  int exponent(Base b) const { return exp_[b]; }

  /// Exponents stay in [-128, 127]; arithmetic that would leave that range
  /// throws InternalError rather than wrap.
  Dimension operator*(const Dimension &o) const;
  Dimension operator/(const Dimension &o) const;
  Dimension pow(int n) const;
  /// The square root, or nothing when an exponent is odd.
  std::optional<Dimension> sqrt() const;

  bool operator==(const Dimension &o) const { return exp_ == o.exp_; }
  bool operator!=(const Dimension &o) const { return exp_ != o.exp_; }
  bool operator<(const Dimension &o) const { return exp_ < o.exp_; }

  /// A readable SI name: "1", "V", "s", "Hz", "A", "V/s", or base units
  /// such as "kg*m^2*s^-3*A^-1" when no named unit fits.
  std::string str() const;

private:
  std::array<int8_t, NumBases> exp_;
};

} // namespace snn::ir
