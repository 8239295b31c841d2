//===- frontend/AST.cpp - Printing the AST --------------------------------===//
#include "frontend/AST.h"

#include "ir/Printer.h"

#include <sstream>

namespace snn::ast {

std::string ShapeExpr::text() const {
  std::string out;
  for (size_t i = 0; i < dims.size(); ++i)
    out += (i ? "x" : "") + std::to_string(dims[i]);
  return out;
}

namespace {

class Dumper {
public:
  std::string str() const { return os_.str(); }

  void expr(const Expr &e, int depth) {
    indent(depth);
    switch (e.kind()) {
    case Expr::Number:
      os_ << "Number " << ir::format_real(dyn_cast<NumberExpr>(&e)->value);
      break;
    case Expr::Quantity: {
      const auto *q = dyn_cast<QuantityExpr>(&e);
      os_ << "Quantity " << ir::format_real(q->value) << ' ' << q->unit;
      break;
    }
    case Expr::Name:
      os_ << "Name " << dyn_cast<NameExpr>(&e)->name;
      break;
    case Expr::Member: {
      const auto *m = dyn_cast<MemberExpr>(&e);
      os_ << "Member " << m->object.name << '.' << m->member.name;
      break;
    }
    case Expr::String:
      os_ << "String \"" << dyn_cast<StringExpr>(&e)->value << '"';
      break;
    case Expr::Shape:
      os_ << "Shape " << dyn_cast<ShapeExpr>(&e)->text();
      break;
    case Expr::Bool:
      os_ << "Bool " << (dyn_cast<BoolExpr>(&e)->value ? "true" : "false");
      break;
    case Expr::Call: {
      const auto *c = dyn_cast<CallExpr>(&e);
      os_ << "Call " << c->callee.name;
      at(e.loc());
      args(c->args, depth + 1);
      return;
    }
    case Expr::Unary: {
      const auto *u = dyn_cast<UnaryExpr>(&e);
      os_ << "Unary " << u->op;
      at(e.loc());
      expr(*u->operand, depth + 1);
      return;
    }
    case Expr::Binary: {
      const auto *b = dyn_cast<BinaryExpr>(&e);
      os_ << "Binary " << b->op;
      at(e.loc());
      expr(*b->lhs, depth + 1);
      expr(*b->rhs, depth + 1);
      return;
    }
    case Expr::List:
      os_ << "List";
      at(e.loc());
      for (const auto &item : dyn_cast<ListExpr>(&e)->items)
        expr(*item, depth + 1);
      return;
    case Expr::If: {
      const auto *i = dyn_cast<IfExpr>(&e);
      os_ << "If";
      at(e.loc());
      expr(*i->cond, depth + 1);
      expr(*i->then_value, depth + 1);
      expr(*i->else_value, depth + 1);
      return;
    }
    }
    at(e.loc());
  }

  void args(const std::vector<Arg> &as, int depth) {
    for (const auto &a : as) {
      if (a.name) {
        indent(depth);
        os_ << "Arg " << a.name->name;
        at(a.name->loc);
        expr(*a.value, depth + 1);
      } else {
        expr(*a.value, depth);
      }
    }
  }

  void line(int depth, const std::string &text, const Loc &loc) {
    indent(depth);
    os_ << text;
    at(loc);
  }

  void opt_expr(const ExprPtr &e, int depth) {
    if (e)
      expr(*e, depth);
  }

private:
  // Past kMaxIndent levels the depth is written as a number: indenting a
  // chain of 10^5 additions would print gigabytes of spaces.
  static constexpr int kMaxIndent = 40;
  void indent(int depth) {
    for (int i = 0; i < depth && i < kMaxIndent; ++i)
      os_ << "  ";
    if (depth > kMaxIndent)
      os_ << '[' << depth << "] ";
  }
  void at(const Loc &l) { os_ << " <" << l.line << ':' << l.column << ">\n"; }

  std::ostringstream os_;
};

} // namespace

std::string dump(const Expr &e) {
  Dumper d;
  d.expr(e, 0);
  return d.str();
}

std::string dump(const File &f) {
  Dumper d;
  d.line(0, "File " + f.name, Loc{f.name, 1, 1, 1});
  for (const auto &imp : f.imports) {
    std::string path;
    for (const auto &p : imp.module_path)
      path += (path.empty() ? "" : ".") + p.name;
    std::string names;
    for (const auto &n : imp.names)
      names += (names.empty() ? "" : ", ") + n.name;
    d.line(1, "Import " + path + " {" + names + "}", imp.loc);
  }
  for (const auto &n : f.neurons) {
    d.line(1, "Neuron " + n.name.name, n.name.loc);
    for (const auto &p : n.params) {
      d.line(2, "Param " + p.name.name, p.name.loc);
      d.opt_expr(p.unit, 3);
      d.opt_expr(p.value, 3);
    }
    for (const auto &s : n.states) {
      d.line(2, "State " + s.name.name, s.name.loc);
      d.expr(*s.initial, 3);
    }
    for (const auto &i : n.inputs) {
      d.line(2, "Input " + i.name.name, i.name.loc);
      d.opt_expr(i.unit, 3);
    }
    for (const auto &o : n.odes) {
      d.line(2, "Ode d" + o.state.name + "/dt" + (o.unless ? " unless " + o.unless->name : ""), o.lhs_loc);
      d.expr(*o.rhs, 3);
    }
    if (n.spike_condition) {
      d.line(2, "Spike", n.spike_loc);
      d.expr(*n.spike_condition, 3);
    }
    if (n.has_reset) {
      d.line(2, n.reset_next_step ? "OnSpikeNextStep" : "OnSpike", n.reset_loc);
      for (const auto &a : n.reset) {
        d.line(3, "Assign " + a.target.name + " " + a.op, a.loc);
        d.expr(*a.value, 4);
      }
    }
    for (const auto &s : n.settings) {
      d.line(2, "Setting " + s.name.name, s.name.loc);
      d.expr(*s.value, 3);
    }
  }
  for (const auto &a : f.aliases) {
    d.line(1, std::string(a.synapse ? "Synapse " : "Neuron ") + a.name.name + " = " + a.base.name, a.name.loc);
    d.args(a.args, 2);
  }
  for (const auto &sy : f.synapses) {
    d.line(1, "Synapse " + sy.name.name, sy.name.loc);
    for (const auto &p : sy.params) {
      d.line(2, "Param " + p.name.name, p.name.loc);
      d.opt_expr(p.unit, 3);
      d.opt_expr(p.value, 3);
    }
    // States and ODEs, of the synapse (depth 2) or of its post block (3).
    auto states_and_odes = [&](const std::vector<SynapseStateDecl> &states, const std::vector<OdeDecl> &odes,
                               int depth) {
      for (const auto &s : states) {
        d.line(depth, "State " + s.name.name, s.name.loc);
        d.opt_expr(s.unit, depth + 1);
        d.opt_expr(s.initial, depth + 1);
      }
      for (const auto &o : odes) {
        d.line(depth, "Ode d" + o.state.name + "/dt", o.lhs_loc);
        d.expr(*o.rhs, depth + 1);
      }
    };
    states_and_odes(sy.states, sy.odes, 2);
    for (const auto &e : sy.events) {
      d.line(2, "On " + e.pathway.name, e.pathway.loc);
      for (const auto &a : e.body) {
        d.line(3, "Assign " + (a.owner ? a.owner->name + "." : std::string()) + a.target.name + " " + a.op, a.loc);
        d.expr(*a.value, 4);
      }
    }
    for (const auto &b : sy.post) {
      d.line(2, "Post", b.keyword.loc);
      for (const auto &r : b.reads) {
        d.line(3, "Read post." + r.name.name, r.name.loc);
        d.expr(*r.unit, 4);
      }
      states_and_odes(b.states, b.odes, 3);
      for (const auto &[name, value] : b.outputs) {
        d.line(3, "Output " + name.name, name.loc);
        d.expr(*value, 4);
      }
    }
  }
  for (const auto &net : f.networks) {
    d.line(1, "Network " + net.name.name, net.name.loc);
    for (const auto &p : net.populations) {
      d.line(2, "Population " + p.name.name + " = " + p.model.name, p.name.loc);
      d.args(p.args, 3);
      if (p.size) {
        d.line(3, "Size", p.size_loc);
        d.expr(*p.size, 4);
      }
    }
    for (const auto &c : net.connections) {
      std::string targets;
      for (const auto &t : c.targets)
        targets += (targets.empty() ? "" : ", ") + t.population.name + (t.variable ? "." + t.variable->name : "");
      d.line(2, "Connect " + c.pre.name + " -> " + targets, c.loc);
      if (c.connectivity) {
        d.line(3, "Connectivity " + c.connectivity->name, c.connectivity->loc);
        d.args(c.connectivity_args, 4);
      }
      if (c.weight) {
        d.line(3, c.weight_is_distribution ? "Weight ~" : "Weight", c.weight_loc);
        d.expr(*c.weight, 4);
      }
      if (c.delay) {
        d.line(3, c.delay_is_distribution ? "Delay ~" : "Delay", c.delay_loc);
        d.expr(*c.delay, 4);
      }
      if (c.synapse) {
        d.line(3, "Synapse " + c.synapse->name, c.synapse->loc);
        d.args(c.synapse_args, 4);
      }
      if (c.frozen)
        d.line(3, "Frozen", c.loc);
      for (const auto &sparse : c.sparse) {
        d.line(3, "Sparse", sparse.keyword.loc);
        d.args(sparse.args, 4);
      }
    }
  }
  for (const auto &fn : f.functions) {
    d.line(1, "Function " + fn.name.name, fn.name.loc);
    for (const auto &p : fn.params) {
      d.line(2, "Param " + p.name.name, p.name.loc);
      d.opt_expr(p.default_value, 3);
    }
    d.expr(*fn.body, 2);
  }
  for (const auto &s : f.simulations) {
    d.line(1, "Simulate " + s.network.name, s.network.loc);
    for (const auto &set : s.settings) {
      d.line(2, "Setting " + set.name.name, set.name.loc);
      d.expr(*set.value, 3);
    }
    for (const auto &i : s.inits) {
      std::string targets;
      for (const auto &t : i.targets)
        targets += (targets.empty() ? "" : ", ") + t.population.name + "." + t.variable.name;
      d.line(2, "Init " + targets + (i.distribution ? " ~" : " ="), i.loc);
      d.expr(*i.value, 3);
    }
    for (const auto &st : s.stimuli) {
      d.line(2, "Input " + st.population.name + (st.variable ? "." + st.variable->name : std::string()),
             st.population.loc);
      d.expr(*st.source, 3);
    }
    for (const auto &r : s.records) {
      d.line(2, "Record" + (r.file ? " to \"" + *r.file + "\"" : std::string()), r.loc);
      for (const auto &item : r.items) {
        std::string what = item.spikes ? item.function.name + "(" + item.selection.population.name + ")"
                                       : item.selection.population.name + "." + item.variable->name;
        d.line(3, "Item " + what, item.selection.population.loc);
        if (item.selection.slice) {
          const Slice &sl = *item.selection.slice;
          d.line(4, sl.is_range ? "Range" : "Index", sl.loc);
          d.opt_expr(sl.begin, 5);
          d.opt_expr(sl.end, 5);
          d.opt_expr(sl.stride, 5);
          for (const auto &e : sl.more)
            d.expr(*e, 5);
        }
      }
      if (r.every) {
        d.line(3, "Every", r.every_loc);
        d.expr(*r.every, 4);
      }
    }
  }
  for (const auto &t : f.trainings) {
    d.line(1, "Train " + t.network.name + " with " + t.method.name, t.network.loc);
    for (const auto &set : t.settings) {
      d.line(2, "Setting " + set.name.name, set.name.loc);
      d.expr(*set.value, 3);
    }
    for (const auto &data : t.data) {
      d.line(2, "Data " + data.which.name, data.loc);
      d.expr(*data.source, 3);
    }
  }
  return d.str();
}

} // namespace snn::ast
