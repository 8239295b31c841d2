//===- diag/DiagnosticKind.cpp - The declared diagnostic kinds ------------===//
#include "diag/DiagnosticKind.h"

#include <algorithm>
#include <stdexcept>

namespace snn::diag {

namespace {
struct KindInfo {
  const char *id;
  Severity severity;
  const char *format;
};
constexpr KindInfo kKinds[] = {
#define DIAGNOSTIC(Id, Sev, Fmt) {#Id, Severity::Sev, Fmt},
#include "diag/DiagnosticKinds.def"
#undef DIAGNOSTIC
};

const KindInfo &info(DiagKind kind) { return kKinds[static_cast<std::size_t>(kind)]; }
} // namespace

std::string kind_name(DiagKind kind) {
  std::string s = info(kind).id;
  if (s.rfind("note_", 0) == 0)
    s = s.substr(5);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

Severity kind_severity(DiagKind kind) { return info(kind).severity; }

const char *kind_format(DiagKind kind) { return info(kind).format; }

std::size_t kind_arity(DiagKind kind) {
  // Automatic fields count up; a numbered field `{N}` needs N + 1 arguments.
  const std::string f = info(kind).format;
  std::size_t automatic = 0, numbered = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{' && i + 1 < f.size() && f[i + 1] == '{') {
      ++i;
      continue;
    }
    if (f[i] != '{')
      continue;
    std::size_t close = f.find('}', i);
    std::string field = f.substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
    if (field.empty() || field[0] == ':')
      ++automatic;
    else
      numbered = std::max<std::size_t>(numbered, std::stoul(field) + 1);
    i = close == std::string::npos ? f.size() : close;
  }
  return std::max(automatic, numbered);
}

std::vector<DiagKind> all_kinds() {
  std::vector<DiagKind> out;
  for (std::size_t i = 0; i < std::size(kKinds); ++i)
    out.push_back(static_cast<DiagKind>(i));
  return out;
}

std::string format_message(DiagKind kind, fmt::format_args args, std::size_t count) {
  if (count != kind_arity(kind))
    throw std::logic_error(
        fmt::format("diagnostic '{}' takes {} argument(s), {} given", kind_name(kind), kind_arity(kind), count));
  try {
    return fmt::vformat(kind_format(kind), args);
  } catch (const fmt::format_error &e) {
    throw std::logic_error(fmt::format("diagnostic '{}' has a bad format string: {}", kind_name(kind), e.what()));
  }
}

} // namespace snn::diag
