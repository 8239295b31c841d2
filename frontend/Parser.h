//===- frontend/Parser.h - From source text to the AST ---------*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"

#include <memory>
#include <string>

namespace snn::frontend {

/// Parses one .snn file. Syntax errors are reported to `diags` with their
/// locations; on any error the result is null. Never throws for bad input.
std::unique_ptr<ast::File> parse(const std::string &file, const std::string &text, diag::Diagnostics &diags);

/// The deepest bracket and prefix-operator nesting the parser accepts.
constexpr unsigned kMaxNesting = 200;

/// The deepest expression tree the parser accepts. A chain of operators
/// (`a + b + ...`) nests one level per operator; the recursive passes and
/// printers after the frontend need a bound.
constexpr unsigned kMaxExprDepth = 1000;

} // namespace snn::frontend
