//===- lower/KernelBuilder.h - Building one kernel --------------*- C++ -*-===//
//
// Collects a kernel's parameters and the statements of its body, with
// nesting for the bodies of If and For. Used by the schedule's kernel
// builders; the result is checked by the Program verifier.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include <functional>
#include <map>
#include <optional>

namespace snn::lower {

class KernelBuilder {
public:
  KernelBuilder(std::string name, DomainKind kind, bool batched);

  /// Adds a buffer parameter; returns its index.
  int buffer(const std::string &name, ElemType elem, ScopeKind scope, BatchAxis batch, Param::Access access);
  /// Adds a scalar parameter and returns the local that reads it.
  Value scalar(const std::string &name, Type type = Type::I64);
  /// Makes the scalar parameter `name` the domain's extent.
  void set_extent(const std::string &name);
  /// Makes buffer parameter `param` the SpikingRows domain's spike flags.
  void set_spikes(int param);
  /// Makes buffer parameter `param` the Synapses domain's row offsets.
  void set_rows(int param);
  /// Lets a device run the Neurons domain past its extent, in whole blocks
  /// (Domain::runs_past_extent): the body must guard itself.
  void set_runs_past_extent();

  /// Emits `let name = value` and returns the local that reads it.
  Value let(const std::string &name, Value value);
  Value load(int param, Value index);
  void store(int param, Value index, Value value);
  void atomic_add(int param, Value index, Value value);
  void emit(Stmt stmt);
  /// The statements that `body` emits, as one Block (for If and For).
  Stmt nested(const std::function<void()> &body);

  /// The value type of buffer parameter `param`'s elements.
  Type element_type(int param) const;
  const Kernel &kernel() const { return kernel_; }
  /// The finished kernel; the builder is spent.
  Kernel finish();

private:
  Kernel kernel_;
  std::vector<std::vector<Stmt>> blocks_;
};

/// The half-open range [begin, end) that offsets[i] and offsets[i + 1] give
/// (a CSR row or column), bound to the locals `begin` and `end`.
struct OffsetRange {
  Value begin, end;
};
OffsetRange offset_range(KernelBuilder &k, int offsets, const Value &i);

/// Where a kernel finds the postsynaptic neuron of a synapse, by the
/// projection's storage (ir::SynapseStorage): ragged storage loads it from
/// the `target` buffer; dense storage computes it from the synapse's place k
/// in its row as k + (skip_self && k >= pre), the scalar `skip_self` being 1
/// for a projection onto its own population without autapses, whose rows
/// leave out the diagonal. Either way, the same neuron.
class SynapseTargets {
public:
  /// Declares what `storage` reads: the `target` buffer, or `skip_self`.
  SynapseTargets(KernelBuilder &k, ir::SynapseStorage storage);
  /// The postsynaptic neuron (I64) of synapse `s` (I64) of row `pre`
  /// (I64), whose synapses begin at `row_begin` (I64), bound to `name`.
  Value post(KernelBuilder &k, const std::string &name, const Value &s, const Value &pre, const Value &row_begin) const;
  /// The same where the row's beginning is not at hand: loaded from the
  /// row offsets (buffer parameter `row_start`) when the storage needs it.
  Value post_in_row(KernelBuilder &k, const std::string &name, const Value &s, const Value &pre, int row_start) const;
  /// What a kernel's name gets for `storage`: "" (ragged) or ".dense".
  static std::string suffix(ir::SynapseStorage storage);

private:
  ir::SynapseStorage storage_;
  int target_ = -1;
  Value skip_self_;
};

/// The arguments SynapseTargets reads for projection `info`, whatever its
/// storage: `target` (its buffer, -1 for dense storage) and `skip_self`.
std::map<std::string, Argument> target_args(const ProjectionInfo &info);

/// A Real literal (Program precision) as a lowered value.
Value real_value(double v);
/// The Bool `v != 0` of an integer value.
Value nonzero(Value v);

} // namespace snn::lower
