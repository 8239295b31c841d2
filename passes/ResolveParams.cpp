//===- passes/ResolveParams.cpp - Specialise models per population --------===//
#include "passes/ResolveParams.h"

#include "ir/Simplify.h"

#include <functional>
#include <map>

namespace snn::passes {

namespace {

ir::Expr bind_params(const ir::Expr &e, const std::map<std::string, ir::Expr> &values) {
  return ir::substitute(e, [&](const ir::Variable &v) -> ir::Expr {
    if (v.var_kind != ir::VarKind::Param)
      return {};
    auto it = values.find(v.name);
    return it == values.end() ? ir::Expr() : it->second;
  });
}

/// The values of `params` with `overrides` and defaults (in order: a
/// default may read the parameters before it).
std::map<std::string, ir::Expr> parameter_values(const std::vector<ir::Parameter> &params,
                                                 const std::vector<std::pair<std::string, ir::Expr>> &overrides) {
  std::map<std::string, ir::Expr> values;
  for (const auto &p : params) {
    ir::Expr v;
    for (const auto &[name, value] : overrides)
      if (name == p.name)
        v = value;
    if (!v)
      v = ir::simplify(bind_params(p.value, values));
    values[p.name] = v;
  }
  return values;
}

/// For each projection, the names its synapse model's post-block states
/// have in the postsynaptic model.
using BlockStateNames = std::vector<std::map<std::string, std::string>>;

/// Moves the post blocks of the synapse models of the projections into
/// `pop` into its model `s`, before `s`'s parameters are bound: each
/// projection's block states (named "g@PRE", unique in the model) with
/// their ODEs, integrated with the neuron's, and its output added wherever
/// the model reads the parameter the projection feeds.
void add_post_blocks(const ir::Module &m, const ir::Population &pop, ir::NeuronModel &s, BlockStateNames &names) {
  std::map<std::string, ir::Expr> fed; // parameter -> the sum of the outputs it receives
  for (size_t j = 0; j < m.network.projections.size(); ++j) {
    const ir::Projection &pr = m.network.projections[j];
    if (pr.post != pop.name || pr.target_kind != ir::TargetKind::Parameter)
      continue;
    const ir::SynapseModel *syn = m.find_synapse(pr.synapse);
    ir::internal_check(syn && syn->post.present(),
                       "projection " + pr.pre + " -> " + pr.post + " feeds '" + pr.target + "' without a post block");
    const ir::PostsynapticBlock &b = syn->post;
    std::map<std::string, ir::Expr> values = parameter_values(syn->params, pr.synapse_overrides);
    for (const auto &st : b.states) {
      std::string name = st.name + "@" + pr.pre;
      if (s.find_state(name) || s.find_param(name) || s.find_input(name))
        name += "@" + std::to_string(j);
      names[j][st.name] = name;
    }
    // The block's expressions with its parameters' values, its states
    // renamed and `post.X` as the neuron's own X.
    auto local = [&](const ir::Expr &e) {
      return ir::simplify(ir::substitute(bind_params(e, values), [&](const ir::Variable &v) -> ir::Expr {
        if (v.var_kind != ir::VarKind::State)
          return {};
        if (auto it = names[j].find(v.name); it != names[j].end())
          return ir::Variable::make(ir::VarKind::State, it->second, v.dim);
        for (const auto &r : b.reads)
          if (v.name == ir::post_read_name(r.name))
            return ir::Variable::make(s.find_state(r.name) ? ir::VarKind::State : ir::VarKind::Param, r.name, v.dim);
        return {};
      }));
    };
    for (const auto &st : b.states)
      s.states.push_back({names[j][st.name], st.dim, local(st.initial)});
    for (const auto &o : b.odes)
      s.odes.push_back({names[j][o.state], local(o.rhs), false, o.loc});
    ir::Expr out = local(b.output);
    ir::Expr &sum = fed[pr.target];
    sum = sum ? sum + out : out;
  }
  if (fed.empty())
    return;
  ir::for_each_expr(s, [&](ir::Expr &e) {
    e = ir::substitute(e, [&](const ir::Variable &v) -> ir::Expr {
      auto it = v.var_kind == ir::VarKind::Param ? fed.find(v.name) : fed.end();
      return it == fed.end() ? ir::Expr() : ir::Variable::make(ir::VarKind::Param, v.name, v.dim) + it->second;
    });
  });
}

/// Each projection with a synapse model gets a copy of it, "MODEL@j" for
/// projection j, with its parameters' values substituted; a post block's
/// projection then writes the block's states in its post model.
void resolve_synapses(ir::Module &m, const BlockStateNames &block_names) {
  std::vector<ir::SynapseModel> specialised;
  for (size_t j = 0; j < m.network.projections.size(); ++j) {
    ir::Projection &pr = m.network.projections[j];
    if (pr.synapse.empty())
      continue;
    const ir::SynapseModel *generic = m.find_synapse(pr.synapse);
    ir::internal_check(generic != nullptr, "projection " + pr.pre + " -> " + pr.post + " has no synapse model");
    std::map<std::string, ir::Expr> values = parameter_values(generic->params, pr.synapse_overrides);
    ir::SynapseModel s = *generic;
    s.name = generic->name + "@" + std::to_string(j);
    s.params.clear();
    auto bind = [&](ir::Expr &e) {
      if (e)
        e = ir::simplify(bind_params(e, values));
    };
    for (auto &st : s.states)
      bind(st.initial);
    for (auto &o : s.odes)
      bind(o.rhs);
    // `connect a -> b.ge : synapse STDP`: the projection's target stands
    // for the one variable the model writes (`post.g`).
    const std::map<std::string, std::string> &names = block_names[j];
    std::vector<std::string> written = ir::post_variables(s);
    bool rename = names.empty() && written.size() == 1 && written[0] != pr.target;
    for (auto *block : {&s.on_pre, &s.on_post})
      for (auto &statement : *block) {
        bind(statement.value);
        if (statement.kind != ir::SynapseStatement::Kind::Post)
          continue;
        if (rename)
          statement.target = pr.target;
        if (auto it = names.find(statement.target); it != names.end()) {
          statement.target = it->second;
          if (pr.target_kind == ir::TargetKind::Parameter) { // now the first block state written
            pr.target = it->second;
            pr.target_kind = ir::TargetKind::State;
          }
        }
      }
    ir::internal_check(pr.target_kind != ir::TargetKind::Parameter,
                       "projection " + pr.pre + " -> " + pr.post + " writes none of its post block's states");
    s.post = ir::PostsynapticBlock();
    pr.synapse = s.name;
    pr.synapse_overrides.clear();
    specialised.push_back(std::move(s));
  }
  m.synapses = std::move(specialised);
}

/// What must be one value for the whole population (the refractory period,
/// counted in steps) cannot read a parameter made per neuron.
bool uniform_settings(const ir::NeuronModel &s, const ir::Population &pop, PassContext &ctx) {
  std::string read;
  if (s.refractory_period)
    ir::mentions(s.refractory_period, [&](const ir::Variable &v) {
      if (v.var_kind == ir::VarKind::State && read.empty())
        read = v.name;
      return false;
    });
  if (read.empty())
    return true;
  ctx.diags.report(diag::DiagKind::per_neuron_refractory, pop.loc, pop.name, read);
  return false;
}

/// The runtime writes loaded values after the initial values are computed,
/// so no other initial value may read a loaded state.
bool loads_last(const ir::NeuronModel &s, const ir::Population &pop, PassContext &ctx) {
  for (const auto &st : s.states) {
    if (!st.initial)
      continue;
    for (const auto &load : pop.loads) {
      if (load.state == st.name)
        continue;
      bool reads = ir::mentions(
          st.initial, [&](const ir::Variable &v) { return v.var_kind == ir::VarKind::State && v.name == load.state; });
      if (reads) {
        ctx.diags.report(diag::DiagKind::initial_reads_loaded, pop.loc, st.name, pop.name, load.state);
        return false;
      }
    }
  }
  return true;
}

} // namespace

bool resolve_params(ir::Module &m, PassContext &ctx) {
  if (m.params_resolved) // e.g. a module read back from printed IR
    return true;
  std::vector<ir::NeuronModel> specialised;
  BlockStateNames block_names(m.network.projections.size());
  bool ok = true;
  for (auto &pop : m.network.populations) {
    const ir::NeuronModel *generic = m.find_model(pop.model);
    ir::internal_check(generic != nullptr, "population '" + pop.name + "' has no model");
    // `init p.tau ~ ...` makes parameter tau a constant state of each
    // neuron; the parameters defined from it then read it too.
    std::vector<std::pair<std::string, ir::Expr>> overrides = pop.overrides;
    std::vector<ir::StateVar> per_neuron;
    // Parameter `name` (if it is one) as a state of each neuron starting at
    // `initial` (a parameter state: initialised before the others, which
    // may read it); the parameters defined from it read the state.
    auto make_per_neuron = [&](const std::string &name, const std::function<ir::Expr(const ir::Parameter &)> &initial) {
      const ir::Parameter *p = generic->find_param(name);
      if (!p)
        return;
      ir::StateVar st{p->name, p->dim, initial(*p)};
      st.parameter = true;
      per_neuron.push_back(st);
      overrides.emplace_back(p->name, ir::Variable::make(ir::VarKind::State, p->name, p->dim));
    };
    for (const auto &init : pop.inits)
      make_per_neuron(init.state, [&](const ir::Parameter &) { return init.value; });
    // From a file: 0 until the runtime writes the file's values over it.
    for (const auto &load : pop.loads)
      make_per_neuron(load.state, [](const ir::Parameter &p) { return ir::Constant::make(0.0, p.dim); });
    // A current source: the state takes the source's value each step
    // (DiscretizeOdes); it starts at the value for t = 0.
    for (const auto &drive : pop.drives)
      make_per_neuron(drive.state, [&](const ir::Parameter &) {
        return ir::simplify(ir::substitute(drive.value, [](const ir::Variable &v) -> ir::Expr {
          return v.var_kind == ir::VarKind::Time ? ir::Constant::make(0.0, v.dim) : ir::Expr();
        }));
      });
    std::map<std::string, ir::Expr> values = parameter_values(generic->params, overrides);
    ir::NeuronModel s = *generic;
    s.name = generic->name + "@" + pop.name;
    add_post_blocks(m, pop, s, block_names);
    // Problems of the specialised model come from this population's values.
    if (pop.loc.valid())
      s.loc = pop.loc;
    s.params.clear();
    ir::for_each_expr(s, [&](ir::Expr &e) { e = bind_params(e, values); });
    // The regime's initial values replace the model's whole: they are
    // constants and random draws, with no parameters to bind.
    for (auto &st : s.states)
      for (const auto &init : pop.inits)
        if (init.state == st.name)
          st.initial = init.value;
    s.states.insert(s.states.end(), per_neuron.begin(), per_neuron.end());
    s.drives = pop.drives;
    if (!per_neuron.empty() && !uniform_settings(s, pop, ctx))
      ok = false;
    if (!loads_last(s, pop, ctx))
      ok = false;
    pop.model = s.name;
    pop.overrides.clear();
    pop.inits.clear();
    pop.drives.clear();
    specialised.push_back(std::move(s));
  }
  m.models = std::move(specialised);
  // A recorded input: a hidden state of its population's (own) model holds
  // what each update received (DiscretizeOdes gives it its update).
  for (ir::Record &r : m.regime.records) {
    if (r.kind != ir::RecordKind::State)
      continue;
    const ir::Population *pop = m.network.find_population(r.population);
    ir::NeuronModel *model = pop ? m.find_model(pop->model) : nullptr;
    const ir::InputVar *input = model ? model->find_input(r.variable) : nullptr;
    if (!input)
      continue;
    r.variable = ir::received_state(input->name);
    if (!model->find_state(r.variable)) {
      ir::StateVar held{r.variable, input->dim * ir::Dimension::time(),
                        ir::Constant::make(0.0, input->dim * ir::Dimension::time())};
      held.hidden = true;
      model->states.push_back(held);
    }
  }
  resolve_synapses(m, block_names);
  m.params_resolved = true;
  return ok;
}

} // namespace snn::passes
