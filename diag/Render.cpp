//===- diag/Render.cpp - Printing diagnostics clang-style -----------------===//
#include "snn/Diagnostic.h"

#include <sstream>

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
    // Like clang's [-Wflag]: the kind names what to look up (or test).
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
