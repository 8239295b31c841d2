//===- test/unit/frontend/UnitsTest.cpp - frontend::lookup_unit -----------===//
#include "frontend/Units.h"

#include <gtest/gtest.h>

namespace snn::frontend {
namespace {

using ir::Dimension;

void expect_unit(const std::string &symbol, double scale, Dimension dim) {
  auto u = lookup_unit(symbol);
  ASSERT_TRUE(u.has_value()) << symbol;
  EXPECT_EQ(u->scale, scale) << symbol;
  EXPECT_EQ(u->dim, dim) << symbol << " is " << u->dim.str();
}

TEST(Units, BaseSymbols) {
  expect_unit("s", 1, Dimension::time());
  expect_unit("V", 1, Dimension::voltage());
  expect_unit("A", 1, Dimension::current());
  expect_unit("Hz", 1, Dimension::frequency());
  expect_unit("S", 1, Dimension::conductance());
  expect_unit("F", 1, Dimension::capacitance());
  expect_unit("ohm", 1, Dimension::resistance());
}

TEST(Units, PrefixedSymbols) {
  expect_unit("mV", 1e-3, Dimension::voltage());
  expect_unit("nA", 1e-9, Dimension::current());
  expect_unit("pA", 1e-12, Dimension::current());
  expect_unit("kHz", 1e3, Dimension::frequency());
  expect_unit("Mohm", 1e6, Dimension::resistance());
  expect_unit("Gohm", 1e9, Dimension::resistance());
  expect_unit("pF", 1e-12, Dimension::capacitance());
  expect_unit("nS", 1e-9, Dimension::conductance());
  expect_unit("uS", 1e-6, Dimension::conductance());
  expect_unit("mS", 1e-3, Dimension::conductance()); // millisiemens, not a metre-second
  expect_unit("ms", 1e-3, Dimension::time());
  expect_unit("us", 1e-6, Dimension::time());
}

TEST(Units, Brian2Names) {
  expect_unit("volt", 1, Dimension::voltage());
  expect_unit("mvolt", 1e-3, Dimension::voltage());
  expect_unit("amp", 1, Dimension::current());
  expect_unit("nampere", 1e-9, Dimension::current());
  expect_unit("siemens", 1, Dimension::conductance());
  expect_unit("farad", 1, Dimension::capacitance());
  expect_unit("msecond", 1e-3, Dimension::time());
  expect_unit("khertz", 1e3, Dimension::frequency());
  expect_unit("m", 1, Dimension::base(Dimension::Metre));
  expect_unit("umetre", 1e-6, Dimension::base(Dimension::Metre));
  expect_unit("mm", 1e-3, Dimension::base(Dimension::Metre));
  expect_unit("cm2", 1e-4, Dimension::base(Dimension::Metre, 2));
  expect_unit("um3", 1e-18, Dimension::base(Dimension::Metre, 3));
  Dimension molarity = Dimension::base(Dimension::Mole) / Dimension::base(Dimension::Metre, 3);
  expect_unit("M", 1e3, molarity);
  expect_unit("mM", 1, molarity);
  expect_unit("umolar", 1e-3, molarity);
  expect_unit("mol", 1, Dimension::base(Dimension::Mole));
  expect_unit("\xC2\xB5" "F", 1e-6, Dimension::capacitance()); // the micro sign
  expect_unit("\xCE\xBC" "F", 1e-6, Dimension::capacitance()); // Greek mu
  expect_unit("fF", 1e-15, Dimension::capacitance());
}

TEST(Units, UnknownSymbols) {
  for (const char *s : {"", "mv", "MV2", "xV", "kk", "Ohm", "sec", "mmV", "ohms", "volts", "cm4", "ms2", "uFarad"})
    EXPECT_FALSE(lookup_unit(s).has_value()) << "'" << s << "'";
}

TEST(Units, CommonUnitsAllResolve) {
  for (const auto &u : common_units())
    EXPECT_TRUE(lookup_unit(u).has_value()) << u;
}

} // namespace
} // namespace snn::frontend
