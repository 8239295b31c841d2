//===- lower/Printer.cpp - Deterministic text of a lowered Program --------===//
#include "lower/Printer.h"

#include "ir/Printer.h"

#include <fmt/format.h>

namespace snn::lower {

namespace {

const char *access_name(Param::Access a) {
  switch (a) {
  case Param::Access::Read:
    return "read";
  case Param::Access::Write:
    return "write";
  case Param::Access::ReadWrite:
    return "readwrite";
  }
  return "?";
}

const char *batch_name(BatchAxis b) { return b == BatchAxis::PerExample ? "per-example" : "shared"; }

class ValuePrinter {
public:
  explicit ValuePrinter(const Kernel &k) : kernel_(k) {}

  std::string print(const Value &v) {
    return visit_value(v, [&](const auto &node) { return text(node); });
  }

private:
  /// Operands that are themselves operations get parentheses.
  std::string operand(const Value &v) {
    std::string s = print(v);
    return v.as<IntOp>() ? "(" + s + ")" : s;
  }

  std::string text(const IntImm &i) {
    switch (i.type) {
    case Type::Bool:
      return i.value ? "true" : "false";
    case Type::U32:
      return fmt::format("{}u", i.value);
    case Type::I32:
      return fmt::format("{}i", i.value);
    default:
      return fmt::format("{}", i.value);
    }
  }
  std::string text(const Local &l) { return l.name; }
  std::string text(const IntOp &op) { return fmt::format("{} {} {}", operand(op.a), name_of(op.op), operand(op.b)); }
  std::string text(const Cast &c) { return fmt::format("{}({})", name_of(c.type), print(c.a)); }
  std::string text(const Load &l) { return fmt::format("{}[{}]", param_name(l.param), print(l.index)); }
  std::string text(const Math &m) { return ir::to_string(m.expr); }
  std::string text(const RandomReal &r) {
    return fmt::format("{}({}, {}, {}, {})", r.dist == ir::Distribution::Uniform01 ? "uniform01" : "normal01",
                       print(r.words[0]), print(r.words[1]), print(r.words[2]), print(r.words[3]));
  }
  std::string text(const GeometricSkip &g) {
    return fmt::format("geometric_skip({}, {}, log_q {})", print(g.hi), print(g.lo), ir::format_real(g.log_q));
  }

public:
  std::string param_name(int index) const {
    if (index < 0 || size_t(index) >= kernel_.params.size())
      return fmt::format("@<{}>", index);
    return "@" + kernel_.params[index].name;
  }

private:
  const Kernel &kernel_;
};

class StmtPrinter {
public:
  StmtPrinter(const Kernel &k, std::string &out) : values_(k), out_(out) {}

  void print(const Stmt &s, int depth) {
    depth_ = depth;
    visit_stmt(s, [&](const auto &node) { text(node); });
  }

private:
  void line(const std::string &text) { out_ += std::string(2 * depth_, ' ') + text + '\n'; }

  void nested(const Stmt &s) {
    int depth = depth_;
    print(s, depth + 1);
    depth_ = depth;
  }

  void text(const Block &b) {
    int depth = depth_;
    for (const Stmt &s : b.stmts)
      print(s, depth);
    depth_ = depth;
  }
  void text(const Let &l) { line(fmt::format("let {} = {}", l.name, values_.print(l.value))); }
  void text(const Store &s) {
    line(fmt::format("{}[{}] = {}", values_.param_name(s.param), values_.print(s.index), values_.print(s.value)));
  }
  void text(const AtomicAdd &a) {
    line(fmt::format("atomic {}[{}] += {}", values_.param_name(a.param), values_.print(a.index),
                     values_.print(a.value)));
  }
  void text(const If &i) {
    line(fmt::format("if {} {{", values_.print(i.cond)));
    nested(i.then_body);
    if (i.else_body) {
      line("} else {");
      nested(i.else_body);
    }
    line("}");
  }
  void text(const For &f) {
    line(fmt::format("{}for {} in {} .. {} {{", f.parallel ? "parallel " : "", f.var, values_.print(f.begin),
                     values_.print(f.end)));
    nested(f.body);
    line("}");
  }
  void text(const Var &v) { line(fmt::format("var {} = {}", v.name, values_.print(v.value))); }
  void text(const Assign &a) { line(fmt::format("{} = {}", a.name, values_.print(a.value))); }
  void text(const While &w) {
    line(fmt::format("while {} {{", values_.print(w.cond)));
    nested(w.body);
    line("}");
  }
  void text(const Stage &st) {
    line(fmt::format("stage {} in {}[{} ..+ {}] by {} {{", st.var, values_.param_name(st.param), values_.print(st.base),
                     values_.print(st.extent), st.tile));
    nested(st.body);
    line("}");
  }
  void text(const Philox &p) {
    line(fmt::format("philox {} = ({}, {}, {}, {}) key ({}, {})", p.name, values_.print(p.counter[0]),
                     values_.print(p.counter[1]), values_.print(p.counter[2]), values_.print(p.counter[3]),
                     values_.print(p.key[0]), values_.print(p.key[1])));
  }

  ValuePrinter values_;
  std::string &out_;
  int depth_ = 0;
};

std::string scope_text(const Program &p, const Scope &s) {
  switch (s.kind) {
  case ScopeKind::Neuron:
    if (s.owner >= 0 && size_t(s.owner) < p.populations.size())
      return fmt::format("neuron({})", p.populations[s.owner].name);
    break;
  case ScopeKind::Global:
    return "global";
  default:
    if (s.owner >= 0 && size_t(s.owner) < p.projections.size())
      return fmt::format("{}({})", name_of(s.kind), p.projections[s.owner].name);
    break;
  }
  return fmt::format("{}(?)", name_of(s.kind));
}

std::string domain_text(const Kernel &k) {
  const Domain &d = k.domain;
  auto param = [&](int index) {
    return index >= 0 && size_t(index) < k.params.size() ? k.params[index].name : std::string("?");
  };
  std::string text = fmt::format("{}({}", name_of(d.kind), param(d.extent));
  if (d.kind == DomainKind::SpikingRows)
    text += ", spikes @" + param(d.spikes);
  if (d.kind == DomainKind::Synapses)
    text += ", rows @" + param(d.rows);
  text += ")";
  if (d.runs_past_extent)
    text += " in whole blocks";
  if (d.batched && d.kind != DomainKind::BatchReduction)
    text += " x batch";
  return text;
}

void print_kernel(const Kernel &k, std::string &out) {
  out += fmt::format("kernel {} over {} {{\n", k.name, domain_text(k));
  for (const Param &p : k.params) {
    if (p.kind == Param::Kind::Scalar)
      out += fmt::format("  param {} : {}\n", p.name, name_of(p.type));
    else
      out += fmt::format("  param @{} : {} {} {} {}\n", p.name, name_of(p.elem), name_of(p.scope), batch_name(p.batch),
                         access_name(p.access));
  }
  if (k.body)
    StmtPrinter(k, out).print(k.body, 1);
  out += "}\n";
}

void print_launch(const Program &p, const Launch &l, std::string &out) {
  if (l.kernel < 0 || size_t(l.kernel) >= p.kernels.size()) {
    out += fmt::format("  launch <kernel {}>\n", l.kernel);
    return;
  }
  const Kernel &k = p.kernels[l.kernel];
  out += fmt::format("  launch {}  ; {}\n", k.name, l.what);
  for (size_t a = 0; a < l.args.size() && a < k.params.size(); ++a) {
    const Argument &arg = l.args[a];
    if (k.params[a].kind == Param::Kind::Scalar)
      out += fmt::format("    {} = {}\n", k.params[a].name, arg.scalar);
    else if (arg.buffer >= 0 && size_t(arg.buffer) < p.buffers.size())
      out += fmt::format("    @{} = %{} {}\n", k.params[a].name, arg.buffer, p.buffers[arg.buffer].name);
    else
      out += fmt::format("    @{} = <none>\n", k.params[a].name);
  }
}

} // namespace

std::string to_string(const Value &v, const Kernel &kernel) { return ValuePrinter(kernel).print(v); }

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1024)
    return fmt::format("{} B", bytes);
  const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = double(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

namespace {
/// Bytes of the history buffers for `batch` examples.
uint64_t history_bytes(const Program &p, uint32_t batch) {
  uint64_t bytes = 0;
  for (size_t k = 0; k < p.buffers.size(); ++k)
    if (p.buffers[k].role == BufferRole::History)
      bytes += p.bytes(int(k), batch);
  return bytes;
}
} // namespace

std::string memory_report(const Program &p, uint32_t batch) {
  std::string out;
  size_t name_width = 4, scope_width = 5;
  for (const Buffer &b : p.buffers) {
    name_width = std::max(name_width, b.name.size());
    scope_width = std::max(scope_width, scope_text(p, b.scope).size());
  }
  out += fmt::format("  {:>4}  {:<{}}  {:<4}  {:<{}}  {:<11}  {:>12}  {:>14}\n", "", "name", name_width, "type",
                     "scope", scope_width, "batch", "elements", "bytes");
  bool estimated = false;
  for (size_t k = 0; k < p.buffers.size(); ++k) {
    const Buffer &b = p.buffers[k];
    std::string elements = fmt::format("{}{}", b.extent_is_estimate ? "~" : "", b.extent);
    estimated = estimated || b.extent_is_estimate;
    out += fmt::format("  {:>4}  {:<{}}  {:<4}  {:<{}}  {:<11}  {:>12}  {:>14}\n", "%" + std::to_string(k), b.name,
                       name_width, name_of(b.type), scope_text(p, b.scope), scope_width, batch_name(b.batch), elements,
                       p.bytes(int(k), batch));
  }
  uint64_t total = p.total_bytes(batch);
  out += fmt::format("  total {} bytes ({}) for a batch of {}{}\n", total, human_bytes(total), batch,
                     estimated ? "; ~: expected synapse count of random connectivity" : "");
  uint64_t history = history_bytes(p, batch);
  if (history > 0)
    out += fmt::format("  of which the adjoint e-prop strategy's history of {} steps: {} bytes ({})\n",
                       p.training.timesteps, history, human_bytes(history));
  return out;
}

std::string to_string(const Program &p) {
  std::string out =
      fmt::format("program {} {{\n  real = {}\n  dt = {} [s]\n  duration = {} [s]\n  seed = {}\n"
                  "  batch = {}\n}}\n",
                  p.name, name_of(p.real), ir::format_real(p.dt), ir::format_real(p.duration), p.seed, p.batch);
  out += "buffers {\n" + memory_report(p, p.batch) + "}\n";
  if (!p.projections.empty()) {
    // The cost model's estimate: memory operations per step and example.
    out += "delivery {\n";
    for (const ProjectionInfo &j : p.projections)
      out += fmt::format("  {}: {} (cost per step: presynaptic {:.0f}, postsynaptic {:.0f})\n", j.name,
                         name_of(j.delivery), j.delivery_cost.presynaptic, j.delivery_cost.postsynaptic);
    out += "}\n";
    // The sparsify pass's choice and its estimates: bytes stored (rows,
    // indices or mask, and weights) and memory accesses per step and
    // example of each format.
    out += "storage {\n";
    for (const ProjectionInfo &j : p.projections) {
      out += fmt::format("  {}: {}", j.name, ir::name_of(j.storage));
      std::string sep = " (";
      for (const ir::StorageEstimate &e : j.storage_estimates) {
        out += sep + ir::name_of(e.format) + ": ";
        out += e.unavailable.empty() ? fmt::format("{} bytes, {:.4g} accesses per step", uint64_t(e.bytes), e.accesses)
                                     : "unavailable, " + e.unavailable;
        sep = "; ";
      }
      out += j.storage_estimates.empty() ? "\n" : ")\n";
    }
    out += "}\n";
  }
  if (p.training.enabled) {
    // The cost model's estimate, per step and example, and why the adjoint
    // strategy was out of reach.
    const TrainingInfo &t = p.training;
    if (t.bptt)
      out += fmt::format("training {{\n  method: bptt, on the adjoint strategy (cost per step: adjoint {:.0f})\n",
                         t.strategy_cost.adjoint);
    else
      out += fmt::format("training {{\n  e-prop strategy: {} (cost per step: online {:.0f}, adjoint {:.0f})\n",
                         name_of(t.strategy), t.strategy_cost.online, t.strategy_cost.adjoint);
    if (!t.adjoint_unsupported.empty())
      out += fmt::format("  adjoint: not applicable: {}\n", t.adjoint_unsupported);
    else if (t.strategy == EpropStrategy::Adjoint) {
      out += fmt::format("  history: {} steps, {} bytes per example\n", t.timesteps, history_bytes(p, 1));
      // What a run whose histories hold fewer steps (--history-steps)
      // saves at the start of each segment it recomputes.
      uint64_t checkpoint = 0;
      std::string names;
      for (int b : t.segment_state) {
        checkpoint += p.bytes(b, 1);
        names += fmt::format(" %{} {}", b, p.buffers[size_t(b)].name);
      }
      out += fmt::format("  segment checkpoint: {} bytes per example:{}\n", checkpoint, names);
      if (history_bytes(p, p.batch) > kHistoryBudgetBytes)
        out += fmt::format("  over the {} history budget for a batch of {}: segments recomputed from checkpoints "
                           "(counted in the cost)\n",
                           human_bytes(kHistoryBudgetBytes), p.batch);
    } else
      out += fmt::format("  adjoint history would take {} bytes per example\n", t.strategy_cost.history_bytes);
    for (const PruneInfo &rule : t.prune)
      out += fmt::format("  prune {} to {} by magnitude {} {} epoch(s)\n", p.projections[size_t(rule.projection)].name,
                         ir::format_real(rule.density), rule.gradual ? "every" : "after", rule.epochs);
    for (const RewireInfo &rule : t.rewire)
      out += fmt::format("  rewire {} by deep_r(l1: {}, temperature: {}), dormant flags %{}\n",
                         p.projections[size_t(rule.projection)].name, ir::format_real(rule.l1),
                         ir::format_real(rule.temperature), rule.dormant);
    out += "}\n";
  }
  // What the runtime's --threads may split by example.
  out += "threads {\n  split by example:";
  for (const EntryPoint &e : p.entries)
    if (e.batch_separable)
      out += " " + e.name;
  out += "\n}\n";
  for (const Kernel &k : p.kernels)
    print_kernel(k, out);
  for (const EntryPoint &e : p.entries) {
    out += fmt::format("entry {} {{\n", e.name);
    for (const Launch &l : e.launches)
      print_launch(p, l, out);
    out += "}\n";
  }
  return out;
}

} // namespace snn::lower
