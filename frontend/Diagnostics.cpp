//===- frontend/Diagnostics.cpp - Emitting declared diagnostics -----------===//
#include "frontend/Diagnostics.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace snn::frontend {

namespace {
struct KindInfo {
  const char *id;
  Severity severity;
  const char *format;
};
const KindInfo kKinds[] = {
#define DIAGNOSTIC(Id, Sev, Fmt) {#Id, Severity::Sev, Fmt},
#include "frontend/DiagnosticKinds.def"
#undef DIAGNOSTIC
};

std::string dashed(const char *id) {
  std::string s = id;
  if (s.rfind("note_", 0) == 0)
    s = s.substr(5);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}
} // namespace

std::string kind_name(DiagKind kind) { return dashed(kKinds[static_cast<int>(kind)].id); }

std::vector<std::string> all_kind_names() {
  std::vector<std::string> out;
  for (const auto &k : kKinds)
    if (k.severity != Severity::Note)
      out.push_back(dashed(k.id));
  return out;
}

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

std::string Diagnostics::format(DiagKind kind, const std::vector<std::string> &args) {
  std::string f = kKinds[static_cast<int>(kind)].format, out;
  size_t next = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{' && i + 1 < f.size() && f[i + 1] == '}') {
      out += next < args.size() ? args[next] : "";
      ++next;
      ++i;
    } else {
      out += f[i];
    }
  }
  return out;
}

Diagnostic &Diagnostics::emit(DiagKind kind, const SourceLocation &loc, std::string message) {
  Diagnostic d;
  d.severity = kKinds[static_cast<int>(kind)].severity;
  d.kind = kind_name(kind);
  d.message = std::move(message);
  d.location = loc;
  d.source_line = sources_.line_text(loc.file, loc.line);
  if (d.severity == Severity::Error)
    ++errors_;
  diags_.push_back(std::move(d));
  return diags_.back();
}

void Diagnostics::add_note(DiagKind kind, const SourceLocation &loc, std::string message) {
  if (diags_.empty())
    return;
  Diagnostic n;
  n.severity = Severity::Note;
  n.kind = kind_name(kind);
  n.message = std::move(message);
  n.location = loc;
  n.source_line = sources_.line_text(loc.file, loc.line);
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

} // namespace snn::frontend

namespace snn {

std::string render(const Diagnostic &d) {
  std::ostringstream os;
  auto one = [&os](const Diagnostic &x) {
    if (x.location.valid())
      os << x.location.file << ':' << x.location.line << ':' << x.location.column << ": ";
    else if (!x.location.file.empty())
      os << x.location.file << ": ";
    os << (x.severity == Severity::Error     ? "error"
           : x.severity == Severity::Warning ? "warning"
                                             : "note")
       << ": " << x.message;
    if (x.severity != Severity::Note)
      os << " [" << x.kind << ']';
    os << '\n';
    if (x.location.valid() && !x.source_line.empty()) {
      os << "  " << x.source_line << "\n  ";
      // Columns count characters; a UTF-8 character's continuation bytes
      // take no room of their own.
      const std::string &text = x.source_line;
      unsigned col = x.location.column, chars = 0;
      for (unsigned char ch : text)
        chars += (ch & 0xc0) != 0x80;
      unsigned seen = 0;
      for (size_t i = 0; i < text.size() && seen + 1 < col; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
          os << (text[i] == '\t' ? '\t' : ' ');
          ++seen;
        }
      os << '^';
      unsigned len = x.location.length;
      size_t room = chars >= col ? chars - col + 1 : 1;
      for (unsigned i = 1; i < len && i < room; ++i)
        os << '~';
      os << '\n';
    }
  };
  one(d);
  for (const auto &n : d.notes)
    one(n);
  return os.str();
}

} // namespace snn
