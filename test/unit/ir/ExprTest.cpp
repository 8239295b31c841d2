//===- test/unit/ir/ExprTest.cpp - ir::Expr construction and invariants ---===//
#include "ir/Expr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

namespace snn::ir {
namespace {

const Dimension V = Dimension::voltage();
const Dimension S = Dimension::time();

Expr state(const std::string &n, Dimension d) { return Variable::make(VarKind::State, n, d); }

/// Runs `build`, expects an InternalError whose message contains `what`.
void expect_internal_error(const std::function<void()> &build, const std::string &what) {
  try {
    build();
    ADD_FAILURE() << "no InternalError; expected one mentioning '" << what << "'";
  } catch (const InternalError &e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << "message: " << e.what();
  }
}

TEST(Expr, NodesCarryTypeAndDimension) {
  Expr v = state("v", V), tau = Variable::make(VarKind::Param, "tau", S);
  Expr rate = v / tau;
  EXPECT_EQ(rate->dim, V / S);
  EXPECT_EQ(rate->type, ScalarType::Real);
  EXPECT_EQ((v * v)->dim, V.pow(2));
  EXPECT_EQ((-v)->dim, V);
  Expr cmp = Binary::make(BinaryOp::Lt, v, real(0.01, V));
  EXPECT_TRUE(cmp->is_bool());
  EXPECT_TRUE(cmp->dim.dimensionless());
  EXPECT_TRUE(Unary::make(UnaryOp::Not, cmp)->is_bool());
  EXPECT_TRUE(Binary::make(BinaryOp::And, cmp, Constant::make_bool(true))->is_bool());
  EXPECT_EQ(Select::make(cmp, v, real(0.0, V))->dim, V);
  EXPECT_EQ(Call::make(Function::Abs, v)->dim, V);
  EXPECT_EQ(Call::make(Function::Floor, tau)->dim, S);
  EXPECT_EQ(Call::make(Function::Sqrt, v * v)->dim, V);
  EXPECT_EQ(Call::make(Function::Exp, v / real(1.0, V))->dim, Dimension());
  EXPECT_TRUE(Variable::make_stimulus()->is_bool());
  EXPECT_EQ(Random::make(Distribution::Normal01, 3)->dim, Dimension());
}

TEST(Expr, PowerDimensions) {
  Expr v = state("v", V);
  EXPECT_EQ(Binary::make(BinaryOp::Pow, v, real(3.0))->dim, V.pow(3));
  EXPECT_EQ(Binary::make(BinaryOp::Pow, v, real(-2.0))->dim, V.pow(-2));
  EXPECT_EQ(Binary::make(BinaryOp::Pow, v * v, real(0.5))->dim, V);
  EXPECT_EQ(Binary::make(BinaryOp::Pow, v * v, real(1.5))->dim, V.pow(3));
  EXPECT_EQ(Binary::make(BinaryOp::Pow, v * v, real(-0.5))->dim, V.pow(-1));
  // A dimensionless base takes any exponent, even a variable one.
  Expr x = state("x", Dimension());
  EXPECT_EQ(Binary::make(BinaryOp::Pow, x, x)->dim, Dimension());
}

TEST(Expr, AsAndConstantValue) {
  Expr c = real(2.5, V);
  double value = 0;
  ASSERT_TRUE(constant_value(c, value));
  EXPECT_EQ(value, 2.5);
  EXPECT_NE(c.as<Constant>(), nullptr);
  EXPECT_EQ(c.as<Variable>(), nullptr);
  EXPECT_FALSE(constant_value(state("v", V), value));
  Expr sum = c + c;
  EXPECT_TRUE(sum.as<Binary>()->a.same_as(c));
}

TEST(ExprInvariants, AddingDifferentDimensions) {
  expect_internal_error([] { state("v", V) + state("t0", S); }, "'+' of different dimensions V and s");
  expect_internal_error([] { state("v", V) - real(1.0); }, "'-' of different dimensions V and 1");
  expect_internal_error([] { Binary::make(BinaryOp::Min, state("v", V), real(1.0, S)); },
                        "'min' of different dimensions");
  expect_internal_error([] { Binary::make(BinaryOp::Max, state("v", V), real(1.0, S)); },
                        "'max' of different dimensions");
}

TEST(ExprInvariants, ComparingDifferentDimensions) {
  for (BinaryOp op : {BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge, BinaryOp::Eq, BinaryOp::Ne})
    expect_internal_error([op] { Binary::make(op, state("v", V), real(0.01, S)); },
                          "comparison of different dimensions V and s");
}

TEST(ExprInvariants, FunctionsOfDimensionedValues) {
  for (Function fn : {Function::Exp, Function::Log, Function::Sin, Function::Cos, Function::Tanh})
    expect_internal_error([fn] { Call::make(fn, state("v", V)); },
                          std::string(name_of(fn)) + " needs a dimensionless argument");
  // sqrt(V) has half exponents; its own square root would need quarters.
  Expr root = Call::make(Function::Sqrt, state("v", V));
  EXPECT_EQ(root->dim * root->dim, V);
  expect_internal_error([&] { Call::make(Function::Sqrt, root); }, "sqrt of a dimension with half exponents");
}

TEST(ExprInvariants, BooleansInArithmetic) {
  Expr b = Constant::make_bool(true), x = real(1.0);
  expect_internal_error([&] { b + x; }, "'+' needs numbers");
  expect_internal_error([&] { x *b; }, "'*' needs numbers");
  expect_internal_error([&] { Binary::make(BinaryOp::Lt, b, b); }, "'<' needs numbers");
  expect_internal_error([&] { -b; }, "negation needs a real");
  expect_internal_error([&] { Call::make(Function::Exp, b); }, "exp needs a real argument");
  expect_internal_error([&] { Unary::make(UnaryOp::Not, x); }, "'not' needs a boolean");
  expect_internal_error([&] { Binary::make(BinaryOp::And, b, x); }, "'and' needs booleans");
  expect_internal_error([&] { Binary::make(BinaryOp::Or, x, b); }, "'or' needs booleans");
}

TEST(ExprInvariants, SelectBranchesMustAgree) {
  Expr c = Binary::make(BinaryOp::Gt, state("v", V), real(0.0, V));
  expect_internal_error([&] { Select::make(c, state("v", V), real(0.0, S)); },
                        "select branches differ in type or dimension");
  expect_internal_error([&] { Select::make(c, real(1.0), Constant::make_bool(false)); },
                        "select branches differ in type or dimension");
  expect_internal_error([&] { Select::make(real(1.0), real(1.0), real(2.0)); }, "select condition must be boolean");
}

TEST(ExprInvariants, PowersOfDimensionedBases) {
  Expr v = state("v", V), x = state("x", Dimension());
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, v, x); }, "needs a constant exponent");
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, x, real(2.0, S)); }, "exponent must be dimensionless");
  EXPECT_EQ(Binary::make(BinaryOp::Pow, v, real(1.5))->dim, *V.pow_half(3));
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, v * v, real(0.25)); }, "needs a whole or half exponent");
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, Binary::make(BinaryOp::Pow, v, real(0.5)), real(0.5)); },
                        "needs a whole or half exponent");
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, v, real(1e300)); }, "needs a small exponent");
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, v, real(std::nan(""))); }, "needs a small exponent");
  // Repeated powers whose exponents leave the range of a dimension.
  Expr v16 = Binary::make(BinaryOp::Pow, v, real(16.0));
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, v16, real(16.0)); }, "dimension exponent -768 out of range");
}

TEST(ExprInvariants, NullOperandsAndNames) {
  expect_internal_error([] { Unary::make(UnaryOp::Neg, Expr()); }, "unary operand is null");
  expect_internal_error([] { Binary::make(BinaryOp::Add, real(1.0), Expr()); }, "binary operand is null");
  expect_internal_error([] { Variable::make(VarKind::State, "", V); }, "a variable needs a name");
  expect_internal_error([] { Variable::make(VarKind::Stimulus, "stimulus", Dimension()); }, "make_stimulus");
}

TEST(ExprInvariants, IntegersDoNotMixWithReals) {
  Expr c = Variable::make(VarKind::State, "c", Dimension(), ScalarType::Int);
  Expr one = Constant::make_int(1);
  EXPECT_TRUE((c - one)->is_int());
  EXPECT_TRUE((c * one)->is_int());
  EXPECT_TRUE((-c)->is_int());
  EXPECT_TRUE(Binary::make(BinaryOp::Max, c, one)->is_int());
  EXPECT_TRUE(Binary::make(BinaryOp::Le, c, one)->is_bool());
  EXPECT_TRUE(Select::make(Binary::make(BinaryOp::Gt, c, one), c, one)->is_int());
  expect_internal_error([&] { c + real(1.0); }, "mixes an integer and a real");
  expect_internal_error([&] { c / one; }, "'/' is not defined on integers");
  expect_internal_error([&] { Binary::make(BinaryOp::Pow, c, one); }, "'**' is not defined on integers");
  expect_internal_error([&] { Call::make(Function::Exp, c); }, "needs a real argument");
  expect_internal_error([&] { Select::make(Constant::make_bool(true), c, real(0.0)); }, "differ in type");
  expect_internal_error([] { Constant::make_int(int64_t(1) << 31); }, "does not fit in 32 bits");
  expect_internal_error([] { Variable::make(VarKind::State, "c", Dimension::voltage(), ScalarType::Int); },
                        "only reals carry a dimension");
}

} // namespace
} // namespace snn::ir
