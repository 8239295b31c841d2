//===- ir/ReaderLexer.h - Tokens of the printed model IR -------*- C++ -*-===//
//
// Internal to the IR reader (ir/Reader.h): the printed IR as tokens with
// locations, and a cursor over them that reports the first error and stops
// the read (ReadFailure), so the parsers above need no error plumbing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "snn/Diagnostic.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snn::ir::reader {

enum class TokenKind : uint8_t {
  Ident,   ///< a name: letters, digits, '_' and '@' (`Izhikevich@regular`)
  Number,  ///< unsigned: `12`, `0.5`, `1e-04` (a sign is its own token)
  Shared,  ///< a shared subexpression's name, `%3`
  String,  ///< `"..."`, text without the quotes
  Punct,   ///< `(`, `->`, `**`, `<=`, ...
  Newline, ///< ends a statement
  End,
};

struct Token {
  TokenKind kind;
  std::string text;
  SourceLocation loc;
  size_t begin = 0, end = 0; ///< byte offsets in the text, to tell adjacent tokens
};

/// Thrown after the first error has been reported; read_module catches it.
struct ReadFailure {};

/// The tokens of one IR text, and the cursor the parsers advance.
class TokenStream {
public:
  /// Tokenises `text`; reports an unexpected character and throws.
  TokenStream(const std::string &file, const std::string &text, diag::Diagnostics &diags);

  const Token &peek(size_t ahead = 0) const;
  Token take();
  /// Whether the current token is the punctuation or name `text`.
  bool at(const std::string &text) const;
  /// Takes the current token when it is `text`.
  bool accept(const std::string &text);
  /// Takes the token `text`, else reports what was expected and throws.
  Token expect(const std::string &text);
  Token expect(TokenKind kind, const std::string &what);
  /// Skips blank lines (newline tokens).
  void skip_newlines();
  /// Expects the end of a statement: a newline, or the end of the text.
  void end_statement();
  /// Whether the current token starts right where the previous one ended.
  bool adjacent() const;
  /// The concatenated text of the current token and those adjacent to it
  /// that are not `stop`, taken: a dimension such as `kg*m^2*s^-3`.
  Token take_glued(const std::string &stop);

  /// Reports `kind` at `loc` and throws ReadFailure.
  template <typename... Args> [[noreturn]] void fail(diag::DiagKind kind, const SourceLocation &loc, Args &&...args) {
    diags_.report(kind, loc, std::forward<Args>(args)...);
    throw ReadFailure{};
  }
  /// Reports that `what` was expected at the current token and throws.
  [[noreturn]] void fail_expected(const std::string &what);

  diag::Diagnostics &diagnostics() { return diags_; }

  /// How deep expressions may nest: deeper IR is reported, not read into
  /// a stack overflow (the printer never writes anything near it).
  static constexpr unsigned kMaxNesting = 10000;
  /// Enters one level of expression nesting at `loc`; reports and throws
  /// past kMaxNesting. Each enter() is paired with a leave().
  void enter(const SourceLocation &loc) {
    if (++nesting_ > kMaxNesting)
      fail(diag::DiagKind::nesting_too_deep, loc, kMaxNesting);
  }
  void leave() { --nesting_; }

private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  unsigned nesting_ = 0;
  diag::Diagnostics &diags_;
};

/// How a token reads in a message: `'x'`, `end of line`, `end of file`.
std::string describe(const Token &t);

} // namespace snn::ir::reader
