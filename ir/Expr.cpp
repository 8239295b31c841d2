//===- ir/Expr.cpp - Immutable typed expression trees ---------------------===//
#include "ir/Expr.h"

#include <cmath>

namespace snn::ir {

void internal_check(bool condition, const std::string &what) {
  if (!condition)
    throw InternalError(what);
}

Expr Constant::make(double value, Dimension dim) {
  return Expr(std::make_shared<Constant>(value, ScalarType::Real, dim));
}

Expr Constant::make_bool(bool value) {
  return Expr(std::make_shared<Constant>(value ? 1.0 : 0.0, ScalarType::Bool, Dimension()));
}

Expr Constant::make_int(int64_t value) {
  internal_check(value >= INT32_MIN && value <= INT32_MAX,
                 "integer constant " + std::to_string(value) + " does not fit in 32 bits");
  return Expr(std::make_shared<Constant>(static_cast<double>(value), ScalarType::Int, Dimension()));
}

Expr Constant::make_typed(double value, ScalarType type, Dimension dim) {
  switch (type) {
  case ScalarType::Bool:
    return make_bool(value != 0);
  case ScalarType::Int:
    internal_check(value == std::floor(value), "integer constant with a fraction");
    return make_int(static_cast<int64_t>(value));
  case ScalarType::Real:
    break;
  }
  return make(value, dim);
}

Expr Variable::make(VarKind kind, const std::string &name, Dimension dim, ScalarType type) {
  internal_check(kind != VarKind::Stimulus, "stimulus is built by make_stimulus");
  internal_check(kind != VarKind::LastSpike, "last_spike is built by make_last_spike");
  internal_check(kind != VarKind::Noise, "noise is built by make_noise");
  internal_check(!name.empty(), "a variable needs a name");
  internal_check(type == ScalarType::Real || dim.dimensionless(), "only reals carry a dimension");
  internal_check(type != ScalarType::Bool || kind == VarKind::Local, "only lowered locals are boolean variables");
  return Expr(std::make_shared<Variable>(kind, name, type, dim));
}

Expr Variable::make_stimulus() {
  return Expr(std::make_shared<Variable>(VarKind::Stimulus, "stimulus", ScalarType::Bool, Dimension()));
}

Expr Variable::make_last_spike() {
  return Expr(std::make_shared<Variable>(VarKind::LastSpike, "last_spike", ScalarType::Bool, Dimension()));
}

bool is_noise_name(const std::string &name) {
  return name == "xi" || (name.size() > 3 && name.compare(0, 3, "xi_") == 0);
}

Expr Variable::make_noise(const std::string &name) {
  internal_check(is_noise_name(name), "'" + name + "' is not a noise name");
  return Expr(std::make_shared<Variable>(VarKind::Noise, name, ScalarType::Real, *Dimension::frequency().sqrt()));
}

Expr Unary::make(UnaryOp op, Expr a) {
  internal_check(bool(a), "unary operand is null");
  if (op == UnaryOp::Not) {
    internal_check(a->is_bool(), "'not' needs a boolean");
    return Expr(std::make_shared<Unary>(op, a, ScalarType::Bool, Dimension()));
  }
  internal_check(!a->is_bool(), "negation needs a real or an integer");
  Dimension d = a->dim;
  ScalarType type = a->type;
  return Expr(std::make_shared<Unary>(op, std::move(a), type, d));
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Lt && op <= BinaryOp::Ne; }
bool is_logical(BinaryOp op) { return op == BinaryOp::And || op == BinaryOp::Or; }

Expr Binary::make(BinaryOp op, Expr a, Expr b) {
  internal_check(a && b, "binary operand is null");
  if (is_logical(op)) {
    internal_check(a->is_bool() && b->is_bool(), std::string("'") + name_of(op) + "' needs booleans");
    return Expr(std::make_shared<Binary>(op, a, b, ScalarType::Bool, Dimension()));
  }
  internal_check(!a->is_bool() && !b->is_bool(), std::string("'") + name_of(op) + "' needs numbers");
  if (a->is_int() || b->is_int()) {
    internal_check(a->is_int() && b->is_int(), std::string("'") + name_of(op) + "' mixes an integer and a real");
    bool integral =
        op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul || op == BinaryOp::Min || op == BinaryOp::Max;
    if (is_comparison(op))
      return Expr(std::make_shared<Binary>(op, a, b, ScalarType::Bool, Dimension()));
    internal_check(integral, std::string("'") + name_of(op) + "' is not defined on integers");
    return Expr(std::make_shared<Binary>(op, std::move(a), std::move(b), ScalarType::Int, Dimension()));
  }
  Dimension d;
  switch (op) {
  case BinaryOp::Add:
  case BinaryOp::Sub:
  case BinaryOp::Min:
  case BinaryOp::Max:
    internal_check(a->dim == b->dim, std::string("'") + name_of(op) + "' of different dimensions " + a->dim.str() +
                                         " and " + b->dim.str());
    d = a->dim;
    break;
  case BinaryOp::Mul:
    d = a->dim * b->dim;
    break;
  case BinaryOp::Div:
    d = a->dim / b->dim;
    break;
  case BinaryOp::Pow: {
    internal_check(b->dim.dimensionless(), "exponent must be dimensionless");
    if (a->dim.dimensionless())
      break;
    double e = 0;
    internal_check(constant_value(b, e), "power of a dimensioned base needs a constant exponent");
    internal_check(std::fabs(e) <= 127, "power of a dimensioned base needs a small exponent");
    if (e == std::floor(e)) {
      d = a->dim.pow(static_cast<int>(e));
    } else {
      std::optional<Dimension> power;
      if (2 * e == std::floor(2 * e))
        power = a->dim.pow_half(static_cast<int>(2 * e));
      internal_check(power.has_value(), "power of a dimensioned base needs a whole or half exponent");
      d = *power;
    }
    break;
  }
  default: // comparisons
    internal_check(a->dim == b->dim, "comparison of different dimensions " + a->dim.str() + " and " + b->dim.str());
    return Expr(std::make_shared<Binary>(op, a, b, ScalarType::Bool, Dimension()));
  }
  return Expr(std::make_shared<Binary>(op, std::move(a), std::move(b), ScalarType::Real, d));
}

Expr Select::make(Expr cond, Expr t, Expr f) {
  internal_check(cond && t && f, "select operand is null");
  internal_check(cond->is_bool(), "select condition must be boolean");
  internal_check(t->type == f->type && t->dim == f->dim, "select branches differ in type or dimension");
  ScalarType ty = t->type;
  Dimension d = t->dim;
  return Expr(std::make_shared<Select>(std::move(cond), std::move(t), std::move(f), ty, d));
}

Expr Call::make(Function fn, Expr arg) {
  internal_check(bool(arg) && arg->is_real(), std::string(name_of(fn)) + " needs a real argument");
  Dimension d;
  switch (fn) {
  case Function::Sqrt: {
    auto root = arg->dim.sqrt();
    internal_check(root.has_value(), "sqrt of a dimension with half exponents");
    d = *root;
    break;
  }
  case Function::Abs:
  case Function::Floor:
  case Function::Ceil:
    d = arg->dim;
    break;
  default:
    internal_check(arg->dim.dimensionless(), std::string(name_of(fn)) + " needs a dimensionless argument");
  }
  return Expr(std::make_shared<Call>(fn, std::move(arg), d));
}

Expr Random::make(Distribution dist, uint32_t site) { return Expr(std::make_shared<Random>(dist, site)); }

Expr operator+(Expr a, Expr b) { return Binary::make(BinaryOp::Add, std::move(a), std::move(b)); }
Expr operator-(Expr a, Expr b) { return Binary::make(BinaryOp::Sub, std::move(a), std::move(b)); }
Expr operator*(Expr a, Expr b) { return Binary::make(BinaryOp::Mul, std::move(a), std::move(b)); }
Expr operator/(Expr a, Expr b) { return Binary::make(BinaryOp::Div, std::move(a), std::move(b)); }
Expr operator-(Expr a) { return Unary::make(UnaryOp::Neg, std::move(a)); }
Expr real(double v, Dimension dim) { return Constant::make(v, dim); }

const char *name_of(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Pow:
    return "**";
  case BinaryOp::Min:
    return "min";
  case BinaryOp::Max:
    return "max";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::And:
    return "and";
  case BinaryOp::Or:
    return "or";
  }
  return "?";
}

const char *name_of(UnaryOp op) { return op == UnaryOp::Neg ? "-" : "not"; }

const char *name_of(Function fn) {
  switch (fn) {
  case Function::Exp:
    return "exp";
  case Function::Log:
    return "log";
  case Function::Sqrt:
    return "sqrt";
  case Function::Abs:
    return "abs";
  case Function::Sin:
    return "sin";
  case Function::Cos:
    return "cos";
  case Function::Tanh:
    return "tanh";
  case Function::Floor:
    return "floor";
  case Function::Ceil:
    return "ceil";
  case Function::Expm1:
    return "expm1";
  }
  return "?";
}

const char *name_of(VarKind kind) {
  switch (kind) {
  case VarKind::State:
    return "state";
  case VarKind::Param:
    return "param";
  case VarKind::Input:
    return "input";
  case VarKind::Time:
    return "time";
  case VarKind::Dt:
    return "dt";
  case VarKind::Stimulus:
    return "stimulus";
  case VarKind::LastSpike:
    return "last_spike";
  case VarKind::Noise:
    return "noise";
  case VarKind::Local:
    return "local";
  }
  return "?";
}

const char *name_of(ScalarType type) {
  switch (type) {
  case ScalarType::Real:
    return "real";
  case ScalarType::Bool:
    return "bool";
  case ScalarType::Int:
    return "int";
  }
  return "?";
}

bool is_zero(const Expr &e) {
  double value = 1;
  return constant_value(e, value) && value == 0;
}

Expr exprel(const Expr &x) {
  Expr at_zero = Binary::make(BinaryOp::Eq, x, real(0.0));
  return Select::make(at_zero, real(1.0), Call::make(Function::Expm1, x) / x);
}

bool constant_value(const Expr &e, double &out) {
  if (const auto *c = e.as<Constant>()) {
    out = c->value;
    return true;
  }
  return false;
}

} // namespace snn::ir
