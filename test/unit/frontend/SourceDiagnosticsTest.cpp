//===- test/unit/frontend/SourceDiagnosticsTest.cpp - a located error -----===//
#include "diag/Diagnostics.h"
#include "frontend/Frontend.h"

#include <gtest/gtest.h>

namespace snn::frontend {
namespace {

TEST(Diagnostics, MisspeltNameInASourceFile) {
  diag::SourceFiles sources;
  diag::Diagnostics diags(sources);
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
