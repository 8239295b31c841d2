//===- test/unit/ir/DimensionTest.cpp - ir::Dimension ---------------------===//
#include "ir/Dimension.h"

#include "ir/Expr.h"

#include <gtest/gtest.h>

namespace snn::ir {
namespace {

/// A dimension from its SI exponents (s, m, kg, A), written out by hand.
Dimension si(int s, int m, int kg, int a) {
  return Dimension::base(Dimension::Second, s) * Dimension::base(Dimension::Metre, m) *
         Dimension::base(Dimension::Kilogram, kg) * Dimension::base(Dimension::Ampere, a);
}

TEST(Dimension, DefaultIsDimensionless) {
  Dimension d;
  EXPECT_TRUE(d.dimensionless());
  for (int b = 0; b < Dimension::NumBases; ++b)
    EXPECT_EQ(d.exponent(static_cast<Dimension::Base>(b)), 0);
  EXPECT_EQ(d.str(), "1");
}

TEST(Dimension, NamedUnitsHaveTheirSiExponents) {
  EXPECT_EQ(Dimension::time(), si(1, 0, 0, 0));
  EXPECT_EQ(Dimension::frequency(), si(-1, 0, 0, 0));
  EXPECT_EQ(Dimension::current(), si(0, 0, 0, 1));
  EXPECT_EQ(Dimension::voltage(), si(-3, 2, 1, -1));     // kg m^2 s^-3 A^-1
  EXPECT_EQ(Dimension::resistance(), si(-3, 2, 1, -2));  // kg m^2 s^-3 A^-2
  EXPECT_EQ(Dimension::conductance(), si(3, -2, -1, 2)); // kg^-1 m^-2 s^3 A^2
  EXPECT_EQ(Dimension::capacitance(), si(4, -2, -1, 2)); // kg^-1 m^-2 s^4 A^2
}

TEST(Dimension, ProductsQuotientsAndPowers) {
  const Dimension v = Dimension::voltage(), a = Dimension::current(), s = Dimension::time();
  // Ohm's law, Q = C V, tau = R C.
  EXPECT_EQ(v / a, Dimension::resistance());
  EXPECT_EQ(a / v, Dimension::conductance());
  EXPECT_EQ((a * s) / v, Dimension::capacitance());
  EXPECT_EQ(Dimension::resistance() * Dimension::capacitance(), s);
  EXPECT_EQ(Dimension::conductance() * Dimension::resistance(), Dimension());
  EXPECT_EQ(s * Dimension::frequency(), Dimension());
  EXPECT_TRUE((v / v).dimensionless());
  EXPECT_EQ(v.pow(2), v * v);
  EXPECT_EQ(v.pow(3), v * v * v);
  EXPECT_EQ(v.pow(-1), Dimension() / v);
  EXPECT_EQ(v.pow(0), Dimension());
  EXPECT_EQ(v.pow(2).exponent(Dimension::Second), -6);
  EXPECT_EQ(v.pow(2).exponent(Dimension::Kilogram), 2);
  EXPECT_NE(v, a);
  EXPECT_TRUE(v < a || a < v); // a strict order, for maps
}

TEST(Dimension, SquareRoot) {
  const Dimension v = Dimension::voltage();
  ASSERT_TRUE(v.pow(2).sqrt().has_value());
  EXPECT_EQ(*v.pow(2).sqrt(), v);
  EXPECT_EQ(*Dimension::frequency().pow(2).sqrt(), Dimension::frequency());
  EXPECT_EQ(*Dimension().sqrt(), Dimension());
  // Odd exponents give half exponents (white noise has s^-1/2); a half
  // exponent has no square root (a quarter is not representable).
  const Dimension root_hz = *Dimension::frequency().sqrt();
  EXPECT_EQ(root_hz.halves(Dimension::Second), -1);
  EXPECT_EQ(root_hz * root_hz, Dimension::frequency());
  EXPECT_EQ(*v.sqrt() * *v.sqrt(), v);
  EXPECT_EQ(*Dimension::base(Dimension::Metre, -3).pow_half(2), Dimension::base(Dimension::Metre, -3));
  EXPECT_EQ(*Dimension::time().pow_half(-3), *Dimension::frequency().sqrt() * Dimension::frequency());
  EXPECT_FALSE(root_hz.sqrt().has_value());
  EXPECT_FALSE((v * root_hz).pow_half(3).has_value());
  EXPECT_THROW(root_hz.exponent(Dimension::Second), InternalError);
  EXPECT_EQ(root_hz.str(), "Hz^0.5");
  EXPECT_EQ(Dimension::time().pow_half(3)->str(), "s^1.5");
  EXPECT_EQ((Dimension::current() * root_hz).str(), "s^-0.5*A");
  EXPECT_EQ(format_exponent(-1), "-0.5");
  EXPECT_EQ(format_exponent(-3), "-1.5");
  EXPECT_EQ(format_exponent(4), "2");
}

TEST(Dimension, StrNamesCommonUnits) {
  EXPECT_EQ(Dimension::voltage().str(), "V");
  EXPECT_EQ(Dimension::current().str(), "A");
  EXPECT_EQ(Dimension::time().str(), "s");
  EXPECT_EQ(Dimension::frequency().str(), "Hz");
  EXPECT_EQ(Dimension::conductance().str(), "S");
  EXPECT_EQ(Dimension::capacitance().str(), "F");
  EXPECT_EQ(Dimension::resistance().str(), "ohm");
  EXPECT_EQ((Dimension::voltage() / Dimension::time()).str(), "V/s");
  EXPECT_EQ((Dimension::current() / Dimension::time()).str(), "A/s");
  EXPECT_EQ(Dimension::voltage().pow(2).str(), "V^2");
}

TEST(Dimension, StrFallsBackToBaseUnits) {
  EXPECT_EQ(Dimension::base(Dimension::Metre).str(), "m");
  EXPECT_EQ(Dimension::base(Dimension::Kilogram).str(), "kg");
  EXPECT_EQ(Dimension::base(Dimension::Kelvin).str(), "K");
  EXPECT_EQ(Dimension::base(Dimension::Mole).str(), "mol");
  EXPECT_EQ(Dimension::base(Dimension::Candela).str(), "cd");
  // Watt = V * A: mass and length first, then time.
  EXPECT_EQ((Dimension::voltage() * Dimension::current()).str(), "kg*m^2*s^-3");
  // Weber = V * s.
  EXPECT_EQ((Dimension::voltage() * Dimension::time()).str(), "kg*m^2*s^-2*A^-1");
  EXPECT_EQ(Dimension::base(Dimension::Metre, -2).str(), "m^-2");
}

TEST(Dimension, ExponentsNeverWrap) {
  // V^257 has the exponents of V modulo 256: it must not pass for V.
  const Dimension v16 = Dimension::voltage().pow(16); // s^-48
  EXPECT_EQ(v16.exponent(Dimension::Second), -48);
  EXPECT_THROW(v16.pow(16), InternalError);
  EXPECT_THROW(Dimension::voltage().pow(1 << 30), InternalError);
  Dimension d = Dimension::base(Dimension::Second, 127);
  EXPECT_THROW(d * Dimension::time(), InternalError);
  EXPECT_THROW(Dimension::base(Dimension::Second, -128) / Dimension::time(), InternalError);
  EXPECT_THROW(Dimension::base(Dimension::Metre, 128), InternalError);
  EXPECT_EQ((d / Dimension::time()).exponent(Dimension::Second), 126);
  try {
    v16.pow(16);
  } catch (const InternalError &e) {
    EXPECT_STREQ(e.what(), "dimension exponent -768 out of range");
  }
}

} // namespace
} // namespace snn::ir
