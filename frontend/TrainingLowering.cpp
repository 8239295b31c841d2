//===- frontend/TrainingLowering.cpp - A train regime to the IR -----------===//
//
// `train NET with eprop { ... }` becomes ir::Regime::training. Every setting
// is a constant, a name from a fixed list (loss, feedback), or a call with
// named arguments (optimizer, data sources, encoders, readout functions);
// each mistake is reported where it was written, and lowering carries on to
// find the next one.
//
//===----------------------------------------------------------------------===//
#include "frontend/TrainingLowering.h"

#include "frontend/CallArguments.h"
#include "frontend/ExprLowering.h"
#include "frontend/NetworkLowering.h"
#include "frontend/TrainingWorkflow.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <algorithm>
#include <map>

namespace snn::frontend {

using diag::DiagKind;

namespace {

using ir::Dimension;

/// Every setting of a train regime, besides `data train` and `data test`.
const std::vector<std::string> kSettings = {
    "dt",      "seed",         "batch", "timesteps", "epochs",   "test_split",          "validation_split",
    "readout", "readout_bias", "loss",  "optimizer", "feedback", "differentiate_reset", "schedule",
    "warmup"};

const std::vector<std::string> kMethods = {"eprop", "bptt"};
const std::vector<std::string> kLosses = {"sparse_categorical_crossentropy", "mean_squared_error"};
const std::vector<std::string> kFeedbacks = {"symmetric", "random"};
const std::vector<std::string> kReadoutFunctions = {"last", "mean", "max", "final", "spike_count"};
const std::vector<std::string> kDataSources = {"dense", "events"};
const std::vector<std::string> kEncoders = {"latency", "poisson"};
const std::vector<std::string> kDataSets = {"train", "test"};

constexpr uint64_t kMaxTimesteps = 1ull << 30;
constexpr uint64_t kMaxEpochs = 1ull << 30;

class TrainingLowering {
public:
  TrainingLowering(ir::Module &m, diag::Diagnostics &diags, const FunctionTable *functions)
      : m_(m), diags_(diags), exprs_(diags, functions), functions_(functions) {}

  bool lower(const ast::TrainDecl &decl) {
    unsigned errors = diags_.error_count();
    if (decl.network.name != m_.network.name) {
      diags_.report(DiagKind::unknown_network, decl.network.loc, decl.network.name);
      if (!m_.network.name.empty()) // a file holds one network: it is the one meant
        diags_.note(DiagKind::note_did_you_mean, decl.network.loc, m_.network.name);
      return false;
    }
    if (std::find(kMethods.begin(), kMethods.end(), decl.method.name) == kMethods.end()) {
      diags_.report(DiagKind::unknown_choice, decl.method.loc, "training method", decl.method.name,
                    alternatives(kMethods));
      diags_.suggest(decl.method.name, kMethods, decl.method.loc);
    }
    ir::Regime &r = m_.regime;
    r.network = decl.network.name;
    r.dt = 1e-3;
    r.batch = 32;
    r.seed = 1;
    ir::Training t;
    t.loc = decl.loc;
    t.bptt = decl.method.name == "bptt";
    t.differentiate_reset = t.bptt; // BPTT differentiates every path unless told not to
    collect_settings(decl.settings);
    lower_training_records(decl.records, m_, diags_, functions_);
    data(decl.data, t);
    numbers(t);
    t.input = input_population(decl);
    if (const ast::Setting *s = setting("readout"))
      readout(*s->value, t);
    const char *missing[][2] = {
        {"data train", "data train = ..."}, {"timesteps", "timesteps = N"}, {"readout", "readout = ..."}};
    for (const auto &m : missing) {
      bool given = std::string(m[0]) == "data train" ? has_train_data_ : setting(m[0]) != nullptr;
      if (!given)
        diags_.report(DiagKind::missing_train_statement, decl.loc, r.network, m[1]);
    }
    if (const ast::Setting *s = setting("loss"))
      if (auto v = choice(*s->value, "loss", kLosses))
        t.loss = *v == kLosses[0] ? ir::LossKind::SparseCategoricalCrossentropy : ir::LossKind::MeanSquaredError;
    if (const ast::Setting *s = setting("feedback"))
      if (auto v = choice(*s->value, "feedback", kFeedbacks))
        t.feedback = *v == kFeedbacks[0] ? ir::FeedbackKind::Symmetric : ir::FeedbackKind::Random;
    lower_workflow(decl, settings_, m_, t, diags_, functions_);
    if (const ast::Setting *s = setting("readout_bias"))
      boolean(*s, t.readout_bias);
    if (const ast::Setting *s = setting("differentiate_reset"))
      boolean(*s, t.differentiate_reset);
    if (t.bptt)
      check_bptt(decl, t);
    if (diags_.error_count() != errors)
      return false;
    r.duration = double(t.timesteps) * r.dt;
    r.training = std::move(t);
    m_.has_regime = true;
    return true;
  }

private:
  /// What BPTT does not (yet) take: random feedback (it differentiates
  /// through the readout's own weights), readouts whose loss is not a sum
  /// over steps, dropout.
  void check_bptt(const ast::TrainDecl &decl, const ir::Training &t) {
    if (const ast::Setting *s = setting("feedback"); s && t.feedback == ir::FeedbackKind::Random)
      diags_.report(DiagKind::bptt_random_feedback, s->name.loc);
    if (t.readout_kind == ir::ReadoutKind::Max || t.readout_kind == ir::ReadoutKind::SpikeCount)
      diags_.report(DiagKind::bptt_unsupported, setting("readout")->value->loc(),
                    std::string("the ") + ir::name_of(t.readout_kind) + " readout",
                    "use a per-step, last, mean or final readout");
    if (!t.workflow.dropouts.empty())
      diags_.report(DiagKind::bptt_unsupported, decl.method.loc, "dropout", "train with eprop to use dropout");
  }

  void collect_settings(const std::vector<ast::Setting> &settings) {
    std::map<std::string, SourceLocation> seen;
    for (const auto &s : settings) {
      const std::string &n = s.name.name;
      if (std::find(kSettings.begin(), kSettings.end(), n) == kSettings.end()) {
        diags_.report(DiagKind::unknown_setting, s.name.loc, "train", n);
        diags_.suggest(n, kSettings, s.name.loc);
        continue;
      }
      if (diags_.define_once(seen, n, s.name.loc, "setting"))
        settings_[n] = &s;
    }
  }

  const ast::Setting *setting(const std::string &name) const {
    auto it = settings_.find(name);
    return it == settings_.end() ? nullptr : it->second;
  }

  /// dt, seed, batch, timesteps, epochs and the two splits.
  void numbers(ir::Training &t) {
    ir::Regime &r = m_.regime;
    if (const ast::Setting *s = setting("dt"))
      if (auto v = exprs_.constant(*s->value, "'dt'", Dimension::time())) {
        if (*v > 0)
          r.dt = *v;
        else
          diags_.report(DiagKind::non_positive_setting, s->value->loc(), "dt");
      }
    if (const ast::Setting *s = setting("seed"))
      if (auto v = exprs_.integer(*s->value, "the seed", 0, 1ull << 53))
        r.seed = *v;
    if (const ast::Setting *s = setting("batch"))
      if (auto v = exprs_.integer(*s->value, "the batch size", 1, ir::kMaxBatch))
        r.batch = static_cast<uint32_t>(*v);
    if (const ast::Setting *s = setting("timesteps"))
      if (auto v = exprs_.integer(*s->value, "'timesteps'", 1, kMaxTimesteps))
        t.timesteps = static_cast<uint32_t>(*v);
    if (const ast::Setting *s = setting("epochs"))
      if (auto v = exprs_.integer(*s->value, "'epochs'", 0, kMaxEpochs))
        t.epochs = static_cast<uint32_t>(*v);
    auto split = [this](const char *name, double &out) {
      const ast::Setting *s = setting(name);
      if (!s)
        return true;
      auto v = exprs_.constant(*s->value, std::string("'") + name + "'", Dimension());
      if (!v)
        return false;
      if (!in_unit_interval(*v, std::string("'") + name + "'", s->value->loc()))
        return false;
      out = *v;
      return true;
    };
    bool splits_ok = split("test_split", t.test_split);
    splits_ok = split("validation_split", t.validation_split) && splits_ok;
    if (splits_ok && t.test_split + t.validation_split >= 1) {
      const ast::Setting *s = setting("validation_split");
      diags_.report(DiagKind::splits_too_large, s->value->loc(), ir::format_real(t.test_split),
                    ir::format_real(t.validation_split));
    }
  }

  /// Reports unless 0 <= v < 1.
  bool in_unit_interval(double v, const std::string &what, const SourceLocation &at) {
    if (v >= 0 && v < 1)
      return true;
    diags_.report(DiagKind::value_out_of_range, at, what, 0, 1, ir::format_real(v));
    return false;
  }

  void boolean(const ast::Setting &s, bool &out) {
    ir::Expr v = exprs_.lower(*s.value, ExprLowering::constant_scope("'" + s.name.name + "'"));
    if (!v)
      return;
    v = ir::simplify(v);
    const auto *b = v.as<ir::Constant>();
    if (!b || !b->is_bool()) {
      diags_.report(DiagKind::expected_true_or_false, s.value->loc(), s.name.name);
      return;
    }
    out = b->value != 0;
  }

  /// A name from `options`, as in `loss = mean_squared_error`.
  std::optional<std::string> choice(const ast::Expr &e, const std::string &what,
                                    const std::vector<std::string> &options) {
    const auto *n = ast::dyn_cast<ast::NameExpr>(&e);
    if (!n) {
      diags_.report(DiagKind::expected_choice, e.loc(), "the " + what, alternatives(options));
      return std::nullopt;
    }
    if (std::find(options.begin(), options.end(), n->name) == options.end()) {
      unknown(what, n->name, options, e.loc());
      return std::nullopt;
    }
    return n->name;
  }

  void unknown(const std::string &what, const std::string &name, const std::vector<std::string> &options,
               const SourceLocation &at) {
    diags_.report(DiagKind::unknown_choice, at, what, name, alternatives(options));
    diags_.suggest(name, options, at);
  }

  /// The callee's name and named arguments of `NAME` or `NAME(a: x, ...)`;
  /// reports positional, unknown and repeated arguments. `positional`
  /// leading arguments may be unnamed; they are returned in order.
  std::optional<NamedArgs> call_args(const ast::Expr &e, const std::string &callee,
                                     const std::vector<std::string> &names, size_t positional,
                                     std::vector<const ast::Expr *> *unnamed = nullptr) {
    const auto *call = ast::dyn_cast<ast::CallExpr>(&e);
    if (!call)
      return NamedArgs{};
    return check_call_args(call->args, callee, names, positional, unnamed, diags_);
  }

  void data(const std::vector<ast::DataDecl> &decls, ir::Training &t) {
    std::map<std::string, SourceLocation> seen;
    for (const auto &d : decls) {
      const std::string &which = d.which.name;
      if (std::find(kDataSets.begin(), kDataSets.end(), which) == kDataSets.end()) {
        unknown("data set", which, kDataSets, d.which.loc);
        continue;
      }
      if (!diags_.define_once(seen, which, d.which.loc, "data set"))
        continue;
      if (which == "train")
        has_train_data_ = true;
      if (auto src = data_source(*d.source)) {
        src->loc = d.loc;
        (which == "train" ? t.train : t.test) = *src;
      }
    }
  }

  /// `dense("x.csv", encode: latency(max: 16))`,
  /// `dense("x.npy", labels: "y.npy", encode: poisson(max: 16, rate: 100 Hz))`,
  /// `events("shd.h5")`.
  std::optional<ir::DataSource> data_source(const ast::Expr &e) {
    const auto *call = ast::dyn_cast<ast::CallExpr>(&e);
    if (!call) {
      diags_.report(DiagKind::expected_choice, e.loc(), "the data", "dense(\"FILE\", encode: ...) or events(\"FILE\")");
      return std::nullopt;
    }
    const std::string &n = call->callee.name;
    if (std::find(kDataSources.begin(), kDataSources.end(), n) == kDataSources.end()) {
      unknown("data source", n, kDataSources, call->callee.loc);
      return std::nullopt;
    }
    bool dense = n == "dense";
    std::vector<const ast::Expr *> unnamed;
    auto args =
        call_args(e, n, dense ? std::vector<std::string>{"labels", "encode"} : std::vector<std::string>{}, 1, &unnamed);
    if (!args)
      return std::nullopt;
    ir::DataSource src;
    if (unnamed.empty()) {
      diags_.report(DiagKind::expected_file_name, call->callee.loc, "the first argument of '" + n + "'");
      return std::nullopt;
    }
    auto path = file_name(*unnamed[0], "the data file");
    if (!path)
      return std::nullopt;
    src.path = *path;
    if (!dense) {
      src.encoder = ir::EncoderKind::Events;
      return src;
    }
    if (const ast::Expr *l = find_arg(*args, "labels")) {
      auto labels = file_name(*l, "the labels file");
      if (!labels)
        return std::nullopt;
      src.labels_path = *labels;
    }
    const ast::Expr *enc = find_arg(*args, "encode");
    if (!enc) {
      diags_.report(DiagKind::missing_argument, call->callee.loc, "'dense'", "encode");
      return std::nullopt;
    }
    if (!encoder(*enc, src))
      return std::nullopt;
    return src;
  }

  std::optional<std::string> file_name(const ast::Expr &e, const std::string &what) {
    const auto *s = ast::dyn_cast<ast::StringExpr>(&e);
    if (!s || s->value.empty() || s->value.find_first_of("\"\n") != std::string::npos) {
      diags_.report(DiagKind::expected_file_name, e.loc(), what);
      return std::nullopt;
    }
    return s->value;
  }

  /// `latency(max: M)` or `poisson(max: M, rate: R)`.
  bool encoder(const ast::Expr &e, ir::DataSource &src) {
    const auto *call = ast::dyn_cast<ast::CallExpr>(&e);
    const auto *name = ast::dyn_cast<ast::NameExpr>(&e);
    if (!call && !name) {
      diags_.report(DiagKind::expected_choice, e.loc(), "the encoder", "latency(max: M) or poisson(max: M, rate: R)");
      return false;
    }
    std::string n = call ? call->callee.name : name->name;
    SourceLocation at = call ? call->callee.loc : name->loc();
    if (std::find(kEncoders.begin(), kEncoders.end(), n) == kEncoders.end()) {
      unknown("encoder", n, kEncoders, at);
      return false;
    }
    bool poisson = n == "poisson";
    src.encoder = poisson ? ir::EncoderKind::Poisson : ir::EncoderKind::Latency;
    auto args = call_args(e, n, poisson ? std::vector<std::string>{"max", "rate"} : std::vector<std::string>{"max"}, 0);
    if (!args)
      return false;
    bool ok = true;
    for (const auto &[arg, value] : *args) {
      bool rate = arg == "rate";
      auto v = exprs_.constant(*value, "'" + arg + "'", rate ? Dimension::frequency() : Dimension());
      if (!v) {
        ok = false;
      } else if (*v <= 0) {
        diags_.report(DiagKind::non_positive_setting, value->loc(), arg);
        ok = false;
      } else {
        (rate ? src.max_rate : src.max_value) = *v;
      }
    }
    return ok;
  }

  /// The one population whose model reads stimulus(); "" after reporting.
  std::string input_population(const ast::TrainDecl &decl) {
    std::vector<const ir::Population *> readers;
    for (const auto &p : m_.network.populations)
      if (const ir::NeuronModel *model = m_.find_model(p.model); model && ir::reads_stimulus(*model))
        readers.push_back(&p);
    if (readers.empty()) {
      diags_.report(DiagKind::missing_data_input, decl.network.loc, m_.network.name);
      return "";
    }
    if (readers.size() > 1) {
      diags_.report(DiagKind::ambiguous_data_input, decl.network.loc, readers[0]->name, readers[1]->name);
      return "";
    }
    return readers[0]->name;
  }

  /// `output.v`, `last(output.v, steps: N)`, `mean(output.v)`,
  /// `max(output.v)`, `final(output.v)` or `spike_count(output)`.
  void readout(const ast::Expr &e, ir::Training &t) {
    if (const auto *m = ast::dyn_cast<ast::MemberExpr>(&e)) {
      t.readout_kind = ir::ReadoutKind::PerStep;
      readout_variable(*m, t);
      return;
    }
    const auto *call = ast::dyn_cast<ast::CallExpr>(&e);
    if (!call) {
      diags_.report(DiagKind::expected_readout, e.loc());
      return;
    }
    const std::string &n = call->callee.name;
    if (std::find(kReadoutFunctions.begin(), kReadoutFunctions.end(), n) == kReadoutFunctions.end()) {
      unknown("readout function", n, kReadoutFunctions, call->callee.loc);
      return;
    }
    bool last = n == "last";
    std::vector<const ast::Expr *> unnamed;
    auto args = call_args(e, n, last ? std::vector<std::string>{"steps"} : std::vector<std::string>{}, 1, &unnamed);
    if (!args)
      return;
    if (unnamed.empty()) {
      diags_.report(DiagKind::expected_readout, e.loc());
      return;
    }
    const ast::Expr &what = *unnamed[0];
    if (n == "spike_count") {
      t.readout_kind = ir::ReadoutKind::SpikeCount;
      const auto *pop = ast::dyn_cast<ast::NameExpr>(&what);
      if (!pop) {
        diags_.report(DiagKind::expected_readout, what.loc());
        return;
      }
      if (const ir::Population *p = population_named({pop->name, pop->loc()}))
        t.readout = p->name;
      return;
    }
    t.readout_kind = last          ? ir::ReadoutKind::LastSteps
                     : n == "mean" ? ir::ReadoutKind::Mean
                     : n == "max"  ? ir::ReadoutKind::Max
                                   : ir::ReadoutKind::Final;
    const auto *m = ast::dyn_cast<ast::MemberExpr>(&what);
    if (!m) {
      diags_.report(DiagKind::expected_readout, what.loc());
      return;
    }
    readout_variable(*m, t);
    if (!last)
      return;
    const ast::Expr *steps = find_arg(*args, "steps");
    if (!steps) {
      diags_.report(DiagKind::missing_argument, call->callee.loc, "'last'", "steps");
      return;
    }
    uint64_t max = t.timesteps > 0 ? t.timesteps : kMaxTimesteps;
    if (auto v = exprs_.integer(*steps, "'steps'", 1, max))
      t.last_steps = static_cast<uint32_t>(*v);
  }

  void readout_variable(const ast::MemberExpr &m, ir::Training &t) {
    const ir::Population *p = population_named(m.object);
    if (!p)
      return;
    t.readout = p->name;
    const ir::NeuronModel *model = m_.find_model(p->model);
    const std::string &var = m.member.name;
    if (model->find_state(var)) {
      t.readout_variable = var;
      return;
    }
    if (model->find_param(var) || model->find_input(var)) {
      diags_.report(DiagKind::readout_not_state, m.member.loc, model->name, var,
                    model->find_param(var) ? "a parameter" : "an input");
      return;
    }
    diags_.report(DiagKind::unknown_variable, m.member.loc, model->name, "state", var);
    std::vector<std::string> names;
    for (const auto &s : model->states)
      names.push_back(s.name);
    diags_.suggest(var, names, m.member.loc);
  }

  const ir::Population *population_named(const ast::Ident &id) {
    if (const ir::Population *p = m_.network.find_population(id.name))
      return p;
    diags_.report(DiagKind::unknown_population, id.loc, id.name);
    std::vector<std::string> names;
    for (const auto &p : m_.network.populations)
      names.push_back(p.name);
    diags_.suggest(id.name, names, id.loc);
    return nullptr;
  }

  ir::Module &m_;
  diag::Diagnostics &diags_;
  ExprLowering exprs_;
  const FunctionTable *functions_;
  std::map<std::string, const ast::Setting *> settings_;
  bool has_train_data_ = false;
};

} // namespace

bool lower_training(const ast::TrainDecl &decl, ir::Module &module, diag::Diagnostics &diags,
                    const FunctionTable *functions) {
  return TrainingLowering(module, diags, functions).lower(decl);
}

} // namespace snn::frontend
