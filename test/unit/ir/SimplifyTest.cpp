//===- test/unit/ir/SimplifyTest.cpp - ir::simplify and substitution ------===//
#include "ir/Simplify.h"

#include "ExprEvaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace snn::ir {
namespace {

using test::Bindings;
using test::evaluate;

const Dimension V = Dimension::voltage();
const Dimension S = Dimension::time();

Expr state(const std::string &n, Dimension d) { return Variable::make(VarKind::State, n, d); }

/// The folded constant; fails the test when `e` did not fold to one.
double folded(const Expr &e) {
  const auto *c = e.as<Constant>();
  EXPECT_NE(c, nullptr) << "not folded: " << (e ? int(e->kind) : -1);
  return c ? c->value : std::nan("");
}

TEST(Simplify, FoldsEveryArithmeticOperator) {
  const double x = 1.75, y = -0.625;
  struct Case {
    BinaryOp op;
    double expected;
  };
  const Case cases[] = {
      {BinaryOp::Add, x + y},          {BinaryOp::Sub, x - y},          {BinaryOp::Mul, x * y},
      {BinaryOp::Div, x / y},          {BinaryOp::Min, std::min(x, y)}, {BinaryOp::Max, std::max(x, y)},
      {BinaryOp::Pow, std::pow(x, y)},
  };
  for (const auto &c : cases) {
    Expr e = Binary::make(c.op, real(x), real(y));
    Expr s = simplify(e);
    EXPECT_EQ(folded(s), c.expected) << name_of(c.op);
    EXPECT_EQ(s->type, ScalarType::Real);
    EXPECT_TRUE(s->dim.dimensionless());
  }
  // Dimensions survive folding.
  EXPECT_EQ(simplify(real(2.0, V) * real(3.0, S))->dim, V * S);
  EXPECT_EQ(folded(simplify(real(2.0, V) * real(3.0, S))), 6.0);
  EXPECT_EQ(simplify(real(2.0, V) / real(4.0, S))->dim, V / S);
  EXPECT_EQ(simplify(Binary::make(BinaryOp::Pow, real(3.0, V), real(2.0)))->dim, V.pow(2));
  EXPECT_EQ(folded(simplify(Binary::make(BinaryOp::Pow, real(3.0, V), real(2.0)))), 9.0);
  EXPECT_EQ(simplify(-real(0.5, V))->dim, V);
  EXPECT_EQ(folded(simplify(-real(0.5, V))), -0.5);
}

TEST(Simplify, FoldsEveryComparisonAndLogicalOperator) {
  const double pairs[][2] = {{1.0, 2.0}, {2.0, 2.0}, {3.0, -2.0}};
  for (const auto &p : pairs) {
    const double x = p[0], y = p[1];
    const std::pair<BinaryOp, bool> cases[] = {
        {BinaryOp::Lt, x < y},  {BinaryOp::Le, x <= y}, {BinaryOp::Gt, x > y},
        {BinaryOp::Ge, x >= y}, {BinaryOp::Eq, x == y}, {BinaryOp::Ne, x != y},
    };
    for (const auto &[op, expected] : cases) {
      Expr s = simplify(Binary::make(op, real(x, V), real(y, V)));
      EXPECT_TRUE(s->is_bool());
      EXPECT_EQ(folded(s), expected ? 1.0 : 0.0) << x << ' ' << name_of(op) << ' ' << y;
    }
  }
  for (bool a : {false, true})
    for (bool b : {false, true}) {
      Expr ea = Constant::make_bool(a), eb = Constant::make_bool(b);
      Expr s_and = simplify(Binary::make(BinaryOp::And, ea, eb));
      Expr s_or = simplify(Binary::make(BinaryOp::Or, ea, eb));
      Expr s_not = simplify(Unary::make(UnaryOp::Not, ea));
      EXPECT_TRUE(s_and->is_bool() && s_or->is_bool() && s_not->is_bool());
      EXPECT_EQ(folded(s_and), (a && b) ? 1.0 : 0.0);
      EXPECT_EQ(folded(s_or), (a || b) ? 1.0 : 0.0);
      EXPECT_EQ(folded(s_not), !a ? 1.0 : 0.0);
    }
}

TEST(Simplify, FoldsEveryFunction) {
  const double x = 0.7311;
  const std::pair<Function, double> cases[] = {
      {Function::Exp, std::exp(x)},   {Function::Log, std::log(x)},      {Function::Sqrt, std::sqrt(x)},
      {Function::Abs, std::fabs(-x)}, {Function::Sin, std::sin(x)},      {Function::Cos, std::cos(x)},
      {Function::Tanh, std::tanh(x)}, {Function::Floor, std::floor(-x)}, {Function::Ceil, std::ceil(x)},
  };
  for (const auto &[fn, expected] : cases) {
    bool negated = fn == Function::Abs || fn == Function::Floor;
    Expr s = simplify(Call::make(fn, real(negated ? -x : x)));
    EXPECT_EQ(folded(s), expected) << name_of(fn);
  }
  // sqrt halves the dimension; abs keeps it.
  Expr r = simplify(Call::make(Function::Sqrt, real(4.0, V.pow(2))));
  EXPECT_EQ(folded(r), 2.0);
  EXPECT_EQ(r->dim, V);
  EXPECT_EQ(simplify(Call::make(Function::Abs, real(-3.0, V)))->dim, V);
}

TEST(Simplify, AdditiveAndMultiplicativeIdentities) {
  Expr v = state("v", V), x = state("x", Dimension());
  EXPECT_TRUE(simplify(v + real(0.0, V)).same_as(v));
  EXPECT_TRUE(simplify(real(0.0, V) + v).same_as(v));
  EXPECT_TRUE(simplify(v - real(0.0, V)).same_as(v));
  EXPECT_TRUE(simplify(v * real(1.0)).same_as(v));
  EXPECT_TRUE(simplify(real(1.0) * v).same_as(v));
  EXPECT_TRUE(simplify(v / real(1.0)).same_as(v));
  EXPECT_TRUE(simplify(Binary::make(BinaryOp::Pow, v, real(1.0))).same_as(v));

  // x * 0 keeps the product's dimension.
  Expr z = simplify(v * real(0.0, S));
  EXPECT_EQ(folded(z), 0.0);
  EXPECT_EQ(z->dim, V * S);
  z = simplify(real(0.0) * v);
  EXPECT_EQ(folded(z), 0.0);
  EXPECT_EQ(z->dim, V);
  z = simplify(real(0.0, V) / state("tau", S));
  EXPECT_EQ(folded(z), 0.0);
  EXPECT_EQ(z->dim, V / S);
  z = simplify(Binary::make(BinaryOp::Pow, x, real(0.0)));
  EXPECT_EQ(folded(z), 1.0);

  // A dimensioned 1 is a unit conversion, not an identity.
  Expr scaled = simplify(v * real(1.0, S));
  EXPECT_EQ(scaled->dim, V * S);
  EXPECT_NE(scaled.as<Binary>(), nullptr);
  EXPECT_EQ(simplify(v / real(1.0, S))->dim, V / S);
  EXPECT_EQ(simplify(real(1.0, S) * v)->dim, V * S);
}

TEST(Simplify, NegationsFold) {
  Expr v = state("v", V);
  EXPECT_TRUE(simplify(-(-v)).same_as(v));
  Expr b = Binary::make(BinaryOp::Gt, v, real(0.0, V));
  EXPECT_TRUE(simplify(Unary::make(UnaryOp::Not, Unary::make(UnaryOp::Not, b))).same_as(b));
  // 0 - v is -v; v + (-w) is v - w; v - (-w) is v + w; -1 * v is -v.
  Expr w = state("w", V);
  Expr neg = simplify(real(0.0, V) - v);
  ASSERT_NE(neg.as<Unary>(), nullptr);
  EXPECT_TRUE(neg.as<Unary>()->a.same_as(v));
  Expr sub = simplify(v + (-w));
  ASSERT_NE(sub.as<Binary>(), nullptr);
  EXPECT_EQ(sub.as<Binary>()->op, BinaryOp::Sub);
  Expr add = simplify(v - (-w));
  ASSERT_NE(add.as<Binary>(), nullptr);
  EXPECT_EQ(add.as<Binary>()->op, BinaryOp::Add);
  Expr m = simplify(real(-1.0) * v);
  ASSERT_NE(m.as<Unary>(), nullptr);
  EXPECT_TRUE(m.as<Unary>()->a.same_as(v));
  EXPECT_TRUE(simplify(real(-1.0) * (-v)).same_as(v));
}

TEST(Simplify, SelectAndLogicOnConstants) {
  Expr v = state("v", V), w = state("w", V);
  EXPECT_TRUE(simplify(Select::make(Constant::make_bool(true), v, w)).same_as(v));
  EXPECT_TRUE(simplify(Select::make(Constant::make_bool(false), v, w)).same_as(w));
  // The condition folds first: 2 < 1 is false.
  EXPECT_TRUE(simplify(Select::make(Binary::make(BinaryOp::Lt, real(2.0), real(1.0)), v, w)).same_as(w));
  Expr c = Binary::make(BinaryOp::Gt, v, w);
  EXPECT_TRUE(simplify(Select::make(c, v, v)).same_as(v));
  EXPECT_TRUE(simplify(Binary::make(BinaryOp::And, Constant::make_bool(true), c)).same_as(c));
  EXPECT_TRUE(simplify(Binary::make(BinaryOp::And, c, Constant::make_bool(true))).same_as(c));
  EXPECT_EQ(folded(simplify(Binary::make(BinaryOp::And, c, Constant::make_bool(false)))), 0.0);
  EXPECT_EQ(folded(simplify(Binary::make(BinaryOp::Or, Constant::make_bool(true), c))), 1.0);
  EXPECT_TRUE(simplify(Binary::make(BinaryOp::Or, c, Constant::make_bool(false))).same_as(c));
}

TEST(Simplify, LeavesNonConstantsAlone) {
  Expr v = state("v", V), w = state("w", V);
  Expr e = (v - w) * state("g", Dimension::conductance());
  EXPECT_TRUE(simplify(e).same_as(e));
  EXPECT_FALSE(bool(simplify(Expr())));
}

/// Random expression trees of a requested dimension over v (V), x (1),
/// tau (s), with constants that often are 0, 1 or -1 so identities fire.
class TreeGenerator {
public:
  explicit TreeGenerator(uint64_t seed) : rng_(seed) {}

  Expr real_tree(Dimension d, int depth) {
    if (depth == 0 || pick(4) == 0)
      return leaf(d);
    switch (pick(9)) {
    case 0:
      return real_tree(d, depth - 1) + real_tree(d, depth - 1);
    case 1:
      return real_tree(d, depth - 1) - real_tree(d, depth - 1);
    case 2:
      return real_tree(d / S, depth - 1) * real_tree(S, depth - 1);
    case 3:
      return real_tree(d, depth - 1) / positive(depth - 1);
    case 4:
      return -real_tree(d, depth - 1);
    case 5:
      return Select::make(bool_tree(depth - 1), real_tree(d, depth - 1), real_tree(d, depth - 1));
    case 6:
      return Binary::make(pick(2) ? BinaryOp::Min : BinaryOp::Max, real_tree(d, depth - 1), real_tree(d, depth - 1));
    case 7:
      return Call::make(pick(2) ? Function::Abs : Function::Floor, real_tree(d, depth - 1));
    default:
      if (d.dimensionless()) {
        const Function fns[] = {Function::Sin, Function::Cos, Function::Tanh};
        return Call::make(fns[pick(3)], real_tree(d, depth - 1));
      }
      return real_tree(d, depth - 1) * real_tree(Dimension(), depth - 1);
    }
  }

  Expr bool_tree(int depth) {
    switch (depth == 0 ? 0 : pick(4)) {
    case 0:
      return Binary::make(static_cast<BinaryOp>(int(BinaryOp::Lt) + pick(6)), real_tree(V, depth), real_tree(V, depth));
    case 1:
      return Unary::make(UnaryOp::Not, bool_tree(depth - 1));
    case 2:
      return Binary::make(BinaryOp::And, bool_tree(depth - 1), bool_tree(depth - 1));
    default:
      return Binary::make(BinaryOp::Or, bool_tree(depth - 1),
                          pick(3) ? bool_tree(depth - 1) : Constant::make_bool(pick(2)));
    }
  }

private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  Expr leaf(Dimension d) {
    if (pick(2)) {
      if (d == V)
        return state("v", V);
      if (d == S)
        return state("tau", S);
      if (d.dimensionless())
        return state("x", d);
    }
    const double specials[] = {0.0, 1.0, -1.0, 0.5, 2.0, -3.25};
    return real(specials[pick(6)], d);
  }

  /// A denominator that is never zero: exp of a dimensionless tree.
  Expr positive(int depth) {
    return Call::make(Function::Exp, Call::make(Function::Tanh, real_tree(Dimension(), depth)));
  }

  std::mt19937_64 rng_;
};

TEST(Simplify, KeepsTypeDimensionAndValueOfRandomTrees) {
  TreeGenerator gen(20240611);
  const Dimension dims[] = {V, S, Dimension(), V / S, V * S};
  int folded_some = 0;
  for (int i = 0; i < 400; ++i) {
    Dimension d = dims[i % 5];
    Expr e = gen.real_tree(d, 5);
    Expr s = simplify(e);
    ASSERT_EQ(s->type, e->type);
    ASSERT_EQ(s->dim, e->dim);
    folded_some += node_count(s) < node_count(e);
    for (double v : {-0.07, 0.013}) {
      Bindings b;
      b.state("v", v).state("x", 0.37 - 10 * v).state("tau", 0.02);
      double want = evaluate(e, b), got = evaluate(s, b);
      ASSERT_EQ(got, want) << "tree " << i << " at v = " << v;
    }
    Expr c = gen.bool_tree(3);
    Expr sc = simplify(c);
    ASSERT_TRUE(sc->is_bool());
    Bindings b;
    b.state("v", 0.01).state("x", 0.5).state("tau", 0.01);
    ASSERT_EQ(evaluate(sc, b), evaluate(c, b)) << "condition " << i;
  }
  EXPECT_GT(folded_some, 100); // the generator does exercise the folds
}

TEST(Substitute, ReplacesVariablesAndKeepsSharing) {
  Expr v = state("v", V), w = state("w", V);
  Expr shared = v * real(2.0);
  Expr e = shared + shared;
  EXPECT_EQ(node_count(e), 4u); // +, *, v, 2
  Expr r = substitute(e, [&](const Variable &var) { return var.name == "v" ? w : Expr(); });
  const auto *sum = r.as<Binary>();
  ASSERT_NE(sum, nullptr);
  EXPECT_TRUE(sum->a.same_as(sum->b)); // rewritten once, still shared
  EXPECT_TRUE(sum->a.as<Binary>()->a.same_as(w));
  EXPECT_TRUE(mentions(r, [](const Variable &x) { return x.name == "w"; }));
  EXPECT_FALSE(mentions(r, [](const Variable &x) { return x.name == "v"; }));
  // Nothing replaced: the very same tree comes back.
  EXPECT_TRUE(substitute(e, [](const Variable &) { return Expr(); }).same_as(e));
}

TEST(Substitute, RejectsAChangeOfDimension) {
  Expr e = state("v", V) + real(1.0, V);
  try {
    substitute(e, [](const Variable &) { return real(1.0, Dimension::time()); });
    ADD_FAILURE() << "substituting a time for a voltage was accepted";
  } catch (const InternalError &err) {
    EXPECT_NE(std::string(err.what()).find("substitution of 'v' changes its type or dimension"), std::string::npos);
  }
}

TEST(Substitute, RandomDraws) {
  Expr e = real(1.0) + Random::make(Distribution::Uniform01, 0) * Random::make(Distribution::Normal01, 1);
  EXPECT_TRUE(mentions_random(e));
  Expr r = substitute_random(e, [](const Random &x) { return real(x.site == 0 ? 0.25 : 2.0); });
  EXPECT_FALSE(mentions_random(r));
  EXPECT_EQ(evaluate(r, Bindings()), 1.5);
}

TEST(Simplify, FoldsIntegersAsIntegers) {
  Expr c = Variable::make(VarKind::State, "c", Dimension(), ScalarType::Int);
  Expr folded = simplify(Constant::make_int(49) + Constant::make_int(1));
  ASSERT_TRUE(folded.as<Constant>());
  EXPECT_TRUE(folded->is_int());
  EXPECT_EQ(folded.as<Constant>()->value, 50);
  Expr zero = simplify(c * Constant::make_int(0));
  EXPECT_TRUE(zero->is_int());
  EXPECT_TRUE(simplify(c + Constant::make_int(0)).same_as(c));
  Expr neg = simplify(-Constant::make_int(7));
  EXPECT_TRUE(neg->is_int());
  EXPECT_EQ(neg.as<Constant>()->value, -7);
  // 2^24 + 1 is where a float counter would stop counting; integers do not.
  Expr big = simplify(Constant::make_int(16777217) - Constant::make_int(1));
  EXPECT_EQ(big.as<Constant>()->value, 16777216);
}

} // namespace
} // namespace snn::ir
