//===- test/unit/ir/ReaderTest.cpp - ir::read_module ----------------------===//
#include "ir/Reader.h"

#include "TestModule.h"
#include "ir/Printer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace snn::ir {
namespace {

/// Reads `text`; on failure, the rendered diagnostics in `errors`.
std::optional<Module> read(const std::string &text, std::string *errors = nullptr) {
  diag::SourceFiles sources;
  diag::Diagnostics diags(sources);
  const std::string &stored = sources.add("m.snnir", text);
  std::optional<Module> m = read_module("m.snnir", stored, diags);
  if (errors)
    for (const auto &d : diags.all())
      *errors += render(d);
  return m;
}

/// Constants as `state x : V = <value>[V]` in a discretised model.
std::string model_with_constant(const std::string &value) {
  return "neuron M {\n  state x : V = " + value +
         "\n  discretized with exact\n  update x = x\n}\nnetwork N {\n  population p = M x 1\n}\n";
}

TEST(Reader, PrintReadPrintOfAHandBuiltModule) {
  Module m = test::small_module();
  std::string text = to_string(m);
  std::string errors;
  std::optional<Module> back = read(text, &errors);
  ASSERT_TRUE(back) << errors;
  EXPECT_EQ(to_string(*back), text);
  EXPECT_TRUE(back->params_resolved);
  EXPECT_TRUE(back->models[0].discretized);
  ASSERT_EQ(back->regime.records.size(), 3u);
  EXPECT_EQ(back->regime.records[1].interval, 10u);
  EXPECT_EQ(back->regime.records[2].kind, RecordKind::Rate);
  EXPECT_EQ(back->network.projections[0].weight.b, 2.5e-4);
}

TEST(Reader, RealsReadBackBitForBit) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint64_t> bits;
  std::vector<double> values = {5e-324,
                                1.7976931348623157e308,
                                -0.0,
                                0.1 + 0.2,
                                -1.0 / 3.0,
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
  for (int i = 0; i < 200; ++i) {
    uint64_t b = bits(rng);
    double v;
    std::memcpy(&v, &b, sizeof v);
    if (std::isfinite(v))
      values.push_back(v);
  }
  for (double v : values) {
    std::string errors;
    std::optional<Module> m = read(model_with_constant(format_real(v) + "[V]"), &errors);
    ASSERT_TRUE(m) << format_real(v) << ": " << errors;
    double back = 0;
    ASSERT_TRUE(constant_value(m->models[0].states[0].initial, back));
    EXPECT_EQ(std::memcmp(&back, &v, sizeof v), 0) << format_real(v) << " read as " << format_real(back);
  }
  std::optional<Module> nan = read(model_with_constant("nan[V]"));
  ASSERT_TRUE(nan);
  double back = 0;
  ASSERT_TRUE(constant_value(nan->models[0].states[0].initial, back));
  EXPECT_TRUE(std::isnan(back));
}

TEST(Reader, DimensionsAsPrinted) {
  const Dimension V = Dimension::voltage(), s = Dimension::time();
  for (Dimension d : {Dimension(),
                      V,
                      s,
                      Dimension::frequency(),
                      Dimension::current(),
                      Dimension::conductance(),
                      Dimension::capacitance(),
                      Dimension::resistance(),
                      V / s,
                      Dimension::current() / s,
                      V * V,
                      s * s,
                      Dimension::frequency().pow(2),
                      V * s,
                      V.pow(3) / s,
                      Dimension::base(Dimension::Mole),
                      Dimension::base(Dimension::Candela, -2) * Dimension::base(Dimension::Kelvin),
                      *Dimension::frequency().sqrt(),
                      V * *Dimension::frequency().sqrt(),
                      *s.pow_half(3),
                      *V.pow_half(-5)}) {
    std::optional<Dimension> back = parse_dimension(d.str());
    ASSERT_TRUE(back) << d.str();
    EXPECT_EQ(*back, d) << d.str();
  }
  EXPECT_FALSE(parse_dimension("mV"));
  EXPECT_FALSE(parse_dimension("V/s/s"));
  EXPECT_FALSE(parse_dimension("s^x"));
  EXPECT_FALSE(parse_dimension("s^0.25"));
  EXPECT_FALSE(parse_dimension("s^.5"));
  EXPECT_FALSE(parse_dimension(""));
}

TEST(Reader, BareNumbersTakeTheirContextsType) {
  std::optional<Module> m = read("neuron M {\n"
                                 "  state n : int = 5e+07\n"
                                 "  state x : 1 = 0\n"
                                 "  discretized with exact\n"
                                 "  update n = max(n - 1, 0)\n"
                                 "  update x = select(n > 1, x, 2 * x)\n"
                                 "}\nnetwork N {\n  population p = M x 1\n}\n");
  ASSERT_TRUE(m);
  const NeuronModel &model = m->models[0];
  EXPECT_TRUE(model.states[0].initial->is_int());
  EXPECT_TRUE(model.states[1].initial->is_real());
  const auto *max = model.update[0].value.as<Binary>();
  ASSERT_NE(max, nullptr);
  EXPECT_TRUE(max->b->is_int());
  const auto *sel = model.update[1].value.as<Select>();
  ASSERT_NE(sel, nullptr);
  EXPECT_TRUE(sel->cond.as<Binary>()->b->is_int()); // n > 1: an integer comparison
  EXPECT_TRUE(sel->f.as<Binary>()->a->is_real());   // 2 * x: a real
}

TEST(Reader, NegativeLiteralsAndNegations) {
  // `-0.5` is a negative constant; `-(-0.5)` a negation of one, as printed.
  std::optional<Module> m = read(model_with_constant("-(-0.5[V])"));
  ASSERT_TRUE(m);
  const auto *neg = m->models[0].states[0].initial.as<Unary>();
  ASSERT_NE(neg, nullptr);
  double inner = 0;
  ASSERT_TRUE(constant_value(neg->a, inner));
  EXPECT_EQ(inner, -0.5);
  EXPECT_EQ(to_string(m->models[0].states[0].initial), "-(-0.5[V])");
}

TEST(Reader, SharedSubexpressionsStayShared) {
  std::string text = "neuron M {\n"
                     "  state v : V = 0[V]\n"
                     "  state u : V = 0[V]\n"
                     "  discretized with rk4\n"
                     "  let %0 = (v - u) / 0.01[s] * 0.5[s]\n"
                     "  update v = v + %0\n"
                     "  update u = u - %0\n"
                     "}\nnetwork N {\n  population p = M x 1\n}\n";
  std::optional<Module> m = read(text);
  ASSERT_TRUE(m);
  const auto *a = m->models[0].update[0].value.as<Binary>();
  const auto *b = m->models[0].update[1].value.as<Binary>();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->b.same_as(b->b)); // one node, as the printer's %0 named
  EXPECT_EQ(to_string(*m), text);
}

TEST(Reader, MarksTheStage) {
  std::optional<Module> continuous = read("neuron M {\n"
                                          "  param tau : s = 0.01[s]\n"
                                          "  state v : V = 0[V]\n"
                                          "  method auto\n"
                                          "  ode dv/dt = -v / tau\n"
                                          "}\nnetwork N {\n  population p = M x 1, tau = 0.02[s]\n}\n");
  ASSERT_TRUE(continuous);
  EXPECT_FALSE(continuous->params_resolved);
  EXPECT_FALSE(continuous->models[0].discretized);
  ASSERT_EQ(continuous->models[0].odes.size(), 1u);
  EXPECT_EQ(continuous->models[0].odes[0].loc.line, 5u); // later errors point into the IR
  EXPECT_EQ(continuous->network.populations[0].overrides.size(), 1u);
}

// Before resolve-params a synapse model keeps its post block and its
// projection names the parameter the block feeds.
TEST(Reader, PostBlockOfASynapseModel) {
  const std::string text = "neuron M {\n"
                           "  param i_ext : A = 0[A]\n"
                           "  state v : V = 0[V]\n"
                           "  method auto\n"
                           "  ode dv/dt = i_ext / 1e-09[F]\n"
                           "}\n"
                           "synapse ExpCond {\n"
                           "  param tau : s = 0.005[s]\n"
                           "  param E : V = 0[V]\n"
                           "  state w : S (weight)\n"
                           "  post read v : V\n"
                           "  post state g : S = 0[S]\n"
                           "  post ode dg/dt = -g / tau\n"
                           "  post output = g * (E - post.v)\n"
                           "  on pre post.g += w\n"
                           "}\n"
                           "network N {\n"
                           "  population p = M x 1\n"
                           "  projection p -> p.i_ext (parameter) : dense, weight 1e-09 [S], synapse ExpCond\n"
                           "}\n";
  std::string errors;
  std::optional<Module> m = read(text, &errors);
  ASSERT_TRUE(m) << errors;
  EXPECT_EQ(to_string(*m), text);
  const PostsynapticBlock &b = m->synapses[0].post;
  ASSERT_TRUE(b.present());
  ASSERT_EQ(b.reads.size(), 1u);
  EXPECT_EQ(b.reads[0].dim, Dimension::voltage());
  EXPECT_EQ(b.output->dim, Dimension::voltage() * Dimension::conductance());
  EXPECT_EQ(m->network.projections[0].target_kind, TargetKind::Parameter);

  // The output must be read against the parameter it feeds.
  std::string bad = text;
  bad.replace(bad.find("(parameter)"), 11, "(state)");
  EXPECT_FALSE(read(bad, &errors));
  EXPECT_NE(errors.find("model 'M' has no state 'i_ext'"), std::string::npos) << errors;
  errors.clear();
  bad = text;
  bad.replace(bad.find("post.v)"), 6, "post.u");
  EXPECT_FALSE(read(bad, &errors));
  EXPECT_NE(errors.find("unknown name 'post.u'"), std::string::npos) << errors;
}

TEST(Reader, ReportsTheFirstErrorWithItsLocation) {
  std::string errors;
  EXPECT_FALSE(read("neuron M {\n  state v : V = 0[V]\n  discretized with exact\n  update w = v\n}\n", &errors));
  EXPECT_EQ(errors, "m.snnir:4:10: error: model 'M' has no state 'w' [unknown-variable]\n"
                    "    update w = v\n"
                    "           ^\n");
}

} // namespace
} // namespace snn::ir
