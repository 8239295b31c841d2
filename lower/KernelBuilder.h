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

/// A Real literal (Program precision) as a lowered value.
Value real_value(double v);
/// The Bool `v != 0` of an integer value.
Value nonzero(Value v);

} // namespace snn::lower
