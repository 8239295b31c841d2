//===- ir/Printer.cpp - Deterministic textual form of the IR --------------===//
#include "ir/Printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <sstream>
#include <unordered_map>

namespace snn::ir {

std::string format_real(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

namespace {

// Binding strength: larger binds tighter.
int precedence(const Expr &e) {
  if (const auto *b = e.as<Binary>()) {
    switch (b->op) {
    case BinaryOp::Or:
      return 1;
    case BinaryOp::And:
      return 2;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      return 4;
    case BinaryOp::Add:
    case BinaryOp::Sub:
      return 5;
    case BinaryOp::Mul:
    case BinaryOp::Div:
      return 6;
    case BinaryOp::Pow:
      return 8;
    case BinaryOp::Min:
    case BinaryOp::Max:
      return 10;
    }
  }
  if (const auto *u = e.as<Unary>())
    return u->op == UnaryOp::Not ? 3 : 7;
  if (const auto *c = e.as<Constant>())
    return (!c->is_bool() && (c->value < 0 || !c->dim.dimensionless())) ? 7 : 10;
  return 10;
}

/// Names given to shared subexpressions (`%0`, `%1`, ...), printed once as
/// `let` lines; without them a shared DAG (e.g. from RK4) prints
/// exponentially large.
using SharedNames = std::unordered_map<const ExprNode *, std::string>;

void print(std::ostream &os, const Expr &e, const SharedNames *names = nullptr);
void print_node(std::ostream &os, const Expr &e, const SharedNames *names);

bool is_named(const Expr &e, const SharedNames *names) { return names && names->count(e.get()); }

void print_operand(std::ostream &os, const Expr &e, int min_prec, const SharedNames *names) {
  if (!is_named(e, names) && precedence(e) < min_prec) {
    os << '(';
    print(os, e, names);
    os << ')';
  } else {
    print(os, e, names);
  }
}

void print(std::ostream &os, const Expr &e, const SharedNames *names) {
  if (is_named(e, names))
    os << names->at(e.get());
  else
    print_node(os, e, names);
}

void print_node(std::ostream &os, const Expr &e, const SharedNames *names) {
  switch (e->kind) {
  case ExprKind::Constant: {
    const auto *c = e.as<Constant>();
    if (c->is_bool()) {
      os << (c->value != 0 ? "true" : "false");
    } else {
      os << format_real(c->value);
      if (!c->dim.dimensionless())
        os << '[' << c->dim.str() << ']';
    }
    return;
  }
  case ExprKind::Variable: {
    const auto *v = e.as<Variable>();
    if (v->var_kind == VarKind::Stimulus)
      os << "stimulus()";
    else
      os << v->name;
    return;
  }
  case ExprKind::Unary: {
    const auto *u = e.as<Unary>();
    os << (u->op == UnaryOp::Neg ? "-" : "not ");
    print_operand(os, u->a, precedence(e) + (u->op == UnaryOp::Neg ? 1 : 0), names);
    return;
  }
  case ExprKind::Binary: {
    const auto *b = e.as<Binary>();
    if (b->op == BinaryOp::Min || b->op == BinaryOp::Max) {
      os << name_of(b->op) << '(';
      print(os, b->a, names);
      os << ", ";
      print(os, b->b, names);
      os << ')';
      return;
    }
    int p = precedence(e);
    bool right_assoc = b->op == BinaryOp::Pow;
    bool nonassoc = is_comparison(b->op);
    print_operand(os, b->a, right_assoc || nonassoc ? p + 1 : p, names);
    os << ' ' << name_of(b->op) << ' ';
    print_operand(os, b->b, right_assoc ? p : p + 1, names);
    return;
  }
  case ExprKind::Select: {
    const auto *s = e.as<Select>();
    os << "select(";
    print(os, s->cond, names);
    os << ", ";
    print(os, s->t, names);
    os << ", ";
    print(os, s->f, names);
    os << ')';
    return;
  }
  case ExprKind::Call: {
    const auto *c = e.as<Call>();
    os << name_of(c->fn) << '(';
    print(os, c->arg, names);
    os << ')';
    return;
  }
  case ExprKind::Random: {
    const auto *r = e.as<Random>();
    os << (r->dist == Distribution::Uniform01 ? "rand" : "randn") << '#' << r->site << "()";
    return;
  }
  }
}

void print_assignments(std::ostream &os, const char *label, const std::vector<Assignment> &as, const char *indent,
                       const SharedNames *names = nullptr) {
  for (const auto &a : as) {
    os << indent << label << ' ' << a.state << " = ";
    print(os, a.value, names);
    os << '\n';
  }
}

/// Names the non-trivial subexpressions that `roots` reach more than once,
/// in an order where each name is defined before it is used.
SharedNames share(const std::vector<Expr> &roots, std::vector<Expr> &order) {
  std::unordered_map<const ExprNode *, int> refs, size;
  std::function<int(const Expr &)> visit = [&](const Expr &e) -> int {
    auto it = size.find(e.get());
    if (it != size.end())
      return it->second;
    int n = 1;
    auto child = [&](const Expr &c) {
      ++refs[c.get()];
      n += visit(c);
    };
    if (const auto *u = e.as<Unary>())
      child(u->a);
    else if (const auto *b = e.as<Binary>())
      child(b->a), child(b->b);
    else if (const auto *sel = e.as<Select>())
      child(sel->cond), child(sel->t), child(sel->f);
    else if (const auto *c = e.as<Call>())
      child(c->arg);
    n = std::min(n, 1 << 20);
    size[e.get()] = n;
    order.push_back(e); // children first
    return n;
  };
  for (const auto &r : roots)
    if (r) {
      ++refs[r.get()];
      visit(r);
    }
  SharedNames names;
  std::vector<Expr> kept;
  for (const auto &e : order)
    if (refs[e.get()] > 1 && size[e.get()] >= 4) {
      names.emplace(e.get(), "%" + std::to_string(names.size()));
      kept.push_back(e);
    }
  order = std::move(kept);
  return names;
}

void print_model(std::ostream &os, const NeuronModel &m) {
  os << "neuron " << m.name << " {\n";
  for (const auto &p : m.params) {
    os << "  param " << p.name << " : " << p.dim.str() << " = ";
    print(os, p.value);
    os << '\n';
  }
  for (const auto &s : m.states) {
    os << "  state " << s.name << " : " << (s.type == ScalarType::Int ? "int" : s.dim.str()) << " = ";
    print(os, s.initial);
    os << (s.frozen_when_refractory ? "  unless refractory" : "") << (s.hidden ? "  (hidden)\n" : "\n");
  }
  for (const auto &i : m.inputs)
    os << "  input " << i.name << " : " << i.dim.str() << '\n';
  if (!m.discretized) {
    os << "  method " << name_of(m.method) << '\n';
    if (m.refractory_period) {
      os << "  refractory ";
      print(os, m.refractory_period);
      os << '\n';
    }
    for (const auto &o : m.odes) {
      os << "  ode d" << o.state << "/dt = ";
      print(os, o.rhs);
      os << (o.frozen_when_refractory ? "  unless refractory\n" : "\n");
    }
  } else {
    os << "  discretized with " << name_of(m.method_used) << '\n';
    if (!m.refractory_counter.empty())
      os << "  refractory while " << m.refractory_counter << " > 0\n";
    std::vector<Expr> roots, order;
    for (const auto &a : m.update)
      roots.push_back(a.value);
    SharedNames names = share(roots, order);
    for (const auto &e : order) {
      os << "  let " << names.at(e.get()) << " = ";
      print_node(os, e, &names);
      os << '\n';
    }
    print_assignments(os, "update", m.update, "  ", &names);
  }
  if (m.spike_condition) {
    os << "  spike when ";
    print(os, m.spike_condition);
    os << '\n';
  }
  print_assignments(os, "reset", m.reset, "  ");
  if (m.surrogate) {
    os << "  surrogate = ";
    print(os, m.surrogate);
    os << '\n';
  }
  os << "}\n";
}

} // namespace

std::string to_string(const Expr &e) {
  std::ostringstream os;
  if (e)
    print(os, e);
  else
    os << "<null>";
  return os.str();
}

std::string to_string(const Module &m) {
  std::ostringstream os;
  for (const auto &model : m.models)
    print_model(os, model);
  const Network &n = m.network;
  os << "network " << n.name << " {\n";
  for (const auto &p : n.populations) {
    os << "  population " << p.name << " = " << p.model << " x " << p.size;
    for (const auto &[name, value] : p.overrides)
      os << ", " << name << " = " << to_string(value);
    os << '\n';
    print_assignments(os, "init", p.inits, "    ");
  }
  for (const auto &pr : n.projections) {
    os << "  projection " << pr.pre << " -> " << pr.post << '.' << pr.target << " ("
       << (pr.target_kind == TargetKind::Input ? "input" : "state") << ") : " << name_of(pr.connectivity);
    if (pr.connectivity == ConnectivityKind::FixedProbability)
      os << '(' << format_real(pr.probability) << ", autapses: " << (pr.autapses ? "true" : "false") << ')';
    const WeightInit &w = pr.weight;
    os << ", weight ";
    switch (w.dist) {
    case WeightDistribution::Constant:
      os << format_real(w.a);
      break;
    case WeightDistribution::Uniform:
      os << "~ uniform(" << format_real(w.a) << ", " << format_real(w.b) << ')';
      break;
    case WeightDistribution::Normal:
      os << "~ normal(" << format_real(w.a) << ", " << format_real(w.b) << ')';
      break;
    }
    os << " [" << w.dim.str() << "]\n";
  }
  os << "}\n";
  if (m.has_regime) {
    const Regime &r = m.regime;
    os << "simulate " << r.network << " {\n  dt = " << format_real(r.dt)
       << " [s]\n  duration = " << format_real(r.duration) << " [s]\n  seed = " << r.seed << '\n';
    if (r.batch != 1)
      os << "  batch = " << r.batch << '\n';
    for (const auto &s : r.stimuli)
      os << "  input " << s.population << " = spike_times(\"" << s.path << "\")\n";
    for (const auto &rec : r.records) {
      os << "  record ";
      if (rec.kind == RecordKind::Spikes)
        os << "spikes(" << rec.population;
      else
        os << rec.population << '.' << rec.variable << '(';
      os << '[' << rec.begin << ':' << rec.end << ':' << rec.stride << "])";
      if (!rec.file.empty())
        os << " to \"" << rec.file << '"';
      os << '\n';
    }
    os << "}\n";
  }
  return os.str();
}

} // namespace snn::ir
