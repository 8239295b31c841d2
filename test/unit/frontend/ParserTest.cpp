//===- test/unit/frontend/ParserTest.cpp - frontend::parse ----------------===//
#include "frontend/Parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace snn::frontend {
namespace {

/// A small file; the comments give the columns the tests check.
const char *const kFile = R"(import std.neurons.{LIF, IF}
neuron Cell {
  param tau = 20 ms
  param c : pF
  state v = -65 mV
  input i : nA
  dv/dt = (-v + i * 10 Mohm) / tau  unless refractory
  refractory = 2 ms
  spike when v >= -50 mV and not false
  on spike { v = -65 mV; v += 1 mV }
}
network Net {
  population a = Cell(tau: 10 ms) x 4
  connect a -> a.i, a : fixed_probability(0.1, autapses: false), weight ~ normal(0 nA, 1 nA)
}
simulate Net {
  dt = 0.1 ms
  init a.v ~ uniform(-70 mV, -60 mV)
  record spikes(a[0:4:2]), a.v to "out.npz"
}
)";

struct Parsed {
  diag::SourceFiles sources;
  diag::Diagnostics diags{sources};
  std::unique_ptr<ast::File> file;
};

std::unique_ptr<Parsed> parse_text(const std::string &text) {
  auto p = std::make_unique<Parsed>();
  const std::string &stored = p->sources.add("cell.snn", text);
  p->file = parse("cell.snn", stored, p->diags);
  return p;
}

void expect_loc(const SourceLocation &l, unsigned line, unsigned column, unsigned length) {
  EXPECT_EQ(l.file, "cell.snn");
  EXPECT_EQ(l.line, line);
  EXPECT_EQ(l.column, column);
  EXPECT_EQ(l.length, length);
}

TEST(Parser, ImportsWithNamesAndLocations) {
  auto p = parse_text(kFile);
  ASSERT_TRUE(p->file) << (p->diags.all().empty() ? "" : render(p->diags.all()[0]));
  EXPECT_TRUE(p->diags.all().empty());
  ASSERT_EQ(p->file->imports.size(), 1u);
  const ast::Import &imp = p->file->imports[0];
  ASSERT_EQ(imp.module_path.size(), 2u);
  EXPECT_EQ(imp.module_path[0].name, "std");
  EXPECT_EQ(imp.module_path[1].name, "neurons");
  expect_loc(imp.module_path[1].loc, 1, 12, 7);
  ASSERT_EQ(imp.names.size(), 2u);
  EXPECT_EQ(imp.names[0].name, "LIF");
  EXPECT_EQ(imp.names[1].name, "IF");
  expect_loc(imp.names[1].loc, 1, 26, 2);
}

TEST(Parser, NeuronDeclaration) {
  auto p = parse_text(kFile);
  ASSERT_TRUE(p->file);
  ASSERT_EQ(p->file->neurons.size(), 1u);
  const ast::NeuronDecl &n = p->file->neurons[0];
  EXPECT_EQ(n.name.name, "Cell");
  expect_loc(n.name.loc, 2, 8, 4);
  EXPECT_EQ(n.file, "cell.snn");

  ASSERT_EQ(n.params.size(), 2u);
  EXPECT_EQ(n.params[0].name.name, "tau");
  expect_loc(n.params[0].name.loc, 3, 9, 3);
  const auto *q = ast::dyn_cast<ast::QuantityExpr>(n.params[0].value.get());
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->value, 20.0);
  EXPECT_EQ(q->unit, "ms");
  expect_loc(q->loc(), 3, 15, 5);
  EXPECT_FALSE(n.params[0].unit);
  // `param c : pF`: a required parameter with a unit and no default.
  EXPECT_FALSE(n.params[1].value);
  const auto *unit = ast::dyn_cast<ast::NameExpr>(n.params[1].unit.get());
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->name, "pF");

  ASSERT_EQ(n.states.size(), 1u);
  EXPECT_EQ(n.states[0].name.name, "v");
  const auto *neg = ast::dyn_cast<ast::UnaryExpr>(n.states[0].initial.get());
  ASSERT_NE(neg, nullptr);
  EXPECT_EQ(neg->op, "-");
  ASSERT_EQ(n.inputs.size(), 1u);
  EXPECT_EQ(n.inputs[0].name.name, "i");
  expect_loc(n.inputs[0].name.loc, 6, 9, 1);

  // dv/dt = (-v + i * 10 Mohm) / tau  unless refractory
  ASSERT_EQ(n.odes.size(), 1u);
  const ast::OdeDecl &ode = n.odes[0];
  EXPECT_EQ(ode.state.name, "v");
  expect_loc(ode.state.loc, 7, 4, 1); // the `v` of `dv`
  expect_loc(ode.lhs_loc, 7, 3, 5);
  ASSERT_TRUE(ode.unless.has_value());
  EXPECT_EQ(ode.unless->name, "refractory");
  const auto *div = ast::dyn_cast<ast::BinaryExpr>(ode.rhs.get());
  ASSERT_NE(div, nullptr);
  EXPECT_EQ(div->op, "/");
  expect_loc(div->loc(), 7, 30, 1);                                 // binary expressions point at their operator
  const auto *sum = ast::dyn_cast<ast::BinaryExpr>(div->lhs.get()); // parentheses leave no node
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->op, "+");
  expect_loc(sum->loc(), 7, 15, 1);
  const auto *prod = ast::dyn_cast<ast::BinaryExpr>(sum->rhs.get()); // * binds tighter than +
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->op, "*");
  const auto *ohm = ast::dyn_cast<ast::QuantityExpr>(prod->rhs.get());
  ASSERT_NE(ohm, nullptr);
  EXPECT_EQ(ohm->unit, "Mohm");
  EXPECT_EQ(ohm->value, 10.0);
  const auto *tau = ast::dyn_cast<ast::NameExpr>(div->rhs.get());
  ASSERT_NE(tau, nullptr);
  EXPECT_EQ(tau->name, "tau");
  expect_loc(tau->loc(), 7, 32, 3);

  ASSERT_EQ(n.settings.size(), 1u);
  EXPECT_EQ(n.settings[0].name.name, "refractory");

  // spike when v >= -50 mV and not false
  const auto *both = ast::dyn_cast<ast::BinaryExpr>(n.spike_condition.get());
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->op, "and");
  expect_loc(both->loc(), 9, 26, 3);
  EXPECT_EQ(ast::dyn_cast<ast::BinaryExpr>(both->lhs.get())->op, ">=");
  const auto *no = ast::dyn_cast<ast::UnaryExpr>(both->rhs.get());
  ASSERT_NE(no, nullptr);
  EXPECT_EQ(no->op, "not");
  ASSERT_NE(ast::dyn_cast<ast::BoolExpr>(no->operand.get()), nullptr);
  EXPECT_FALSE(ast::dyn_cast<ast::BoolExpr>(no->operand.get())->value);
  expect_loc(n.spike_loc, 9, 3, 5);

  EXPECT_TRUE(n.has_reset);
  ASSERT_EQ(n.reset.size(), 2u);
  EXPECT_EQ(n.reset[0].target.name, "v");
  EXPECT_EQ(n.reset[0].op, "=");
  EXPECT_EQ(n.reset[1].op, "+=");
  expect_loc(n.reset[1].target.loc, 10, 26, 1);
}

TEST(Parser, NetworkAndSimulation) {
  auto p = parse_text(kFile);
  ASSERT_TRUE(p->file);
  ASSERT_EQ(p->file->networks.size(), 1u);
  const ast::NetworkDecl &net = p->file->networks[0];
  EXPECT_EQ(net.name.name, "Net");
  ASSERT_EQ(net.populations.size(), 1u);
  const ast::PopulationDecl &pop = net.populations[0];
  EXPECT_EQ(pop.name.name, "a");
  EXPECT_EQ(pop.model.name, "Cell");
  expect_loc(pop.model.loc, 13, 18, 4);
  ASSERT_EQ(pop.args.size(), 1u);
  ASSERT_TRUE(pop.args[0].name.has_value());
  EXPECT_EQ(pop.args[0].name->name, "tau");
  ASSERT_NE(ast::dyn_cast<ast::NumberExpr>(pop.size.get()), nullptr);
  EXPECT_EQ(ast::dyn_cast<ast::NumberExpr>(pop.size.get())->value, 4.0);

  ASSERT_EQ(net.connections.size(), 1u);
  const ast::ConnectDecl &c = net.connections[0];
  EXPECT_EQ(c.pre.name, "a");
  ASSERT_EQ(c.targets.size(), 2u);
  ASSERT_TRUE(c.targets[0].variable.has_value());
  EXPECT_EQ(c.targets[0].variable->name, "i");
  EXPECT_FALSE(c.targets[1].variable.has_value());
  ASSERT_TRUE(c.connectivity.has_value());
  EXPECT_EQ(c.connectivity->name, "fixed_probability");
  ASSERT_EQ(c.connectivity_args.size(), 2u);
  EXPECT_FALSE(c.connectivity_args[0].name.has_value());
  EXPECT_EQ(c.connectivity_args[1].name->name, "autapses");
  EXPECT_TRUE(c.weight_is_distribution);
  const auto *normal = ast::dyn_cast<ast::CallExpr>(c.weight.get());
  ASSERT_NE(normal, nullptr);
  EXPECT_EQ(normal->callee.name, "normal");
  EXPECT_EQ(normal->args.size(), 2u);
  expect_loc(c.weight_loc, 14, 66, 6);

  ASSERT_EQ(p->file->simulations.size(), 1u);
  const ast::SimulateDecl &sim = p->file->simulations[0];
  EXPECT_EQ(sim.network.name, "Net");
  ASSERT_EQ(sim.settings.size(), 1u);
  EXPECT_EQ(sim.settings[0].name.name, "dt");
  ASSERT_EQ(sim.inits.size(), 1u);
  EXPECT_TRUE(sim.inits[0].distribution);
  EXPECT_EQ(sim.inits[0].targets[0].population.name, "a");
  EXPECT_EQ(sim.inits[0].targets[0].variable.name, "v");
  ASSERT_EQ(sim.records.size(), 1u);
  const ast::RecordDecl &rec = sim.records[0];
  ASSERT_EQ(rec.items.size(), 2u);
  EXPECT_TRUE(rec.items[0].spikes);
  EXPECT_EQ(rec.items[0].function.name, "spikes");
  ASSERT_TRUE(rec.items[0].selection.slice.has_value());
  EXPECT_TRUE(rec.items[0].selection.slice->is_range);
  EXPECT_TRUE(rec.items[0].selection.slice->stride);
  EXPECT_FALSE(rec.items[1].spikes);
  EXPECT_EQ(rec.items[1].variable->name, "v");
  EXPECT_EQ(rec.file.value_or(""), "out.npz");
  expect_loc(rec.file_loc, 19, 35, 9);
}

TEST(Parser, PowerIsRightAssociativeAndBindsTighterThanNegation) {
  auto p = parse_text("neuron N {\n  param k = -2 ** 3 ** 2\n}\n");
  ASSERT_TRUE(p->file);
  // -(2 ** (3 ** 2))
  const auto *neg = ast::dyn_cast<ast::UnaryExpr>(p->file->neurons[0].params[0].value.get());
  ASSERT_NE(neg, nullptr);
  const auto *outer = ast::dyn_cast<ast::BinaryExpr>(neg->operand.get());
  ASSERT_NE(outer, nullptr);
  EXPECT_EQ(outer->op, "**");
  EXPECT_NE(ast::dyn_cast<ast::NumberExpr>(outer->lhs.get()), nullptr);
  const auto *inner = ast::dyn_cast<ast::BinaryExpr>(outer->rhs.get());
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(inner->op, "**");
}

TEST(Parser, SyntaxErrorIsLocatedAndGivesNoAst) {
  auto p = parse_text("neuron N {\n  state v = \n}\n");
  EXPECT_FALSE(p->file);
  ASSERT_EQ(p->diags.all().size(), 1u);
  const Diagnostic &d = p->diags.all()[0];
  EXPECT_EQ(d.kind, "expected-token");
  EXPECT_EQ(d.severity, Severity::Error);
  EXPECT_EQ(d.location.line, 3u);
  EXPECT_EQ(d.location.column, 1u);
  EXPECT_NE(d.message.find("'}'"), std::string::npos) << d.message;
  EXPECT_EQ(d.source_line, "}");
}

TEST(Parser, UnexpectedCharacter) {
  auto p = parse_text("neuron N {\n  state v = 1 $ 2\n}\n");
  EXPECT_FALSE(p->file);
  ASSERT_FALSE(p->diags.all().empty());
  const Diagnostic &d = p->diags.all()[0];
  EXPECT_EQ(d.kind, "unexpected-character");
  EXPECT_EQ(d.message, "unexpected character '$'");
  EXPECT_EQ(d.location.line, 2u);
  EXPECT_EQ(d.location.column, 15u);
}

TEST(Parser, BadOdeLeftSide) {
  auto p = parse_text("neuron N {\n  state v = 0\n  v/dt = 1\n}\n");
  EXPECT_FALSE(p->file);
  ASSERT_EQ(p->diags.all().size(), 1u);
  EXPECT_EQ(p->diags.all()[0].kind, "invalid-ode");
  EXPECT_EQ(p->diags.all()[0].message, "the left side of a differential equation must read 'dX/dt', found 'v/dt'");
  EXPECT_EQ(p->diags.all()[0].location.line, 3u);
  EXPECT_EQ(p->diags.all()[0].location.column, 3u);
}

TEST(Parser, TooDeepNesting) {
  std::string deep = "neuron N {\n  param k = " + std::string(kMaxNesting + 5, '(') + "1" +
                     std::string(kMaxNesting + 5, ')') + "\n}\n";
  auto p = parse_text(deep);
  EXPECT_FALSE(p->file);
  ASSERT_EQ(p->diags.all().size(), 1u);
  EXPECT_EQ(p->diags.all()[0].kind, "nesting-too-deep");
  EXPECT_EQ(p->diags.all()[0].message, "nesting deeper than 200 levels");
}

} // namespace
} // namespace snn::frontend
