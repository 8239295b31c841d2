//===- ir/ReaderLexer.cpp - Tokens of the printed model IR ----------------===//
#include "ir/ReaderLexer.h"

#include <cctype>

namespace snn::ir::reader {

namespace {

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

/// Two-character operators first, so `<=` is not read as `<` `=`.
const char *const kPunct2[] = {"->", "**", "<=", ">=", "==", "!="};
const char kPunct1[] = "{}()[],:=.~#+-*/<>^";

} // namespace

TokenStream::TokenStream(const std::string &file, const std::string &text, diag::Diagnostics &diags) : diags_(diags) {
  unsigned line = 1;
  size_t line_start = 0, i = 0;
  auto loc_at = [&](size_t at, size_t length) {
    SourceLocation loc;
    loc.file = file;
    loc.line = line;
    loc.column = static_cast<unsigned>(at - line_start + 1);
    loc.length = static_cast<unsigned>(length == 0 ? 1 : length);
    return loc;
  };
  auto push = [&](TokenKind kind, size_t begin, size_t end, std::string value) {
    tokens_.push_back({kind, std::move(value), loc_at(begin, end - begin), begin, end});
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      push(TokenKind::Newline, i, i + 1, "\n");
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    // Comments: `;` (the header --print-after writes) and `//` to the end of the line.
    if (c == ';' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n')
        ++i;
      continue;
    }
    size_t begin = i;
    if (ident_start(c)) {
      while (i < text.size() && ident_char(text[i]))
        ++i;
      push(TokenKind::Ident, begin, i, text.substr(begin, i - begin));
      continue;
    }
    if (digit(c)) {
      while (i < text.size() && digit(text[i]))
        ++i;
      if (i < text.size() && text[i] == '.')
        for (++i; i < text.size() && digit(text[i]);)
          ++i;
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-'))
          ++j;
        if (j < text.size() && digit(text[j])) {
          for (i = j; i < text.size() && digit(text[i]);)
            ++i;
        }
      }
      push(TokenKind::Number, begin, i, text.substr(begin, i - begin));
      continue;
    }
    if (c == '%' && i + 1 < text.size() && digit(text[i + 1])) {
      for (++i; i < text.size() && digit(text[i]);)
        ++i;
      push(TokenKind::Shared, begin, i, text.substr(begin, i - begin));
      continue;
    }
    if (c == '"') {
      size_t close = text.find_first_of("\"\n", i + 1);
      if (close == std::string::npos || text[close] != '"') {
        diags_.report(diag::DiagKind::ir_expected, loc_at(begin, 1), "a closing '\"'", "end of line");
        throw ReadFailure{};
      }
      push(TokenKind::String, begin, close + 1, text.substr(begin + 1, close - begin - 1));
      i = close + 1;
      continue;
    }
    bool matched = false;
    for (const char *p : kPunct2)
      if (text.compare(i, 2, p) == 0) {
        push(TokenKind::Punct, i, i + 2, p);
        i += 2;
        matched = true;
        break;
      }
    if (matched)
      continue;
    if (std::string(kPunct1).find(c) != std::string::npos) {
      push(TokenKind::Punct, i, i + 1, std::string(1, c));
      ++i;
      continue;
    }
    auto byte = static_cast<unsigned char>(c);
    std::string shown(1, c);
    if (byte < 0x20 || byte >= 0x7f) // show a control or non-ASCII byte as \xNN
      shown = std::string("\\x") + "0123456789abcdef"[byte >> 4] + "0123456789abcdef"[byte & 15];
    diags_.report(diag::DiagKind::unexpected_character, loc_at(i, 1), shown);
    throw ReadFailure{};
  }
  push(TokenKind::End, text.size(), text.size(), "");
}

const Token &TokenStream::peek(size_t ahead) const {
  size_t at = pos_ + ahead;
  return at < tokens_.size() ? tokens_[at] : tokens_.back();
}

Token TokenStream::take() {
  Token t = peek();
  if (pos_ + 1 < tokens_.size())
    ++pos_;
  return t;
}

bool TokenStream::at(const std::string &text) const {
  const Token &t = peek();
  return (t.kind == TokenKind::Punct || t.kind == TokenKind::Ident) && t.text == text;
}

bool TokenStream::accept(const std::string &text) {
  if (!at(text))
    return false;
  take();
  return true;
}

Token TokenStream::expect(const std::string &text) {
  if (!at(text))
    fail_expected("'" + text + "'");
  return take();
}

Token TokenStream::expect(TokenKind kind, const std::string &what) {
  if (peek().kind != kind)
    fail_expected(what);
  return take();
}

void TokenStream::skip_newlines() {
  while (peek().kind == TokenKind::Newline)
    take();
}

void TokenStream::end_statement() {
  if (peek().kind == TokenKind::End)
    return;
  expect(TokenKind::Newline, "the end of the line");
}

bool TokenStream::adjacent() const { return pos_ > 0 && tokens_[pos_ - 1].end == peek().begin; }

Token TokenStream::take_glued(const std::string &stop) {
  Token first = take();
  while (peek().kind != TokenKind::Newline && peek().kind != TokenKind::End && !at(stop) && adjacent()) {
    Token next = take();
    first.text += next.kind == TokenKind::String ? "\"" + next.text + "\"" : next.text;
    first.end = next.end;
    first.loc.length = static_cast<unsigned>(first.end - first.begin);
  }
  return first;
}

void TokenStream::fail_expected(const std::string &what) {
  fail(diag::DiagKind::ir_expected, peek().loc, what, describe(peek()));
}

std::string describe(const Token &t) {
  switch (t.kind) {
  case TokenKind::Newline:
    return "end of line";
  case TokenKind::End:
    return "end of file";
  case TokenKind::String:
    return "\"" + t.text + "\"";
  default:
    return "'" + t.text + "'";
  }
}

} // namespace snn::ir::reader
