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
    SynapseModel m;
    m.name = name.text;
    m.loc = name.loc;
    open_block();
    std::vector<Pending> params, states, odes, pre, post;
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
        Token d = in_.expect(TokenKind::Ident, "dSTATE/dt");
        if (d.text.size() < 2 || d.text[0] != 'd')
          in_.fail(DiagKind::ir_expected, d.loc, "dSTATE/dt", describe(d));
        in_.expect("/");
        in_.expect("dt");
        d.text.erase(0, 1);
        odes.push_back(value_of(d));
        m.odes.push_back({d.text, Expr(), false, d.loc});
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
    m_.synapses.push_back(std::move(m));
  }

private:
  Module &m_;
  std::map<std::string, SourceLocation> &models_;
};

} // namespace

void read_synapse(TokenStream &in, Module &m, std::map<std::string, SourceLocation> &model_names) {
  SynapseReader(in, m, model_names).read_synapse();
}

} // namespace snn::ir::reader
