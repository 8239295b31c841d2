//===- lower/ProgramBuilder.h - Adding buffers, kernels and launches -*- C++ -*-===//
//
// Internal to lower/: what the training schedules share when they add to a
// Program: buffers (remembering the per-example ones reset_example must
// clear), kernels built once per key, and launches bound by parameter name.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include <map>
#include <string>
#include <vector>

namespace snn::lower {

class ProgramBuilder {
public:
  explicit ProgramBuilder(Program &p) : p_(p) {}

  Program &program() { return p_; }
  const Program &program() const { return p_; }

  /// Adds a buffer and returns its index. A Synapse-scope buffer takes the
  /// extent of its projection's weights. Per-example buffers are cleared by
  /// reset_example unless `zero_per_example` is false (`per_example()`).
  int add_buffer(std::string name, ElemType type, Scope scope, BatchAxis batch, BufferRole role, uint64_t extent,
                 bool zero_per_example = true);

  /// The kernel built by `build` under `key`, built the first time only.
  template <typename Build> int kernel(const std::string &key, Build &&build) {
    auto found = kernels_.find(key);
    if (found != kernels_.end())
      return found->second;
    p_.kernels.push_back(build());
    kernels_.emplace(key, int(p_.kernels.size() - 1));
    return int(p_.kernels.size() - 1);
  }

  /// A launch of kernel `index` (bind_launch).
  Launch launch(int index, std::string what, const std::map<std::string, Argument> &args) const {
    return bind_launch(p_, index, std::move(what), args);
  }

  /// The entry point called `name`; throws ir::InternalError if none.
  EntryPoint &entry(const std::string &name);

  /// The per-example buffers added so far that reset_example must clear.
  const std::vector<int> &per_example() const { return per_example_; }

private:
  Program &p_;
  std::vector<int> per_example_;
  std::map<std::string, int> kernels_;
};

inline Argument buffer_arg(int buffer) { return Argument{buffer, 0}; }
inline Argument scalar_arg(int64_t value) { return Argument{-1, value}; }

} // namespace snn::lower
