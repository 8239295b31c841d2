//===- test/unit/frontend/DiagnosticsTest.cpp - diagnostics and render ----===//
#include "frontend/Diagnostics.h"

#include "frontend/Frontend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace snn::frontend {
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
  f.kind = "io";
  f.message = "cannot read";
  f.location.file = "x.snn";
  EXPECT_EQ(render(f), "x.snn: error: cannot read [io]\n");
  f.location.file = "";
  EXPECT_EQ(render(f), "error: cannot read [io]\n");
}

TEST(Diagnostics, KindsAreDeclaredOnce) {
  EXPECT_EQ(kind_name(DiagKind::unknown_name), "unknown-name");
  EXPECT_EQ(kind_name(DiagKind::note_did_you_mean), "did-you-mean");
  auto kinds = all_kind_names();
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "nonlinear-exact"), kinds.end());
  EXPECT_EQ(std::find(kinds.begin(), kinds.end(), "did-you-mean"), kinds.end()); // notes are not kinds
  std::set<std::string> unique(kinds.begin(), kinds.end());
  EXPECT_EQ(unique.size(), kinds.size());
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
  EXPECT_EQ(diags.error_count(), 1u);
  EXPECT_EQ(sources.line_text("m.snn", 1), "line one"); // no '\r'
  EXPECT_EQ(sources.line_text("m.snn", 9), "");
  EXPECT_EQ(sources.line_text("other.snn", 1), "");
}

TEST(Diagnostics, MisspeltNameInASourceFile) {
  SourceFiles sources;
  Diagnostics diags(sources);
  Frontend fe(sources, diags, {});
  auto ast = fe.parse("m.snn", "neuron N {\n  param tau = 10 ms\n  state v = 0\n  dv/dt = -v_m / tau\n}\n");
  ASSERT_TRUE(ast);
  EXPECT_FALSE(fe.lower(*ast).has_value());
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(render(diags.all()[0]), "m.snn:4:12: error: unknown name 'v_m' [unknown-name]\n"
                                    "    dv/dt = -v_m / tau\n"
                                    "             ^~~\n"
                                    "m.snn:4:12: note: did you mean 'v'?\n"
                                    "    dv/dt = -v_m / tau\n"
                                    "             ^~~\n");
}

} // namespace
} // namespace snn::frontend
