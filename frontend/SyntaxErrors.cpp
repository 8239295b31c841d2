//===- frontend/SyntaxErrors.cpp - Located messages for bad input text ----===//
//
// The checks before and during parsing: UTF-8, bracket nesting depth, and the
// ANTLR error listener that turns syntax errors into specific diagnostics
// (expected tokens, unmatched brackets, misspelt units, keywords as names).
//
//===----------------------------------------------------------------------===//
#include "frontend/SyntaxErrors.h"

#include "frontend/CallArguments.h"
#include "frontend/Parser.h"
#include "frontend/Units.h"

#include "SNNLexer.h"
#include "SNNParser.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

using snn_grammar::SNNLexer;
using snn_grammar::SNNParser;

namespace snn::frontend {

using diag::DiagKind;

namespace {

SourceLocation location_of(const std::string &file, const antlr4::Token *t) {
  SourceLocation l;
  l.file = file;
  l.line = static_cast<unsigned>(t->getLine());
  l.column = static_cast<unsigned>(t->getCharPositionInLine()) + 1;
  size_t start = t->getStartIndex(), stop = t->getStopIndex();
  l.length = stop >= start && stop != static_cast<size_t>(-1) ? static_cast<unsigned>(stop - start + 1) : 1;
  return l;
}

std::string printable(const std::string &text);

std::string describe_token(const antlr4::Token *t) {
  if (t->getType() == antlr4::Token::EOF)
    return "end of file";
  std::string text = t->getText();
  if (text.size() > 40)
    text = text.substr(0, 40) + "...";
  return "'" + printable(text) + "'";
}

/// How a token kind reads in a message: "a name", "'neuron'", "end of file".
std::string token_kind_name(size_t type, const antlr4::dfa::Vocabulary &vocab) {
  switch (type) {
  case antlr4::Token::EOF:
    return "end of file";
  case SNNParser::IDENT:
    return "a name";
  case SNNParser::NUMBER:
    return "a number";
  case SNNParser::QUANTITY:
    return "a quantity";
  case SNNParser::COUNT:
    return "a count such as '10 epochs'";
  case SNNParser::STRING:
    return "a string";
  case SNNParser::SHAPE:
    return "a shape such as '28x28x2'";
  default:
    return vocab.getDisplayName(type);
  }
}

/// Whether `type` can begin an expression.
bool starts_expression(size_t type, const antlr4::dfa::Vocabulary &vocab) {
  if (type == SNNParser::IDENT || type == SNNParser::NUMBER || type == SNNParser::QUANTITY ||
      type == SNNParser::STRING || type == SNNParser::COUNT || type == SNNParser::SHAPE)
    return true;
  static const char *const kStarters[] = {"'('", "'-'", "'+'", "'not'", "'if'", "'true'", "'false'", "'input'", "'['"};
  std::string name = vocab.getDisplayName(type);
  for (const char *s : kStarters)
    if (name == s)
      return true;
  return false;
}

std::string printable(const std::string &text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool is_opening(const std::string &t) { return t == "(" || t == "[" || t == "{"; }
bool is_closing(const std::string &t) { return t == ")" || t == "]" || t == "}"; }
std::string closing_of(const std::string &open) { return open == "(" ? ")" : open == "[" ? "]" : "}"; }

/// Turns ANTLR's messages into diagnostics that say what was expected in
/// words ("expected an expression, found '}'"), point at the bracket an
/// unclosed block opened with, and recognise misspelt units. Only the first
/// error on each line is kept: ANTLR's recovery tends to cascade.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(const std::string &file, antlr4::CommonTokenStream &tokens, diag::Diagnostics &diags)
      : file_(file), tokens_(tokens), diags_(diags) {}

  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending, size_t line, size_t col,
                   const std::string &msg, std::exception_ptr) override {
    if (line == last_line_ || count_ >= 20)
      return;
    last_line_ = line;
    ++count_;
    SourceLocation loc{file_, static_cast<unsigned>(line), static_cast<unsigned>(col) + 1, 1};
    auto *parser = dynamic_cast<antlr4::Parser *>(recognizer);
    if (!offending || !parser) {
      diags_.report(DiagKind::syntax_error, loc, printable(msg));
      return;
    }
    loc = location_of(file_, offending);
    if (offending->getType() == SNNLexer::UNKNOWN_CHAR) {
      diags_.report(DiagKind::unexpected_character, loc, printable(offending->getText()));
      return;
    }
    if (offending->getType() == SNNLexer::UNTERMINATED_STRING) {
      loc.length = 1;
      diags_.report(DiagKind::unterminated_string, loc);
      return;
    }
    if (misspelt_unit(offending))
      return;
    std::string found = describe_token(offending);
    std::vector<const antlr4::Token *> brackets = open_brackets(offending->getTokenIndex());
    const antlr4::Token *open = brackets.empty() ? nullptr : brackets.back();
    std::string text = offending->getType() == antlr4::Token::EOF ? "" : offending->getText();
    bool opened = std::any_of(brackets.begin(), brackets.end(),
                              [&](const antlr4::Token *b) { return closing_of(b->getText()) == text; });
    if (is_closing(text) && !opened) {
      diags_.report(DiagKind::unmatched_bracket, loc, found);
      if (open)
        diags_.note(DiagKind::note_innermost_bracket, location_of(file_, open), open->getText());
      return;
    }
    // A closing bracket for an outer bracket, or the end of the file, while
    // an inner one is still open: the inner one was never closed.
    if ((is_closing(text) && closing_of(open->getText()) != text) ||
        (offending->getType() == antlr4::Token::EOF && open)) {
      diags_.report(DiagKind::expected_closing_bracket, loc, closing_of(open->getText()), found);
      diags_.note(DiagKind::note_matching_bracket, location_of(file_, open), open->getText());
      return;
    }
    std::vector<std::string> expected = expected_tokens(*parser, msg);
    // Longer lists help little, except between items at the top level
    // (`nueron A {`: the eight keywords that start one).
    size_t limit = brackets.empty() ? 8 : 6;
    if (!expected.empty() && expected.size() <= limit) {
      // `population input = ...`: a keyword where a name belongs.
      bool keyword = std::find(expected.begin(), expected.end(), "a name") != expected.end() && !text.empty() &&
                     std::isalpha(static_cast<unsigned char>(text[0])) && offending->getType() != SNNParser::IDENT;
      diags_.report(keyword ? DiagKind::keyword_as_name : DiagKind::expected_token, loc, alternatives(expected),
                    printable(found));
      if (open && expected.size() == 1 && expected[0] == "'" + closing_of(open->getText()) + "'")
        diags_.note(DiagKind::note_matching_bracket, location_of(file_, open), open->getText());
      return;
    }
    diags_.report(DiagKind::unexpected_token, loc, printable(found), where(*parser));
  }

private:
  /// The expected tokens in words, with the many that begin an expression
  /// folded into "an expression"; empty when unknown.
  static std::vector<std::string> expected_tokens(antlr4::Parser &parser, const std::string &msg) {
    const antlr4::dfa::Vocabulary &vocab = parser.getVocabulary();
    std::vector<std::string> out;
    // "missing X at Y": ANTLR knows exactly which token it wanted.
    if (msg.rfind("missing ", 0) == 0) {
      std::string what = msg.substr(8, msg.find(" at ") - 8);
      for (size_t t = 1; t <= vocab.getMaxTokenType(); ++t)
        if (vocab.getDisplayName(t) == what)
          return {token_kind_name(t, vocab)};
      return {printable(what)};
    }
    antlr4::misc::IntervalSet set;
    try {
      set = parser.getExpectedTokens();
    } catch (...) {
      return out;
    }
    bool expression = set.contains(static_cast<size_t>(SNNParser::NUMBER));
    if (expression)
      out.push_back("an expression");
    for (ssize_t t : set.toList()) {
      size_t type = t < 0 ? antlr4::Token::EOF : static_cast<size_t>(t);
      if (expression && starts_expression(type, vocab))
        continue;
      out.push_back(token_kind_name(type, vocab));
    }
    // "or end of file" after the declarations that may begin helps nobody.
    if (out.size() > 1)
      out.erase(std::remove(out.begin(), out.end(), "end of file"), out.end());
    return out;
  }

  /// " in neuron 'A'" and the like, from the rule being parsed.
  static std::string where(antlr4::Parser &parser) {
    auto named = [](const std::string &what, antlr4::tree::TerminalNode *id) {
      return " in " + what + (id ? " '" + id->getText() + "'" : std::string());
    };
    auto named_token = [](const std::string &what, antlr4::Token *id) {
      return " in " + what + (id ? " '" + id->getText() + "'" : std::string());
    };
    for (antlr4::RuleContext *c = parser.getContext(); c; c = dynamic_cast<antlr4::RuleContext *>(c->parent)) {
      if (auto *n = dynamic_cast<SNNParser::NeuronDeclContext *>(c))
        return named_token("neuron", n->name);
      if (auto *s = dynamic_cast<SNNParser::SynapseDeclContext *>(c))
        return named_token("synapse", s->name);
      if (auto *n = dynamic_cast<SNNParser::NetworkDeclContext *>(c))
        return named("network", n->IDENT());
      if (auto *s = dynamic_cast<SNNParser::SimulateDeclContext *>(c))
        return named("simulate", s->IDENT());
      if (auto *t = dynamic_cast<SNNParser::TrainDeclContext *>(c))
        return named("train", t->IDENT().empty() ? nullptr : t->IDENT(0));
      if (dynamic_cast<SNNParser::ImportDeclContext *>(c))
        return " in an import";
    }
    return "";
  }

  /// The brackets still open just before token `index`, innermost last.
  std::vector<const antlr4::Token *> open_brackets(size_t index) const {
    std::vector<const antlr4::Token *> open;
    const auto &all = tokens_.getTokens();
    for (size_t i = 0; i < index && i < all.size(); ++i) {
      const antlr4::Token *t = all[i];
      if (t->getType() == antlr4::Token::EOF)
        break;
      std::string text = t->getText();
      if (is_opening(text))
        open.push_back(t);
      else if (is_closing(text) && !open.empty())
        open.pop_back();
    }
    return open;
  }

  /// A number followed on its line by a word that is no unit, as in `10 mv`,
  /// or by a unit that runs on, as in `10 msec` (lexed `10 ms` `ec`), is a
  /// misspelt unit; reports it when the error is at or just after the word.
  bool misspelt_unit(const antlr4::Token *offending) {
    size_t index = offending->getTokenIndex();
    for (size_t k : {index, index - 1}) {
      if (k == 0 || k > index || k >= tokens_.size())
        continue;
      antlr4::Token *word = tokens_.get(k), *before = tokens_.get(k - 1);
      if (word->getType() != SNNParser::IDENT || before->getLine() != word->getLine())
        continue;
      std::string unit = word->getText();
      SourceLocation at = location_of(file_, word);
      bool runs_on = before->getType() == SNNParser::QUANTITY && before->getStopIndex() + 1 == word->getStartIndex();
      if (runs_on) {
        std::string q = before->getText();
        size_t start = q.size();
        while (start > 0 && std::isalpha(static_cast<unsigned char>(q[start - 1])))
          --start;
        unit = q.substr(start) + unit;
        at.column -= static_cast<unsigned>(q.size() - start);
        at.length += static_cast<unsigned>(q.size() - start);
      } else if (before->getType() != SNNParser::NUMBER) {
        continue;
      }
      std::string best = diag::closest_name(unit, all_units());
      if (!runs_on && best.empty())
        continue;
      diags_.report(DiagKind::unknown_unit, at, unit);
      if (!best.empty())
        diags_.note(DiagKind::note_did_you_mean, at, best);
      else
        diags_.note(DiagKind::note_quantity_on_one_line, at);
      return true;
    }
    return false;
  }

  std::string file_;
  antlr4::CommonTokenStream &tokens_;
  diag::Diagnostics &diags_;
  size_t last_line_ = 0;
  unsigned count_ = 0;
};

/// ANTLR's runtime throws on malformed UTF-8; this reports the first bad
/// byte instead, at the line and column (in characters) ANTLR would use.
bool check_utf8(const std::string &file, const std::string &text, diag::Diagnostics &diags) {
  unsigned line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    size_t len = c < 0x80                 ? 1
                 : c >= 0xc2 && c <= 0xdf ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (byte(i + k) & 0xc0) == 0x80;
    if (ok && len > 2) { // no overlong forms, surrogates or code points past U+10FFFF
      unsigned char d = byte(i + 1);
      ok = !(c == 0xe0 && d < 0xa0) && !(c == 0xed && d >= 0xa0) && !(c == 0xf0 && d < 0x90) &&
           !(c == 0xf4 && d >= 0x90);
    }
    if (!ok) {
      SourceLocation at{file, line, column, 1};
      diags.report(DiagKind::unexpected_character, at, fmt::format("\\x{:02x}", c));
      diags.note(DiagKind::note_not_utf8, at);
      return false;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += len;
  }
  return true;
}

/// Rejects inputs nested so deeply that the recursive-descent parser and
/// the tree walks after it would exhaust the stack.
bool check_nesting(const std::string &file, antlr4::CommonTokenStream &tokens, diag::Diagnostics &diags) {
  unsigned depth = 0, prefix_run = 0;
  for (antlr4::Token *t : tokens.getTokens()) {
    const std::string text = t->getType() == antlr4::Token::EOF ? "" : t->getText();
    if (text == "(" || text == "[" || text == "{")
      ++depth;
    else if ((text == ")" || text == "]" || text == "}") && depth > 0)
      --depth;
    prefix_run = (text == "-" || text == "+" || text == "not" || text == "**") ? prefix_run + 1 : 0;
    if (depth > kMaxNesting || prefix_run > kMaxNesting) {
      diags.report(DiagKind::nesting_too_deep, location_of(file, t), kMaxNesting);
      return false;
    }
  }
  return true;
}
} // namespace

SourceLocation token_location(const std::string &file, const antlr4::Token *t) { return location_of(file, t); }

bool valid_utf8(const std::string &file, const std::string &text, diag::Diagnostics &diags) {
  return check_utf8(file, text, diags);
}

bool nesting_within_bounds(const std::string &file, antlr4::CommonTokenStream &tokens, diag::Diagnostics &diags) {
  return check_nesting(file, tokens, diags);
}

std::unique_ptr<antlr4::ANTLRErrorListener>
make_error_listener(const std::string &file, antlr4::CommonTokenStream &tokens, diag::Diagnostics &diags) {
  return std::make_unique<ErrorListener>(file, tokens, diags);
}

} // namespace snn::frontend
