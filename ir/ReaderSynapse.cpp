//===- ir/ReaderSynapse.cpp - Reads a printed synapse model back ----------===//
#include "ir/ReaderSynapse.h"

#include "ir/ReaderBlock.h"

namespace snn::ir::reader {

using diag::DiagKind;

namespace {

class SynapseReader : BlockReader {
public:
  SynapseReader(TokenStream &in, Module &m, std::map<std::string, SourceLocation> &models)
      : BlockReader(in), m_(m), models_(models) {}

  void read_synapse() {
    in_.expect("synapse");
    Token name = in_.expect(TokenKind::Ident, "a model name");
    define(models_, name, "synapse model");
    SynapseModel &m = model_;
    m.name = name.text;
    m.loc = name.loc;
    open_block();
    std::vector<Pending> params, states, odes, pre, post, post_states, post_odes;
    Pending post_output;
    std::vector<bool> pre_post, post_post; // whether each event statement writes post.X
    std::map<std::string, SourceLocation> names;
    while (!close_block()) {
      Token kw = in_.expect(TokenKind::Ident, "a synapse statement");
      if (kw.text == "param") {
        Token p = declared(names);
        in_.expect(":");
        m.params.push_back({p.text, dimension("="), Expr()});
        params.push_back(value_of(p));
      } else if (kw.text == "state") { // state X : DIM = VALUE   or   state W : DIM (weight)
        Token s = declared(names);
        in_.expect(":");
        StateVar st{s.text, dimension("="), Expr()};
        if (in_.accept("(")) {
          in_.expect("weight");
          in_.expect(")");
          if (!m.weight.empty())
            in_.fail(DiagKind::ir_invalid_module, s.loc, "synapse model '" + m.name + "' has two weights");
          m.weight = s.text;
          states.push_back(Pending{});
        } else {
          states.push_back(value_of(s));
        }
        m.states.push_back(std::move(st));
      } else if (kw.text == "ode") {
        odes.push_back(ode_line());
        m.odes.push_back({odes.back().target, Expr(), false, odes.back().target_loc});
      } else if (kw.text == "on") { // on pre|post post.X += VALUE   or   on pre|post X = VALUE
        Token pathway = in_.expect(TokenKind::Ident, "pre or post");
        if (pathway.text != "pre" && pathway.text != "post")
          in_.fail(DiagKind::ir_expected, pathway.loc, "pre or post", describe(pathway));
        bool writes_post = in_.peek(1).text == ".";
        if (writes_post) {
          in_.expect("post");
          in_.expect(".");
        }
        Token target = in_.expect(TokenKind::Ident, "a variable");
        if (writes_post)
          in_.expect("+");
        (pathway.text == "pre" ? pre : post).push_back(value_of(target));
        (pathway.text == "pre" ? pre_post : post_post).push_back(writes_post);
      } else if (kw.text ==
                 "post") { // post read X : DIM | post state X : DIM = V | post ode dX/dt = V | post output = V
        post_line(names, post_states, post_odes, post_output);
      } else {
        in_.fail(DiagKind::ir_expected, kw.loc, "a synapse statement", describe(kw));
      }
      in_.end_statement();
    }
    if (m.weight.empty())
      in_.fail(DiagKind::ir_invalid_module, m.loc, "synapse model '" + m.name + "' has no '(weight)' state");
    // Names resolve against a neuron model with the synapse's parameters and states.
    NeuronModel names_of;
    names_of.params = m.params;
    names_of.states = m.states;
    NameScope scope{&names_of, nullptr};
    for (size_t i = 0; i < params.size(); ++i)
      m.params[i].value = names_of.params[i].value = typed(params[i], scope, ScalarType::Real, m.params[i].dim,
                                                           "the value of parameter '" + m.params[i].name + "'");
    for (size_t i = 0; i < states.size(); ++i)
      if (states[i].syntax)
        m.states[i].initial = typed(states[i], scope, ScalarType::Real, m.states[i].dim,
                                    "the initial value of '" + m.states[i].name + "'");
    for (size_t i = 0; i < odes.size(); ++i) {
      const StateVar *s = m.find_state(odes[i].target);
      if (!s)
        in_.fail(DiagKind::ir_invalid_module, odes[i].target_loc, "no synapse state '" + odes[i].target + "'");
      m.odes[i].rhs = typed(odes[i], scope, ScalarType::Real, s->dim / Dimension::time(), "d" + s->name + "/dt");
    }
    auto events = [&](std::vector<Pending> &lines, const std::vector<bool> &to_post,
                      std::vector<SynapseStatement> &out) {
      for (size_t i = 0; i < lines.size(); ++i) {
        SynapseStatement s{to_post[i] ? SynapseStatement::Kind::Post : SynapseStatement::Kind::State, lines[i].target,
                           Expr(), lines[i].target_loc};
        Expr v = build_expr(*lines[i].syntax, scope, ScalarType::Real, in_);
        if (!to_post[i]) {
          const StateVar *st = m.find_state(s.target);
          if (!st)
            in_.fail(DiagKind::ir_invalid_module, lines[i].target_loc, "no synapse state '" + s.target + "'");
          expect_type(v, ScalarType::Real, st->dim, "the new value of '" + s.target + "'", lines[i].loc, in_);
        }
        s.value = v;
        out.push_back(std::move(s));
      }
    };
    events(pre, pre_post, m.on_pre);
    events(post, post_post, m.on_post);
    post_block(post_states, post_odes, post_output);
    m_.synapses.push_back(std::move(m));
  }

private:
  /// One `post ...` line of the post block, kept as syntax.
  void post_line(std::map<std::string, SourceLocation> &names, std::vector<Pending> &states, std::vector<Pending> &odes,
                 Pending &output) {
    PostsynapticBlock &b = model_.post;
    Token what = in_.expect(TokenKind::Ident, "read, state, ode or output");
    if (what.text == "read") {
      Token r = in_.expect(TokenKind::Ident, "a variable of the postsynaptic neuron");
      define(reads_, r, "read of the postsynaptic neuron's");
      in_.expect(":");
      b.reads.push_back({r.text, dimension("")});
    } else if (what.text == "state") {
      Token st = declared(names);
      in_.expect(":");
      b.states.push_back({st.text, dimension("="), Expr()});
      states.push_back(value_of(st));
    } else if (what.text == "ode") {
      odes.push_back(ode_line());
      b.odes.push_back({odes.back().target, Expr(), false, odes.back().target_loc});
    } else if (what.text == "output") {
      if (b.loc.valid())
        in_.fail(DiagKind::ir_invalid_module, what.loc, "synapse model '" + model_.name + "' has two outputs");
      b.loc = what.loc;
      output = value_of(what);
    } else {
      in_.fail(DiagKind::ir_expected, what.loc, "read, state, ode or output", describe(what));
    }
  }

  /// Types the post block's lines: they read the synapse's parameters, the
  /// block's states and the neuron's variables as "post.X".
  void post_block(std::vector<Pending> &states, std::vector<Pending> &odes, Pending &output) {
    PostsynapticBlock &b = model_.post;
    if (!output.syntax) {
      if (!b.states.empty() || !b.reads.empty() || !b.odes.empty())
        in_.fail(DiagKind::ir_invalid_module, model_.loc, "the post block of '" + model_.name + "' has no output");
      return;
    }
    NeuronModel names_of;
    names_of.params = model_.params;
    names_of.states = b.states;
    for (const InputVar &r : b.reads)
      names_of.states.push_back({post_read_name(r.name), r.dim, Expr()});
    NameScope scope{&names_of, nullptr};
    for (size_t i = 0; i < states.size(); ++i)
      b.states[i].initial =
          typed(states[i], scope, ScalarType::Real, b.states[i].dim, "the initial value of '" + b.states[i].name + "'");
    for (size_t i = 0; i < odes.size(); ++i) {
      const StateVar *s = model_.find_post_state(odes[i].target);
      if (!s)
        in_.fail(DiagKind::ir_invalid_module, odes[i].target_loc, "no post state '" + odes[i].target + "'");
      b.odes[i].rhs = typed(odes[i], scope, ScalarType::Real, s->dim / Dimension::time(), "d" + s->name + "/dt");
    }
    b.output = build_expr(*output.syntax, scope, ScalarType::Real, in_);
    expect_type(b.output, ScalarType::Real, b.output->dim, "the output", output.loc, in_);
  }

  SynapseModel model_;
  std::map<std::string, SourceLocation> reads_;

  Module &m_;
  std::map<std::string, SourceLocation> &models_;
};

} // namespace

void read_synapse(TokenStream &in, Module &m, std::map<std::string, SourceLocation> &model_names) {
  SynapseReader(in, m, model_names).read_synapse();
}

} // namespace snn::ir::reader
