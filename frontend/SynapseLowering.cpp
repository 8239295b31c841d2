//===- frontend/SynapseLowering.cpp - Synapse declarations to IR ----------===//
#include "frontend/SynapseLowering.h"

#include "ir/Differentiate.h"
#include "ir/Simplify.h"

#include <map>
#include <set>

namespace snn::frontend {

using diag::DiagKind;
using ir::Dimension;

namespace {

class SynapseLowering {
public:
  SynapseLowering(const ast::SynapseDecl &decl, diag::Diagnostics &diags, const FunctionTable *functions)
      : decl_(decl), diags_(diags), exprs_(diags, functions) {}

  std::optional<ir::SynapseModel> run() {
    unsigned errors = diags_.error_count();
    model_.name = decl_.name.name;
    model_.loc = decl_.name.loc;
    for (const auto &p : decl_.params)
      if (declare(p.name, "parameter") && !param(p))
        failed_.insert(p.name.name);
    for (const auto &s : decl_.states)
      if (declare(s.name, "state variable") && !state(s))
        failed_.insert(s.name.name);
    weight();
    odes();
    post_blocks();
    events();
    if (diags_.error_count() != errors)
      return std::nullopt;
    warn_unused_params();
    return std::move(model_);
  }

private:
  bool declare(const ast::Ident &name, const char *what) {
    if (name.name == "t" || name.name == "dt" || name.name == "pre" || name.name == "post") {
      diags_.report(DiagKind::duplicate_definition, name.loc, "built-in name", name.name);
      return false;
    }
    return diags_.define_once(declared_, name.name, name.loc, what);
  }

  /// Parameters (earlier ones, in source order) and, with `states`, the
  /// synapse's states, or `current` values of them in an event block.
  Scope scope(const std::string &context, bool states, const std::map<std::string, ir::Expr> *current = nullptr) {
    Scope s;
    s.context = context;
    s.synapse = true;
    s.failed = [this](const std::string &n) { return failed_.count(n) > 0; };
    s.lookup = [this, states, current](const std::string &n) -> ir::Expr {
      if (const ir::Parameter *p = model_.find_param(n))
        return ir::Variable::make(ir::VarKind::Param, n, p->dim);
      if (!states)
        return {};
      if (current)
        if (auto it = current->find(n); it != current->end())
          return it->second;
      if (const ir::StateVar *st = model_.find_state(n))
        return ir::Variable::make(ir::VarKind::State, n, st->dim);
      return {};
    };
    for (const auto &p : model_.params)
      s.names.push_back(p.name);
    if (states)
      for (const auto &st : model_.states)
        s.names.push_back(st.name);
    return s;
  }

  /// A unit expression (`nS`, `mV / ms`), or nothing after an error.
  std::optional<Dimension> unit(const ast::ExprPtr &e, const char *what, const std::string &name) {
    ir::Expr u = exprs_.lower(*e, ExprLowering::constant_scope("a unit"));
    if (!u)
      return std::nullopt;
    if (u->is_bool()) {
      diags_.report(DiagKind::boolean_unit, e->loc(), what, name, "nS");
      return std::nullopt;
    }
    return u->dim;
  }

  /// A value of dimension `declared` (when given), not boolean.
  ir::Expr value(const ast::ExprPtr &e, const Scope &sc, const std::optional<Dimension> &declared,
                 const std::string &what) {
    ir::Expr v = exprs_.lower(*e, sc);
    if (!v)
      return {};
    if (v->is_bool()) {
      diags_.report(DiagKind::expected_number, e->loc(), what);
      return {};
    }
    if (declared && !exprs_.expect_dimension(v, *declared, what, e->loc()))
      return {};
    return v;
  }

  bool param(const ast::ParamDecl &p) {
    ir::Parameter param{p.name.name, Dimension(), {}};
    std::optional<Dimension> declared;
    if (p.unit && !(declared = unit(p.unit, "parameter", param.name)))
      return false;
    if (p.value) {
      param.value = value(p.value, scope("the value of parameter '" + param.name + "'", false), declared,
                          "parameter '" + param.name + "'");
      if (!param.value)
        return false;
      param.dim = param.value->dim;
    } else if (declared) {
      param.dim = *declared;
    } else {
      diags_.report(DiagKind::parameter_without_value, p.name.loc, param.name);
      return false;
    }
    model_.params.push_back(std::move(param));
    return true;
  }

  bool state(const ast::SynapseStateDecl &s) {
    auto st = typed_state(s, scope("the initial value of '" + s.name.name + "'", false));
    if (st)
      model_.states.push_back(std::move(*st));
    return st.has_value();
  }

  /// A state with its unit and initial value (null when not given), the
  /// value lowered in `initial_scope`; nothing after an error.
  std::optional<ir::StateVar> typed_state(const ast::SynapseStateDecl &s, const Scope &initial_scope) {
    std::optional<Dimension> declared;
    if (s.unit && !(declared = unit(s.unit, "state", s.name.name)))
      return std::nullopt;
    ir::StateVar st{s.name.name, declared.value_or(Dimension()), {}, false};
    if (s.initial) {
      st.initial = value(s.initial, initial_scope, declared, "state '" + st.name + "'");
      if (!st.initial)
        return std::nullopt;
      st.dim = st.initial->dim;
    }
    return st;
  }

  /// Exactly one state without an initial value: the projection's weight.
  void weight() {
    for (const auto &s : decl_.states) {
      if (s.initial || failed_.count(s.name.name))
        continue;
      if (!model_.weight.empty()) {
        diags_.report(DiagKind::second_synapse_weight, s.name.loc, s.name.name, model_.weight);
        continue;
      }
      model_.weight = s.name.name;
    }
    if (model_.weight.empty() && failed_.empty())
      diags_.report(DiagKind::missing_synapse_weight, decl_.name.loc, model_.name);
  }

  void odes() {
    std::map<std::string, SourceLocation> seen;
    for (const auto &o : decl_.odes) {
      const ir::StateVar *st = model_.find_state(o.state.name);
      if (!st) {
        if (failed_.count(o.state.name))
          continue;
        if (model_.find_param(o.state.name))
          diags_.report(DiagKind::ode_of_non_state, o.state.loc, o.state.name);
        else
          unknown_state(o.state);
        continue;
      }
      if (!diags_.define_once(seen, o.state.name, o.lhs_loc, "differential equation of"))
        continue;
      ir::Expr rhs = exprs_.lower(*o.rhs, scope("a synapse model's differential equation", true));
      if (!rhs || !exprs_.expect_dimension(rhs, st->dim / Dimension::time(),
                                           "the right side of d" + o.state.name + "/dt", o.rhs->loc()))
        continue;
      // Lazy, exact integration needs dx/dt = a x + c with a, c constant.
      if (!ir::affine_in_state(rhs, st->name, st->dim)) {
        diags_.report(DiagKind::synapse_ode_not_linear, o.rhs->loc(), o.state.name);
        continue;
      }
      model_.odes.push_back({o.state.name, rhs, false, o.lhs_loc});
    }
  }

  /// Parameters, the post block's states and, through `member`, the
  /// neuron's variables it declares (`post.v : volt`).
  Scope post_scope(const std::string &context) {
    Scope s;
    s.context = context;
    s.synapse = true;
    s.failed = [this](const std::string &n) { return failed_.count(n) > 0; };
    s.lookup = [this](const std::string &n) -> ir::Expr {
      if (const ir::Parameter *p = model_.find_param(n))
        return ir::Variable::make(ir::VarKind::Param, n, p->dim);
      if (const ir::StateVar *st = model_.find_post_state(n))
        return ir::Variable::make(ir::VarKind::State, n, st->dim);
      return {};
    };
    s.member = [this](const ast::Ident &object, const ast::Ident &member) -> ir::Expr {
      if (object.name != "post") {
        diags_.report(DiagKind::post_read_owner, object.loc, object.name, member.name);
        return {};
      }
      for (const auto &r : model_.post.reads)
        if (r.name == member.name)
          return ir::Variable::make(ir::VarKind::State, ir::post_read_name(r.name), r.dim);
      if (!failed_reads_.count(member.name))
        diags_.report(DiagKind::undeclared_post_read, member.loc, member.name, member.name);
      return {};
    };
    for (const auto &p : model_.params)
      s.names.push_back(p.name);
    for (const auto &st : model_.post.states)
      s.names.push_back(st.name);
    return s;
  }

  void post_blocks() {
    std::map<std::string, SourceLocation> seen;
    for (const auto &b : decl_.post) {
      if (b.keyword.name != "post") {
        diags_.report(DiagKind::unknown_synapse_block, b.keyword.loc, b.keyword.name);
        diags_.suggest(b.keyword.name, {"post"}, b.keyword.loc);
        continue;
      }
      if (diags_.define_once(seen, "post", b.keyword.loc, "block"))
        post_block(b);
    }
  }

  /// `post { ... }`: the neuron's variables it reads, its states (0 unless
  /// given a value), their ODEs (any form: the neuron's method integrates
  /// them) and the output.
  void post_block(const ast::PostBlock &b) {
    unsigned errors = diags_.error_count();
    ir::PostsynapticBlock &out = model_.post;
    std::map<std::string, SourceLocation> reads;
    for (const auto &r : b.reads) {
      if (r.owner.name != "post") {
        diags_.report(DiagKind::post_read_owner, r.owner.loc, r.owner.name, r.name.name);
        continue;
      }
      if (!diags_.define_once(reads, "post." + r.name.name, r.name.loc, "declaration of"))
        continue;
      if (auto dim = unit(r.unit, "neuron variable", "post." + r.name.name))
        out.reads.push_back({r.name.name, *dim});
      else
        failed_reads_.insert(r.name.name);
    }
    for (const auto &st : b.states) {
      if (!declare(st.name, "state variable"))
        continue;
      if (auto lowered = post_state(st))
        out.states.push_back(std::move(*lowered));
      else
        failed_.insert(st.name.name);
    }
    std::map<std::string, SourceLocation> odes_seen;
    for (const auto &o : b.odes) {
      const ir::StateVar *st = model_.find_post_state(o.state.name);
      if (!st) {
        if (!failed_.count(o.state.name))
          report_unknown_state(o.state, model_.name, out.states, diags_);
        continue;
      }
      if (!diags_.define_once(odes_seen, o.state.name, o.lhs_loc, "differential equation of"))
        continue;
      ir::Expr rhs = exprs_.lower(*o.rhs, post_scope("a post block's differential equation"));
      if (rhs && exprs_.expect_dimension(rhs, st->dim / Dimension::time(), "the right side of d" + o.state.name + "/dt",
                                         o.rhs->loc()))
        out.odes.push_back({o.state.name, rhs, false, o.lhs_loc});
    }
    std::map<std::string, SourceLocation> outputs;
    for (const auto &[name, rhs] : b.outputs) {
      if (name.name != "output") {
        diags_.report(DiagKind::unknown_setting, name.loc, "post block", name.name);
        diags_.suggest(name.name, {"output"}, name.loc);
        continue;
      }
      if (!diags_.define_once(outputs, name.name, name.loc, "setting"))
        continue;
      out.output = value(rhs, post_scope("the post block's output"), std::nullopt, "the output");
      out.loc = name.loc;
    }
    if (!out.output && diags_.error_count() == errors)
      diags_.report(DiagKind::missing_post_output, b.keyword.loc, model_.name);
  }

  /// A post block's state starts at 0 unless given a value.
  std::optional<ir::StateVar> post_state(const ast::SynapseStateDecl &s) {
    auto st = typed_state(s, post_scope("the initial value of '" + s.name.name + "'"));
    if (st && !st->initial)
      st->initial = ir::Constant::make(0.0, st->dim);
    return st;
  }

  void events() {
    std::map<std::string, SourceLocation> seen;
    for (const auto &e : decl_.events) {
      const std::string &pathway = e.pathway.name;
      if (pathway != "pre" && pathway != "post") {
        diags_.report(DiagKind::unknown_synapse_event, e.pathway.loc, pathway);
        diags_.suggest(pathway, {"pre", "post"}, e.pathway.loc);
        continue;
      }
      if (!diags_.define_once(seen, "on " + pathway, e.pathway.loc, "block"))
        continue;
      block(e, pathway == "pre" ? model_.on_pre : model_.on_post);
    }
  }

  /// Sequential semantics: a statement reads the states as the earlier
  /// statements of its block left them.
  void block(const ast::SynapseEvent &e, std::vector<ir::SynapseStatement> &out) {
    std::map<std::string, ir::Expr> current;
    std::vector<std::string> order;
    std::string context = "'on " + e.pathway.name + "'";
    for (const auto &a : e.body) {
      ir::Expr v = exprs_.lower(*a.value, scope(context, true, &current));
      if (!v)
        continue;
      if (a.owner) {
        post_write(a, v, out);
        continue;
      }
      const ir::StateVar *st = model_.find_state(a.target.name);
      if (!st) {
        if (failed_.count(a.target.name))
          continue;
        if (model_.find_param(a.target.name))
          diags_.report(DiagKind::assignment_to_non_state, a.target.loc, a.target.name);
        else
          unknown_state(a.target);
        continue;
      }
      ir::Expr old =
          current.count(st->name) ? current[st->name] : ir::Variable::make(ir::VarKind::State, st->name, st->dim);
      if (a.op == "*=" || a.op == "/=") {
        if (!exprs_.expect_dimension(v, Dimension(), "the factor in '" + a.op + "'", a.value->loc()))
          continue;
        v = a.op == "*=" ? old * v : old / v;
      } else {
        if (!exprs_.expect_dimension(v, st->dim, "the value assigned to '" + st->name + "'", a.value->loc()))
          continue;
        if (a.op == "+=")
          v = old + v;
        else if (a.op == "-=")
          v = old - v;
      }
      if (!current.count(st->name))
        order.push_back(st->name);
      current[st->name] = v;
    }
    // The states' new values, after the writes to the postsynaptic neuron
    // (which read them as they stood when written).
    for (const auto &n : order)
      out.push_back({ir::SynapseStatement::Kind::State, n, current[n], {}});
  }

  /// `post.X += value` (or -=): added to the postsynaptic neuron's X, whose
  /// dimension is checked where a projection uses the model.
  void post_write(const ast::SynapseAssign &a, ir::Expr v, std::vector<ir::SynapseStatement> &out) {
    if (a.owner->name != "post") {
      diags_.report(DiagKind::unknown_synapse_owner, a.owner->loc, a.owner->name);
      diags_.suggest(a.owner->name, {"post"}, a.owner->loc);
      return;
    }
    if (a.op != "+=" && a.op != "-=") {
      diags_.report(DiagKind::synapse_post_assignment, a.loc, a.target.name, a.op);
      return;
    }
    // A state of the post block has its dimension here already.
    if (const ir::StateVar *st = model_.find_post_state(a.target.name);
        st && !exprs_.expect_dimension(v, st->dim, "the value added to 'post." + st->name + "'", a.value->loc()))
      return;
    out.push_back({ir::SynapseStatement::Kind::Post, a.target.name, a.op == "-=" ? -v : v, a.target.loc});
  }

  void unknown_state(const ast::Ident &name) { report_unknown_state(name, model_.name, model_.states, diags_); }

  void warn_unused_params() {
    std::vector<ir::Expr> uses;
    for (const auto &p : model_.params)
      uses.push_back(p.value);
    for (const auto &s : model_.states)
      uses.push_back(s.initial);
    for (const auto &o : model_.odes)
      uses.push_back(o.rhs);
    for (const auto *block : {&model_.on_pre, &model_.on_post})
      for (const auto &s : *block)
        uses.push_back(s.value);
    for (const auto &s : model_.post.states)
      uses.push_back(s.initial);
    for (const auto &o : model_.post.odes)
      uses.push_back(o.rhs);
    uses.push_back(model_.post.output);
    warn_unused_parameters(decl_.params, uses, model_.name, failed_, diags_);
  }

  const ast::SynapseDecl &decl_;
  diag::Diagnostics &diags_;
  ExprLowering exprs_;
  ir::SynapseModel model_;
  std::map<std::string, SourceLocation> declared_;
  std::set<std::string> failed_;
  std::set<std::string> failed_reads_; ///< `post.X : UNIT` declarations with errors
};

} // namespace

std::optional<ir::SynapseModel> lower_synapse(const ast::SynapseDecl &decl, diag::Diagnostics &diags,
                                              const FunctionTable *functions) {
  return SynapseLowering(decl, diags, functions).run();
}

} // namespace snn::frontend
