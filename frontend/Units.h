//===- frontend/Units.h - Unit symbols of the language ---------*- C++ -*-===//
#pragma once

#include "ir/Dimension.h"

#include <optional>
#include <string>
#include <vector>

namespace snn::frontend {

/// A unit symbol's meaning: value in SI base units and dimension.
struct Unit {
  double scale;
  ir::Dimension dim;
};

/// Looks up a unit symbol: an optional SI prefix (f p n u/µ/μ m c k M G) and
/// one of s, V, A, Hz, S, F, ohm, m (metre), M (molar, mol/l), mol, or
/// Brian2's names second, volt, amp, ampere, hertz, siemens, farad, metre,
/// meter, molar, mole; a length may be squared or cubed (`cm2`). The same
/// set the lexer accepts after a number.
std::optional<Unit> lookup_unit(const std::string &symbol);

/// The word of a COUNT (`50 epochs`, `1 batch`, `10 steps`) in the plural
/// ("epochs", "batches", "steps"); nullopt for any other word.
std::optional<std::string> count_word(const std::string &word);

/// A few common unit symbols, for "did you mean" suggestions.
std::vector<std::string> common_units();

/// Every unit symbol, the common ones first (for "did you mean" on units).
std::vector<std::string> all_units();

} // namespace snn::frontend
