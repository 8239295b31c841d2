//===- diag/DiagnosticKind.h - The declared diagnostic kinds ---*- C++ -*-===//
//
// One enumerator per line of diag/DiagnosticKinds.def, and what the .def says
// about it: the name users see, the severity and the format string.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "snn/Diagnostic.h"

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <vector>

namespace snn::diag {

/// Every diagnostic kind, from DiagnosticKinds.def.
enum class DiagKind {
#define DIAGNOSTIC(Id, Sev, Fmt) Id,
#include "diag/DiagnosticKinds.def"
#undef DIAGNOSTIC
};

/// The kind's name as shown to users, e.g. "unknown-name" (a note's "note_"
/// prefix dropped: note_did_you_mean is "did-you-mean").
std::string kind_name(DiagKind kind);
/// The severity the .def gives the kind.
Severity kind_severity(DiagKind kind);
/// The kind's fmt format string.
const char *kind_format(DiagKind kind);
/// How many arguments the format string takes (`{}` and `{N}` fields).
std::size_t kind_arity(DiagKind kind);
/// Every kind, in declaration order.
std::vector<DiagKind> all_kinds();

/// The message of `kind` with `count` arguments. A count that differs from
/// the format's is a bug in the caller, not in the input: it throws
/// std::logic_error, which the driver reports as an internal error.
std::string format_message(DiagKind kind, fmt::format_args args, std::size_t count);

/// A diagnostic of `kind` at `loc` (without its source line), for layers
/// that report outside a Diagnostics sink, such as the driver's command line.
template <typename... Args> Diagnostic make_diagnostic(DiagKind kind, SourceLocation loc, const Args &...args) {
  Diagnostic d;
  d.severity = kind_severity(kind);
  d.kind = kind_name(kind);
  d.message = format_message(kind, fmt::make_format_args(args...), sizeof...(Args));
  d.location = std::move(loc);
  return d;
}

} // namespace snn::diag
