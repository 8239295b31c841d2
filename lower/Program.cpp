//===- lower/Program.cpp - What every backend reads -----------------------===//
#include "lower/Program.h"

#include <algorithm>

namespace snn::lower {

const char *name_of(ElemType type) {
  switch (type) {
  case ElemType::F32:
    return "f32";
  case ElemType::F64:
    return "f64";
  case ElemType::I32:
    return "i32";
  case ElemType::U32:
    return "u32";
  case ElemType::U8:
    return "u8";
  case ElemType::Bits:
    return "bits";
  }
  return "?";
}

Type value_type(ElemType type) {
  switch (type) {
  case ElemType::F32:
  case ElemType::F64:
    return Type::Real;
  case ElemType::I32:
  case ElemType::U8:
    return Type::I32;
  case ElemType::U32:
    return Type::U32;
  case ElemType::Bits:
    return Type::Bool;
  }
  return Type::Real;
}

uint64_t storage_bytes(ElemType type, uint64_t count) {
  switch (type) {
  case ElemType::F64:
    return 8 * count;
  case ElemType::F32:
  case ElemType::I32:
  case ElemType::U32:
    return 4 * count;
  case ElemType::U8:
    return count;
  case ElemType::Bits:
    return 4 * ((count + 31) / 32);
  }
  return 0;
}

const char *name_of(ScopeKind scope) {
  switch (scope) {
  case ScopeKind::Neuron:
    return "neuron";
  case ScopeKind::Synapse:
    return "synapse";
  case ScopeKind::Pre:
    return "pre";
  case ScopeKind::Post:
    return "post";
  case ScopeKind::Row:
    return "row";
  case ScopeKind::Global:
    return "global";
  case ScopeKind::Column:
    return "column";
  }
  return "?";
}

const char *name_of(BufferRole role) {
  switch (role) {
  case BufferRole::State:
    return "state";
  case BufferRole::Input:
    return "input";
  case BufferRole::Spiked:
    return "spiked";
  case BufferRole::Stimulus:
    return "stimulus";
  case BufferRole::RowStart:
    return "row_start";
  case BufferRole::Target:
    return "target";
  case BufferRole::Weight:
    return "weight";
  case BufferRole::Label:
    return "label";
  case BufferRole::Loss:
    return "loss";
  case BufferRole::Scores:
    return "scores";
  case BufferRole::Gradient:
    return "gradient";
  case BufferRole::Hyper:
    return "hyper";
  case BufferRole::Training:
    return "training";
  case BufferRole::Bias:
    return "bias";
  case BufferRole::Running:
    return "running";
  case BufferRole::Delay:
    return "delay";
  case BufferRole::Delayed:
    return "delayed";
  case BufferRole::SynapseState:
    return "synapse state";
  case BufferRole::ColumnStart:
    return "column start";
  case BufferRole::ColumnSynapse:
    return "column synapse";
  case BufferRole::ColumnPre:
    return "column pre";
  case BufferRole::History:
    return "history";
  case BufferRole::Bitmask:
    return "bitmask";
  case BufferRole::SpikeBlock:
    return "spike block";
  case BufferRole::NonfiniteStep:
    return "nonfinite step";
  }
  return "?";
}

const char *name_of(DomainKind kind) {
  switch (kind) {
  case DomainKind::Neurons:
    return "neurons";
  case DomainKind::SpikingRows:
    return "spiking_rows";
  case DomainKind::Synapses:
    return "synapses";
  case DomainKind::BatchReduction:
    return "batch_reduction";
  }
  return "?";
}

Param Param::buffer(std::string name, ElemType elem, ScopeKind scope, BatchAxis batch, Access access) {
  Param p;
  p.kind = Kind::Buffer;
  p.name = std::move(name);
  p.elem = elem;
  p.scope = scope;
  p.batch = batch;
  p.access = access;
  return p;
}

Param Param::scalar(std::string name, Type type) {
  Param p;
  p.kind = Kind::Scalar;
  p.name = std::move(name);
  p.type = type;
  return p;
}

int Kernel::param(const std::string &n) const {
  for (size_t k = 0; k < params.size(); ++k)
    if (params[k].name == n)
      return static_cast<int>(k);
  return -1;
}

Launch bind_launch(const Program &program, int kernel, std::string what, const std::map<std::string, Argument> &args) {
  Launch l;
  l.kernel = kernel;
  for (const Param &param : program.kernels[kernel].params) {
    auto found = args.find(param.name);
    ir::internal_check(found != args.end(), "kernel '" + program.kernels[kernel].name + "' has parameter '" +
                                                param.name + "', which the " + what + " does not bind");
    l.args.push_back(found->second);
  }
  l.what = std::move(what);
  return l;
}

const std::vector<std::string> &entry_point_names() {
  static const std::vector<std::string> names = {"init",           "reset_example",    "step",
                                                 "train_step",     "end_example",      "train_end_example",
                                                 "train_backward", "reduce_gradients", "apply_gradients"};
  return names;
}

int consecutive_step_stride(const std::string &name) {
  if (name == "step" || name == "train_step")
    return 1;
  return name == "train_backward" ? -1 : 0;
}

void drop_unlaunched_kernels(Program &program) {
  std::vector<int> renumbered(program.kernels.size(), -1);
  for (const EntryPoint &e : program.entries)
    for (const Launch &l : e.launches)
      renumbered[size_t(l.kernel)] = 0;
  std::vector<Kernel> kept;
  for (size_t k = 0; k < program.kernels.size(); ++k)
    if (renumbered[k] == 0) {
      renumbered[k] = int(kept.size());
      kept.push_back(std::move(program.kernels[k]));
    }
  program.kernels = std::move(kept);
  for (EntryPoint &e : program.entries)
    for (Launch &l : e.launches)
      l.kernel = renumbered[size_t(l.kernel)];
}

void mark_batch_separable(Program &p) {
  for (EntryPoint &e : p.entries) {
    // An empty entry is separable too: there is nothing to share (a
    // data-parallel run calls every per-example entry on its share).
    bool separable = true;
    for (const Launch &l : e.launches) {
      const Kernel &k = p.kernels[size_t(l.kernel)];
      if (!k.domain.batched || k.domain.kind == DomainKind::BatchReduction)
        separable = false;
      for (size_t a = 0; a < k.params.size() && a < l.args.size(); ++a) {
        const Param &param = k.params[a];
        if (param.kind != Param::Kind::Buffer || l.args[a].buffer < 0)
          continue;
        const Buffer &b = p.buffers[size_t(l.args[a].buffer)];
        if (b.batch == BatchAxis::Shared && param.access != Param::Access::Read)
          separable = false;
        // Examples of a bit buffer must start on a word of their own.
        if (b.batch == BatchAxis::PerExample && b.type == ElemType::Bits && b.extent % 32 != 0)
          separable = false;
      }
    }
    e.batch_separable = separable;
  }
}

const EntryPoint &Program::entry(const std::string &n) const {
  for (const EntryPoint &e : entries)
    if (e.name == n)
      return e;
  throw ir::InternalError("the program has no entry point '" + n + "'");
}

uint64_t Program::bytes(int index, uint32_t batch_size) const {
  const Buffer &b = buffers.at(static_cast<size_t>(index));
  uint64_t copies = b.batch == BatchAxis::PerExample ? batch_size : 1;
  if (b.role == BufferRole::History)
    copies *= std::max<uint32_t>(training.timesteps, 1);
  return copies * storage_bytes(b.type, b.extent);
}

uint64_t Program::total_bytes(uint32_t batch_size) const {
  uint64_t total = 0;
  for (size_t k = 0; k < buffers.size(); ++k)
    total += bytes(static_cast<int>(k), batch_size);
  return total;
}

} // namespace snn::lower
