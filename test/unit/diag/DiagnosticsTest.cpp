//===- test/unit/diag/DiagnosticsTest.cpp - kinds, the sink and render ----===//
#include "diag/Diagnostics.h"

#include <fmt/args.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace snn::diag {
namespace {

TEST(ClosestName, SuggestsNearbyNames) {
  EXPECT_EQ(closest_name("v_m", {"tau", "v", "i"}), "v");
  EXPECT_EQ(closest_name("tua", {"tau", "v"}), "tau");
  EXPECT_EQ(closest_name("tau_mme", {"tau_mem", "tau_syn"}), "tau_mem");
  EXPECT_EQ(closest_name("membrane_potentail", {"membrane_potential", "x"}), "membrane_potential");
  EXPECT_EQ(closest_name("refactory", {"surrogate", "refractory", "method"}), "refractory");
}

TEST(ClosestName, RejectsFarOrIdenticalNames) {
  EXPECT_EQ(closest_name("xyz", {"v", "tau"}), "");
  EXPECT_EQ(closest_name("v", {"v"}), ""); // the name itself is no suggestion
  EXPECT_EQ(closest_name("a", {"bcd"}), "");
  EXPECT_EQ(closest_name("anything", {}), "");
  // Short names allow one edit, longer ones up to three.
  EXPECT_EQ(closest_name("ab", {"xy"}), "");
  EXPECT_EQ(closest_name("ab", {"ax"}), "ax");
  EXPECT_EQ(closest_name("abcdefghij", {"abcdefgxyz"}), "abcdefgxyz");
  EXPECT_EQ(closest_name("abcdefghij", {"abcdefwxyz"}), "");
}

TEST(ClosestName, PrefersTheClosest) {
  EXPECT_EQ(closest_name("tau_m", {"tau_mem", "tau_n"}), "tau_n");
  EXPECT_EQ(closest_name("tau_m", {"tau_n", "tau_p"}), "tau_n"); // a tie keeps the first
}

Diagnostic make(const std::string &line, unsigned column, unsigned length) {
  Diagnostic d;
  d.kind = "unknown-name";
  d.message = "unknown name 'v_m'";
  d.location = {"model.snn", 12, column, length};
  d.source_line = line;
  return d;
}

TEST(Render, ClangStyleWithCaretAndUnderline) {
  Diagnostic d = make("  dv/dt = -v_m / tau", 12, 3);
  Diagnostic note;
  note.severity = Severity::Note;
  note.kind = "did-you-mean";
  note.message = "did you mean 'v'?";
  note.location = d.location;
  d.notes.push_back(note);
  EXPECT_EQ(render(d), "model.snn:12:12: error: unknown name 'v_m' [unknown-name]\n"
                       "    dv/dt = -v_m / tau\n"
                       "             ^~~\n"
                       "model.snn:12:12: note: did you mean 'v'?\n");
}

TEST(Render, CaretOnlyForLengthOneAndClippedAtTheLineEnd) {
  EXPECT_EQ(render(make("abc", 2, 1)), "model.snn:12:2: error: unknown name 'v_m' [unknown-name]\n  abc\n   ^\n");
  EXPECT_EQ(render(make("abc", 2, 10)), "model.snn:12:2: error: unknown name 'v_m' [unknown-name]\n  abc\n   ^~\n");
}

TEST(Render, TabsKeepTheCaretAligned) {
  EXPECT_EQ(render(make("\tx = y", 6, 1)),
            "model.snn:12:6: error: unknown name 'v_m' [unknown-name]\n  \tx = y\n  \t    ^\n");
}

TEST(Render, WarningsAndMissingLocations) {
  Diagnostic w = make("", 3, 1);
  w.severity = Severity::Warning;
  w.kind = "unused-parameter";
  w.message = "parameter 'k' of model 'N' is never used";
  EXPECT_EQ(render(w), "model.snn:12:3: warning: parameter 'k' of model 'N' is never used [unused-parameter]\n");
  Diagnostic f;
  f.kind = "file-not-found";
  f.message = "cannot read";
  f.location.file = "x.snn";
  EXPECT_EQ(render(f), "x.snn: error: cannot read [file-not-found]\n");
  f.location.file = "";
  EXPECT_EQ(render(f), "error: cannot read [file-not-found]\n");
}

TEST(DiagKind, NamesAreDashedAndUnique) {
  EXPECT_EQ(kind_name(DiagKind::unknown_name), "unknown-name");
  EXPECT_EQ(kind_name(DiagKind::note_did_you_mean), "did-you-mean"); // the note_ prefix is dropped
  EXPECT_EQ(kind_severity(DiagKind::unused_parameter), Severity::Warning);
  EXPECT_EQ(kind_severity(DiagKind::note_did_you_mean), Severity::Note);
  std::set<std::string> names;
  for (DiagKind k : all_kinds())
    EXPECT_TRUE(names.insert(kind_name(k)).second) << kind_name(k) << " is declared twice";
  EXPECT_EQ(names.size(), all_kinds().size());
}

TEST(DiagKind, ArityCountsFieldsAndSkipsEscapedBraces) {
  EXPECT_EQ(kind_arity(DiagKind::no_input_file), 0u);
  EXPECT_EQ(kind_arity(DiagKind::unknown_variable), 3u);
  // "'{0} = ...' outside 'on spike {{ }}': write 'd{0}/dt = ...'": one argument, used twice.
  EXPECT_EQ(kind_arity(DiagKind::assignment_outside_on_spike), 1u);
  EXPECT_EQ(kind_arity(DiagKind::note_import_names_module), 1u);
}

TEST(DiagKind, EveryFormatFormatsWithItsArity) {
  // A bad format string would otherwise surface only when its error fires.
  for (DiagKind k : all_kinds()) {
    std::vector<std::string> args(kind_arity(k), "X");
    fmt::dynamic_format_arg_store<fmt::format_context> store;
    for (const auto &a : args)
      store.push_back(a);
    std::string message;
    EXPECT_NO_THROW(message = format_message(k, store, args.size())) << kind_name(k);
    EXPECT_FALSE(message.empty()) << kind_name(k);
    EXPECT_EQ(message.find("{}"), std::string::npos) << kind_name(k) << ": " << message;
  }
}

TEST(DiagKind, ArgumentsMustMatchTheFormat) {
  EXPECT_EQ(make_diagnostic(DiagKind::assignment_outside_on_spike, {}, "v").message,
            "'v = ...' outside 'on spike { }': write 'dv/dt = ...' for its dynamics");
  EXPECT_EQ(make_diagnostic(DiagKind::one_to_one_size_mismatch, {}, "a", 3u, "b", 4u).message,
            "one_to_one needs populations of equal size; 'a' has 3 neurons and 'b' has 4");
  // A call site that passes too few or too many arguments is a compiler bug.
  EXPECT_THROW(make_diagnostic(DiagKind::unknown_name, {}), std::logic_error);
  EXPECT_THROW(make_diagnostic(DiagKind::unknown_name, {}, "a", "b"), std::logic_error);
}

TEST(Diagnostics, FormatsQuotesTheLineAndSuggests) {
  SourceFiles sources;
  sources.add("m.snn", "line one\r\nline\ttwo\n");
  Diagnostics diags(sources);
  SourceLocation at{"m.snn", 2, 6, 3};
  diags.report(DiagKind::unknown_variable, at, "N", "state", "tow");
  diags.suggest("tow", {"two", "one"}, at);
  ASSERT_EQ(diags.all().size(), 1u);
  const Diagnostic &d = diags.all()[0];
  EXPECT_EQ(d.message, "model 'N' has no state 'tow'");
  EXPECT_EQ(d.kind, "unknown-variable");
  EXPECT_EQ(d.source_line, "line\ttwo");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "did you mean 'two'?");
  EXPECT_EQ(d.notes[0].kind, "did-you-mean");
  EXPECT_EQ(diags.error_count(), 1u);
  EXPECT_EQ(sources.line_text("m.snn", 1), "line one"); // no '\r'
  EXPECT_EQ(sources.line_text("m.snn", 9), "");
  EXPECT_EQ(sources.line_text("other.snn", 1), "");
}

TEST(Diagnostics, WarningsAreNoErrorsAndNotesAreNoDiagnostics) {
  SourceFiles sources;
  Diagnostics diags(sources);
  diags.report(DiagKind::unused_parameter, {}, "k", "N");
  EXPECT_FALSE(diags.has_errors());
  EXPECT_THROW(diags.report(DiagKind::note_did_you_mean, {}, "v"), std::logic_error);
  EXPECT_THROW(diags.note(DiagKind::unknown_name, {}, "v"), std::logic_error);
}

TEST(Diagnostics, DuplicateDefinitionPointsAtBoth) {
  SourceFiles sources;
  Diagnostics diags(sources);
  std::map<std::string, SourceLocation> seen;
  SourceLocation first{"m.snn", 1, 3, 1}, second{"m.snn", 4, 3, 1};
  EXPECT_TRUE(diags.define_once(seen, "v", first, "state"));
  EXPECT_FALSE(diags.define_once(seen, "v", second, "state"));
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].message, "state 'v' is already defined");
  EXPECT_EQ(diags.all()[0].location.line, 4u);
  ASSERT_EQ(diags.all()[0].notes.size(), 1u);
  EXPECT_EQ(diags.all()[0].notes[0].location.line, 1u);
}

TEST(SourceFiles, EndOfFileIsAfterItsLastCharacter) {
  SourceFiles sources;
  sources.add("a.snn", "neuron A {\n  state v = 0\n}\n\n  \n");
  SourceLocation end = sources.end_of("a.snn");
  EXPECT_EQ(end.line, 3u);
  EXPECT_EQ(end.column, 2u);
  sources.add("u.snn", "// \xc3\xa9t\xc3\xa9"); // columns count characters, not bytes
  EXPECT_EQ(sources.end_of("u.snn").column, 7u);
  sources.add("empty.snn", " \n");
  EXPECT_EQ(sources.end_of("empty.snn").line, 1u);
  EXPECT_EQ(sources.end_of("empty.snn").column, 1u);
  EXPECT_EQ(sources.end_of("missing.snn").line, 1u);
}

} // namespace
} // namespace snn::diag
