//===- ir/Reader.cpp - Reads the printed model IR back --------------------===//
//
// One recursive-descent parser per block of the printed form (neuron,
// network, simulate; synapse in ir/ReaderSynapse.cpp, train in
// ir/ReaderTraining.cpp), each line one
// statement. A model's expressions are built when its block closes, since
// they may name what is declared below them; the network and the regime
// refer only to what precedes them.
//
//===----------------------------------------------------------------------===//
#include "ir/Reader.h"

#include "ir/Printer.h"
#include "ir/ReaderBlock.h"
#include "ir/ReaderExpr.h"
#include "ir/ReaderSynapse.h"
#include "ir/ReaderTraining.h"
#include "ir/Simplify.h"
#include "ir/Verifier.h"

#include <charconv>
#include <cmath>
#include <map>

namespace snn::ir {

using diag::DiagKind;
using namespace reader;

std::optional<Dimension> parse_dimension(const std::string &text) {
  if (text == "1")
    return Dimension();
  static const std::map<std::string, Dimension> units = {
      {"s", Dimension::time()},
      {"m", Dimension::base(Dimension::Metre)},
      {"kg", Dimension::base(Dimension::Kilogram)},
      {"A", Dimension::current()},
      {"K", Dimension::base(Dimension::Kelvin)},
      {"mol", Dimension::base(Dimension::Mole)},
      {"cd", Dimension::base(Dimension::Candela)},
      {"Hz", Dimension::frequency()},
      {"V", Dimension::voltage()},
      {"S", Dimension::conductance()},
      {"F", Dimension::capacitance()},
      {"ohm", Dimension::resistance()},
  };
  // unit[^n] factors joined by '*', and at most one '/' (as in "V/s").
  Dimension out;
  bool divide = false;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find_first_of("*/", i);
    std::string factor = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
    int halves = 2; // twice the power: "^-0.5" is -1
    if (size_t caret = factor.find('^'); caret != std::string::npos) {
      std::string digits = factor.substr(caret + 1);
      bool half = digits.size() > 2 && digits.compare(digits.size() - 2, 2, ".5") == 0;
      if (half)
        digits.resize(digits.size() - 2);
      size_t sign = !digits.empty() && digits[0] == '-' ? 1 : 0;
      if (digits.size() <= sign || digits.size() > sign + 3 ||
          digits.find_first_not_of("0123456789", sign) != std::string::npos)
        return std::nullopt;
      int whole = std::stoi(digits);
      halves = 2 * whole + (half ? (sign ? -1 : 1) : 0);
      factor.resize(caret);
    }
    auto unit = units.find(factor);
    if (unit == units.end())
      return std::nullopt;
    try {
      Dimension d = *unit->second.pow_half(halves);
      out = divide ? out / d : out * d;
    } catch (const InternalError &) { // an exponent out of a dimension's range
      return std::nullopt;
    }
    if (end == std::string::npos)
      break;
    if (text[end] == '/') {
      if (divide)
        return std::nullopt;
      divide = true;
    }
    i = end + 1;
  }
  return out;
}

namespace {

bool is_method(const std::string &name, IntegrationMethod &out) {
  for (IntegrationMethod m : {IntegrationMethod::Auto, IntegrationMethod::Exact, IntegrationMethod::Euler,
                              IntegrationMethod::RK4, IntegrationMethod::ExponentialEuler, IntegrationMethod::Milstein})
    if (name == name_of(m)) {
      out = m;
      return true;
    }
  return false;
}

class ModuleReader : BlockReader {
public:
  explicit ModuleReader(TokenStream &in) : BlockReader(in) {}

  Module read() {
    in_.skip_newlines();
    while (in_.peek().kind != TokenKind::End) {
      if (in_.at("neuron"))
        read_model();
      else if (in_.at("synapse"))
        read_synapse(in_, m_, models_);
      else if (in_.at("network"))
        read_network();
      else if (in_.at("simulate"))
        read_regime();
      else if (in_.at("train")) {
        regime_loc_ = in_.peek().loc;
        read_training(in_, m_, network_loc_);
      } else
        in_.fail_expected("'neuron', 'synapse', 'network', 'simulate' or 'train'");
      in_.skip_newlines();
    }
    bool resolved = true;
    for (const auto &m : m_.models)
      resolved = resolved && m.params.empty();
    for (const auto &s : m_.synapses)
      resolved = resolved && s.params.empty();
    for (const auto &pr : m_.network.projections)
      resolved = resolved && pr.synapse_overrides.empty();
    for (const auto &p : m_.network.populations)
      resolved = resolved && p.overrides.empty() && p.inits.empty() && p.drives.empty();
    m_.params_resolved = resolved;
    check();
    return std::move(m_);
  }

private:
  // --- neuron NAME { ... } -------------------------------------------------

  void read_model() {
    in_.expect("neuron");
    Token name = in_.expect(TokenKind::Ident, "a model name");
    define(models_, name, "neuron model");
    NeuronModel m;
    m.name = name.text;
    m.loc = name.loc;
    open_block();
    std::vector<Pending> params, states, odes, lets, updates, resets, drives;
    Pending refractory, refractory_condition, spike, surrogate;
    std::map<std::string, SourceLocation> names;
    bool has_method = false, has_discretized = false;
    SourceLocation counter_loc;
    while (!close_block()) {
      Token kw = in_.expect(TokenKind::Ident, "a model statement");
      const std::string &k = kw.text;
      if (k == "param") {
        Token p = declared(names);
        in_.expect(":");
        m.params.push_back({p.text, dimension("="), Expr()});
        params.push_back(value_of(p));
      } else if (k == "state") {
        Token s = declared(names);
        in_.expect(":");
        StateVar st{s.text, Dimension(), Expr()};
        if (in_.accept("int"))
          st.type = ScalarType::Int;
        else
          st.dim = dimension("=");
        states.push_back(value_of(s));
        st.frozen_when_refractory = unless_refractory();
        if (in_.accept("(")) { // (hidden) or (parameter)
          st.parameter = in_.accept("parameter");
          if (!st.parameter)
            in_.expect("hidden");
          in_.expect(")");
          st.hidden = !st.parameter;
        }
        m.states.push_back(std::move(st));
      } else if (k == "input") {
        Token i = declared(names);
        in_.expect(":");
        m.inputs.push_back({i.text, dimension("")});
      } else if (k == "method") {
        Token method = in_.expect(TokenKind::Ident, "an integration method");
        if (!is_method(method.text, m.method))
          in_.fail(DiagKind::ir_expected, method.loc, "auto, exact, euler or rk4", describe(method));
        m.method_loc = method.loc;
        has_method = true;
      } else if (k == "discretized") {
        in_.expect("with");
        Token method = in_.expect(TokenKind::Ident, "an integration method");
        if (!is_method(method.text, m.method_used))
          in_.fail(DiagKind::ir_expected, method.loc, "auto, exact, euler or rk4", describe(method));
        m.discretized = has_discretized = true;
      } else if (k == "refractory" && in_.accept("while")) { // refractory while COUNTER > 0
        Token counter = in_.expect(TokenKind::Ident, "the refractory counter");
        in_.expect(">");
        Token zero = in_.expect(TokenKind::Number, "0");
        if (zero.text != "0")
          in_.fail(DiagKind::ir_expected, zero.loc, "0", describe(zero));
        m.refractory_counter = counter.text;
        counter_loc = counter.loc;
      } else if (k == "refractory" && in_.accept("condition")) {
        refractory_condition = expression();
      } else if (k == "refractory") {
        refractory = expression();
      } else if (k == "ode") { // ode dX/dt = EXPR
        odes.push_back(ode_line());
        m.odes.push_back({odes.back().target, Expr(), unless_refractory(), odes.back().target_loc});
      } else if (k == "drive") { // drive STATE = EXPR (a current source)
        drives.push_back(value_of(in_.expect(TokenKind::Ident, "a state name")));
      } else if (k == "let") {
        lets.push_back(value_of(in_.expect(TokenKind::Shared, "a shared name such as %0")));
      } else if (k == "update" || k == "reset") {
        Token s = in_.expect(TokenKind::Ident, "a state name");
        (k == "update" ? updates : resets).push_back(value_of(s));
      } else if (k == "on") { // on spike next step: the reset acts in the next update
        in_.expect("spike");
        in_.expect("next");
        in_.expect("step");
        m.reset_next_step = true;
      } else if (k == "spike") {
        in_.expect("when");
        spike = expression();
      } else if (k == "surrogate") {
        in_.expect("=");
        surrogate = expression();
      } else {
        in_.fail(DiagKind::ir_expected, kw.loc, "a model statement", describe(kw));
      }
      in_.end_statement();
    }
    if (has_method == has_discretized)
      in_.fail(DiagKind::ir_invalid_module, m.loc,
               "model '" + m.name + "' needs either 'method M' (continuous) or 'discretized with M'");
    build_model(m, params, states, odes, refractory, lets, updates, spike, resets, surrogate);
    for (auto &d : drives) {
      const StateVar &s = state(m, d);
      m.drives.push_back({s.name, typed(d, {&m, nullptr}, s.type, s.dim, "the current source of '" + s.name + "'")});
    }
    if (refractory_condition.syntax)
      m.refractory_condition =
          typed(refractory_condition, {&m, nullptr}, ScalarType::Bool, Dimension(), "the refractory condition");
    if (!m.refractory_counter.empty()) {
      const StateVar *c = m.find_state(m.refractory_counter);
      if (!c || c->type != ScalarType::Int)
        in_.fail(DiagKind::ir_ill_typed, counter_loc, "the refractory counter must be a state of type int");
    }
    m_.models.push_back(std::move(m));
  }

  void build_model(NeuronModel &m, std::vector<Pending> &params, std::vector<Pending> &states,
                   std::vector<Pending> &odes, Pending &refractory, std::vector<Pending> &lets,
                   std::vector<Pending> &updates, Pending &spike, std::vector<Pending> &resets, Pending &surrogate) {
    NameScope scope{&m, nullptr};
    for (size_t i = 0; i < params.size(); ++i) {
      Parameter &p = m.params[i];
      p.value = typed(params[i], scope, ScalarType::Real, p.dim, "the value of parameter '" + p.name + "'");
    }
    for (size_t i = 0; i < states.size(); ++i) {
      StateVar &s = m.states[i];
      s.initial = typed(states[i], scope, s.type, s.dim, "the initial value of '" + s.name + "'");
    }
    // Shared subexpressions (`let %N`) of the ODEs or of the update map.
    std::map<std::string, Expr> shared;
    std::map<std::string, SourceLocation> shared_locs;
    for (auto &let : lets) {
      Token name{TokenKind::Shared, let.target, let.target_loc};
      define(shared_locs, name, "shared subexpression");
      shared[let.target] = build_expr(*let.syntax, {&m, &shared}, std::nullopt, in_);
    }
    for (size_t i = 0; i < odes.size(); ++i) {
      const StateVar &s = state(m, odes[i]);
      m.odes[i].rhs = typed(odes[i], {&m, &shared}, ScalarType::Real, s.dim / Dimension::time(), "d" + s.name + "/dt");
    }
    if (refractory.syntax) {
      m.refractory_period = typed(refractory, scope, ScalarType::Real, Dimension::time(), "the refractory period");
      if (mentions(m.refractory_period,
                   [](const Variable &v) { return v.var_kind != VarKind::Param && v.var_kind != VarKind::Dt; }))
        in_.fail(DiagKind::ir_ill_typed, refractory.loc,
                 "the refractory period reads a variable; it must be a constant time");
    }
    for (auto &u : updates) {
      const StateVar &s = state(m, u);
      m.update.push_back({s.name, typed(u, {&m, &shared}, s.type, s.dim, "the update of '" + s.name + "'")});
    }
    if (spike.syntax)
      m.spike_condition = typed(spike, scope, ScalarType::Bool, Dimension(), "the spike condition");
    for (auto &r : resets) {
      const StateVar &s = state(m, r);
      m.reset.push_back({s.name, typed(r, scope, s.type, s.dim, "the reset of '" + s.name + "'")});
    }
    if (surrogate.syntax)
      m.surrogate = typed(surrogate, scope, ScalarType::Real, Dimension(), "the surrogate");
  }

  // --- network NAME { ... } ------------------------------------------------

  void read_network() {
    Token kw = in_.expect("network");
    if (network_loc_.valid())
      in_.fail(DiagKind::duplicate_definition, kw.loc, "network", m_.network.name);
    network_loc_ = kw.loc;
    if (in_.peek().kind == TokenKind::Ident) // a file without a network prints an empty name
      m_.network.name = in_.take().text;
    open_block();
    std::map<std::string, SourceLocation> populations;
    while (!close_block()) {
      Token kw2 = in_.expect(TokenKind::Ident, "'population', 'init', 'drive', 'load' or 'projection'");
      if (kw2.text == "population")
        read_population(populations);
      else if (kw2.text == "init" && !m_.network.populations.empty())
        read_init(m_.network.populations.back());
      else if (kw2.text == "drive" && !m_.network.populations.empty())
        read_drive(m_.network.populations.back());
      else if (kw2.text == "load" && !m_.network.populations.empty())
        read_load(m_.network.populations.back());
      else if (kw2.text == "projection")
        read_projection();
      else
        in_.fail(DiagKind::ir_expected, kw2.loc, "'population', 'init', 'drive', 'load' or 'projection'",
                 describe(kw2));
      in_.end_statement();
    }
  }

  /// `8`, `3x3` or `28x28x2` (the lexer reads a number, then `x3x3`): at
  /// most `most` sizes, each at least `min`.
  std::vector<uint32_t> sizes(const std::string &what, uint32_t min, size_t most) {
    std::vector<uint32_t> out{uint32_t(parse_integer(in_, what, min, UINT32_MAX))};
    if (in_.peek().kind != TokenKind::Ident || !in_.adjacent() || in_.peek().text[0] != 'x')
      return out;
    Token rest = in_.take();
    std::string text = rest.text.substr(1);
    for (size_t start = 0; start <= text.size();) {
      size_t end = std::min(text.find('x', start), text.size());
      uint64_t v = 0;
      auto [stop, ec] = std::from_chars(text.data() + start, text.data() + end, v);
      if (ec != std::errc() || stop != text.data() + end || v < min || v > UINT32_MAX || out.size() == most)
        in_.fail(DiagKind::ir_expected, rest.loc, what, describe(rest));
      out.push_back(uint32_t(v));
      start = end + 1;
    }
    return out;
  }

  /// population NAME = MODEL x SIZE[, PARAM = EXPR]...
  void read_population(std::map<std::string, SourceLocation> &populations) {
    Population p;
    Token name = in_.expect(TokenKind::Ident, "a population name");
    define(populations, name, "population");
    p.name = name.text;
    in_.expect("=");
    Token model = in_.expect(TokenKind::Ident, "a model name");
    const NeuronModel *m = model_named(model);
    p.model = model.text;
    p.loc = model.loc;
    in_.expect("x");
    std::vector<uint32_t> dims = sizes("a population size or shape", 1, 3);
    p.size = dims[0];
    if (dims.size() == 3) {
      p.shape = {dims[0], dims[1], dims[2]};
      if (p.shape.size() > (1u << 30))
        in_.fail(DiagKind::ir_integer_range, model.loc, "a shape's neurons", 1, 1u << 30, p.shape.str());
      p.size = uint32_t(p.shape.size());
    } else if (dims.size() != 1) {
      in_.fail(DiagKind::ir_expected, model.loc, "a size or a shape HxWxC", "two sizes");
    }
    while (in_.accept(",")) {
      Token param = in_.expect(TokenKind::Ident, "a parameter name");
      const Parameter *decl = m->find_param(param.text);
      if (!decl)
        in_.fail(DiagKind::unknown_variable, param.loc, m->name, "parameter", param.text);
      Pending value = value_of(param);
      p.overrides.push_back(
          {param.text, typed(value, {m, nullptr}, ScalarType::Real, decl->dim, "the value of '" + param.text + "'")});
    }
    m_.network.populations.push_back(std::move(p));
  }

  /// init STATE = EXPR, under the population it sets.
  void read_init(Population &p) {
    const NeuronModel *m = m_.find_model(p.model);
    Token s = in_.expect(TokenKind::Ident, "a state name");
    Pending value = value_of(s);
    const StateVar &st = state(*m, value);
    p.inits.push_back({st.name, typed(value, {m, nullptr}, st.type, st.dim, "the initial value of '" + st.name + "'")});
  }

  /// load STATE from "FILE" [array "NAME"], under the population it sets.
  void read_load(Population &p) {
    const NeuronModel *m = m_.find_model(p.model);
    Token name = in_.expect(TokenKind::Ident, "a state or parameter name");
    if (!m->find_state(name.text) && !m->find_param(name.text))
      in_.fail(DiagKind::unknown_variable, name.loc, m->name, "state or parameter", name.text);
    in_.expect("from");
    StateLoad l{name.text, in_.expect(TokenKind::String, "a file name in quotes").text, ""};
    if (in_.accept("array"))
      l.array = in_.expect(TokenKind::String, "an array name in quotes").text;
    p.loads.push_back(std::move(l));
  }

  /// drive PARAM = EXPR (a current source), under the population it drives.
  void read_drive(Population &p) {
    const NeuronModel *m = m_.find_model(p.model);
    Token name = in_.expect(TokenKind::Ident, "a parameter name");
    Pending value = value_of(name);
    const Parameter *param = m->find_param(name.text);
    if (!param)
      in_.fail(DiagKind::unknown_variable, name.loc, m->name, "parameter", name.text);
    p.drives.push_back({param->name, typed(value, {m, nullptr}, ScalarType::Real, param->dim,
                                           "the current source of '" + name.text + "'")});
  }

  /// projection PRE -> POST.TARGET (input|state) : CONNECTIVITY, weight W [DIM]
  void read_projection() {
    Projection pr;
    Token pre_name = in_.expect(TokenKind::Ident, "a population name");
    pr.loc = pre_name.loc;
    const Population &pre = population_named(pre_name);
    in_.expect("->");
    const Population &post = population_named(in_.expect(TokenKind::Ident, "a population name"));
    pr.pre = pre.name;
    pr.post = post.name;
    in_.expect(".");
    Token target = in_.expect(TokenKind::Ident, "the target variable");
    pr.target = target.text;
    in_.expect("(");
    Token kind = in_.expect(TokenKind::Ident, "input, state or parameter");
    if (kind.text != "input" && kind.text != "state" && kind.text != "parameter")
      in_.fail(DiagKind::ir_expected, kind.loc, "input, state or parameter", describe(kind));
    pr.target_kind = kind.text == "input"   ? TargetKind::Input
                     : kind.text == "state" ? TargetKind::State
                                            : TargetKind::Parameter;
    in_.expect(")");
    const NeuronModel *model = m_.find_model(post.model);
    std::optional<Dimension> target_dim;
    if (const InputVar *i = pr.target_kind == TargetKind::Input ? model->find_input(pr.target) : nullptr)
      target_dim = i->dim * Dimension::time(); // an impulse: the weight integrates the input
    if (const StateVar *s = pr.target_kind == TargetKind::State ? model->find_state(pr.target) : nullptr)
      target_dim = s->dim;
    // A post block's output feeds the parameter; the weight has its own dimension.
    if (const Parameter *p = pr.target_kind == TargetKind::Parameter ? model->find_param(pr.target) : nullptr)
      target_dim = p->dim;
    if (!target_dim)
      in_.fail(DiagKind::unknown_variable, target.loc, model->name, kind.text, pr.target);
    in_.expect(":");
    Token conn = in_.expect(TokenKind::Ident, "a connectivity (dense, one_to_one, fixed_probability, ...)");
    if (conn.text == "dense") {
      pr.connectivity = ConnectivityKind::Dense;
    } else if (conn.text == "one_to_one") {
      pr.connectivity = ConnectivityKind::OneToOne;
    } else if (conn.text == "fixed_probability" || conn.text == "fixed_in_degree" || conn.text == "fixed_out_degree" ||
               conn.text == "fixed_total") { // fixed_probability(P, autapses: B), fixed_total(N, autapses: B), ...
      pr.connectivity = conn.text == "fixed_probability" ? ConnectivityKind::FixedProbability
                        : conn.text == "fixed_total"     ? ConnectivityKind::FixedTotal
                        : conn.text == "fixed_in_degree" ? ConnectivityKind::FixedInDegree
                                                         : ConnectivityKind::FixedOutDegree;
      in_.expect("(");
      if (pr.connectivity == ConnectivityKind::FixedProbability)
        pr.probability = parse_real(in_);
      else
        pr.count = parse_integer(in_, "the synapse count", 0, UINT32_MAX);
      in_.expect(",");
      in_.expect("autapses");
      in_.expect(":");
      pr.autapses = boolean();
      in_.expect(")");
    } else if (conn.text == "from_list") { // from_list(pre: [I, ...], post: [J, ...]), ascending pairs
      pr.connectivity = ConnectivityKind::FromList;
      std::vector<uint32_t> sides[2];
      in_.expect("(");
      for (int side = 0; side < 2; ++side) {
        if (side == 1)
          in_.expect(",");
        const Population &pop = side == 0 ? pre : post;
        in_.expect(side == 0 ? "pre" : "post");
        in_.expect(":");
        in_.expect("[");
        while (!in_.accept("]")) {
          if (!sides[side].empty())
            in_.expect(",");
          sides[side].push_back(uint32_t(parse_integer(in_, "a neuron of '" + pop.name + "'", 0, pop.size - 1)));
        }
      }
      in_.expect(")");
      if (sides[0].size() != sides[1].size())
        in_.fail(DiagKind::ir_invalid_module, conn.loc, "from_list has lists of different lengths");
      for (size_t k = 0; k < sides[0].size(); ++k) {
        pr.pairs.emplace_back(sides[0][k], sides[1][k]);
        if (k > 0 && !(pr.pairs[k - 1] < pr.pairs[k]))
          in_.fail(DiagKind::ir_invalid_module, conn.loc, "from_list's pairs must ascend without repeats");
      }
    } else if (conn.text == "conv2d" || conn.text == "avg_pool2d") { // conv2d(KHxKW, stride: SYxSX, padding: PYxPX)
      pr.connectivity = conn.text == "conv2d" ? ConnectivityKind::Conv2D : ConnectivityKind::AvgPool2D;
      in_.expect("(");
      std::vector<uint32_t> window = sizes("the window", 1, 2), stride, pad;
      in_.expect(",");
      in_.expect("stride");
      in_.expect(":");
      stride = sizes("the stride", 1, 2);
      in_.expect(",");
      in_.expect("padding");
      in_.expect(":");
      pad = sizes("the padding", 0, 2);
      in_.expect(")");
      if (window.size() != 2 || stride.size() != 2 || pad.size() != 2)
        in_.fail(DiagKind::ir_expected, conn.loc, "a window, stride and padding as ROWSxCOLUMNS", conn.text);
      pr.window = {window[0], window[1], stride[0], stride[1], pad[0], pad[1]};
    } else {
      in_.fail(DiagKind::ir_expected, conn.loc, "a connectivity (dense, one_to_one, fixed_probability, ...)",
               describe(conn));
    }
    in_.expect(",");
    in_.expect("weight");
    WeightInit &w = pr.weight;
    if (in_.accept("~")) { // ~ uniform(A, B) or ~ normal(A, B)
      Token dist = in_.expect(TokenKind::Ident, "uniform or normal");
      if (dist.text != "uniform" && dist.text != "normal")
        in_.fail(DiagKind::ir_expected, dist.loc, "uniform or normal", describe(dist));
      w.dist = dist.text == "uniform" ? WeightDistribution::Uniform : WeightDistribution::Normal;
      in_.expect("(");
      w.a = parse_real(in_);
      in_.expect(",");
      w.b = parse_real(in_);
      in_.expect(")");
    } else if (in_.peek().kind == TokenKind::Ident && in_.peek().text == "load") {
      // load("F"[, name: "A"][, layout: "L"])
      in_.expect("load");
      in_.expect("(");
      pr.weight_origin.file = in_.expect(TokenKind::String, "a file name in quotes").text;
      if (in_.accept(",")) {
        if (in_.peek().text == "name") {
          in_.expect("name");
          in_.expect(":");
          pr.weight_origin.array = in_.expect(TokenKind::String, "an array name in quotes").text;
        }
        if (in_.peek().text == "layout" || in_.accept(",")) {
          in_.expect("layout");
          in_.expect(":");
          Token layout = in_.expect(TokenKind::String, "a layout in quotes (\"oihw\" or \"chw\")");
          if (layout.text == "oihw")
            pr.weight_origin.layout = WeightLayout::Oihw;
          else if (layout.text == "chw")
            pr.weight_origin.layout = WeightLayout::Chw;
          else
            in_.fail(diag::DiagKind::ir_expected, layout.loc, "a layout \"oihw\" or \"chw\"", describe(layout));
        }
      }
      in_.expect(")");
    } else {
      w.a = parse_real(in_);
    }
    in_.expect("[");
    SourceLocation dim_loc = in_.peek().loc;
    w.dim = dimension("]");
    in_.expect("]");
    if (in_.peek().kind == TokenKind::Ident && in_.peek().text == "from") { // from INIT(NAME: X, ...)
      in_.expect("from");
      WeightOrigin &origin = pr.weight_origin;
      origin.initializer = in_.expect(TokenKind::Ident, "an initialiser's name").text;
      in_.expect("(");
      while (!in_.accept(")")) {
        if (!origin.initializer_args.empty())
          in_.expect(",");
        std::string name = in_.expect(TokenKind::Ident, "an argument's name").text;
        in_.expect(":");
        origin.initializer_args.emplace_back(name, parse_real(in_));
      }
    }
    while (in_.accept(",")) { // , delay N   , delay ~ uniform(LO, HI) [steps]   , frozen
      Token clause = in_.expect(TokenKind::Ident, "delay, synapse, frozen or storage");
      if (clause.text == "delay" && in_.accept("~")) {
        in_.expect("uniform");
        in_.expect("(");
        DelayRange range;
        range.lo = parse_real(in_);
        in_.expect(",");
        range.hi = parse_real(in_);
        in_.expect(")");
        in_.expect("[");
        in_.expect("steps");
        in_.expect("]");
        if (!(range.lo >= 0.5 && range.lo <= range.hi && range.hi <= double(kMaxDelaySteps)))
          in_.fail(DiagKind::ir_expected, clause.loc, "a delay range from 0.5 to " + std::to_string(kMaxDelaySteps),
                   "uniform(" + format_real(range.lo) + ", " + format_real(range.hi) + ")");
        pr.delay_steps = static_cast<uint32_t>(std::llround(range.hi));
        pr.delay_range = range;
      } else if (clause.text == "delay")
        pr.delay_steps = static_cast<uint32_t>(parse_integer(in_, "a delay in steps", 0, kMaxDelaySteps));
      else if (clause.text == "frozen")
        pr.frozen = true;
      else if (clause.text == "storage") { // , storage FORMAT: as chosen, kept
        Token format = in_.expect(TokenKind::Ident, "a storage format");
        std::optional<SynapseStorage> storage = storage_named(format.text);
        if (!storage)
          in_.fail(DiagKind::ir_expected, format.loc, "a storage format (ragged, dense, bitmask or procedural)",
                   describe(format));
        pr.storage = *storage;
        pr.storage_forced = true;
        pr.storage_loc = format.loc;
      } else if (clause.text == "synapse") { // , synapse NAME[, PARAM = VALUE ...]
        Token name = in_.expect(TokenKind::Ident, "a synapse model's name");
        const SynapseModel *model = m_.find_synapse(name.text);
        if (!model)
          in_.fail(DiagKind::unknown_synapse_model, name.loc, name.text);
        pr.synapse = name.text;
        target_dim = model->find_state(model->weight)->dim;
        while (in_.peek().text == "," && in_.peek(2).text == "=") {
          in_.expect(",");
          Token param = in_.expect(TokenKind::Ident, "a parameter");
          in_.expect("=");
          const Parameter *p = model->find_param(param.text);
          if (!p)
            in_.fail(DiagKind::unknown_argument, param.loc, "model '" + model->name + "'", param.text);
          Pending value = expression();
          pr.synapse_overrides.emplace_back(
              param.text, typed(value, {}, ScalarType::Real, p->dim, "parameter '" + param.text + "'"));
        }
      } else
        in_.fail(DiagKind::ir_expected, clause.loc, "delay, synapse, frozen or storage", describe(clause));
    }
    // A post block feeds a parameter (before resolve-params), and only it.
    const SynapseModel *synapse = m_.find_synapse(pr.synapse);
    if ((pr.target_kind == TargetKind::Parameter) != (synapse && synapse->post.present()))
      in_.fail(DiagKind::ir_invalid_module, target.loc,
               pr.target_kind == TargetKind::Parameter
                   ? "only a synapse model with a post block feeds a parameter ('" + pr.target + "')"
                   : "synapse model '" + pr.synapse + "' has a post block: its projection names a parameter");
    // A delta synapse's weight has its target's dimension; a synapse model's,
    // its weight state's.
    if (w.dim != *target_dim)
      in_.fail(DiagKind::ir_ill_typed, dim_loc,
               "the weight has dimension " + w.dim.str() + ", but " +
                   (pr.synapse.empty() ? "its target '" + pr.target + "'" : "the weight of '" + pr.synapse + "'") +
                   " has " + target_dim->str());
    m_.network.projections.push_back(std::move(pr));
  }

  // --- simulate NET { ... } ------------------------------------------------

  void read_regime() {
    Token kw = in_.expect("simulate");
    if (m_.has_regime)
      in_.fail(DiagKind::duplicate_definition, kw.loc, "simulate block for network", m_.regime.network);
    regime_loc_ = kw.loc;
    Token net = in_.expect(TokenKind::Ident, "a network name");
    if (!network_loc_.valid() || net.text != m_.network.name)
      in_.fail(DiagKind::unknown_network, net.loc, net.text);
    Regime &r = m_.regime;
    r.network = net.text;
    m_.has_regime = true;
    open_block();
    while (!close_block()) {
      Token kw2 = in_.expect(TokenKind::Ident, "a regime setting");
      const std::string &k = kw2.text;
      if (k == "dt" || k == "duration") {
        in_.expect("=");
        (k == "dt" ? r.dt : r.duration) = parse_real(in_);
        in_.expect("[");
        in_.expect("s");
        in_.expect("]");
      } else if (k == "seed") {
        in_.expect("=");
        r.seed = parse_integer(in_, "the seed", 0, UINT64_MAX);
      } else if (k == "batch") {
        in_.expect("=");
        r.batch = static_cast<uint32_t>(parse_integer(in_, "the batch", 1, kMaxBatch));
      } else if (k == "input") { // input POP = spike_times("PATH")
        Stimulus s;
        s.population = population_named(in_.expect(TokenKind::Ident, "a population name")).name;
        in_.expect("=");
        in_.expect("spike_times");
        in_.expect("(");
        s.path = in_.expect(TokenKind::String, "a file name in quotes").text;
        in_.expect(")");
        r.stimuli.push_back(std::move(s));
      } else if (k == "record") {
        r.records.push_back(record());
      } else {
        in_.fail(DiagKind::ir_expected, kw2.loc, "a regime setting", describe(kw2));
      }
      in_.end_statement();
    }
  }

  Record record() { return read_record(in_, m_); }

  const NeuronModel *model_named(const Token &name) {
    const NeuronModel *m = m_.find_model(name.text);
    if (!m)
      in_.fail(DiagKind::unknown_model, name.loc, name.text);
    return m;
  }

  const Population &population_named(const Token &name) {
    const Population *p = m_.network.find_population(name.text);
    if (!p)
      in_.fail(DiagKind::unknown_population, name.loc, name.text);
    return *p;
  }

  /// What the reader does not check line by line, the verifier checks.
  void check() {
    std::vector<std::string> problems = verify(m_);
    if (problems.empty())
      return;
    SourceLocation loc = network_loc_;
    for (const auto &model : m_.models)
      if (problems.front().rfind("model " + model.name + ":", 0) == 0)
        loc = model.loc;
    if (problems.front().find("record") != std::string::npos || problems.front().find("regime") != std::string::npos)
      loc = regime_loc_;
    if (!loc.valid())
      loc = {in_.peek().loc.file, 1, 1, 1};
    in_.fail(DiagKind::ir_invalid_module, loc, problems.front());
  }

  Module m_;
  std::map<std::string, SourceLocation> models_;
  SourceLocation network_loc_, regime_loc_;
};

} // namespace

std::optional<Module> read_module(const std::string &file, const std::string &text, diag::Diagnostics &diags) {
  try {
    TokenStream in(file, text, diags);
    return ModuleReader(in).read();
  } catch (const ReadFailure &) {
    return std::nullopt;
  }
}

} // namespace snn::ir
