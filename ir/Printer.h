//===- ir/Printer.h - Deterministic textual form of the IR -----*- C++ -*-===//
#pragma once

#include "ir/Module.h"

#include <string>

namespace snn::ir {

/// Prints a real the shortest way that reads back to the same double.
std::string format_real(double v);

/// Prints an expression with minimal parentheses. Shared subtrees are
/// printed in full at each use.
std::string to_string(const Expr &e);

/// Prints a whole module; equal modules give byte-identical text.
std::string to_string(const Module &m);

} // namespace snn::ir
