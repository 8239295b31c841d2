//===- frontend/SyntaxErrors.h - Located messages for bad input text -*- C++ -*-===//
//
// What the parser checks before and while ANTLR reads a file, each failure a
// located diagnostic. Internal to frontend/ (it names ANTLR types).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"

#include "antlr4-runtime.h"

#include <memory>
#include <string>

namespace snn::frontend {

/// The location of token `t` in `file` (its whole text).
SourceLocation token_location(const std::string &file, const antlr4::Token *t);

/// Whether `text` is valid UTF-8; reports the first bad byte otherwise.
bool valid_utf8(const std::string &file, const std::string &text, diag::Diagnostics &diags);

/// Whether brackets and prefix operators nest no deeper than the parser's
/// recursion allows; reports the first token too deep otherwise.
bool nesting_within_bounds(const std::string &file, antlr4::CommonTokenStream &tokens, diag::Diagnostics &diags);

/// The error listener that reports syntax errors as diagnostics (at most
/// one per line, 20 in all).
std::unique_ptr<antlr4::ANTLRErrorListener>
make_error_listener(const std::string &file, antlr4::CommonTokenStream &tokens, diag::Diagnostics &diags);

} // namespace snn::frontend
