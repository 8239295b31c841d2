//===- frontend/ExprLowering.cpp - Checking and lowering expressions ------===//
#include "frontend/ExprLowering.h"

#include "frontend/Units.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace snn::frontend {

using diag::DiagKind;

using ir::Dimension;

std::string describe(Dimension d) {
  if (d.dimensionless())
    return "1 (dimensionless)";
  if (d == Dimension::time())
    return "s (a time)";
  if (d == Dimension::voltage())
    return "V (a voltage)";
  if (d == Dimension::current())
    return "A (a current)";
  if (d == Dimension::frequency())
    return "Hz (a rate)";
  return d.str();
}

namespace {
/// The largest |exponent| of a base unit in any dimension.
constexpr int kMaxExponent = 64;
/// Random call sites per model: the RNG counter keeps 8 bits for them.
constexpr uint32_t kMaxRandomSites = 255;

const std::vector<std::string> kFunctions = {"exp", "expm1", "exprel", "log",   "sqrt",     "abs",
                                             "sin", "cos",   "tanh",   "floor", "ceil",     "min",
                                             "max", "clip",  "rand",   "randn", "stimulus", "dc"};

std::optional<ir::Function> unary_function(const std::string &name) {
  static const std::pair<const char *, ir::Function> table[] = {
      {"exp", ir::Function::Exp},    {"log", ir::Function::Log},     {"sqrt", ir::Function::Sqrt},
      {"abs", ir::Function::Abs},    {"sin", ir::Function::Sin},     {"cos", ir::Function::Cos},
      {"tanh", ir::Function::Tanh},  {"floor", ir::Function::Floor}, {"ceil", ir::Function::Ceil},
      {"expm1", ir::Function::Expm1}};
  for (const auto &[n, f] : table)
    if (name == n)
      return f;
  return std::nullopt;
}
} // namespace

bool is_builtin_function(const std::string &name) {
  return std::find(kFunctions.begin(), kFunctions.end(), name) != kFunctions.end();
}

Scope ExprLowering::constant_scope(const std::string &context) {
  Scope s;
  s.lookup = [](const std::string &) { return ir::Expr(); };
  s.context = context;
  return s;
}

bool ExprLowering::need_real(const ir::Expr &e, const ast::Expr &at, const std::string &what) {
  if (!e)
    return false;
  if (e->is_bool()) {
    diags_.report(DiagKind::expected_number, at.loc(), what);
    return false;
  }
  return true;
}

bool ExprLowering::need_bool(const ir::Expr &e, const ast::Expr &at, const std::string &what) {
  if (!e)
    return false;
  if (!e->is_bool()) {
    diags_.report(DiagKind::expected_boolean, at.loc(), what);
    return false;
  }
  return true;
}

bool ExprLowering::expect_dimension(const ir::Expr &actual, Dimension expected, const std::string &what,
                                    const SourceLocation &loc) {
  if (!actual)
    return false;
  if (actual->is_bool()) {
    diags_.report(DiagKind::expected_number, loc, what);
    return false;
  }
  if (actual->dim != expected) {
    diags_.report(DiagKind::dimension_mismatch, loc, what, describe(actual->dim), describe(expected));
    return false;
  }
  return true;
}

ir::Expr ExprLowering::lower(const ast::Expr &e, const Scope &scope) {
  switch (e.kind()) {
  case ast::Expr::Number:
    return ir::Constant::make(ast::dyn_cast<ast::NumberExpr>(&e)->value);
  case ast::Expr::Quantity: {
    const auto *q = ast::dyn_cast<ast::QuantityExpr>(&e);
    auto unit = lookup_unit(q->unit);
    if (auto plural = count_word(q->unit)) { // a COUNT outside the periods that take it
      diags_.report(DiagKind::misplaced_count, e.loc(), ir::format_real(q->value) + " " + q->unit, *plural);
      return {};
    }
    if (!unit) { // the lexer only forms quantities from known symbols
      diags_.report(DiagKind::unknown_name, e.loc(), q->unit);
      return {};
    }
    return ir::Constant::make(q->value * unit->scale, unit->dim);
  }
  case ast::Expr::Bool:
    return ir::Constant::make_bool(ast::dyn_cast<ast::BoolExpr>(&e)->value);
  case ast::Expr::String:
    diags_.report(DiagKind::misplaced_string, e.loc(), scope.context);
    return {};
  case ast::Expr::List:
    diags_.report(DiagKind::misplaced_list, e.loc(), scope.context);
    return {};
  case ast::Expr::Shape:
    diags_.report(DiagKind::misplaced_shape, e.loc(), ast::dyn_cast<ast::ShapeExpr>(&e)->text(), scope.context);
    return {};
  case ast::Expr::Name: {
    const std::string &name = ast::dyn_cast<ast::NameExpr>(&e)->name;
    const ast::FunctionDecl *let = constant_named(name);
    if (ir::Expr found = scope.lookup(name)) {
      if (let && shadow_warned_.insert(name).second)
        diags_.report(DiagKind::constant_shadowed, e.loc(), name);
      return found;
    }
    if (let)
      return expand_constant(*let, e.loc());
    if (auto unit = lookup_unit(name))
      return ir::Constant::make(unit->scale, unit->dim);
    if (scope.failed && scope.failed(name))
      return {};
    if (ir::is_noise_name(name)) {
      if (scope.allow_noise)
        return ir::Variable::make_noise(name);
      diags_.report(DiagKind::misplaced_noise, e.loc(), name, scope.context);
      return {};
    }
    diags_.report(DiagKind::unknown_name, e.loc(), name);
    std::vector<std::string> candidates = scope.names;
    for (const auto &u : common_units())
      candidates.push_back(u);
    diags_.suggest(name, candidates, e.loc());
    return {};
  }
  case ast::Expr::Member: {
    const auto *m = ast::dyn_cast<ast::MemberExpr>(&e);
    if (scope.member)
      return scope.member(m->object, m->member);
    if (scope.synapse) {
      diags_.report(DiagKind::neuron_read_in_synapse, e.loc(), m->object.name, m->member.name);
      return {};
    }
    diags_.report(DiagKind::misplaced_member_access, e.loc(), m->object.name, m->member.name, scope.context);
    return {};
  }
  case ast::Expr::Call:
    return call(*ast::dyn_cast<ast::CallExpr>(&e), scope);
  case ast::Expr::Unary:
    return unary(*ast::dyn_cast<ast::UnaryExpr>(&e), scope);
  case ast::Expr::Binary:
    return binary(*ast::dyn_cast<ast::BinaryExpr>(&e), scope);
  case ast::Expr::If: {
    const auto *i = ast::dyn_cast<ast::IfExpr>(&e);
    ir::Expr c = lower(*i->cond, scope), t = lower(*i->then_value, scope), f = lower(*i->else_value, scope);
    if (!need_bool(c, *i->cond, "the condition of 'if'") || !t || !f)
      return {};
    if (t->type != f->type || t->dim != f->dim) {
      diags_.report(DiagKind::if_branch_mismatch, e.loc(), t->is_bool() ? "boolean" : describe(t->dim),
                    f->is_bool() ? "boolean" : describe(f->dim));
      return {};
    }
    return ir::Select::make(c, t, f);
  }
  }
  return {};
}

ir::Expr ExprLowering::unary(const ast::UnaryExpr &u, const Scope &scope) {
  ir::Expr a = lower(*u.operand, scope);
  if (!a)
    return {};
  if (u.op == "not") {
    if (!need_bool(a, *u.operand, "the operand of 'not'"))
      return {};
    return ir::Unary::make(ir::UnaryOp::Not, a);
  }
  if (!need_real(a, *u.operand, "the operand of '" + u.op + "'"))
    return {};
  return u.op == "-" ? ir::Unary::make(ir::UnaryOp::Neg, a) : a;
}

ir::Expr ExprLowering::binary(const ast::BinaryExpr &b, const Scope &scope) {
  ir::Expr x = lower(*b.lhs, scope), y = lower(*b.rhs, scope);
  if (!x || !y)
    return {};
  const std::string &op = b.op;
  if (op == "and" || op == "or") {
    if (!need_bool(x, *b.lhs, "the left operand of '" + op + "'") ||
        !need_bool(y, *b.rhs, "the right operand of '" + op + "'"))
      return {};
    return ir::Binary::make(op == "and" ? ir::BinaryOp::And : ir::BinaryOp::Or, x, y);
  }
  if (!need_real(x, *b.lhs, "the left operand of '" + op + "'") ||
      !need_real(y, *b.rhs, "the right operand of '" + op + "'"))
    return {};
  static const std::pair<const char *, ir::BinaryOp> ops[] = {
      {"+", ir::BinaryOp::Add},  {"-", ir::BinaryOp::Sub}, {"*", ir::BinaryOp::Mul}, {"/", ir::BinaryOp::Div},
      {"**", ir::BinaryOp::Pow}, {"<", ir::BinaryOp::Lt},  {"<=", ir::BinaryOp::Le}, {">", ir::BinaryOp::Gt},
      {">=", ir::BinaryOp::Ge},  {"==", ir::BinaryOp::Eq}, {"!=", ir::BinaryOp::Ne}};
  ir::BinaryOp bop = ir::BinaryOp::Add;
  for (const auto &[text, o] : ops)
    if (op == text)
      bop = o;
  switch (bop) {
  case ir::BinaryOp::Add:
  case ir::BinaryOp::Sub:
    if (x->dim != y->dim) {
      diags_.report(bop == ir::BinaryOp::Add ? DiagKind::incompatible_addition : DiagKind::incompatible_subtraction,
                    b.loc(), describe(y->dim), describe(x->dim));
      return {};
    }
    break;
  case ir::BinaryOp::Pow: {
    if (!y->dim.dimensionless()) {
      diags_.report(DiagKind::dimensioned_exponent, b.rhs->loc(), describe(y->dim));
      return {};
    }
    if (!x->dim.dimensionless()) {
      double n = 0;
      bool ok = ir::constant_value(ir::simplify(y), n);
      if (ok && n != std::floor(n))
        ok = 2 * n == std::floor(2 * n) && std::fabs(n) <= 16 && x->dim.pow_half(static_cast<int>(2 * n));
      double largest = 0;
      for (int i = 0; i < Dimension::NumBases; ++i)
        largest = std::max(largest, std::abs(x->dim.halves(static_cast<Dimension::Base>(i))) / 2.0);
      if (!ok || std::fabs(n) > 16 || std::fabs(n) * largest > kMaxExponent) {
        diags_.report(DiagKind::non_integer_power, b.rhs->loc(), x->dim.str());
        return {};
      }
      y = ir::simplify(y);
    }
    break;
  }
  case ir::BinaryOp::Mul:
  case ir::BinaryOp::Div: {
    // Exponents are stored as small integers; a product beyond their range
    // is a user's runaway expression, not something to wrap around.
    for (int i = 0; i < Dimension::NumBases; ++i) {
      auto base = static_cast<Dimension::Base>(i);
      int e = x->dim.halves(base) + (bop == ir::BinaryOp::Mul ? 1 : -1) * y->dim.halves(base);
      if (e > 2 * kMaxExponent || e < -2 * kMaxExponent) {
        diags_.report(DiagKind::dimension_exponent_overflow, b.loc(), kMaxExponent);
        return {};
      }
    }
    break;
  }
  default: // comparisons
    if (x->dim != y->dim) {
      diags_.report(DiagKind::incompatible_comparison, b.loc(), describe(x->dim), describe(y->dim));
      return {};
    }
  }
  return ir::Binary::make(bop, x, y);
}

ir::Expr ExprLowering::expand(const ast::FunctionDecl &f, const ast::CallExpr &c, const Scope &scope) {
  const std::string &name = f.name.name;
  if (std::find(expanding_.begin(), expanding_.end(), name) != expanding_.end()) {
    diags_.report(DiagKind::recursive_function, c.callee.loc, name);
    return {};
  }
  std::string what = "function '" + name + "'";
  // Match the arguments to the parameters: positional first, then by name.
  std::vector<const ast::Expr *> given(f.params.size(), nullptr);
  bool ok = true;
  for (size_t a = 0; a < c.args.size(); ++a) {
    size_t k = a;
    if (c.args[a].name) {
      const ast::Ident &n = *c.args[a].name;
      k = f.params.size();
      for (size_t p = 0; p < f.params.size(); ++p)
        if (f.params[p].name.name == n.name)
          k = p;
      if (k == f.params.size()) {
        diags_.report(DiagKind::unknown_argument, n.loc, what, n.name);
        std::vector<std::string> names;
        for (const auto &p : f.params)
          names.push_back(p.name.name);
        diags_.suggest(n.name, names, n.loc);
        ok = false;
        continue;
      }
    } else if (a >= f.params.size()) {
      diags_.report(DiagKind::wrong_argument_count, c.loc(), what, f.params.size(), c.args.size());
      return {};
    }
    if (given[k]) {
      diags_.report(DiagKind::duplicate_argument, c.args[a].value->loc(), f.params[k].name.name);
      ok = false;
      continue;
    }
    given[k] = c.args[a].value.get();
  }
  std::map<std::string, ir::Expr> values;
  for (size_t p = 0; p < f.params.size() && ok; ++p) {
    if (!given[p] && !f.params[p].default_value) {
      diags_.report(DiagKind::missing_argument, c.loc(), what, f.params[p].name.name);
      ok = false;
    } else if (given[p]) {
      values[f.params[p].name.name] = lower(*given[p], scope);
      ok = need_real(values[f.params[p].name.name], *given[p], "an argument of " + what) && ok;
    }
  }
  if (!ok)
    return {};
  // The defaults and the body see the parameters (a default the ones before it).
  Scope inner = scope;
  inner.context = "the body of " + what;
  inner.failed = nullptr;
  inner.names.clear();
  for (const auto &p : f.params)
    inner.names.push_back(p.name.name);
  inner.lookup = [&values](const std::string &n) -> ir::Expr {
    auto found = values.find(n);
    return found == values.end() ? ir::Expr() : found->second;
  };
  unsigned errors = diags_.error_count();
  expanding_.push_back(name);
  for (size_t p = 0; p < f.params.size(); ++p)
    if (!given[p]) {
      ir::Expr v = lower(*f.params[p].default_value, inner);
      if (!need_real(v, *f.params[p].default_value, "the default of parameter '" + f.params[p].name.name + "'"))
        break;
      values[f.params[p].name.name] = v;
    }
  ir::Expr body = diags_.error_count() == errors ? lower(*f.body, inner) : ir::Expr();
  expanding_.pop_back();
  if (diags_.error_count() != errors) {
    diags_.note(DiagKind::note_in_function_call, c.callee.loc, name);
    return {};
  }
  return body;
}

const ast::FunctionDecl *ExprLowering::constant_named(const std::string &name) const {
  if (!functions_)
    return nullptr;
  auto found = functions_->find(name);
  return found != functions_->end() && found->second->constant ? found->second : nullptr;
}

ir::Expr ExprLowering::expand_constant(const ast::FunctionDecl &let, const SourceLocation &at) {
  const std::string &name = let.name.name;
  if (let.failed)
    return {};
  if (std::find(expanding_.begin(), expanding_.end(), name) != expanding_.end()) {
    std::string chain;
    for (auto it = std::find(expanding_.begin(), expanding_.end(), name); it != expanding_.end(); ++it)
      chain += *it + " -> ";
    diags_.report(DiagKind::cyclic_definition, at, "constant", name, chain + name);
    return {};
  }
  // A constant reads only numbers, units and other constants, wherever it
  // is used (not the states or parameters of the model using it).
  Scope inner = constant_scope("the value of constant '" + name + "'");
  unsigned errors = diags_.error_count();
  expanding_.push_back(name);
  ir::Expr value = lower(*let.body, inner);
  expanding_.pop_back();
  if (value && value->is_bool()) {
    diags_.report(DiagKind::expected_number, let.body->loc(), "the value of constant '" + name + "'");
    value = ir::Expr();
  }
  if (!value && diags_.error_count() != errors && !expanding_.empty())
    diags_.note(DiagKind::note_in_constant, at, name);
  return value;
}

bool ExprLowering::check_constant(const ast::FunctionDecl &let) {
  if (!let.failed && !expand_constant(let, let.name.loc))
    let.failed = true;
  return !let.failed;
}

ir::Expr ExprLowering::call(const ast::CallExpr &c, const Scope &scope) {
  const std::string &name = c.callee.name;
  if (scope.extra_call)
    if (std::optional<ir::Expr> handled = scope.extra_call(c))
      return *handled;
  if (functions_) {
    auto found = functions_->find(name);
    if (found != functions_->end() && found->second->constant) {
      diags_.report(DiagKind::constant_called, c.loc(), name);
      return {};
    }
    if (found != functions_->end())
      return expand(*found->second, c, scope);
  }
  for (const auto &a : c.args)
    if (a.name) {
      diags_.report(DiagKind::unknown_argument, a.name->loc, "function '" + name + "'", a.name->name);
      return {};
    }
  auto arity = [&](size_t n) {
    if (c.args.size() == n)
      return true;
    diags_.report(DiagKind::wrong_argument_count, c.loc(), "function '" + name + "'", n, c.args.size());
    return false;
  };
  if (name == "dc") { // a current source's (CurrentSources.cpp), handled by extra_call there
    diags_.report(DiagKind::misplaced_call, c.loc(), name, scope.context);
    return {};
  }
  if (name == "rand" || name == "randn") {
    if (!arity(0))
      return {};
    if (!scope.allow_random || !scope.random_sites) {
      diags_.report(DiagKind::misplaced_call, c.loc(), name, scope.context);
      return {};
    }
    if (*scope.random_sites >= kMaxRandomSites) {
      diags_.report(DiagKind::too_many_random_draws, c.loc(), kMaxRandomSites);
      return {};
    }
    return ir::Random::make(name == "rand" ? ir::Distribution::Uniform01 : ir::Distribution::Normal01,
                            (*scope.random_sites)++);
  }
  if (name == "stimulus") {
    if (!arity(0))
      return {};
    if (!scope.allow_stimulus) {
      diags_.report(DiagKind::misplaced_call, c.loc(), name, scope.context);
      return {};
    }
    return ir::Variable::make_stimulus();
  }
  if (name == "min" || name == "max" || name == "clip") {
    // clip(x, lo, hi) = min(max(x, lo), hi), as Brian2's and numpy's.
    if (!arity(name == "clip" ? 3 : 2))
      return {};
    std::vector<ir::Expr> xs;
    for (const auto &a : c.args) {
      xs.push_back(lower(*a.value, scope));
      if (!need_real(xs.back(), *a.value, "an argument of " + name))
        return {};
      if (xs.back()->dim != xs[0]->dim) {
        diags_.report(DiagKind::argument_dimension_mismatch, c.loc(), name, describe(xs[0]->dim),
                      describe(xs.back()->dim));
        return {};
      }
    }
    if (name == "clip")
      return ir::Binary::make(ir::BinaryOp::Min, ir::Binary::make(ir::BinaryOp::Max, xs[0], xs[1]), xs[2]);
    return ir::Binary::make(name == "min" ? ir::BinaryOp::Min : ir::BinaryOp::Max, xs[0], xs[1]);
  }
  if (name == "exprel") {
    // (exp(x) - 1) / x, and 1 at 0 (Brian2's exprel): Hodgkin-Huxley rate
    // functions written with it have no 0/0 at the removable singularity.
    if (!arity(1))
      return {};
    ir::Expr x = lower(*c.args[0].value, scope);
    if (!need_real(x, *c.args[0].value, "the argument of exprel"))
      return {};
    if (!x->dim.dimensionless()) {
      diags_.report(DiagKind::dimensioned_argument, c.args[0].value->loc(), name, describe(x->dim));
      return {};
    }
    return ir::exprel(x);
  }
  if (auto fn = unary_function(name)) {
    if (!arity(1))
      return {};
    ir::Expr x = lower(*c.args[0].value, scope);
    if (!need_real(x, *c.args[0].value, "the argument of " + name))
      return {};
    if (*fn == ir::Function::Sqrt && !x->dim.sqrt()) {
      diags_.report(DiagKind::odd_square_root, c.args[0].value->loc(), x->dim.str());
      return {};
    }
    bool keeps = *fn == ir::Function::Sqrt || *fn == ir::Function::Abs || *fn == ir::Function::Floor ||
                 *fn == ir::Function::Ceil;
    if (!keeps && !x->dim.dimensionless()) {
      diags_.report(DiagKind::dimensioned_argument, c.args[0].value->loc(), name, describe(x->dim));
      return {};
    }
    return ir::Call::make(*fn, x);
  }
  diags_.report(DiagKind::unknown_function, c.callee.loc, name);
  std::vector<std::string> known = kFunctions;
  if (functions_)
    for (const auto &[n, f] : *functions_)
      known.push_back(n);
  diags_.suggest(name, known, c.callee.loc);
  return {};
}

std::optional<double> ExprLowering::constant(const ast::Expr &e, const std::string &what,
                                             std::optional<Dimension> dim) {
  ir::Expr x = lower(e, constant_scope(what));
  if (!x)
    return std::nullopt;
  if (dim && !expect_dimension(x, *dim, what, e.loc()))
    return std::nullopt;
  if (!dim && !need_real(x, e, what))
    return std::nullopt;
  x = ir::simplify(x);
  double v = 0;
  if (!ir::constant_value(x, v)) {
    diags_.report(DiagKind::non_constant_value, e.loc(), what);
    return std::nullopt;
  }
  if (!std::isfinite(v)) {
    diags_.report(DiagKind::non_finite_value, e.loc(), what);
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> ExprLowering::integer(const ast::Expr &e, const std::string &what, uint64_t min, uint64_t max) {
  auto v = constant(e, what, Dimension());
  if (!v)
    return std::nullopt;
  if (*v != std::floor(*v) || *v < static_cast<double>(min) || *v > static_cast<double>(max)) {
    diags_.report(DiagKind::integer_out_of_range, e.loc(), what, min, max, ir::format_real(*v));
    return std::nullopt;
  }
  return static_cast<uint64_t>(*v);
}

void warn_unused_parameters(const std::vector<ast::ParamDecl> &declared, const std::vector<ir::Expr> &uses,
                            const std::string &model, const std::set<std::string> &failed, diag::Diagnostics &diags) {
  std::set<std::string> used;
  for (const ir::Expr &e : uses)
    if (e)
      ir::mentions(e, [&](const ir::Variable &v) {
        if (v.var_kind == ir::VarKind::Param)
          used.insert(v.name);
        return false;
      });
  for (const auto &p : declared)
    if (!used.count(p.name.name) && !failed.count(p.name.name))
      diags.report(diag::DiagKind::unused_parameter, p.name.loc, p.name.name, model);
}

void report_unknown_state(const ast::Ident &name, const std::string &model, const std::vector<ir::StateVar> &states,
                          diag::Diagnostics &diags) {
  diags.report(diag::DiagKind::unknown_variable, name.loc, model, "state", name.name);
  std::vector<std::string> names;
  for (const auto &st : states)
    names.push_back(st.name);
  diags.suggest(name.name, names, name.loc);
}

} // namespace snn::frontend
