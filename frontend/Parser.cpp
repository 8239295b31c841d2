//===- frontend/Parser.cpp - From source text to the AST ------------------===//
//
// Runs the ANTLR lexer and parser with our own error listener (so syntax
// errors come out as located diagnostics, not on the console; see
// SyntaxErrors.h), then walks the parse tree once to build the AST. ANTLR
// types stay inside frontend/.
//
//===----------------------------------------------------------------------===//
#include "frontend/Parser.h"
#include "frontend/SyntaxErrors.h"

#include "frontend/Units.h"

#include "SNNLexer.h"
#include "SNNParser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

using snn_grammar::SNNLexer;
using snn_grammar::SNNParser;

namespace snn::frontend {

using diag::DiagKind;

namespace {

class AstBuilder {
public:
  AstBuilder(const std::string &file, diag::Diagnostics &diags) : file_(file), diags_(diags) {}

  std::unique_ptr<ast::File> build(SNNParser::FileContext *ctx) {
    auto f = std::make_unique<ast::File>();
    f->name = file_;
    for (auto *item : ctx->item()) {
      if (auto *imp = item->importDecl())
        f->imports.push_back(import_decl(imp));
      else if (auto *fi = item->fileImportDecl())
        f->file_imports.push_back(file_import(fi));
      else if (auto *n = item->neuronDecl(); n && n->base)
        f->aliases.push_back(alias(n->name, n->base, n->callArgs(), false));
      else if (n)
        f->neurons.push_back(neuron(n));
      else if (auto *sy = item->synapseDecl(); sy && sy->base)
        f->aliases.push_back(alias(sy->name, sy->base, sy->callArgs(), true));
      else if (sy)
        f->synapses.push_back(synapse(sy));
      else if (auto *fn = item->functionDecl())
        f->functions.push_back(function(fn));
      else if (auto *let = item->letDecl())
        f->functions.push_back(constant(let));
      else if (auto *net = item->networkDecl())
        f->networks.push_back(network(net));
      else if (auto *sim = item->simulateDecl())
        f->simulations.push_back(simulate(sim));
      else if (auto *tr = item->trainDecl())
        f->trainings.push_back(train(tr));
    }
    return f;
  }

private:
  ast::Loc loc(antlr4::Token *t) const { return token_location(file_, t); }
  ast::Loc loc(antlr4::tree::TerminalNode *n) const { return loc(n->getSymbol()); }
  ast::Loc loc(antlr4::ParserRuleContext *c) const {
    ast::Loc l = loc(c->getStart());
    antlr4::Token *stop = c->getStop();
    if (stop && stop->getLine() == c->getStart()->getLine() && stop->getStopIndex() >= c->getStart()->getStartIndex())
      l.length = static_cast<unsigned>(stop->getStopIndex() - c->getStart()->getStartIndex() + 1);
    return l;
  }
  ast::Ident ident(antlr4::tree::TerminalNode *n) const { return {n->getText(), loc(n)}; }
  ast::Ident ident(SNNParser::PopNameContext *n) const { return {n->getText(), loc(n)}; }
  ast::Ident ident(SNNParser::DataNameContext *n) const { return {n->getText(), loc(n)}; }

  ast::Import import_decl(SNNParser::ImportDeclContext *c) {
    ast::Import imp;
    imp.loc = loc(c);
    auto names = c->importName();
    // With braces, every name before '{' is the path; without, the last
    // name is the imported model.
    size_t path_len = names.size() - 1;
    if (c->getText().find('{') != std::string::npos) {
      path_len = 0;
      for (auto *child : c->children) {
        if (child->getText() == "{")
          break;
        if (dynamic_cast<SNNParser::ImportNameContext *>(child))
          ++path_len;
      }
    }
    if (path_len == 0) {
      diags_.report(DiagKind::incomplete_import, loc(names[0]), names[0]->getText());
      return imp;
    }
    for (size_t i = 0; i < names.size(); ++i)
      (i < path_len ? imp.module_path : imp.names).push_back({names[i]->getText(), loc(names[i])});
    return imp;
  }

  ast::FileImport file_import(SNNParser::FileImportDeclContext *c) {
    ast::FileImport imp;
    imp.loc = loc(c);
    imp.format = {c->format->getText(), loc(c->format)};
    imp.path = unescape(c->path->getText());
    imp.path_loc = loc(c->path);
    if (c->asWord)
      imp.as = ast::Ident{c->asWord->getText(), loc(c->asWord)};
    if (c->name)
      imp.name = ast::Ident{c->name->getText(), loc(c->name)};
    return imp;
  }

  ast::NeuronDecl neuron(SNNParser::NeuronDeclContext *c) {
    ast::NeuronDecl n;
    n.name = {c->name->getText(), loc(c->name)};
    n.file = file_;
    for (auto *s : c->neuronStmt()) {
      if (auto *p = dynamic_cast<SNNParser::ParamStmtContext *>(s)) {
        ast::ParamDecl d{ident(p->IDENT()), p->unit ? expr(p->unit) : nullptr, p->value ? expr(p->value) : nullptr};
        n.params.push_back(std::move(d));
      } else if (auto *st = dynamic_cast<SNNParser::StateStmtContext *>(s)) {
        n.states.push_back({ident(st->IDENT()), expr(st->expr())});
      } else if (auto *in = dynamic_cast<SNNParser::InputStmtContext *>(s)) {
        n.inputs.push_back({ident(in->IDENT()), in->expr() ? expr(in->expr()) : nullptr});
      } else if (auto *o = dynamic_cast<SNNParser::OdeStmtContext *>(s)) {
        n.odes.push_back(ode(o));
      } else if (auto *sp = dynamic_cast<SNNParser::SpikeStmtContext *>(s)) {
        if (n.spike_condition) {
          diags_.report(DiagKind::duplicate_definition, loc(sp), "spike condition of", n.name.name);
          diags_.note(DiagKind::note_previous_definition, n.spike_loc);
          continue;
        }
        n.spike_loc = loc(sp->getStart());
        n.spike_condition = expr(sp->expr());
      } else if (auto *r = dynamic_cast<SNNParser::ResetStmtContext *>(s)) {
        if (n.has_reset) {
          diags_.report(DiagKind::duplicate_definition, loc(r->getStart()), "'on spike' block of", n.name.name);
          diags_.note(DiagKind::note_previous_definition, n.reset_loc);
          continue;
        }
        n.has_reset = true;
        n.reset_loc = loc(r->getStart());
        auto words = r->IDENT();
        if (words.size() == 2) {
          // `next step` are names, not keywords, so that they stay usable elsewhere.
          if (words[0]->getText() != "next" || words[1]->getText() != "step") {
            ast::Loc at = loc(words[0]);
            diags_.report(DiagKind::expected_next_step, at, words[0]->getText(), words[1]->getText());
          }
          n.reset_next_step = true;
        }
        for (auto *a : r->assignment())
          n.reset.push_back({ident(a->IDENT()), a->op->getText(), expr(a->expr()), loc(a)});
      } else if (auto *set = dynamic_cast<SNNParser::SettingStmtContext *>(s)) {
        n.settings.push_back({ident(set->IDENT()), expr(set->expr()), set->op->getText() == "while"});
      }
    }
    return n;
  }

  /// `neuron NAME = BASE(args)` or `synapse NAME = BASE(args)`.
  ast::AliasDecl alias(antlr4::Token *name, antlr4::Token *base, SNNParser::CallArgsContext *call, bool synapse) {
    ast::AliasDecl a;
    a.synapse = synapse;
    a.name = {name->getText(), loc(name)};
    a.base = {base->getText(), loc(base)};
    if (call)
      a.args = args(call);
    return a;
  }

  ast::SynapseDecl synapse(SNNParser::SynapseDeclContext *c) {
    ast::SynapseDecl d;
    d.name = {c->name->getText(), loc(c->name)};
    d.file = file_;
    for (auto *s : c->synapseStmt()) {
      if (auto *p = dynamic_cast<SNNParser::SynapseParamStmtContext *>(s)) {
        d.params.push_back({ident(p->IDENT()), p->unit ? expr(p->unit) : nullptr, p->value ? expr(p->value) : nullptr});
      } else if (auto *st = dynamic_cast<SNNParser::SynapseStateStmtContext *>(s)) {
        d.states.push_back(
            {ident(st->IDENT()), st->unit ? expr(st->unit) : nullptr, st->value ? expr(st->value) : nullptr});
      } else if (auto *o = dynamic_cast<SNNParser::SynapseOdeStmtContext *>(s)) {
        d.odes.push_back(ode(o->IDENT(0), o->IDENT(1), o->expr()));
      } else if (auto *e = dynamic_cast<SNNParser::SynapseEventStmtContext *>(s)) {
        ast::SynapseEvent event;
        event.pathway = ast::Ident{e->pathway->getText(), loc(e->pathway)};
        for (auto *a : e->synapseAssignment()) {
          ast::SynapseAssign assign;
          if (a->owner)
            assign.owner = ast::Ident{a->owner->getText(), loc(a->owner)};
          assign.target = ast::Ident{a->name->getText(), loc(a->name)};
          assign.op = a->op->getText();
          assign.value = expr(a->expr());
          assign.loc = loc(a);
          event.body.push_back(std::move(assign));
        }
        d.events.push_back(std::move(event));
      } else if (auto *b = dynamic_cast<SNNParser::SynapsePostStmtContext *>(s)) {
        d.post.push_back(post_block(b));
      }
    }
    return d;
  }

  ast::PostBlock post_block(SNNParser::SynapsePostStmtContext *c) {
    ast::PostBlock b;
    b.keyword = {c->block->getText(), loc(c->block)};
    for (auto *s : c->postStmt()) {
      if (auto *st = dynamic_cast<SNNParser::PostStateStmtContext *>(s))
        b.states.push_back(
            {ident(st->IDENT()), st->unit ? expr(st->unit) : nullptr, st->value ? expr(st->value) : nullptr});
      else if (auto *r = dynamic_cast<SNNParser::PostReadStmtContext *>(s))
        b.reads.push_back({{r->owner->getText(), loc(r->owner)}, ident(r->IDENT(1)), expr(r->expr())});
      else if (auto *o = dynamic_cast<SNNParser::PostOdeStmtContext *>(s))
        b.odes.push_back(ode(o->IDENT(0), o->IDENT(1), o->expr()));
      else if (auto *out = dynamic_cast<SNNParser::PostOutputStmtContext *>(s))
        b.outputs.emplace_back(ident(out->IDENT()), expr(out->expr()));
    }
    return b;
  }

  ast::FunctionDecl function(SNNParser::FunctionDeclContext *c) {
    ast::FunctionDecl f;
    f.name = ident(c->IDENT());
    f.file = file_;
    for (auto *p : c->functionParam())
      f.params.push_back({ident(p->IDENT()), p->expr() ? expr(p->expr()) : nullptr});
    f.body = expr(c->expr());
    return f;
  }

  ast::FunctionDecl constant(SNNParser::LetDeclContext *c) {
    ast::FunctionDecl f;
    f.name = ident(c->IDENT());
    f.file = file_;
    f.body = expr(c->expr());
    f.constant = true;
    return f;
  }

  ast::OdeDecl ode(SNNParser::OdeStmtContext *o) {
    auto ids = o->IDENT();
    ast::OdeDecl d = ode(ids[0], ids[1], o->expr());
    if (ids.size() > 2)
      d.unless = ident(ids[2]);
    return d;
  }

  /// `dNAME/dt = rhs` from its two words and right side.
  ast::OdeDecl ode(antlr4::tree::TerminalNode *numerator, antlr4::tree::TerminalNode *denominator,
                   SNNParser::ExprContext *rhs) {
    ast::OdeDecl d;
    ast::Ident num = ident(numerator), den = ident(denominator);
    d.lhs_loc = num.loc;
    d.lhs_loc.length = static_cast<unsigned>(num.name.size() + 1 + den.name.size());
    if (num.name.size() < 2 || num.name[0] != 'd' || den.name != "dt") {
      diags_.report(DiagKind::invalid_ode, d.lhs_loc, num.name, den.name);
    }
    d.state = {num.name.size() > 1 ? num.name.substr(1) : num.name, num.loc};
    d.state.loc.column += 1;
    d.state.loc.length = static_cast<unsigned>(std::max<size_t>(1, num.name.size() - 1));
    d.rhs = expr(rhs);
    return d;
  }

  ast::NetworkDecl network(SNNParser::NetworkDeclContext *c) {
    ast::NetworkDecl net;
    net.name = ident(c->IDENT());
    for (auto *s : c->networkStmt()) {
      if (auto *p = dynamic_cast<SNNParser::PopulationStmtContext *>(s)) {
        auto ids = p->IDENT();
        ast::PopulationDecl d;
        d.name = ident(p->popName());
        d.model = ident(ids[0]);
        if (p->callArgs())
          d.args = args(p->callArgs());
        if (ids.size() > 1) {
          ast::Ident x = ident(ids[1]);
          if (x.name != "x")
            diags_.report(DiagKind::expected_population_size, x.loc, x.name);
          d.size_loc = loc(p->expr());
          d.size = expr(p->expr());
        }
        net.populations.push_back(std::move(d));
      } else if (auto *cn = dynamic_cast<SNNParser::ConnectStmtContext *>(s)) {
        net.connections.push_back(connect(cn));
      }
    }
    return net;
  }

  ast::ConnectDecl connect(SNNParser::ConnectStmtContext *c) {
    ast::ConnectDecl d;
    d.loc = loc(c->getStart());
    d.pre = ident(c->popName());
    for (auto *t : c->target()) {
      ast::Target tg{ident(t->popName()), std::nullopt};
      if (t->IDENT())
        tg.variable = ident(t->IDENT());
      d.targets.push_back(std::move(tg));
    }
    for (auto *cl : c->clause()) {
      if (auto *w = dynamic_cast<SNNParser::WeightDistClauseContext *>(cl)) {
        weight(d, w->getStart(), w->expr(), true);
      } else if (auto *w2 = dynamic_cast<SNNParser::WeightClauseContext *>(cl)) {
        weight(d, w2->getStart(), w2->expr(), false);
      } else if (auto *v = dynamic_cast<SNNParser::ValueClauseContext *>(cl)) {
        value_clause(d, ident(v->IDENT()), v->expr());
      } else if (auto *vd = dynamic_cast<SNNParser::ValueDistClauseContext *>(cl)) {
        if (value_clause(d, ident(vd->IDENT()), vd->expr()))
          d.delay_is_distribution = true;
      } else if (auto *sy = dynamic_cast<SNNParser::SynapseClauseContext *>(cl)) {
        if (d.synapse) {
          diags_.report(DiagKind::duplicate_definition, loc(sy->getStart()), "clause", "synapse");
          diags_.note(DiagKind::note_previous_definition, d.synapse->loc);
          continue;
        }
        d.synapse = ident(sy->IDENT());
        if (sy->callArgs())
          d.synapse_args = args(sy->callArgs());
      } else if (auto *k = dynamic_cast<SNNParser::ConnectivityClauseContext *>(cl)) {
        if (k->IDENT()->getText() == "frozen" && !k->callArgs()) {
          d.frozen = true;
          continue;
        }
        if (k->IDENT()->getText() == "sparse" && k->callArgs()) {
          d.sparse.push_back({ident(k->IDENT()), args(k->callArgs())});
          continue;
        }
        if (k->IDENT()->getText() == "delay" && k->callArgs() && k->callArgs()->arg().size() == 1 &&
            !k->callArgs()->arg(0)->name) { // `delay (2)`: the parenthesis is the value's
          value_clause(d, ident(k->IDENT()), k->callArgs()->arg(0)->expr());
          continue;
        }
        if (d.connectivity) {
          diags_.report(DiagKind::duplicate_definition, loc(k->IDENT()), "connectivity of this projection",
                        d.connectivity->name);
          diags_.note(DiagKind::note_previous_definition, d.connectivity->loc);
          continue;
        }
        d.connectivity = ident(k->IDENT());
        if (k->callArgs())
          d.connectivity_args = args(k->callArgs());
      }
    }
    return d;
  }

  /// A clause `NAME VALUE` or `NAME ~ DISTRIBUTION`: only `delay` is one.
  /// False after reporting.
  bool value_clause(ast::ConnectDecl &d, const ast::Ident &name, SNNParser::ExprContext *e) {
    if (name.name != "delay") {
      diags_.report(DiagKind::unknown_setting, name.loc, "projection", name.name);
      diags_.suggest(name.name, {"delay", "weight"}, name.loc);
      return false;
    }
    if (d.delay) {
      diags_.report(DiagKind::duplicate_definition, name.loc, "clause", "delay");
      diags_.note(DiagKind::note_previous_definition, d.delay_loc);
      return false;
    }
    d.delay_loc = name.loc;
    d.delay = expr(e);
    return true;
  }

  void weight(ast::ConnectDecl &d, antlr4::Token *kw, SNNParser::ExprContext *e, bool dist) {
    if (d.weight) {
      diags_.report(DiagKind::duplicate_definition, loc(kw), "clause", "weight");
      diags_.note(DiagKind::note_previous_definition, d.weight_loc);
      return;
    }
    d.weight_loc = loc(kw);
    d.weight = expr(e);
    d.weight_is_distribution = dist;
  }

  ast::SimulateDecl simulate(SNNParser::SimulateDeclContext *c) {
    ast::SimulateDecl s;
    s.network = ident(c->IDENT());
    s.loc = loc(c->getStart());
    for (auto *st : c->regimeStmt()) {
      if (auto *i = dynamic_cast<SNNParser::InitStmtContext *>(st)) {
        ast::InitDecl d;
        d.loc = loc(i->getStart());
        for (auto *v : i->varRef())
          d.targets.push_back({ident(v->popName()), ident(v->IDENT())});
        d.distribution = i->op->getText() == "~";
        d.value = expr(i->expr());
        s.inits.push_back(std::move(d));
      } else if (auto *r = dynamic_cast<SNNParser::RecordStmtContext *>(st)) {
        s.records.push_back(record(r));
      } else if (auto *in = dynamic_cast<SNNParser::StimulusStmtContext *>(st)) {
        ast::StimulusDecl d{ident(in->popName()), std::nullopt, expr(in->expr())};
        if (in->IDENT())
          d.variable = ident(in->IDENT());
        s.stimuli.push_back(std::move(d));
      } else if (auto *set = dynamic_cast<SNNParser::RegimeSettingStmtContext *>(st)) {
        s.settings.push_back({ident(set->IDENT()), expr(set->expr())});
      } else if (auto *data = dynamic_cast<SNNParser::DataStmtContext *>(st)) {
        diags_.report(DiagKind::misplaced_regime_statement, loc(data->getStart()), data->IDENT()->getText(),
                      "simulate");
      } else if (dynamic_cast<SNNParser::CallStmtContext *>(st) || dynamic_cast<SNNParser::WordCallStmtContext *>(st) ||
                 dynamic_cast<SNNParser::WordValueStmtContext *>(st) ||
                 dynamic_cast<SNNParser::PeriodStmtContext *>(st) ||
                 dynamic_cast<SNNParser::ProjectionsStmtContext *>(st) ||
                 dynamic_cast<SNNParser::PruneStmtContext *>(st) || dynamic_cast<SNNParser::RewireStmtContext *>(st)) {
        diags_.report(DiagKind::misplaced_regime_statement, loc(st->getStart()), st->getStart()->getText(), "simulate");
      }
    }
    return s;
  }

  /// A train regime holds settings and `data` statements; records, initial
  /// values and stimulus files belong to `simulate`.
  ast::TrainDecl train(SNNParser::TrainDeclContext *c) {
    ast::TrainDecl t;
    t.loc = loc(c->getStart());
    t.network = ident(c->IDENT(0));
    t.method = ident(c->IDENT(1));
    for (auto *st : c->regimeStmt()) {
      if (auto *set = dynamic_cast<SNNParser::RegimeSettingStmtContext *>(st)) {
        t.settings.push_back({ident(set->IDENT()), expr(set->expr())});
      } else if (auto *data = dynamic_cast<SNNParser::DataStmtContext *>(st)) {
        ast::Ident kw = ident(data->IDENT());
        if (kw.name != "data") { // `NAME NAME = ...`
          diags_.report(DiagKind::unknown_setting, kw.loc, "train", kw.name);
          diags_.suggest(kw.name, {"data"}, kw.loc);
          continue;
        }
        t.data.push_back({ident(data->dataName()), expr(data->expr()), kw.loc});
      } else if (auto *call = dynamic_cast<SNNParser::CallStmtContext *>(st)) {
        ast::Directive d;
        d.loc = loc(call->getStart());
        d.keyword = ident(call->IDENT());
        d.is_call = true;
        d.args = args(call->callArgs());
        t.directives.push_back(std::move(d));
      } else if (auto *wc = dynamic_cast<SNNParser::WordCallStmtContext *>(st)) {
        ast::Directive d = directive(wc, wc->IDENT(0));
        d.words.push_back(
            std::make_unique<ast::CallExpr>(ident(wc->IDENT(1)), args(wc->callArgs()), loc(wc->IDENT(1))));
        t.directives.push_back(std::move(d));
      } else if (auto *wv = dynamic_cast<SNNParser::WordValueStmtContext *>(st)) {
        ast::Directive d = directive(wv, wv->IDENT(0));
        d.words.push_back(std::make_unique<ast::NameExpr>(wv->IDENT(1)->getText(), loc(wv->IDENT(1))));
        ast::Loc at = loc(wv->value);
        ast::ExprPtr value = wv->NUMBER() ? std::make_unique<ast::NumberExpr>(number(wv->value->getText(), at), at)
                                          : quantity(wv->value->getText(), at);
        if (wv->sign)
          value = std::make_unique<ast::UnaryExpr>(wv->sign->getText(), std::move(value), loc(wv->sign));
        d.words.push_back(std::move(value));
        t.directives.push_back(std::move(d));
      } else if (auto *ps = dynamic_cast<SNNParser::PeriodStmtContext *>(st)) {
        ast::Directive d = directive(ps, ps->IDENT(0));
        d.words.push_back(std::make_unique<ast::NameExpr>(ps->word->getText(), loc(ps->word)));
        d.words.push_back(quantity(ps->COUNT()->getText(), loc(ps->COUNT())));
        d.file = unescape(ps->STRING()->getText());
        d.file_loc = loc(ps->STRING());
        t.directives.push_back(std::move(d));
      } else if (auto *ps = dynamic_cast<SNNParser::ProjectionsStmtContext *>(st)) {
        ast::Directive d;
        d.loc = loc(ps->getStart());
        d.keyword = ident(ps->IDENT());
        for (auto *ref : ps->projectionRef())
          d.projections.emplace_back(ident(ref->popName(0)), ident(ref->popName(1)));
        t.directives.push_back(std::move(d));
      } else if (auto *pr = dynamic_cast<SNNParser::PruneStmtContext *>(st)) {
        ast::Directive d = directive(pr, pr->IDENT(0));
        d.projections.emplace_back(ident(pr->projectionRef()->popName(0)), ident(pr->projectionRef()->popName(1)));
        d.words.push_back(expr(pr->expr()));
        for (size_t k = 1; k <= 2; ++k)
          d.words.push_back(std::make_unique<ast::NameExpr>(pr->IDENT(k)->getText(), loc(pr->IDENT(k))));
        d.words.push_back(std::make_unique<ast::NameExpr>(pr->when->getText(), loc(pr->when)));
        d.words.push_back(quantity(pr->COUNT()->getText(), loc(pr->COUNT())));
        t.directives.push_back(std::move(d));
      } else if (auto *rw = dynamic_cast<SNNParser::RewireStmtContext *>(st)) {
        ast::Directive d = directive(rw, rw->IDENT(0));
        d.projections.emplace_back(ident(rw->projectionRef()->popName(0)), ident(rw->projectionRef()->popName(1)));
        d.words.push_back(std::make_unique<ast::NameExpr>(rw->IDENT(1)->getText(), loc(rw->IDENT(1))));
        d.words.push_back(
            std::make_unique<ast::CallExpr>(ident(rw->IDENT(2)), args(rw->callArgs()), loc(rw->IDENT(2))));
        t.directives.push_back(std::move(d));
      } else if (auto *r = dynamic_cast<SNNParser::RecordStmtContext *>(st)) {
        t.records.push_back(record(r));
      } else {
        diags_.report(DiagKind::misplaced_regime_statement, loc(st->getStart()), st->getStart()->getText(), "train");
      }
    }
    return t;
  }

  ast::RecordDecl record(SNNParser::RecordStmtContext *r) {
    ast::RecordDecl d;
    d.loc = loc(r->getStart());
    for (auto *item : r->recordItem()) {
      ast::RecordItem it;
      if (auto *call = dynamic_cast<SNNParser::RecordCallContext *>(item)) {
        it.spikes = true;
        it.function = ident(call->IDENT());
        it.selection = selection(call->selection());
      } else if (auto *var = dynamic_cast<SNNParser::RecordVarContext *>(item)) {
        it.selection = selection(var->selection());
        it.variable = ident(var->IDENT());
      }
      d.items.push_back(std::move(it));
    }
    for (auto *suffix : r->recordSuffix()) {
      if (suffix->STRING()) {
        if (d.file) {
          diags_.report(DiagKind::duplicate_definition, loc(suffix->getStart()), "clause", "to");
          diags_.note(DiagKind::note_previous_definition, d.file_loc);
          continue;
        }
        d.file = unescape(suffix->STRING()->getText());
        d.file_loc = loc(suffix->STRING());
      } else if (!suffix->IDENT()) { // every EXPR
        if (d.every) {
          diags_.report(DiagKind::duplicate_definition, loc(suffix->getStart()), "clause", "every");
          diags_.note(DiagKind::note_previous_definition, d.every_loc);
          continue;
        }
        d.every = expr(suffix->expr());
        d.every_loc = loc(suffix->getStart());
      } else {
        if (d.on_word) {
          diags_.report(DiagKind::duplicate_definition, loc(suffix->getStart()), "clause", "on");
          diags_.note(DiagKind::note_previous_definition, d.on_word->loc);
          continue;
        }
        d.on_word = ident(suffix->IDENT());
        d.on_value = expr(suffix->expr());
      }
    }
    return d;
  }

  /// The keyword and location of a workflow statement; the caller adds its words.
  ast::Directive directive(antlr4::ParserRuleContext *c, antlr4::tree::TerminalNode *keyword) {
    ast::Directive d;
    d.loc = loc(c->getStart());
    d.keyword = ident(keyword);
    return d;
  }

  /// `20 ms` (a QUANTITY) or `50 epochs` (a COUNT): the number and the word.
  ast::ExprPtr quantity(const std::string &text, const ast::Loc &l) {
    // The number: digits and a point, then an exponent with digits (no unit
    // or count word starts with 'e'); the word follows after blanks. A word
    // may hold a digit (`cm2`) or a non-ASCII micro sign (`µF`).
    auto digit = [&](size_t i) { return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); };
    size_t end = 0;
    while (digit(end) || (end < text.size() && text[end] == '.'))
      ++end;
    if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
      size_t e = end + 1 + (end + 1 < text.size() && (text[end + 1] == '+' || text[end + 1] == '-'));
      if (digit(e)) {
        while (digit(e))
          ++e;
        end = e;
      }
    }
    size_t unit_start = end;
    while (unit_start < text.size() && (text[unit_start] == ' ' || text[unit_start] == '\t'))
      ++unit_start;
    return std::make_unique<ast::QuantityExpr>(number(text.substr(0, end), l), text.substr(unit_start), l);
  }

  ast::Selection selection(SNNParser::SelectionContext *c) {
    ast::Selection s;
    s.population = ident(c->popName());
    if (auto *sl = c->slice()) {
      ast::Slice slice;
      slice.loc = loc(sl);
      if (auto *range = dynamic_cast<SNNParser::RangeSliceContext *>(sl)) {
        slice.is_range = true;
        if (range->begin)
          slice.begin = expr(range->begin);
        if (range->end)
          slice.end = expr(range->end);
        if (range->stride)
          slice.stride = expr(range->stride);
      } else if (auto *index = dynamic_cast<SNNParser::IndexSliceContext *>(sl)) {
        slice.begin = expr(index->expr(0));
        for (size_t k = 1; k < index->expr().size(); ++k)
          slice.more.push_back(expr(index->expr(k)));
      }
      s.slice = std::move(slice);
    }
    return s;
  }

  std::vector<ast::Arg> args(SNNParser::CallArgsContext *c) {
    std::vector<ast::Arg> out;
    for (auto *a : c->arg()) {
      ast::Arg arg;
      if (a->name)
        arg.name = ast::Ident{a->name->getText(), loc(a->name)};
      arg.value = expr(a->expr());
      out.push_back(std::move(arg));
    }
    return out;
  }

  double number(const std::string &text, const ast::Loc &l) {
    errno = 0;
    double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v) || (errno == ERANGE && std::fabs(v) > 1.0)) {
      diags_.report(DiagKind::number_out_of_range, l, text);
      return 0;
    }
    return v;
  }

  /// The sizes of a SHAPE token (`28x28x2`); a size of 2^31 or more is
  /// reported and kept as 0.
  std::vector<uint32_t> shape_dims(const std::string &text, const ast::Loc &l) {
    std::vector<uint32_t> dims;
    bool reported = false;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('x', start);
      std::string digits = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      uint64_t v = 0;
      for (char ch : digits)
        v = std::min<uint64_t>(v * 10 + uint64_t(ch - '0'), uint64_t(1) << 31);
      if (v >= (uint64_t(1) << 31) && !reported) {
        diags_.report(DiagKind::number_out_of_range, l, text);
        reported = true;
      }
      dims.push_back(v >= (uint64_t(1) << 31) ? 0 : uint32_t(v));
      if (end == std::string::npos)
        break;
      start = end + 1;
    }
    return dims;
  }

  static std::string unescape(const std::string &quoted) {
    std::string out;
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      char ch = quoted[i];
      if (ch == '\\' && i + 2 < quoted.size()) {
        char e = quoted[++i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += ch;
      }
    }
    return out;
  }

  ast::ExprPtr expr(SNNParser::ExprContext *c) {
    if (!c) // only after a syntax error, which already stopped the build
      return std::make_unique<ast::NumberExpr>(0.0, ast::Loc{file_, 1, 1, 1});
    if (auto *p = dynamic_cast<SNNParser::ParenExprContext *>(c))
      return expr(p->expr()); // brackets are bounded by check_nesting
    ast::Loc l = loc(c);
    struct Level {
      unsigned &depth;
      explicit Level(unsigned &d) : depth(++d) {}
      ~Level() { --depth; }
    } level(depth_);
    if (depth_ == 1)
      root_ = l;
    if (depth_ > kMaxExprDepth) {
      if (!too_deep_reported_) {
        diags_.report(DiagKind::nesting_too_deep, root_, kMaxExprDepth);
        diags_.note(DiagKind::note_nesting_levels, root_);
        too_deep_reported_ = true;
      }
      return std::make_unique<ast::NumberExpr>(0.0, l);
    }
    if (auto *call = dynamic_cast<SNNParser::CallExprContext *>(c)) {
      ast::Ident callee = ident(call->IDENT());
      return std::make_unique<ast::CallExpr>(callee, args(call->callArgs()), callee.loc);
    }
    if (auto *m = dynamic_cast<SNNParser::MemberExprContext *>(c))
      return std::make_unique<ast::MemberExpr>(ident(m->IDENT(0)), ident(m->IDENT(1)), l);
    if (auto *n = dynamic_cast<SNNParser::NameExprContext *>(c))
      return std::make_unique<ast::NameExpr>(n->getText(), l);
    // A population called `input` (`dropout(input, rate: 0.2)`).
    if (dynamic_cast<SNNParser::InputNameExprContext *>(c))
      return std::make_unique<ast::NameExpr>("input", l);
    if (auto *q = dynamic_cast<SNNParser::QuantityExprContext *>(c))
      return quantity(q->getText(), l);
    if (auto *count = dynamic_cast<SNNParser::CountExprContext *>(c))
      return quantity(count->getText(), l);
    if (auto *list = dynamic_cast<SNNParser::ListExprContext *>(c)) {
      std::vector<ast::ExprPtr> items;
      for (auto *item : list->expr())
        items.push_back(expr(item));
      return std::make_unique<ast::ListExpr>(std::move(items), l);
    }
    if (auto *shape = dynamic_cast<SNNParser::ShapeExprContext *>(c))
      return std::make_unique<ast::ShapeExpr>(shape_dims(shape->getText(), l), l);
    if (auto *num = dynamic_cast<SNNParser::NumberExprContext *>(c))
      return std::make_unique<ast::NumberExpr>(number(num->getText(), l), l);
    if (auto *s = dynamic_cast<SNNParser::StringExprContext *>(c))
      return std::make_unique<ast::StringExpr>(unescape(s->getText()), l);
    if (auto *b = dynamic_cast<SNNParser::BoolExprContext *>(c))
      return std::make_unique<ast::BoolExpr>(b->getText() == "true", l);
    if (auto *p = dynamic_cast<SNNParser::PowExprContext *>(c))
      return binary("**", p->expr(0), p->expr(1), p);
    if (auto *u = dynamic_cast<SNNParser::UnaryExprContext *>(c))
      return std::make_unique<ast::UnaryExpr>(u->op->getText(), expr(u->expr()), loc(u->op));
    if (auto *m = dynamic_cast<SNNParser::MulExprContext *>(c))
      return binary(m->op->getText(), m->expr(0), m->expr(1), m, m->op);
    if (auto *a = dynamic_cast<SNNParser::AddExprContext *>(c))
      return binary(a->op->getText(), a->expr(0), a->expr(1), a, a->op);
    if (auto *cmp = dynamic_cast<SNNParser::CompareExprContext *>(c))
      return binary(cmp->op->getText(), cmp->expr(0), cmp->expr(1), cmp, cmp->op);
    if (auto *n = dynamic_cast<SNNParser::NotExprContext *>(c))
      return std::make_unique<ast::UnaryExpr>("not", expr(n->expr()), loc(n->getStart()));
    if (auto *a = dynamic_cast<SNNParser::AndExprContext *>(c))
      return binary("and", a->expr(0), a->expr(1), a);
    if (auto *o = dynamic_cast<SNNParser::OrExprContext *>(c))
      return binary("or", o->expr(0), o->expr(1), o);
    if (auto *i = dynamic_cast<SNNParser::IfExprContext *>(c))
      return std::make_unique<ast::IfExpr>(expr(i->expr(0)), expr(i->expr(1)), expr(i->expr(2)), loc(i->getStart()));
    return std::make_unique<ast::NumberExpr>(0.0, l);
  }

  ast::ExprPtr binary(const std::string &op, SNNParser::ExprContext *a, SNNParser::ExprContext *b,
                      antlr4::ParserRuleContext *whole, antlr4::Token *op_token = nullptr) {
    // Point at the operator: that is where "cannot add V and s" belongs.
    ast::Loc l = op_token ? loc(op_token) : loc(whole);
    if (!op_token) {
      for (auto *child : whole->children)
        if (auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(child)) {
          l = loc(t);
          break;
        }
    }
    return std::make_unique<ast::BinaryExpr>(op, expr(a), expr(b), l);
  }

  std::string file_;
  diag::Diagnostics &diags_;
  unsigned depth_ = 0;
  ast::Loc root_; ///< the outermost expression being built
  bool too_deep_reported_ = false;
};

} // namespace

std::unique_ptr<ast::File> parse(const std::string &file, const std::string &text, diag::Diagnostics &diags) {
  if (!valid_utf8(file, text, diags))
    return nullptr;
  antlr4::ANTLRInputStream input(text);
  SNNLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (!nesting_within_bounds(file, tokens, diags))
    return nullptr;
  SNNParser parser(&tokens);
  parser.removeErrorListeners();
  std::unique_ptr<antlr4::ANTLRErrorListener> listener = make_error_listener(file, tokens, diags);
  parser.addErrorListener(listener.get());
  unsigned errors_before = diags.error_count();
  SNNParser::FileContext *tree = parser.file();
  if (diags.error_count() != errors_before)
    return nullptr;
  AstBuilder builder(file, diags);
  auto ast = builder.build(tree);
  if (diags.error_count() != errors_before)
    return nullptr;
  return ast;
}

} // namespace snn::frontend
