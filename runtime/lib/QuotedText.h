//===- QuotedText.h - Untrusted text as quoted in messages ------*- C++ -*-===//
#ifndef SNN_RUNTIME_QUOTEDTEXT_H
#define SNN_RUNTIME_QUOTEDTEXT_H

#include <cstdio>
#include <string>
#include <string_view>

namespace snn::rt {

/// Text from a user's file as quoted in an error message: control and
/// non-ASCII bytes escaped as \xNN and anything past 40 characters cut with
/// "...", so a corrupt file can neither flood nor garble the terminal.
inline std::string quoted_text(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= 40) {
      out += "...";
      break;
    }
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

} // namespace snn::rt

#endif // SNN_RUNTIME_QUOTEDTEXT_H
