//===- ir/ReaderTraining.cpp - Reads a printed train regime back ----------===//
//
// One statement per line, in any order, as ir/Printer.cpp's print_training
// writes them: `dt = 0.001 [s]`, `data train = dense("x.csv", encode:
// latency(max: 16))`, `readout = last(output.v, steps: 5)`, `optimizer =
// adam(lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-08)`, ...
//
//===----------------------------------------------------------------------===//
#include "ir/ReaderTraining.h"

#include "ir/ReaderExpr.h"
#include "ir/ReaderWorkflow.h"

#include <cstdint>
#include <set>

namespace snn::ir::reader {

using diag::DiagKind;

namespace {

class TrainingReader {
public:
  TrainingReader(TokenStream &in, Module &m) : in_(in), m_(m) {}

  void read(const SourceLocation &network_loc) {
    Token kw = in_.expect("train");
    if (m_.has_regime)
      in_.fail(DiagKind::duplicate_definition, kw.loc, "regime for network", m_.regime.network);
    Token net = in_.expect(TokenKind::Ident, "a network name");
    if (!network_loc.valid() || net.text != m_.network.name)
      in_.fail(DiagKind::unknown_network, net.loc, net.text);
    in_.expect("with");
    Token method = in_.expect(TokenKind::Ident, "eprop or bptt");
    if (method.text != "eprop" && method.text != "bptt")
      in_.fail(DiagKind::ir_expected, method.loc, "eprop or bptt", describe(method));
    Regime &r = m_.regime;
    r.network = net.text;
    Training t;
    t.loc = kw.loc;
    t.bptt = method.text == "bptt";
    in_.expect("{");
    in_.end_statement();
    std::set<std::string> seen;
    while (true) {
      in_.skip_newlines();
      if (in_.accept("}"))
        break;
      Token k = in_.expect(TokenKind::Ident, "a train setting");
      statement(k, r, t);
      seen.insert(k.text);
      in_.end_statement();
    }
    in_.end_statement();
    for (const char *required : {"data", "timesteps", "input", "readout"})
      if (!seen.count(required))
        in_.fail(DiagKind::ir_invalid_module, kw.loc, std::string("the train regime has no '") + required + "'");
    if (!t.train.present())
      in_.fail(DiagKind::ir_invalid_module, kw.loc, "the train regime has no training data");
    r.training = std::move(t);
    m_.has_regime = true;
  }

private:
  void statement(const Token &k, Regime &r, Training &t) {
    const std::string &s = k.text;
    if (read_workflow_statement(in_, k, m_, t.workflow))
      return;
    if (s == "record") {
      r.records.push_back(read_record(in_, m_));
      return;
    }
    if (s == "data") {
      Token which = in_.expect(TokenKind::Ident, "train or test");
      if (which.text != "train" && which.text != "test")
        in_.fail(DiagKind::ir_expected, which.loc, "train or test", describe(which));
      in_.expect("=");
      (which.text == "train" ? t.train : t.test) = data_source(which.loc);
      return;
    }
    in_.expect("=");
    if (s == "dt" || s == "duration") {
      (s == "dt" ? r.dt : r.duration) = parse_quantity(in_, "s");
    } else if (s == "seed") {
      r.seed = parse_integer(in_, "the seed", 0, UINT64_MAX);
    } else if (s == "batch") {
      r.batch = static_cast<uint32_t>(parse_integer(in_, "the batch", 1, kMaxBatch));
    } else if (s == "test_split" || s == "validation_split") {
      (s == "test_split" ? t.test_split : t.validation_split) = parse_real(in_);
    } else if (s == "timesteps") {
      t.timesteps = static_cast<uint32_t>(parse_integer(in_, "the timesteps", 1, UINT32_MAX));
    } else if (s == "epochs") {
      t.epochs = static_cast<uint32_t>(parse_integer(in_, "the epochs", 0, UINT32_MAX));
    } else if (s == "input") {
      t.input = population().name;
    } else if (s == "readout") {
      readout(t);
    } else if (s == "readout_bias" || s == "differentiate_reset") {
      (s == "readout_bias" ? t.readout_bias : t.differentiate_reset) = parse_bool(in_);
    } else if (s == "loss") {
      Token l = in_.expect(TokenKind::Ident, "a loss");
      if (l.text == name_of(LossKind::SparseCategoricalCrossentropy))
        t.loss = LossKind::SparseCategoricalCrossentropy;
      else if (l.text == name_of(LossKind::MeanSquaredError))
        t.loss = LossKind::MeanSquaredError;
      else
        in_.fail(DiagKind::ir_expected, l.loc, "sparse_categorical_crossentropy or mean_squared_error", describe(l));
    } else if (s == "feedback") {
      Token f = in_.expect(TokenKind::Ident, "symmetric or random");
      if (f.text != "symmetric" && f.text != "random")
        in_.fail(DiagKind::ir_expected, f.loc, "symmetric or random", describe(f));
      t.feedback = f.text == "symmetric" ? FeedbackKind::Symmetric : FeedbackKind::Random;
    } else {
      in_.fail(DiagKind::ir_expected, k.loc, "a train setting", describe(k));
    }
  }

  /// `events("PATH")` or `dense("PATH"[, labels: "PATH"], encode:
  /// latency(max: M))` or `... encode: poisson(max: M, rate: R [Hz]))`.
  DataSource data_source(const SourceLocation &loc) {
    DataSource d;
    d.loc = loc;
    Token kind = in_.expect(TokenKind::Ident, "dense or events");
    if (kind.text != "dense" && kind.text != "events")
      in_.fail(DiagKind::ir_expected, kind.loc, "dense or events", describe(kind));
    in_.expect("(");
    d.path = in_.expect(TokenKind::String, "a file name in quotes").text;
    if (kind.text == "events") {
      d.encoder = EncoderKind::Events;
      in_.expect(")");
      return d;
    }
    in_.expect(",");
    if (in_.accept("labels")) {
      in_.expect(":");
      d.labels_path = in_.expect(TokenKind::String, "a file name in quotes").text;
      in_.expect(",");
    }
    expect_label(in_, "encode");
    Token enc = in_.expect(TokenKind::Ident, "latency or poisson");
    if (enc.text != "latency" && enc.text != "poisson")
      in_.fail(DiagKind::ir_expected, enc.loc, "latency or poisson", describe(enc));
    d.encoder = enc.text == "latency" ? EncoderKind::Latency : EncoderKind::Poisson;
    in_.expect("(");
    expect_label(in_, "max");
    d.max_value = parse_real(in_);
    if (d.encoder == EncoderKind::Poisson) {
      in_.expect(",");
      expect_label(in_, "rate");
      d.max_rate = parse_quantity(in_, "Hz");
    }
    in_.expect(")");
    in_.expect(")");
    return d;
  }

  /// `POP.VAR`, `last(POP.VAR, steps: N)`, `mean(POP.VAR)`, `max(POP.VAR)`,
  /// `final(POP.VAR)` or `spike_count(POP)`.
  void readout(Training &t) {
    Token first = in_.expect(TokenKind::Ident, "a readout");
    if (!in_.at("(")) {
      t.readout_kind = ReadoutKind::PerStep;
      readout_variable(first, t);
      return;
    }
    bool found = false;
    for (ReadoutKind k :
         {ReadoutKind::LastSteps, ReadoutKind::Mean, ReadoutKind::Max, ReadoutKind::Final, ReadoutKind::SpikeCount})
      if (first.text == name_of(k)) {
        t.readout_kind = k;
        found = true;
      }
    if (!found)
      in_.fail(DiagKind::ir_expected, first.loc, "last, mean, max, final or spike_count", describe(first));
    in_.expect("(");
    Token pop = in_.expect(TokenKind::Ident, "a population name");
    if (t.readout_kind == ReadoutKind::SpikeCount)
      t.readout = population_named(pop).name;
    else
      readout_variable(pop, t);
    if (t.readout_kind == ReadoutKind::LastSteps) {
      in_.expect(",");
      expect_label(in_, "steps");
      t.last_steps = static_cast<uint32_t>(parse_integer(in_, "the last steps", 1, UINT32_MAX));
    }
    in_.expect(")");
  }

  /// `.VAR` after the population `pop`: a state of its model.
  void readout_variable(const Token &pop, Training &t) {
    const Population &p = population_named(pop);
    t.readout = p.name;
    in_.expect(".");
    Token var = in_.expect(TokenKind::Ident, "a state name");
    const NeuronModel *model = m_.find_model(p.model);
    if (!model || !model->find_state(var.text))
      in_.fail(DiagKind::unknown_variable, var.loc, p.model, "state", var.text);
    t.readout_variable = var.text;
  }

  const Population &population() { return population_named(in_.expect(TokenKind::Ident, "a population name")); }

  const Population &population_named(const Token &name) {
    const Population *p = m_.network.find_population(name.text);
    if (!p)
      in_.fail(DiagKind::unknown_population, name.loc, name.text);
    return *p;
  }

  TokenStream &in_;
  Module &m_;
};

} // namespace

/// spikes(POP[B:E:S]), rate(POP[B:E:S]) or POP.STATE([B:E:S]), then
/// optionally `every N` (steps), `to "FILE"` and `on example N`.
Record read_record(TokenStream &in_, const Module &m_) {
  auto population_named = [&](const Token &name) -> const Population & {
    const Population *p = m_.network.find_population(name.text);
    if (!p)
      in_.fail(DiagKind::unknown_population, name.loc, name.text);
    return *p;
  };
  Record rec;
  bool spikes = in_.at("spikes") && in_.peek(1).kind == TokenKind::Punct && in_.peek(1).text == "(";
  bool rate = in_.at("rate") && in_.peek(1).kind == TokenKind::Punct && in_.peek(1).text == "(";
  if (spikes || rate) {
    rec.kind = rate ? RecordKind::Rate : RecordKind::Spikes;
    in_.take();
    in_.expect("(");
    rec.population = population_named(in_.expect(TokenKind::Ident, "a population name")).name;
  } else {
    const Population &p = population_named(in_.expect(TokenKind::Ident, "spikes or a population name"));
    rec.kind = RecordKind::State;
    rec.population = p.name;
    in_.expect(".");
    Token var = in_.expect(TokenKind::Ident, "a state name");
    const NeuronModel *m = m_.find_model(p.model);
    if (!m->find_state(var.text))
      in_.fail(DiagKind::unknown_variable, var.loc, m->name, "state", var.text);
    rec.variable = var.text;
    in_.expect("(");
  }
  in_.expect("[");
  rec.begin = static_cast<uint32_t>(parse_integer(in_, "the first neuron", 0, UINT32_MAX));
  if (in_.accept(":")) {
    rec.end = static_cast<uint32_t>(parse_integer(in_, "the end of the range", 0, UINT32_MAX));
    in_.expect(":");
    rec.stride = static_cast<uint32_t>(parse_integer(in_, "the stride", 1, UINT32_MAX));
  } else { // [i, j, ...]: a list, scanned over the range that holds it
    rec.indices.push_back(rec.begin);
    while (in_.accept(","))
      rec.indices.push_back(static_cast<uint32_t>(parse_integer(in_, "a neuron", 0, UINT32_MAX - 1)));
    rec.begin = *std::min_element(rec.indices.begin(), rec.indices.end());
    rec.end = *std::max_element(rec.indices.begin(), rec.indices.end()) + 1;
  }
  in_.expect("]");
  in_.expect(")");
  if (in_.accept("every")) {
    if (rec.kind == RecordKind::Spikes)
      in_.fail(DiagKind::ir_expected, in_.peek(0).loc, "'to', 'on' or the end of the record", "'every'");
    rec.interval = static_cast<uint32_t>(parse_integer(in_, "the steps per sample", 1, UINT32_MAX));
  }
  if (in_.accept("to"))
    rec.file = in_.expect(TokenKind::String, "a file name in quotes").text;
  if (in_.accept("on")) {
    in_.expect("example");
    rec.example = static_cast<int64_t>(parse_integer(in_, "the example", 0, INT64_MAX));
  }
  return rec;
}

void read_training(TokenStream &in, Module &m, const SourceLocation &network_loc) {
  TrainingReader(in, m).read(network_loc);
}

} // namespace snn::ir::reader
