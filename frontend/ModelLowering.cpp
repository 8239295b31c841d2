//===- frontend/ModelLowering.cpp - Neuron declarations to IR models ------===//
#include "frontend/ModelLowering.h"

#include "frontend/ExprLowering.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace snn::frontend {

using diag::DiagKind;

namespace {

using ir::Dimension;

/// The context of a neuron's ODE right side: the one place white noise may appear.
const char *const kOdeContext = "a differential equation";

class ModelLowering {
public:
  ModelLowering(const ast::NeuronDecl &decl, diag::Diagnostics &diags, const FunctionTable *functions)
      : decl_(decl), diags_(diags), exprs_(diags, functions) {}

  std::optional<ir::NeuronModel> run() {
    unsigned errors = diags_.error_count();
    model_.name = decl_.name.name;
    model_.loc = decl_.name.loc;
    collect_subexpressions();
    params();
    inputs();
    states();
    settings();
    odes();
    spike();
    reset();
    unused_subexpressions();
    if (diags_.error_count() != errors)
      return std::nullopt;
    warn_unused_params();
    return std::move(model_);
  }

private:
  bool declare(const ast::Ident &name, const char *what) {
    if (name.name == "t" || name.name == "dt") {
      diags_.report(DiagKind::duplicate_definition, name.loc, "built-in name", name.name);
      return false;
    }
    // Params, inputs and states are lowered kind by kind, but "previous
    // definition" must follow the source: seed the table in source order.
    if (declared_.empty()) {
      std::vector<const ast::Ident *> all;
      for (const auto &p : decl_.params)
        all.push_back(&p.name);
      for (const auto &i : decl_.inputs)
        all.push_back(&i.name);
      for (const auto &st : decl_.states)
        all.push_back(&st.name);
      std::stable_sort(all.begin(), all.end(), [](const ast::Ident *a, const ast::Ident *b) {
        return std::make_pair(a->loc.line, a->loc.column) < std::make_pair(b->loc.line, b->loc.column);
      });
      for (const ast::Ident *id : all)
        declared_.emplace(id->name, id->loc);
    }
    const SourceLocation &first = declared_.at(name.name);
    if (first.line == name.loc.line && first.column == name.loc.column)
      return true;
    diags_.report(DiagKind::duplicate_definition, name.loc, what, name.name);
    diags_.note(DiagKind::note_previous_definition, first);
    return false;
  }

  /// Names visible in model expressions; `current` overrides state reads
  /// (used by the sequential reset).
  Scope scope(const std::string &context, bool with_states, bool random,
              const std::map<std::string, ir::Expr> *current = nullptr) {
    Scope s;
    s.context = context;
    s.allow_random = random;
    s.allow_stimulus = with_states;
    s.allow_noise = context == kOdeContext; // and the subexpressions they use
    s.random_sites = &random_sites_;
    s.failed = [this](const std::string &n) { return failed_.count(n) > 0; };
    s.lookup = [this, context, with_states, random, current](const std::string &n) -> ir::Expr {
      if (const ir::Parameter *p = parameter(n))
        return ir::Variable::make(ir::VarKind::Param, n, p->dim);
      if (!with_states)
        return {};
      if (auto sub = subexpressions_.find(n); sub != subexpressions_.end())
        return subexpression(sub->second, context, random, current);
      if (current) {
        auto it = current->find(n);
        if (it != current->end())
          return it->second;
      }
      if (const ir::StateVar *st = model_.find_state(n))
        return ir::Variable::make(ir::VarKind::State, n, st->dim);
      if (const ir::InputVar *in = model_.find_input(n))
        return ir::Variable::make(ir::VarKind::Input, n, in->dim);
      if (n == "t")
        return ir::Variable::make(ir::VarKind::Time, "t", Dimension::time());
      if (n == "dt")
        return ir::Variable::make(ir::VarKind::Dt, "dt", Dimension::time());
      return {};
    };
    for (const auto &p : decl_.params)
      s.names.push_back(p.name.name);
    if (with_states) {
      for (const auto &sub : subexpressions_)
        s.names.push_back(sub.first);
      for (const auto &st : model_.states)
        s.names.push_back(st.name);
      for (const auto &in : model_.inputs)
        s.names.push_back(in.name);
    }
    return s;
  }

  void params() {
    for (const auto &p : decl_.params)
      parameter(p.name.name);
  }

  /// The parameter `name`, lowered now if it was not yet: a parameter may
  /// be defined from others in any order, but not from itself (a cycle).
  /// Null for no parameter or a failed one (reported).
  const ir::Parameter *parameter(const std::string &name) {
    if (const ir::Parameter *done = model_.find_param(name))
      return done;
    const ast::ParamDecl *decl = nullptr;
    for (const auto &p : decl_.params)
      if (p.name.name == name && !decl)
        decl = &p;
    if (!decl || failed_.count(name))
      return nullptr;
    if (!in_progress_.insert(name).second) {
      cycle_.push_back(name);
      report_cycle(decl->name, "parameter");
      failed_.insert(name);
      return nullptr;
    }
    cycle_.push_back(name);
    if (!declare(decl->name, "parameter") || !param(*decl))
      failed_.insert(name);
    cycle_.pop_back();
    in_progress_.erase(name);
    return model_.find_param(name);
  }

  /// `a = b * 2; b = a + 1`: reported once, at the definition that closes
  /// the cycle, with the path (cycle_ ends with the name seen twice).
  void report_cycle(const ast::Ident &at, const char *what) {
    auto first = std::find(cycle_.begin(), cycle_.end(), cycle_.back());
    std::string path;
    for (auto it = first; it != cycle_.end(); ++it)
      path += (path.empty() ? "" : " -> ") + *it;
    diags_.report(DiagKind::cyclic_definition, at.loc, what, at.name, path);
    cycle_.pop_back();
  }

  /// `alpha_m = 0.1 / mV * (v + 40 mV) / ...`: a name for an expression of
  /// the states, parameters and inputs, written once and used in several
  /// equations (Brian2's subexpressions). Every use reads the expression
  /// itself, so it means what writing it there would.
  void collect_subexpressions() {
    static const std::vector<std::string> settings = {"surrogate", "refractory", "method"};
    for (const auto &s : decl_.settings) {
      const std::string &n = s.name.name;
      if (s.is_while || std::find(settings.begin(), settings.end(), n) != settings.end())
        continue;
      bool declared = false;
      for (const auto &p : decl_.params)
        declared = declared || p.name.name == n;
      for (const auto &st : decl_.states)
        declared = declared || st.name.name == n;
      for (const auto &i : decl_.inputs)
        declared = declared || i.name.name == n;
      if (declared || n == "t" || n == "dt") // reported by settings()
        continue;
      if (auto [it, fresh] = subexpressions_.emplace(n, &s); !fresh) {
        diags_.report(DiagKind::duplicate_definition, s.name.loc, "subexpression", n);
        diags_.note(DiagKind::note_previous_definition, it->second->name.loc);
      }
    }
  }

  /// The expression of subexpression `s` where it is used (in `context`,
  /// with the uses' rules for random numbers and the sequential reset's
  /// `current` values); null after an error, reported once.
  ir::Expr subexpression(const ast::Setting *s, const std::string &context, bool random,
                         const std::map<std::string, ir::Expr> *current) {
    const std::string &n = s->name.name;
    used_subexpressions_.insert(n);
    if (failed_.count(n))
      return {};
    cycle_.push_back(n);
    if (!in_progress_.insert(n).second) {
      report_cycle(s->name, "subexpression");
      failed_.insert(n);
      return {};
    }
    ir::Expr e = exprs_.lower(*s->value, scope(context, true, random, current));
    in_progress_.erase(n);
    cycle_.pop_back();
    if (!e)
      failed_.insert(n);
    return e;
  }

  /// A subexpression no equation reads: a misspelt setting when its name is
  /// close to one (an error), else its errors still count and it gets a
  /// warning.
  void unused_subexpressions() {
    static const std::vector<std::string> settings = {"surrogate", "refractory", "method"};
    std::vector<std::pair<std::string, const ast::Setting *>> unused;
    for (const auto &[name, s] : subexpressions_)
      if (!used_subexpressions_.count(name))
        unused.emplace_back(name, s);
    for (const auto &[name, s] : unused) {
      // Unused and close to a setting's name: a misspelt setting.
      if (std::string setting = diag::closest_name(name, settings); !setting.empty()) {
        diags_.report(DiagKind::unknown_setting, s->name.loc, "neuron", name);
        diags_.note(DiagKind::note_did_you_mean, s->name.loc, setting);
        continue;
      }
      if (subexpression(s, "subexpression '" + name + "'", true, nullptr))
        diags_.report(DiagKind::unused_subexpression, s->name.loc, name, model_.name);
    }
  }

  /// Lowers one parameter; false after reporting why it cannot be.
  bool param(const ast::ParamDecl &p) {
    ir::Parameter param;
    param.name = p.name.name;
    std::optional<Dimension> unit_dim;
    if (p.unit) {
      ir::Expr u = exprs_.lower(*p.unit, ExprLowering::constant_scope("a unit"));
      if (!u)
        return false;
      if (u->is_bool()) {
        diags_.report(DiagKind::boolean_unit, p.unit->loc(), "parameter", param.name, "ms");
        return false;
      }
      unit_dim = u->dim;
    }
    if (p.value) {
      param.value = exprs_.lower(*p.value, scope("the value of parameter '" + param.name + "'", false, false));
      if (!param.value)
        return false;
      if (unit_dim &&
          !exprs_.expect_dimension(param.value, *unit_dim, "parameter '" + param.name + "'", p.value->loc()))
        return false;
      if (param.value->is_bool()) {
        diags_.report(DiagKind::expected_number, p.value->loc(), "parameter '" + param.name + "'");
        return false;
      }
      param.dim = param.value->dim;
    } else if (unit_dim) {
      param.dim = *unit_dim;
    } else {
      diags_.report(DiagKind::parameter_without_value, p.name.loc, param.name);
      return false;
    }
    model_.params.push_back(std::move(param));
    return true;
  }

  void inputs() {
    for (const auto &i : decl_.inputs)
      if (declare(i.name, "input") && !input(i))
        failed_.insert(i.name.name);
  }

  bool input(const ast::InputDecl &i) {
    ir::InputVar in{i.name.name, Dimension()};
    if (i.unit) {
      ir::Expr u = exprs_.lower(*i.unit, ExprLowering::constant_scope("a unit"));
      if (!u)
        return false;
      if (u->is_bool()) {
        diags_.report(DiagKind::boolean_unit, i.unit->loc(), "input", in.name, "mV");
        return false;
      }
      in.dim = u->dim;
    }
    model_.inputs.push_back(std::move(in));
    return true;
  }

  void states() {
    for (const auto &s : decl_.states)
      if (declare(s.name, "state variable") && !state(s))
        failed_.insert(s.name.name);
  }

  bool state(const ast::StateDecl &s) {
    Scope sc = scope("the initial value of '" + s.name.name + "'", false, true);
    uint32_t sites = 0;
    sc.random_sites = &sites; // initial values draw in their own RNG domain
    ir::Expr init = exprs_.lower(*s.initial, sc);
    if (!init)
      return false;
    if (init->is_bool()) {
      diags_.report(DiagKind::expected_number, s.initial->loc(), "state '" + s.name.name + "'");
      return false;
    }
    model_.states.push_back({s.name.name, init->dim, init, false});
    return true;
  }

  void settings() {
    static const std::vector<std::string> known = {"surrogate", "refractory", "method"};
    std::map<std::string, SourceLocation> seen;
    for (const auto &s : decl_.settings) {
      const std::string &n = s.name.name;
      if (s.is_while && n != "refractory") {
        diags_.report(DiagKind::while_not_refractory, s.name.loc, n);
        continue;
      }
      if (std::find(known.begin(), known.end(), n) == known.end()) {
        if (model_.find_state(n) || model_.find_param(n) || model_.find_input(n))
          diags_.report(DiagKind::assignment_outside_on_spike, s.name.loc, n);
        else if (n == "t" || n == "dt")
          diags_.report(DiagKind::duplicate_definition, s.name.loc, "built-in name", n);
        continue; // else a subexpression
      }
      if (!diags_.define_once(seen, n, s.name.loc, "setting"))
        continue;
      if (n == "method") {
        method(s);
      } else if (n == "refractory" && s.is_while) {
        // Brian2's `refractory='v > -20*mV'`: refractory after a spike
        // until a step begins with the condition false.
        ir::Expr c = exprs_.lower(*s.value, scope("the refractory condition", true, false));
        if (c && !c->is_bool())
          diags_.report(DiagKind::expected_boolean, s.value->loc(), "the refractory condition");
        else if (c)
          model_.refractory_condition = c;
        refractory_loc_ = s.name.loc;
      } else if (n == "refractory") {
        ir::Expr v = exprs_.lower(*s.value, scope("the refractory period", false, false));
        double t = 0;
        if (exprs_.expect_dimension(v, Dimension::time(), "the refractory period", s.value->loc())) {
          if (ir::constant_value(ir::simplify(v), t) && !(t >= 0 && std::isfinite(t)))
            diags_.report(DiagKind::negative_refractory_period, s.value->loc(), "model", model_.name,
                          ir::format_real(t));
          else
            model_.refractory_period = v;
        }
        refractory_loc_ = s.name.loc;
      } else { // surrogate
        ir::Expr v = exprs_.lower(*s.value, scope("the surrogate gradient", true, false));
        if (exprs_.expect_dimension(v, Dimension(), "the surrogate gradient", s.value->loc()))
          model_.surrogate = v;
      }
    }
  }

  void method(const ast::Setting &s) {
    model_.method_loc = s.value->loc();
    const auto *name = ast::dyn_cast<ast::NameExpr>(s.value.get());
    static const std::vector<std::string> methods = {"exact", "exponential_euler", "euler", "rk4", "milstein"};
    if (!name || std::find(methods.begin(), methods.end(), name->name) == methods.end()) {
      diags_.report(DiagKind::unknown_integration_method, s.value->loc());
      if (name)
        diags_.suggest(name->name, methods, s.value->loc());
      return;
    }
    for (auto m : {ir::IntegrationMethod::Exact, ir::IntegrationMethod::ExponentialEuler, ir::IntegrationMethod::Euler,
                   ir::IntegrationMethod::RK4, ir::IntegrationMethod::Milstein})
      if (name->name == ir::name_of(m))
        model_.method = m;
  }

  void unknown_state(const ast::Ident &name) { report_unknown_state(name, model_.name, model_.states, diags_); }

  void odes() {
    std::map<std::string, SourceLocation> seen;
    for (const auto &o : decl_.odes) {
      const ir::StateVar *st = model_.find_state(o.state.name);
      if (!st && failed_.count(o.state.name))
        continue; // its declaration's error is reported
      if (!st) {
        if (model_.find_param(o.state.name) || model_.find_input(o.state.name))
          diags_.report(DiagKind::ode_of_non_state, o.state.loc, o.state.name);
        else {
          unknown_state(o.state);
        }
        continue;
      }
      if (!diags_.define_once(seen, o.state.name, o.lhs_loc, "differential equation of"))
        continue;
      ir::Expr rhs = exprs_.lower(*o.rhs, scope(kOdeContext, true, false));
      if (!rhs)
        continue;
      if (!exprs_.expect_dimension(rhs, st->dim / Dimension::time(), "the right side of d" + o.state.name + "/dt",
                                   o.rhs->loc()))
        continue;
      bool frozen = false;
      if (o.unless) {
        if (o.unless->name != "refractory") {
          diags_.report(DiagKind::expected_unless_refractory, o.unless->loc, o.unless->name);
          continue;
        }
        if (!model_.refractory_period && !refractory_loc_.valid()) {
          diags_.report(DiagKind::unless_without_refractory, o.unless->loc);
          continue;
        }
        frozen = true;
      }
      model_.odes.push_back({o.state.name, rhs, frozen, o.lhs_loc});
    }
  }

  void spike() {
    if (!decl_.spike_condition)
      return;
    ir::Expr c = exprs_.lower(*decl_.spike_condition, scope("the spike condition", true, true));
    if (!c)
      return;
    if (!c->is_bool()) {
      diags_.report(DiagKind::expected_boolean, decl_.spike_condition->loc(), "the spike condition");
      return;
    }
    model_.spike_condition = c;
  }

  void reset() {
    if (!decl_.has_reset)
      return;
    if (!decl_.spike_condition) {
      diags_.report(DiagKind::on_spike_without_condition, decl_.reset_loc);
      return;
    }
    // Sequential semantics: a later assignment sees the earlier ones.
    std::map<std::string, ir::Expr> current;
    std::vector<std::string> order;
    for (const auto &a : decl_.reset) {
      const ir::StateVar *st = model_.find_state(a.target.name);
      if (!st && failed_.count(a.target.name))
        continue; // its declaration's error is reported
      if (!st) {
        if (model_.find_param(a.target.name) || model_.find_input(a.target.name))
          diags_.report(DiagKind::assignment_to_non_state, a.target.loc, a.target.name);
        else {
          unknown_state(a.target);
        }
        continue;
      }
      ir::Expr v = exprs_.lower(*a.value, scope("'on spike'", true, true, &current));
      if (!v)
        continue;
      // The update consumed this step's inputs; by the reset, the input
      // holds what arrives for the next step, so reading it would mislead.
      std::string input;
      ir::mentions(v, [&](const ir::Variable &x) {
        if (x.var_kind == ir::VarKind::Input && input.empty())
          input = x.name;
        return false;
      });
      if (!input.empty()) {
        diags_.report(DiagKind::input_read_on_spike, a.value->loc(), input);
        continue;
      }
      ir::Expr old = current.count(a.target.name) ? current[a.target.name]
                                                  : ir::Variable::make(ir::VarKind::State, st->name, st->dim);
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
      if (!current.count(a.target.name))
        order.push_back(a.target.name);
      current[a.target.name] = v;
    }
    for (const auto &n : order)
      model_.reset.push_back({n, current[n]});
    model_.reset_next_step = decl_.reset_next_step;
  }

  void warn_unused_params() {
    std::vector<ir::Expr> uses = {model_.spike_condition, model_.surrogate, model_.refractory_period,
                                  model_.refractory_condition};
    for (const auto &p : model_.params)
      uses.push_back(p.value);
    for (const auto &s : model_.states)
      uses.push_back(s.initial);
    for (const auto &o : model_.odes)
      uses.push_back(o.rhs);
    for (const auto &r : model_.reset)
      uses.push_back(r.value);
    warn_unused_parameters(decl_.params, uses, model_.name, {}, diags_);
  }

  const ast::NeuronDecl &decl_;
  diag::Diagnostics &diags_;
  ExprLowering exprs_;
  ir::NeuronModel model_;
  std::map<std::string, SourceLocation> declared_;
  std::set<std::string> failed_; ///< declared, but lowering them failed
  std::map<std::string, const ast::Setting *> subexpressions_;
  std::set<std::string> used_subexpressions_;
  std::set<std::string> in_progress_; ///< parameters and subexpressions being lowered
  std::vector<std::string> cycle_;    ///< the names being lowered, outermost first
  uint32_t random_sites_ = 0;
  SourceLocation refractory_loc_;
};

} // namespace

std::optional<ir::NeuronModel> lower_neuron(const ast::NeuronDecl &decl, diag::Diagnostics &diags,
                                            const FunctionTable *functions) {
  return ModelLowering(decl, diags, functions).run();
}

} // namespace snn::frontend
