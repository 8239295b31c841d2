//===- diag/Diagnostics.cpp - Reporting declared diagnostics --------------===//
#include "diag/Diagnostics.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace snn::diag {

const std::string &SourceFiles::add(const std::string &name, std::string text) {
  auto &slot = files_[name];
  slot = std::make_unique<std::string>(std::move(text));
  return *slot;
}

std::string SourceFiles::line_text(const std::string &file, unsigned line) const {
  auto it = files_.find(file);
  if (it == files_.end() || line == 0)
    return "";
  const std::string &text = *it->second;
  size_t pos = 0;
  for (unsigned l = 1; l < line; ++l) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos)
      return "";
    ++pos;
  }
  size_t end = text.find('\n', pos);
  std::string out = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  if (!out.empty() && out.back() == '\r')
    out.pop_back();
  // Keep quoted lines printable: long or binary lines would flood the terminal.
  for (char &c : out)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
      c = ' ';
  if (out.size() > 300)
    out.resize(300);
  return out;
}

SourceLocation SourceFiles::end_of(const std::string &file) const {
  SourceLocation loc{file, 1, 1, 1};
  auto it = files_.find(file);
  if (it == files_.end())
    return loc;
  const std::string &text = *it->second;
  size_t last = text.find_last_not_of(" \t\r\n\f\v");
  if (last == std::string::npos)
    return loc;
  // Columns count characters, as the lexer's do: skip UTF-8 continuation bytes.
  for (size_t i = 0; i <= last; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

Diagnostic &Diagnostics::emit(Diagnostic d) {
  if (d.severity == Severity::Note)
    throw std::logic_error("note '" + d.kind + "' reported as a diagnostic of its own");
  d.source_line = sources_.line_text(d.location.file, d.location.line);
  if (d.severity == Severity::Error)
    ++errors_;
  diags_.push_back(std::move(d));
  return diags_.back();
}

void Diagnostics::add_note(Diagnostic n) {
  if (n.severity != Severity::Note)
    throw std::logic_error("'" + n.kind + "' attached as a note");
  if (diags_.empty())
    return;
  n.source_line = sources_.line_text(n.location.file, n.location.line);
  diags_.back().notes.push_back(std::move(n));
}

bool Diagnostics::define_once(std::map<std::string, SourceLocation> &seen, const std::string &name,
                              const SourceLocation &loc, const std::string &what) {
  auto [it, fresh] = seen.emplace(name, loc);
  if (fresh)
    return true;
  report(DiagKind::duplicate_definition, loc, what, name);
  note(DiagKind::note_previous_definition, it->second);
  return false;
}

void Diagnostics::suggest(const std::string &name, const std::vector<std::string> &candidates,
                          const SourceLocation &loc) {
  std::string best = closest_name(name, candidates);
  if (!best.empty())
    note(DiagKind::note_did_you_mean, loc, best);
}

std::string closest_name(const std::string &name, const std::vector<std::string> &candidates) {
  auto lower = [](std::string s) {
    for (char &ch : s)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  // Every one-letter name is one edit from every other: no suggestion.
  if (name.size() < 2)
    return "";
  // A difference in case only ('mv' for 'mV') beats any other candidate.
  for (const auto &c : candidates)
    if (c != name && lower(c) == lower(name))
      return c;
  std::string best;
  size_t best_distance = std::max<size_t>(1, std::min<size_t>(3, name.size() / 3 + 1)) + 1;
  for (const auto &c : candidates) {
    if (c == name)
      continue;
    // A name that shares nothing with `name` ('s' for 'v') is no suggestion.
    size_t longest = std::max(name.size(), c.size());
    // Levenshtein distance, one row at a time.
    std::vector<size_t> row(c.size() + 1);
    for (size_t j = 0; j <= c.size(); ++j)
      row[j] = j;
    for (size_t i = 1; i <= name.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (name[i - 1] == c[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[c.size()] < best_distance && row[c.size()] < longest) {
      best_distance = row[c.size()];
      best = c;
    }
  }
  return best;
}

} // namespace snn::diag
