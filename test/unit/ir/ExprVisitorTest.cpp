//===- test/unit/ir/ExprVisitorTest.cpp - Visitor, mutator, walks ---------===//
#include "ir/ExprVisitor.h"
#include "ir/Module.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

using namespace snn::ir;

namespace {

const Dimension V = Dimension::voltage();

/// Counts the nodes of each kind in a tree, every occurrence (a shared node
/// counts once per parent): recursion through the visitor itself.
class KindCounter : public ExprVisitor<KindCounter> {
public:
  std::map<std::string, int> counts;

  void visitConstant(const Constant &, const Expr &) { ++counts["Constant"]; }
  void visitVariable(const Variable &, const Expr &) { ++counts["Variable"]; }
  void visitRandom(const Random &, const Expr &) { ++counts["Random"]; }
  void visitUnary(const Unary &u, const Expr &) {
    ++counts["Unary"];
    visit(u.a);
  }
  void visitBinary(const Binary &b, const Expr &) {
    ++counts["Binary"];
    visit(b.a);
    visit(b.b);
  }
  void visitSelect(const Select &s, const Expr &) {
    ++counts["Select"];
    visit(s.cond);
    visit(s.t);
    visit(s.f);
  }
  void visitCall(const Call &c, const Expr &) {
    ++counts["Call"];
    visit(c.arg);
  }
};

/// Handles Binary only; everything else goes to the visitExpr fallback.
class BinaryOrOther : public ExprVisitor<BinaryOrOther, std::string> {
public:
  std::string visitBinary(const Binary &b, const Expr &) { return std::string("binary ") + name_of(b.op); }
  std::string visitExpr(const Expr &) { return "other"; }
};

/// No handlers at all: R() for every kind.
class Silent : public ExprVisitor<Silent, int> {};

/// Every kind at least once:
/// select(v > 0[V], exp(-(v / 1[V])) * rand#3(), abs(i) / 1[V]).
Expr every_kind() {
  Expr v = Variable::make(VarKind::State, "v", V);
  Expr i = Variable::make(VarKind::Input, "i", V);
  Expr cond = Binary::make(BinaryOp::Gt, v, real(0.0, V));
  Expr t = Call::make(Function::Exp, -(v / real(1.0, V))) * Random::make(Distribution::Uniform01, 3);
  Expr f = Call::make(Function::Abs, i) / real(1.0, V);
  return Select::make(cond, t, f);
}

/// Replaces state `v` by `w` (same dimension).
class RenameV : public ExprMutator<RenameV> {
public:
  int variables_seen = 0;
  Expr visitVariable(const Variable &var, const Expr &self) {
    ++variables_seen;
    if (var.var_kind == VarKind::State && var.name == "v")
      return Variable::make(VarKind::State, "w", var.dim);
    return self;
  }
};

/// Changes nothing: every kind takes the default rebuild.
class Identity : public ExprMutator<Identity> {};

} // namespace

TEST(ExprVisitorTest, DispatchesEveryKind) {
  KindCounter counter;
  counter.visit(every_kind());
  std::map<std::string, int> expected = {{"Select", 1},   {"Binary", 4},   {"Unary", 1}, {"Call", 2},
                                         {"Variable", 3}, {"Constant", 3}, {"Random", 1}};
  EXPECT_EQ(counter.counts, expected);
  // Every kind of the X-macro is covered by every_kind().
  EXPECT_EQ(static_cast<int>(counter.counts.size()), kExprKindCount);
}

TEST(ExprVisitorTest, FallsBackToVisitExpr) {
  Expr v = Variable::make(VarKind::State, "v", V);
  BinaryOrOther visitor;
  EXPECT_EQ(visitor.visit(v + v), "binary +");
  EXPECT_EQ(visitor.visit(v), "other");
  EXPECT_EQ(visitor.visit(Call::make(Function::Abs, v)), "other");
  EXPECT_EQ(Silent().visit(v + v), 0);
}

TEST(ExprVisitorTest, ForEachChildInOrder) {
  Expr e = every_kind();
  const auto *s = e.as<Select>();
  std::vector<const ExprNode *> children;
  for_each_child(e, [&](const Expr &c) { children.push_back(c.get()); });
  EXPECT_EQ(children, (std::vector<const ExprNode *>{s->cond.get(), s->t.get(), s->f.get()}));
  int leaves = 0;
  for_each_child(real(1.0), [&](const Expr &) { ++leaves; });
  EXPECT_EQ(leaves, 0);
}

TEST(ExprVisitorTest, WalkVisitsSharedNodesOnce) {
  Expr v = Variable::make(VarKind::State, "v", V);
  Expr shared = v * v;      // nodes: *, v
  Expr e = shared + shared; // one more: +
  std::vector<const ExprNode *> order;
  EXPECT_TRUE(walk(e, [&](const Expr &x) { order.push_back(x.get()); }));
  EXPECT_EQ(order, (std::vector<const ExprNode *>{e.get(), shared.get(), v.get()}));
  EXPECT_TRUE(walk(Expr(), [](const Expr &) { return WalkResult::Interrupt; })); // empty: nothing to interrupt
}

TEST(ExprVisitorTest, WalkSkipAndInterrupt) {
  Expr e = every_kind();
  // Skip the operands of calls: the variable inside exp(...) and abs(i) is not reached.
  int variables = 0;
  walk(e, [&](const Expr &x) {
    if (x.as<Variable>())
      ++variables;
    return x.as<Call>() ? WalkResult::Skip : WalkResult::Advance;
  });
  EXPECT_EQ(variables, 1); // v in the condition only
  // Interrupt at the first Random: the walk reports it stopped.
  int after = 0;
  bool complete = walk(e, [&](const Expr &x) {
    if (x.as<Random>())
      return WalkResult::Interrupt;
    ++after;
    return WalkResult::Advance;
  });
  EXPECT_FALSE(complete);
  EXPECT_LT(after, 11);
}

TEST(ExprMutatorTest, ReplacesVariableStructurally) {
  Expr e = every_kind();
  RenameV rename;
  Expr out = rename.mutate(e);
  ASSERT_FALSE(out.same_as(e));
  const auto *s = out.as<Select>();
  ASSERT_NE(s, nullptr);
  // cond: w > 0[V]
  const auto *cond = s->cond.as<Binary>();
  ASSERT_NE(cond, nullptr);
  EXPECT_EQ(cond->op, BinaryOp::Gt);
  ASSERT_NE(cond->a.as<Variable>(), nullptr);
  EXPECT_EQ(cond->a.as<Variable>()->name, "w");
  EXPECT_TRUE(cond->b.same_as(e.as<Select>()->cond.as<Binary>()->b)); // the literal is the same node
  // t: exp(-(w / 1[V])) * rand#3()
  const auto *mul = s->t.as<Binary>();
  ASSERT_NE(mul, nullptr);
  const auto *exp = mul->a.as<Call>();
  ASSERT_NE(exp, nullptr);
  EXPECT_EQ(exp->fn, Function::Exp);
  const auto *neg = exp->arg.as<Unary>();
  ASSERT_NE(neg, nullptr);
  const auto *div = neg->a.as<Binary>();
  ASSERT_NE(div, nullptr);
  EXPECT_EQ(div->a.as<Variable>()->name, "w");
  EXPECT_EQ(div->a->dim, V);
  EXPECT_TRUE(mul->b.same_as(e.as<Select>()->t.as<Binary>()->b)); // rand#3() kept
  // f does not read v: the whole subtree keeps its identity.
  EXPECT_TRUE(s->f.same_as(e.as<Select>()->f));
  // The memo: `v` is one node read twice, so the hook ran for it once.
  EXPECT_EQ(rename.variables_seen, 2); // v and i
}

TEST(ExprMutatorTest, UnchangedTreeKeepsIdentity) {
  Expr e = every_kind();
  EXPECT_TRUE(Identity().mutate(e).same_as(e));
  RenameV rename;
  Expr no_v = Call::make(Function::Abs, Variable::make(VarKind::Input, "i", V));
  EXPECT_TRUE(rename.mutate(no_v).same_as(no_v));
  EXPECT_FALSE(rename.mutate(Expr())); // null stays null
}

TEST(ExprMutatorTest, SharedSubtreeRewrittenOnce) {
  Expr v = Variable::make(VarKind::State, "v", V);
  Expr shared = v * v;
  Expr e = shared + shared;
  Expr out = RenameV().mutate(e);
  const auto *add = out.as<Binary>();
  ASSERT_NE(add, nullptr);
  EXPECT_TRUE(add->a.same_as(add->b)); // still a DAG, not two copies
  EXPECT_EQ(add->a.as<Binary>()->a.as<Variable>()->name, "w");
}

namespace {

/// A model and module where every expression-carrying field is set.
Module every_field() {
  Expr v = Variable::make(VarKind::State, "v", V);
  Expr tau = Variable::make(VarKind::Param, "tau", Dimension::time());
  NeuronModel m;
  m.name = "M";
  m.params.push_back({"tau", Dimension::time(), real(0.01, Dimension::time())});
  m.states.push_back({"v", V, real(0.0, V), false});
  m.inputs.push_back({"i", V});
  m.odes.push_back({"v", -v / tau, false, {}});
  m.refractory_period = real(0.002, Dimension::time());
  m.update.push_back({"v", v * real(0.5)});
  m.spike_condition = Binary::make(BinaryOp::Gt, v, real(0.02, V));
  m.reset.push_back({"v", real(0.0, V)});
  m.surrogate = Call::make(Function::Abs, v / real(1.0, V));
  Module mod;
  mod.models.push_back(m);
  Population p;
  p.name = "p";
  p.model = "M";
  p.overrides.push_back({"tau", real(0.02, Dimension::time())});
  p.inits.push_back({"v", real(0.01, V)});
  mod.network.populations.push_back(p);
  return mod;
}

/// Every expression field of `m`, read directly (the test's own list).
std::vector<Expr> fields_of(const NeuronModel &m) {
  return {m.params[0].value, m.states[0].initial, m.odes[0].rhs,    m.refractory_period,
          m.update[0].value, m.spike_condition,   m.reset[0].value, m.surrogate};
}

} // namespace

TEST(ForEachExprTest, VisitsEveryModelField) {
  const Module mod = every_field();
  const NeuronModel &m = mod.models[0];
  std::vector<const ExprNode *> seen;
  for_each_expr(m, [&](const Expr &e) { seen.push_back(e.get()); });
  std::vector<const ExprNode *> expected;
  for (const auto &e : fields_of(m))
    expected.push_back(e.get());
  EXPECT_EQ(seen, expected);

  seen.clear();
  for_each_expr(mod, [&](const Expr &e) { seen.push_back(e.get()); });
  expected.push_back(mod.network.populations[0].overrides[0].second.get());
  expected.push_back(mod.network.populations[0].inits[0].value.get());
  EXPECT_EQ(seen, expected);
}

TEST(ForEachExprTest, SkipsAbsentExpressions) {
  NeuronModel m;
  m.states.push_back({"v", V, real(0.0, V), false});
  int n = 0;
  for_each_expr(m, [&](const Expr &) { ++n; });
  EXPECT_EQ(n, 1); // no refractory period, spike condition or surrogate
}

TEST(ForEachExprTest, MutatingRewritesEveryField) {
  Module mod = every_field();
  // Wrap every expression in select(true, e, e): same type and dimension.
  for_each_expr(mod, [](Expr &e) { e = Select::make(Constant::make_bool(true), e, e); });
  for (const auto &e : fields_of(mod.models[0]))
    EXPECT_NE(e.as<Select>(), nullptr);
  EXPECT_NE(mod.network.populations[0].overrides[0].second.as<Select>(), nullptr);
  EXPECT_NE(mod.network.populations[0].inits[0].value.as<Select>(), nullptr);
}
