//===- frontend/NetworkLowering.cpp - Network and regime to IR ------------===//
#include "frontend/NetworkLowering.h"

#include "frontend/ConnectivityLowering.h"
#include "frontend/CurrentSources.h"
#include "frontend/ExprLowering.h"
#include "frontend/OutputPaths.h"
#include "frontend/SynapseProjections.h"
#include "frontend/WeightInitializers.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>

namespace snn::frontend {

using diag::DiagKind;

namespace {

using ir::Dimension;

std::vector<std::string> names_of_models(const ir::Module &m) {
  std::vector<std::string> out;
  for (const auto &x : m.models)
    out.push_back(x.name);
  return out;
}

std::vector<std::string> names_of_populations(const ir::Network &n) {
  std::vector<std::string> out;
  for (const auto &p : n.populations)
    out.push_back(p.name);
  return out;
}

class NetworkLowering {
public:
  NetworkLowering(ir::Module &m, diag::Diagnostics &diags, const FunctionTable *functions)
      : m_(m), diags_(diags), exprs_(diags, functions) {}

  bool network(const ast::NetworkDecl &decl) {
    unsigned errors = diags_.error_count();
    m_.network.name = decl.name.name;
    m_.network.loc = decl.name.loc;
    m_.network.notes = decl.notes;
    for (const auto &p : decl.populations)
      population(p);
    for (const auto &c : decl.connections)
      connect(c);
    for (const auto &i : decl.inits)
      init(i);
    return diags_.error_count() == errors;
  }

  bool simulation(const ast::SimulateDecl &decl, const std::string &source_dir) {
    unsigned errors = diags_.error_count();
    if (decl.network.name != m_.network.name) {
      diags_.report(DiagKind::unknown_network, decl.network.loc, decl.network.name);
      // A file holds one network, so it is the one meant, however spelt.
      diags_.note(DiagKind::note_did_you_mean, decl.network.loc, m_.network.name);
      return false;
    }
    m_.has_regime = true;
    ir::Regime &r = m_.regime;
    r.network = decl.network.name;
    regime_settings(decl.settings);
    for (const auto &i : decl.inits)
      init(i);
    for (const auto &s : decl.stimuli) // current sources first: a driven parameter is recordable
      if (s.variable)
        stimulus(s, source_dir);
    for (const auto &rec : decl.records) {
      if (rec.on_word)
        diags_.report(DiagKind::misplaced_regime_statement, rec.on_word->loc, "record ... on", "simulate");
      record(rec);
    }
    for (const auto &s : decl.stimuli)
      if (!s.variable)
        stimulus(s, source_dir);
    undriven_sources();
    return diags_.error_count() == errors;
  }

  /// `record ...` of a train regime: each must say `on example N`.
  void training_records(const std::vector<ast::RecordDecl> &records) {
    for (const auto &rec : records) {
      std::optional<uint64_t> example;
      if (!rec.on_word) {
        diags_.report(DiagKind::missing_record_example, rec.loc);
      } else if (rec.on_word->name != "example") {
        diags_.report(DiagKind::unknown_choice, rec.on_word->loc, "record filter", rec.on_word->name, "example");
        diags_.suggest(rec.on_word->name, {"example"}, rec.on_word->loc);
      } else {
        example = exprs_.integer(*rec.on_value, "the example", 0, (1ull << 53));
      }
      size_t before = m_.regime.records.size();
      if (rec.every) {
        diags_.report(DiagKind::record_form_in_training, rec.every_loc, "'every'");
        continue;
      }
      record(rec, true);
      if (!example) {
        m_.regime.records.resize(before);
        continue;
      }
      for (size_t i = before; i < m_.regime.records.size(); ++i)
        m_.regime.records[i].example = int64_t(*example);
    }
  }

private:
  const ir::Population *population_named(const ast::Ident &id) {
    if (const ir::Population *p = m_.network.find_population(id.name))
      return p;
    if (failed_populations_.count(id.name))
      return nullptr; // its declaration's error is reported
    diags_.report(DiagKind::unknown_population, id.loc, id.name);
    diags_.suggest(id.name, names_of_populations(m_.network), id.loc);
    return nullptr;
  }

  void population(const ast::PopulationDecl &d) {
    if (const ir::Population *prev = m_.network.find_population(d.name.name)) {
      (void)prev;
      diags_.report(DiagKind::duplicate_definition, d.name.loc, "population", d.name.name);
      diags_.note(DiagKind::note_previous_definition, pop_locs_[d.name.name]);
      return;
    }
    const ir::NeuronModel *model = m_.find_model(d.model.name);
    if (!model) {
      diags_.report(DiagKind::unknown_model, d.model.loc, d.model.name);
      diags_.suggest(d.model.name, names_of_models(m_), d.model.loc);
      failed_populations_.insert(d.name.name);
      return;
    }
    ir::Population p;
    p.name = d.name.name;
    p.model = model->name;
    if (const auto *shape = d.size ? ast::dyn_cast<ast::ShapeExpr>(d.size.get()) : nullptr) {
      const std::vector<uint32_t> &n = shape->dims;
      uint64_t total = 1;
      for (uint32_t x : n)
        total = std::min<uint64_t>(total * x, uint64_t(1) << 31);
      if ((n.size() != 2 && n.size() != 3) || total == 0 || total > (1u << 30)) {
        diags_.report(DiagKind::invalid_shape, d.size_loc, p.name, shape->text());
        failed_populations_.insert(p.name);
        return;
      }
      p.shape = {n[0], n[1], n.size() == 3 ? n[2] : 1};
      p.size = uint32_t(total);
    } else if (d.size) {
      auto n = exprs_.integer(*d.size, "the size of population '" + p.name + "'", 1, 1u << 30);
      if (!n) {
        failed_populations_.insert(p.name);
        return;
      }
      p.size = static_cast<uint32_t>(*n);
    }
    std::set<std::string> given;
    std::map<std::string, SourceLocation> given_at;
    std::string owner = "model '" + model->name + "'";
    for (const auto &a : d.args) {
      if (!a.name) {
        diags_.report(DiagKind::positional_population_argument, a.value->loc());
        continue;
      }
      const ir::Parameter *param = model->find_param(a.name->name);
      if (!param) {
        diags_.report(DiagKind::unknown_argument, a.name->loc, owner, a.name->name);
        std::vector<std::string> names;
        for (const auto &x : model->params)
          names.push_back(x.name);
        diags_.suggest(a.name->name, names, a.name->loc);
        continue;
      }
      if (!given.insert(param->name).second) {
        diags_.report(DiagKind::duplicate_argument, a.name->loc, param->name);
        continue;
      }
      auto v = exprs_.constant(*a.value, "parameter '" + param->name + "'", param->dim);
      if (v) {
        p.overrides.emplace_back(param->name, ir::Constant::make(*v, param->dim));
        given_at[param->name] = a.value->loc();
      }
    }
    bool complete = true;
    for (const auto &param : model->params)
      if (!param.value && !given.count(param.name)) {
        diags_.report(DiagKind::missing_argument, d.model.loc, "population '" + p.name + "' of " + owner, param.name);
        complete = false;
      }
    if (complete)
      check_refractory_period(*model, p, given_at, d.model.loc);
    pop_locs_[p.name] = d.name.loc;
    p.loc = d.model.loc;
    m_.network.populations.push_back(std::move(p));
  }

  /// With this population's parameter values, the model's refractory period
  /// must be a non-negative time. Reported here, at the argument that sets
  /// it, rather than later at the model, which may be in another file.
  void check_refractory_period(const ir::NeuronModel &model, const ir::Population &p,
                               const std::map<std::string, SourceLocation> &given_at, const SourceLocation &model_loc) {
    if (!model.refractory_period)
      return;
    std::map<std::string, ir::Expr> values;
    auto bind = [&values](const ir::Expr &e) {
      return ir::substitute(e, [&values](const ir::Variable &v) -> ir::Expr {
        auto it = v.var_kind == ir::VarKind::Param ? values.find(v.name) : values.end();
        return it == values.end() ? ir::Expr() : it->second;
      });
    };
    for (const auto &param : model.params) {
      ir::Expr v;
      for (const auto &[name, value] : p.overrides)
        if (name == param.name)
          v = value;
      values[param.name] = v ? v : ir::simplify(bind(param.value));
    }
    double t = 0;
    if (!ir::constant_value(ir::simplify(bind(model.refractory_period)), t) || (t >= 0 && std::isfinite(t)))
      return;
    SourceLocation at = model_loc;
    ir::mentions(model.refractory_period, [&](const ir::Variable &v) {
      auto it = v.var_kind == ir::VarKind::Param ? given_at.find(v.name) : given_at.end();
      if (it != given_at.end())
        at = it->second;
      return it != given_at.end();
    });
    diags_.report(DiagKind::negative_refractory_period, at, "population", p.name, ir::format_real(t));
  }

  /// The format `sparse(format: NAME)` (or `sparse(NAME)`) asks for, one of
  /// ir::storage_names(), with the location of its name; nullopt for none
  /// or after reporting a malformed clause. A clause after a valid one is a
  /// duplicate.
  std::optional<std::pair<ir::SynapseStorage, SourceLocation>> storage(const ast::ConnectDecl &c) {
    std::optional<std::pair<ir::SynapseStorage, SourceLocation>> out;
    SourceLocation given_at; // the `sparse` of the clause that set `out`
    for (const ast::ConnectDecl::SparseClause &clause : c.sparse) {
      if (out) {
        diags_.report(DiagKind::duplicate_definition, clause.keyword.loc, "clause", "sparse");
        diags_.note(DiagKind::note_previous_definition, given_at);
        continue;
      }
      if (clause.args.size() != 1) {
        diags_.report(DiagKind::wrong_argument_count, clause.keyword.loc, "'sparse'", 1, clause.args.size());
        continue;
      }
      const ast::Arg &a = clause.args.front();
      if (a.name && a.name->name != "format") {
        diags_.report(DiagKind::unknown_argument, a.name->loc, "'sparse'", a.name->name);
        diags_.suggest(a.name->name, {"format"}, a.name->loc);
        continue;
      }
      const auto *name = a.value ? ast::dyn_cast<ast::NameExpr>(a.value.get()) : nullptr;
      SourceLocation at = a.value ? a.value->loc() : clause.keyword.loc;
      std::optional<ir::SynapseStorage> format = name ? ir::storage_named(name->name) : std::nullopt;
      if (!format) {
        diags_.report(DiagKind::unknown_storage_format, at,
                      name ? "unknown storage format '" + name->name + "'" : std::string("expected a format's name"));
        if (name)
          diags_.suggest(name->name, ir::storage_names(), at);
        continue;
      }
      out = std::make_pair(*format, at);
      given_at = clause.keyword.loc;
    }
    return out;
  }

  void connect(const ast::ConnectDecl &c) {
    auto forced = storage(c);
    const ir::Population *pre = population_named(c.pre);
    if (!pre)
      return;
    for (const auto &t : c.targets) {
      const ir::Population *post = population_named(t.population);
      if (!post)
        continue;
      const ir::NeuronModel *model = m_.find_model(post->model);
      ir::Projection pr;
      pr.pre = pre->name;
      pr.post = post->name;
      pr.loc = c.pre.loc;
      pr.frozen = c.frozen;
      if (forced) {
        pr.storage = forced->first;
        pr.storage_forced = true;
        pr.storage_loc = forced->second;
      }
      Dimension target_dim;
      if (c.synapse) {
        // The synapse model writes the postsynaptic neuron itself; `.X`
        // renames the one variable it writes.
        std::optional<Dimension> weight_dim =
            bind_synapse_model(c, m_, *model, t.variable ? &*t.variable : nullptr, pr, exprs_, diags_);
        if (!weight_dim)
          continue;
        target_dim = *weight_dim;
      } else if (t.variable) {
        pr.target = t.variable->name;
        if (model->find_input(pr.target)) {
          pr.target_kind = ir::TargetKind::Input;
        } else if (model->find_state(pr.target)) {
          pr.target_kind = ir::TargetKind::State;
        } else {
          diags_.report(DiagKind::unknown_variable, t.variable->loc, model->name, "state or input", pr.target);
          std::vector<std::string> names;
          for (const auto &s : model->states)
            names.push_back(s.name);
          for (const auto &i : model->inputs)
            names.push_back(i.name);
          diags_.suggest(pr.target, names, t.variable->loc);
          continue;
        }
      } else if (model->inputs.size() == 1) {
        pr.target = model->inputs[0].name;
        pr.target_kind = ir::TargetKind::Input;
      } else {
        diags_.report(DiagKind::ambiguous_projection_target, t.population.loc, model->name, model->inputs.size(),
                      post->name, model->states.empty() ? std::string("v") : model->states[0].name);
        continue;
      }
      // A weight sent to an input is an impulse: the input's dimension times a time.
      if (!c.synapse)
        target_dim = pr.target_kind == ir::TargetKind::Input ? model->find_input(pr.target)->dim * Dimension::time()
                                                             : model->find_state(pr.target)->dim;
      pr.connectivity_loc = c.connectivity ? c.connectivity->loc : c.loc;
      if (!lower_connectivity(c, *pre, *post, pr, exprs_, diags_) || !weight(c, *pre, *post, target_dim, pr) ||
          !check_synapse_count(c, *pre, *post, pr, diags_))
        continue;
      m_.network.projections.push_back(std::move(pr));
    }
  }

  /// The weight clause: a constant, `~ DISTRIBUTION_OR_INITIALISER` or
  /// `load(FILE, name: ARRAY)` (frontend/WeightInitializers.h).
  bool weight(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post, Dimension target_dim,
              ir::Projection &pr) {
    pr.weight.dim = target_dim;
    if (!c.weight) {
      diags_.report(DiagKind::missing_argument, c.loc, "'connect'", "weight");
      return false;
    }
    const auto *load = ast::dyn_cast<ast::CallExpr>(c.weight.get());
    if (!c.weight_is_distribution && load && load->callee.name == "load") {
      return lower_weight_load(*load, pr, pre, diags_);
    }
    if (!c.weight_is_distribution) {
      auto v = exprs_.constant(*c.weight, "the weight", target_dim);
      if (!v)
        return false;
      pr.weight.dist = ir::WeightDistribution::Constant;
      pr.weight.a = *v;
      return true;
    }
    return lower_weight_initializer(*c.weight, pr, pre, post, exprs_, diags_,
                                    [&](const ast::Expr &e) { return distribution(e, target_dim, "the weight"); });
  }

  /// `uniform(lo, hi)` or `normal(mean, sd)` with constant arguments.
  std::optional<ir::WeightInit> distribution(const ast::Expr &e, Dimension dim, const std::string &what) {
    const auto *call = ast::dyn_cast<ast::CallExpr>(&e);
    if (!call || (call->callee.name != "uniform" && call->callee.name != "normal")) {
      diags_.report(DiagKind::expected_distribution, e.loc());
      if (call)
        diags_.suggest(call->callee.name, {"uniform", "normal"}, call->callee.loc);
      return std::nullopt;
    }
    bool uniform = call->callee.name == "uniform";
    if (call->args.size() != 2) {
      diags_.report(DiagKind::wrong_argument_count, call->loc(), "'" + call->callee.name + "'", 2, call->args.size());
      return std::nullopt;
    }
    auto a = exprs_.constant(*call->args[0].value, what, dim);
    auto b = exprs_.constant(*call->args[1].value, what, dim);
    if (!a || !b)
      return std::nullopt;
    if (uniform && !(*a < *b)) {
      diags_.report(DiagKind::empty_uniform_range, call->loc());
      return std::nullopt;
    }
    if (!uniform && *b < 0) {
      diags_.report(DiagKind::negative_standard_deviation, call->args[1].value->loc());
      return std::nullopt;
    }
    ir::WeightInit w;
    w.dist = uniform ? ir::WeightDistribution::Uniform : ir::WeightDistribution::Normal;
    w.a = *a;
    w.b = *b;
    w.dim = dim;
    return w;
  }

  void regime_settings(const std::vector<ast::Setting> &settings) {
    static const std::vector<std::string> known = {"dt", "duration", "seed", "batch"};
    std::map<std::string, SourceLocation> seen;
    ir::Regime &r = m_.regime;
    const ast::Expr *duration = nullptr;
    for (const auto &s : settings) {
      const std::string &n = s.name.name;
      if (std::find(known.begin(), known.end(), n) == known.end()) {
        diags_.report(DiagKind::unknown_setting, s.name.loc, "simulate", n);
        diags_.suggest(n, known, s.name.loc);
        continue;
      }
      if (!diags_.define_once(seen, n, s.name.loc, "setting"))
        continue;
      if (n == "seed") {
        if (auto v = exprs_.integer(*s.value, "the seed", 0, (1ull << 53)))
          r.seed = *v;
        continue;
      }
      if (n == "batch") { // examples simulated together; the runtime checks their memory
        if (auto v = exprs_.integer(*s.value, "the batch size", 1, ir::kMaxBatch))
          r.batch = static_cast<uint32_t>(*v);
        continue;
      }
      auto v = exprs_.constant(*s.value, "'" + n + "'", Dimension::time());
      if (!v)
        continue;
      if (*v <= 0) {
        diags_.report(DiagKind::non_positive_setting, s.value->loc(), n);
        continue;
      }
      if (n == "dt")
        r.dt = *v;
      else {
        r.duration = *v;
        duration = s.value.get();
      }
    }
    if (duration && r.duration / r.dt > 1e12)
      diags_.report(DiagKind::too_many_steps, duration->loc(), "10^12");
    else if (duration && r.duration < r.dt) {
      diags_.report(DiagKind::duration_shorter_than_step, duration->loc());
      if (seen.count("dt"))
        diags_.note(DiagKind::note_dt_set_here, seen["dt"]);
    }
  }

  const ir::StateVar *state_of(const ir::Population &p, const ast::Ident &var) {
    const ir::NeuronModel *model = m_.find_model(p.model);
    if (const ir::StateVar *s = model->find_state(var.name))
      return s;
    diags_.report(DiagKind::unknown_variable, var.loc, model->name, "state", var.name);
    std::vector<std::string> names;
    for (const auto &s : model->states)
      names.push_back(s.name);
    diags_.suggest(var.name, names, var.loc);
    return nullptr;
  }

  void init(const ast::InitDecl &d) {
    for (const auto &t : d.targets) {
      const ir::Population *p = population_named(t.population);
      if (!p)
        continue;
      // A state's initial value, or a parameter made per neuron: it becomes
      // a constant state drawn once per network (passes/ResolveParams).
      const ir::NeuronModel *model = m_.find_model(p->model);
      const ir::Parameter *param = model->find_state(t.variable.name) ? nullptr : model->find_param(t.variable.name);
      ir::StateVar as_state;
      if (param)
        as_state = ir::StateVar{param->name, param->dim, ir::Expr()};
      const ir::StateVar *s = param ? &as_state : state_of(*p, t.variable);
      if (!s)
        continue;
      auto &pop = m_.network.populations[m_.network.population_index(p->name)];
      const auto *call = ast::dyn_cast<ast::CallExpr>(d.value.get());
      bool loaded = std::any_of(pop.loads.begin(), pop.loads.end(), [&](auto &l) { return l.state == s->name; });
      bool set = std::any_of(pop.inits.begin(), pop.inits.end(), [&](auto &a) { return a.state == s->name; });
      if (!d.distribution && call && call->callee.name == "load") {
        // The runtime writes the file's values over the initial ones.
        if (loaded || set) {
          diags_.report(DiagKind::duplicate_definition, t.variable.loc, "initial value of", p->name + "." + s->name);
          continue;
        }
        if (auto origin = lower_load_call(*call, p->name + "." + s->name, diags_))
          pop.loads.push_back({s->name, origin->file, origin->array});
        continue;
      }
      if (loaded) {
        diags_.report(DiagKind::duplicate_definition, t.variable.loc, "initial value of", p->name + "." + s->name);
        continue;
      }
      ir::Expr value;
      if (d.distribution) {
        auto w = distribution(*d.value, s->dim, "the initial value of '" + s->name + "'");
        if (!w)
          continue;
        ir::Expr a = ir::Constant::make(w->a, s->dim), b = ir::Constant::make(w->b, s->dim);
        if (w->dist == ir::WeightDistribution::Uniform)
          value = a + (b - a) * ir::Random::make(ir::Distribution::Uniform01, 0);
        else
          value = a + b * ir::Random::make(ir::Distribution::Normal01, 0);
      } else {
        Scope sc = ExprLowering::constant_scope("an initial value");
        uint32_t sites = 0;
        sc.allow_random = true;
        sc.random_sites = &sites;
        value = exprs_.lower(*d.value, sc);
        if (!exprs_.expect_dimension(value, s->dim, "the initial value of '" + s->name + "'", d.value->loc()))
          continue;
      }
      pop.inits.push_back({s->name, value});
    }
  }

  std::optional<uint32_t> slice_bound(const ast::ExprPtr &e, uint32_t fallback, const std::string &what, uint32_t max) {
    if (!e)
      return fallback;
    auto v = exprs_.integer(*e, what, 0, max);
    if (!v)
      return std::nullopt;
    return static_cast<uint32_t>(*v);
  }

  /// `every 1 ms`: a whole number of steps (at least one), reported once
  /// per record statement.
  std::optional<uint32_t> interval_steps(const ast::Expr &e) {
    auto t = exprs_.constant(e, "the recording interval", ir::Dimension::time());
    if (!t)
      return std::nullopt;
    double dt = m_.regime.dt, steps = *t / dt;
    if (!(*t > 0) || !std::isfinite(steps)) {
      diags_.report(DiagKind::non_positive_setting, e.loc(), "every");
      return std::nullopt;
    }
    if (steps > UINT32_MAX) {
      diags_.report(DiagKind::value_out_of_range, e.loc(), "the recording interval", ir::format_real(dt) + " s",
                    ir::format_real(double(UINT32_MAX) * dt) + " s", ir::format_real(*t) + " s");
      return std::nullopt;
    }
    double whole = std::round(steps);
    if (whole < 1 || std::fabs(steps - whole) > 1e-9 * whole) {
      double below = std::max(1.0, std::floor(steps)), above = std::max(below + 1, std::ceil(steps));
      auto seconds = [](double x) { return fmt::format("{:.6g}", x); }; // short: 0.0003, not 0.00030000000000000003
      diags_.report(DiagKind::record_interval_steps, e.loc(), seconds(*t), seconds(dt), seconds(below * dt),
                    seconds(above * dt));
      return std::nullopt;
    }
    return static_cast<uint32_t>(whole);
  }

  /// `[0, 5, 7]`: each index within the population, none twice; the range
  /// becomes the smallest one that holds them (what the runtime scans).
  bool index_list(const ast::Slice &s, const ir::Population &p, ir::Record &r) {
    std::vector<const ast::Expr *> all = {s.begin.get()};
    for (const auto &e : s.more)
      all.push_back(e.get());
    std::set<uint32_t> seen;
    for (const ast::Expr *e : all) {
      auto n = exprs_.integer(*e, "a neuron index", 0, p.size - 1);
      if (!n)
        return false;
      if (!seen.insert(uint32_t(*n)).second) {
        diags_.report(DiagKind::repeated_neuron_index, e->loc(), *n, p.name);
        return false;
      }
      r.indices.push_back(uint32_t(*n));
    }
    r.begin = *seen.begin();
    r.end = *seen.rbegin() + 1;
    r.stride = 1;
    return true;
  }

  void record(const ast::RecordDecl &d, bool training = false) {
    for (const auto &item : d.items) {
      const ir::Population *p = population_named(item.selection.population);
      if (!p)
        continue;
      ir::Record r;
      r.population = p->name;
      r.file = d.file.value_or("");
      if (d.file && r.file.empty()) {
        diags_.report(DiagKind::empty_file_name, d.file_loc);
        continue;
      }
      if (d.file && !check_recording_path(r.file, d.file_loc, diags_))
        continue;
      if (item.spikes) {
        if (item.function.name != "spikes" && item.function.name != "rate") {
          diags_.report(DiagKind::unknown_function, item.function.loc, item.function.name);
          diags_.note(DiagKind::note_record_forms, item.function.loc);
          continue;
        }
        r.kind = item.function.name == "spikes" ? ir::RecordKind::Spikes : ir::RecordKind::Rate;
        if (r.kind == ir::RecordKind::Rate && training) {
          diags_.report(DiagKind::record_form_in_training, item.function.loc, "'rate(...)'");
          continue;
        }
        if (r.kind == ir::RecordKind::Spikes && d.every) {
          diags_.report(DiagKind::every_on_spikes, d.every_loc);
          continue;
        }
      } else {
        r.kind = ir::RecordKind::State;
        // A parameter that `init` made per neuron, or that a current source
        // drives, is recordable like a state.
        bool per_neuron = false;
        for (const auto *list : {&p->inits, &p->drives})
          for (const ir::Assignment &a : *list)
            per_neuron = per_neuron ||
                         (a.state == item.variable->name && m_.find_model(p->model)->find_param(a.state) != nullptr);
        // An input records the sum of the weights each update received
        // (passes/ResolveParams adds the state that holds it).
        bool input = m_.find_model(p->model)->find_input(item.variable->name) != nullptr;
        if (input && training) {
          diags_.report(DiagKind::record_form_in_training, item.variable->loc, "an input");
          continue;
        }
        for (const ir::StateLoad &l : p->loads)
          per_neuron = per_neuron || l.state == item.variable->name;
        per_neuron = per_neuron || input;
        if (!per_neuron && !state_of(*p, *item.variable))
          continue;
        r.variable = item.variable->name;
      }
      r.begin = 0;
      r.end = p->size;
      if (item.selection.slice) {
        const ast::Slice &s = *item.selection.slice;
        auto b = slice_bound(s.begin, 0, "a neuron index", p->size - 1);
        auto e = s.is_range ? slice_bound(s.end, p->size, "a neuron index", p->size)
                            : std::optional<uint32_t>(b ? *b + 1 : 0);
        auto st = s.stride ? exprs_.integer(*s.stride, "a stride", 1, p->size) : std::optional<uint64_t>(1);
        if (!b || !e || !st)
          continue;
        if (*st == 0 || *b >= *e) {
          diags_.report(DiagKind::empty_neuron_range, s.loc, p->name, p->size);
          continue;
        }
        r.begin = *b;
        r.end = *e;
        r.stride = static_cast<uint32_t>(*st);
        if (!s.more.empty() && !index_list(s, *p, r))
          continue;
      }
      if (d.every) {
        std::optional<uint32_t> steps = interval_steps(*d.every);
        if (!steps)
          continue;
        r.interval = *steps;
      }
      m_.regime.records.push_back(std::move(r));
    }
  }

  /// A population whose model fires only on stimulus() and that the
  /// regime gives no spike file would never fire: a warning at its
  /// declaration (after the stimuli, whose own errors come first).
  void undriven_sources() {
    for (const ir::Population &p : m_.network.populations) {
      const ir::NeuronModel *model = m_.find_model(p.model);
      if (!model || !ir::reads_stimulus(*model) || stimulus_locs_.count(p.name))
        continue;
      diags_.report(DiagKind::undriven_spike_source, p.loc, p.name, model->name);
    }
  }

  void stimulus(const ast::StimulusDecl &s, const std::string &source_dir) {
    const ir::Population *p = population_named(s.population);
    if (!p)
      return;
    if (s.variable) {
      lower_current_source(s, *p, m_, exprs_, current_sources_, diags_);
      return;
    }
    const auto *call = ast::dyn_cast<ast::CallExpr>(s.source.get());
    const ast::StringExpr *path = nullptr;
    if (call && call->callee.name == "spike_times" && call->args.size() == 1 && !call->args[0].name)
      path = ast::dyn_cast<ast::StringExpr>(call->args[0].value.get());
    if (!path || path->value.empty()) {
      diags_.report(DiagKind::expected_spike_times, s.source->loc());
      return;
    }
    const ir::NeuronModel *model = m_.find_model(p->model);
    if (!ir::reads_stimulus(*model)) {
      diags_.report(DiagKind::stimulus_not_read, s.population.loc, p->name, model->name);
      return;
    }
    auto [previous, fresh] = stimulus_locs_.emplace(p->name, s.population.loc);
    if (!fresh) {
      diags_.report(DiagKind::duplicate_definition, s.population.loc, "stimulus of population", p->name);
      diags_.note(DiagKind::note_previous_definition, previous->second);
      return;
    }
    // Relative to the .snn file, and absolute, so the executable finds it
    // wherever it runs.
    std::error_code ec;
    std::filesystem::path file = path->value;
    if (file.is_relative())
      file = std::filesystem::absolute(source_dir.empty() ? file : std::filesystem::path(source_dir) / file, ec);
    m_.regime.stimuli.push_back({p->name, file.lexically_normal().string()});
  }

  ir::Module &m_;
  diag::Diagnostics &diags_;
  ExprLowering exprs_;
  std::map<std::string, SourceLocation> pop_locs_;
  std::set<std::string> failed_populations_; ///< declared, but with errors
  std::map<std::string, SourceLocation> stimulus_locs_;
  std::map<std::string, SourceLocation> current_sources_; ///< POP.PARAM -> where it is driven
};

} // namespace

void lower_training_records(const std::vector<ast::RecordDecl> &records, ir::Module &module, diag::Diagnostics &diags,
                            const FunctionTable *functions) {
  NetworkLowering(module, diags, functions).training_records(records);
}

bool lower_network(const ast::NetworkDecl &decl, ir::Module &module, diag::Diagnostics &diags,
                   const FunctionTable *functions) {
  return NetworkLowering(module, diags, functions).network(decl);
}

bool lower_simulation(const ast::SimulateDecl &decl, const std::string &source_dir, ir::Module &module,
                      diag::Diagnostics &diags, const FunctionTable *functions) {
  return NetworkLowering(module, diags, functions).simulation(decl, source_dir);
}

} // namespace snn::frontend
