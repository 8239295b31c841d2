//===- ir/Printer.cpp - Deterministic textual form of the IR --------------===//
#include "ir/Printer.h"

#include "ir/ExprVisitor.h"

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

/// Binding strength: larger binds tighter.
class Precedence : public ExprVisitor<Precedence, int> {
public:
  int visitBinary(const Binary &b, const Expr &) {
    switch (b.op) {
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
    return 10;
  }
  int visitUnary(const Unary &u, const Expr &) { return u.op == UnaryOp::Not ? 3 : 7; }
  /// A negative or dimensioned literal prints as `-x` or `x[V]`: bracket it as a negation.
  int visitConstant(const Constant &c, const Expr &) {
    return (!c.is_bool() && (c.value < 0 || !c.dim.dimensionless())) ? 7 : 10;
  }
  /// Variables, calls, select and random draws are atoms.
  int visitExpr(const Expr &) { return 10; }
};

int precedence(const Expr &e) { return Precedence().visit(e); }

/// Names given to shared subexpressions (`%0`, `%1`, ...), printed once as
/// `let` lines; without them a shared DAG (e.g. from RK4) prints
/// exponentially large.
using SharedNames = std::unordered_map<const ExprNode *, std::string>;

/// Prints expressions with minimal parentheses; a node in `names` prints as
/// its name, except the node `print_node` is asked for (its `let` line).
class ExprPrinter : public ExprVisitor<ExprPrinter> {
public:
  ExprPrinter(std::ostream &os, const SharedNames *names) : os_(os), names_(names) {}

  void print(const Expr &e) {
    if (is_named(e))
      os_ << names_->at(e.get());
    else
      visit(e);
  }

  void print_node(const Expr &e) { visit(e); }

  void visitConstant(const Constant &c, const Expr &) {
    if (c.is_bool()) {
      os_ << (c.value != 0 ? "true" : "false");
      return;
    }
    os_ << format_real(c.value);
    if (!c.dim.dimensionless())
      os_ << '[' << c.dim.str() << ']';
  }

  void visitVariable(const Variable &v, const Expr &) {
    if (v.var_kind == VarKind::Stimulus)
      os_ << "stimulus()";
    else if (v.var_kind == VarKind::LastSpike)
      os_ << "last_spike()";
    else
      os_ << v.name;
  }

  void visitUnary(const Unary &u, const Expr &e) {
    os_ << (u.op == UnaryOp::Neg ? "-" : "not ");
    operand(u.a, precedence(e) + (u.op == UnaryOp::Neg ? 1 : 0));
  }

  void visitBinary(const Binary &b, const Expr &e) {
    if (b.op == BinaryOp::Min || b.op == BinaryOp::Max) {
      os_ << name_of(b.op) << '(';
      print(b.a);
      os_ << ", ";
      print(b.b);
      os_ << ')';
      return;
    }
    int p = precedence(e);
    bool right_assoc = b.op == BinaryOp::Pow;
    bool nonassoc = is_comparison(b.op);
    operand(b.a, right_assoc || nonassoc ? p + 1 : p);
    os_ << ' ' << name_of(b.op) << ' ';
    operand(b.b, right_assoc ? p : p + 1);
  }

  void visitSelect(const Select &s, const Expr &) {
    os_ << "select(";
    print(s.cond);
    os_ << ", ";
    print(s.t);
    os_ << ", ";
    print(s.f);
    os_ << ')';
  }

  void visitCall(const Call &c, const Expr &) {
    os_ << name_of(c.fn) << '(';
    print(c.arg);
    os_ << ')';
  }

  void visitRandom(const Random &r, const Expr &) {
    os_ << (r.dist == Distribution::Uniform01 ? "rand" : "randn") << '#' << r.site << "()";
  }

  void visitExpr(const Expr &) { internal_check(false, "the printer does not know this node kind"); }

private:
  bool is_named(const Expr &e) const { return names_ && names_->count(e.get()); }

  void operand(const Expr &e, int min_prec) {
    if (!is_named(e) && precedence(e) < min_prec) {
      os_ << '(';
      print(e);
      os_ << ')';
    } else {
      print(e);
    }
  }

  std::ostream &os_;
  const SharedNames *names_;
};

void print(std::ostream &os, const Expr &e, const SharedNames *names = nullptr) { ExprPrinter(os, names).print(e); }

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
    for_each_child(e, [&](const Expr &c) {
      ++refs[c.get()];
      n += visit(c);
    });
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

void print_lets(std::ostream &os, const SharedNames &names, const std::vector<Expr> &order) {
  for (const auto &e : order) {
    os << "  let " << names.at(e.get()) << " = ";
    ExprPrinter(os, &names).print_node(e);
    os << '\n';
  }
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
    os << (s.frozen_when_refractory ? "  unless refractory" : "")
       << (s.parameter ? "  (parameter)\n"
           : s.hidden  ? "  (hidden)\n"
                       : "\n");
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
    if (m.refractory_condition) {
      os << "  refractory condition ";
      print(os, m.refractory_condition);
      os << '\n';
    }
    // A subexpression the frontend shares (exprel's argument, a named
    // subexpression used twice) stays one node when read back.
    std::vector<Expr> roots, order;
    for (const auto &o : m.odes)
      roots.push_back(o.rhs);
    SharedNames names = share(roots, order);
    print_lets(os, names, order);
    for (const auto &o : m.odes) {
      os << "  ode d" << o.state << "/dt = ";
      ExprPrinter(os, &names).print(o.rhs);
      os << (o.frozen_when_refractory ? "  unless refractory\n" : "\n");
    }
    print_assignments(os, "drive", m.drives, "  ");
  } else {
    os << "  discretized with " << name_of(m.method_used) << '\n';
    if (!m.refractory_counter.empty())
      os << "  refractory while " << m.refractory_counter << " > 0\n";
    std::vector<Expr> roots, order;
    for (const auto &a : m.update)
      roots.push_back(a.value);
    SharedNames names = share(roots, order);
    print_lets(os, names, order);
    print_assignments(os, "update", m.update, "  ", &names);
  }
  if (m.spike_condition) {
    os << "  spike when ";
    print(os, m.spike_condition);
    os << '\n';
  }
  if (m.reset_next_step)
    os << "  on spike next step\n";
  print_assignments(os, "reset", m.reset, "  ");
  if (m.surrogate) {
    os << "  surrogate = ";
    print(os, m.surrogate);
    os << '\n';
  }
  os << "}\n";
}

void print_data(std::ostream &os, const char *which, const DataSource &d) {
  if (!d.present())
    return;
  os << "  data " << which << " = ";
  if (d.encoder == EncoderKind::Events) {
    os << "events(\"" << d.path << "\")\n";
    return;
  }
  os << "dense(\"" << d.path << '"';
  if (!d.labels_path.empty())
    os << ", labels: \"" << d.labels_path << '"';
  os << ", encode: " << name_of(d.encoder) << "(max: " << format_real(d.max_value);
  if (d.encoder == EncoderKind::Poisson)
    os << ", rate: " << format_real(d.max_rate) << " [Hz]";
  os << "))\n";
}

/// What the eprop pass derived, as `//` comments (the reader skips them; the
/// pass derives it again from the models): per trained projection, each
/// eligibility vector's recursion and the trace it feeds.
void print_derivation(std::ostream &os, const Module &m, const Training &t) {
  if (!t.derived)
    return;
  os << "// eprop: readout decay kappa = " << format_real(t.readout_decay) << ", input gain "
     << format_real(t.readout_gain) << " (" << t.readout << '.' << t.readout_input << ")\n";
  for (const TrainedProjection &tp : t.trained) {
    const Projection &p = m.network.projections[tp.projection];
    os << "// eprop: " << p.pre << " -> " << p.post << '.' << p.target
       << (tp.readout ? " (readout, exact)" : " (hidden)");
    if (tp.feedback_projection >= 0)
      os << ", symmetric feedback through " << p.post << " -> " << m.network.projections[tp.feedback_projection].post;
    os << '\n';
    for (size_t k = 0; k < tp.traces.size(); ++k) {
      const EligibilityTrace &e = tp.traces[k];
      os << "//   eps_" << e.state << (e.per_pre ? " (per presynaptic neuron)" : " (per synapse)") << "' = ";
      for (size_t j = 0; j < tp.traces.size(); ++j) {
        double c = 0;
        if (constant_value(e.jacobian[j], c) && c == 0)
          continue;
        os << to_string(e.jacobian[j]) << " * eps_" << tp.traces[j].state << " + ";
      }
      os << to_string(e.input_gain) << " * z_pre\n";
    }
    os << "//   e = ";
    for (size_t k = 0; k < tp.traces.size(); ++k)
      os << (k ? " + " : "") << to_string(tp.traces[k].output_gain) << " * eps_" << tp.traces[k].state;
    os << (tp.readout ? "\n" : "; filtered by kappa, times the learning signal\n");
  }
}

/// `record ...` lines, in the form the reader reads back.
void print_records(std::ostream &os, const std::vector<Record> &records) {
  for (const auto &rec : records) {
    os << "  record ";
    if (rec.kind == RecordKind::State)
      os << rec.population << '.' << rec.variable << '(';
    else
      os << (rec.kind == RecordKind::Spikes ? "spikes(" : "rate(") << rec.population;
    if (rec.indices.empty()) {
      os << '[' << rec.begin << ':' << rec.end << ':' << rec.stride << "])";
    } else {
      for (size_t k = 0; k < rec.indices.size(); ++k)
        os << (k ? ", " : "[") << rec.indices[k];
      os << "])";
    }
    if (rec.interval != 1)
      os << " every " << rec.interval;
    if (!rec.file.empty())
      os << " to \"" << rec.file << '"';
    if (rec.example >= 0)
      os << " on example " << rec.example;
    os << '\n';
  }
}

/// A train regime: every field of Training but what the eprop pass derives.
void print_training(std::ostream &os, const Regime &r, const Training &t) {
  os << "train " << r.network << " with " << (t.bptt ? "bptt" : "eprop") << " {\n  dt = " << format_real(r.dt)
     << " [s]\n  duration = " << format_real(r.duration) << " [s]\n  seed = " << r.seed << "\n  batch = " << r.batch
     << '\n';
  print_data(os, "train", t.train);
  print_data(os, "test", t.test);
  os << "  test_split = " << format_real(t.test_split) << "\n  validation_split = " << format_real(t.validation_split)
     << "\n  timesteps = " << t.timesteps << "\n  epochs = " << t.epochs << "\n  input = " << t.input
     << "\n  readout = ";
  std::string target = t.readout + (t.readout_variable.empty() ? "" : "." + t.readout_variable);
  switch (t.readout_kind) {
  case ReadoutKind::PerStep:
    os << target;
    break;
  case ReadoutKind::LastSteps:
    os << "last(" << target << ", steps: " << t.last_steps << ')';
    break;
  default:
    os << name_of(t.readout_kind) << '(' << target << ')';
    break;
  }
  os << "\n  readout_bias = " << (t.readout_bias ? "true" : "false") << "\n  loss = " << name_of(t.loss) << "\n";
  os << to_string(t.workflow, "  ");
  print_records(os, r.records);
  os << "  feedback = " << name_of(t.feedback)
     << "\n  differentiate_reset = " << (t.differentiate_reset ? "true" : "false") << "\n}\n";
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

/// The weight clause after `weight `: `load(...)`, a constant or `~ DISTRIBUTION`.
static void print_weight(std::ostream &os, const WeightInit &w, const WeightOrigin &origin) {
  if (!origin.file.empty()) {
    os << "load(\"" << origin.file << '"';
    if (!origin.array.empty())
      os << ", name: \"" << origin.array << '"';
    if (origin.layout != WeightLayout::Default)
      os << ", layout: \"" << name_of(origin.layout) << '"';
    os << ')';
    return;
  }
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
}

/// `synapse NAME { ... }`: parameters, states (the weight marked), ODEs,
/// and one line per event statement, `on pre post.ge += w` or
/// `on post w = ...` (values read the states at the block's start).
void print_synapse(std::ostream &os, const SynapseModel &m) {
  os << "synapse " << m.name << " {\n";
  for (const auto &p : m.params) {
    os << "  param " << p.name << " : " << p.dim.str() << " = ";
    print(os, p.value);
    os << '\n';
  }
  for (const auto &s : m.states) {
    os << "  state " << s.name << " : " << s.dim.str();
    if (s.name == m.weight) {
      os << " (weight)\n";
      continue;
    }
    os << " = ";
    print(os, s.initial);
    os << '\n';
  }
  for (const auto &o : m.odes) {
    os << "  ode d" << o.state << "/dt = ";
    print(os, o.rhs);
    os << '\n';
  }
  // The post block, one `post ...` line per declaration.
  for (const auto &r : m.post.reads)
    os << "  post read " << r.name << " : " << r.dim.str() << '\n';
  for (const auto &s : m.post.states) {
    os << "  post state " << s.name << " : " << s.dim.str() << " = ";
    print(os, s.initial);
    os << '\n';
  }
  for (const auto &o : m.post.odes) {
    os << "  post ode d" << o.state << "/dt = ";
    print(os, o.rhs);
    os << '\n';
  }
  if (m.post.present()) {
    os << "  post output = ";
    print(os, m.post.output);
    os << '\n';
  }
  for (const char *pathway : {"pre", "post"})
    for (const SynapseStatement &s : std::string(pathway) == "pre" ? m.on_pre : m.on_post) {
      os << "  on " << pathway << ' '
         << (s.kind == SynapseStatement::Kind::Post ? "post." + s.target + " += " : s.target + " = ");
      print(os, s.value);
      os << '\n';
    }
  os << "}\n";
}

std::string to_string(const Module &m) {
  std::ostringstream os;
  for (const auto &model : m.models)
    print_model(os, model);
  for (const auto &synapse : m.synapses)
    print_synapse(os, synapse);
  const Network &n = m.network;
  for (const std::string &note : n.notes)
    os << "// " << note << "\n";
  os << "network " << n.name << " {\n";
  for (const auto &p : n.populations) {
    os << "  population " << p.name << " = " << p.model << " x "
       << (p.shape.present() ? p.shape.str() : std::to_string(p.size));
    for (const auto &[name, value] : p.overrides)
      os << ", " << name << " = " << to_string(value);
    os << '\n';
    print_assignments(os, "init", p.inits, "    ");
    print_assignments(os, "drive", p.drives, "    ");
    for (const auto &l : p.loads)
      os << "    load " << l.state << " from \"" << l.file << '"'
         << (l.array.empty() ? std::string() : " array \"" + l.array + '"') << '\n';
  }
  for (const auto &pr : n.projections) {
    os << "  projection " << pr.pre << " -> " << pr.post << '.' << pr.target << " (" << name_of(pr.target_kind)
       << ") : " << name_of(pr.connectivity);
    if (pr.connectivity == ConnectivityKind::FixedProbability)
      os << '(' << format_real(pr.probability) << ", autapses: " << (pr.autapses ? "true" : "false") << ')';
    else if (pr.connectivity == ConnectivityKind::FromList)
      for (int side = 0; side < 2; ++side) {
        os << (side == 0 ? "(pre: [" : ", post: [");
        for (size_t k = 0; k < pr.pairs.size(); ++k)
          os << (k ? ", " : "") << (side == 0 ? pr.pairs[k].first : pr.pairs[k].second);
        os << (side == 0 ? "]" : "])");
      }
    else if (pr.connectivity == ConnectivityKind::Conv2D || pr.connectivity == ConnectivityKind::AvgPool2D)
      os << '(' << pr.window.height << 'x' << pr.window.width << ", stride: " << pr.window.stride_y << 'x'
         << pr.window.stride_x << ", padding: " << pr.window.pad_y << 'x' << pr.window.pad_x << ')';
    else if (pr.connectivity != ConnectivityKind::Dense && pr.connectivity != ConnectivityKind::OneToOne)
      os << '(' << pr.count << ", autapses: " << (pr.autapses ? "true" : "false") << ')';
    const WeightInit &w = pr.weight;
    os << ", weight ";
    print_weight(os, w, pr.weight_origin);
    os << " [" << w.dim.str() << "]";
    const WeightOrigin &origin = pr.weight_origin;
    if (!origin.initializer.empty()) {
      os << " from " << origin.initializer << '(';
      for (size_t k = 0; k < origin.initializer_args.size(); ++k)
        os << (k ? ", " : "") << origin.initializer_args[k].first << ": "
           << format_real(origin.initializer_args[k].second);
      os << ')';
    }
    if (pr.delay_range)
      os << ", delay ~ uniform(" << format_real(pr.delay_range->lo) << ", " << format_real(pr.delay_range->hi)
         << ") [steps]";
    else if (pr.delay_steps != 1)
      os << ", delay " << pr.delay_steps;
    if (!pr.synapse.empty()) {
      os << ", synapse " << pr.synapse;
      for (const auto &[name, value] : pr.synapse_overrides)
        os << ", " << name << " = " << to_string(value);
    }
    if (pr.frozen)
      os << ", frozen";
    if (pr.storage != SynapseStorage::Auto)
      os << ", storage " << name_of(pr.storage);
    os << '\n';
  }
  os << "}\n";
  if (m.has_regime && m.regime.training) {
    print_training(os, m.regime, *m.regime.training);
    print_derivation(os, m, *m.regime.training);
  } else if (m.has_regime) {
    const Regime &r = m.regime;
    os << "simulate " << r.network << " {\n  dt = " << format_real(r.dt)
       << " [s]\n  duration = " << format_real(r.duration) << " [s]\n  seed = " << r.seed << '\n';
    if (r.batch != 1)
      os << "  batch = " << r.batch << '\n';
    for (const auto &s : r.stimuli)
      os << "  input " << s.population << " = spike_times(\"" << s.path << "\")\n";
    print_records(os, r.records);
    os << "}\n";
  }
  return os.str();
}

} // namespace snn::ir
