//===- lower/Dependence.cpp - Which launches may run in another order -----===//
#include "lower/Dependence.h"

#include <type_traits>

namespace snn::lower {

namespace {

/// Collects the parameters a kernel body loads from and writes to.
class ParamAccess {
public:
  std::set<int> loaded, written;

  void value(const Value &v) {
    if (!v)
      return;
    visit_value(v, [&](const auto &node) {
      using N = std::decay_t<decltype(node)>;
      if constexpr (std::is_same_v<N, Load>) {
        loaded.insert(node.param);
        value(node.index);
      } else if constexpr (std::is_same_v<N, IntOp>) {
        value(node.a);
        value(node.b);
      } else if constexpr (std::is_same_v<N, Cast>) {
        value(node.a);
      } else if constexpr (std::is_same_v<N, RandomReal>) {
        for (const Value &w : node.words)
          value(w);
      } else if constexpr (std::is_same_v<N, GeometricSkip>) {
        value(node.hi);
        value(node.lo);
      } else {
        // Constants, locals and Math (over locals only) read no buffer.
        static_assert(std::is_same_v<N, IntImm> || std::is_same_v<N, Local> || std::is_same_v<N, lower::Math>);
      }
    });
  }

  void stmt(const Stmt &s) {
    if (!s)
      return;
    visit_stmt(s, [&](const auto &node) {
      using N = std::decay_t<decltype(node)>;
      if constexpr (std::is_same_v<N, Block>) {
        for (const Stmt &inner : node.stmts)
          stmt(inner);
      } else if constexpr (std::is_same_v<N, Let>) {
        value(node.value);
      } else if constexpr (std::is_same_v<N, Store> || std::is_same_v<N, AtomicAdd>) {
        written.insert(node.param);
        value(node.index);
        value(node.value);
      } else if constexpr (std::is_same_v<N, If>) {
        value(node.cond);
        stmt(node.then_body);
        stmt(node.else_body);
      } else if constexpr (std::is_same_v<N, For>) {
        value(node.begin);
        value(node.end);
        stmt(node.body);
      } else if constexpr (std::is_same_v<N, Var> || std::is_same_v<N, Assign>) {
        value(node.value);
      } else if constexpr (std::is_same_v<N, While>) {
        value(node.cond);
        stmt(node.body);
      } else if constexpr (std::is_same_v<N, Stage>) {
        loaded.insert(node.param); // the tiles are copied whole
        value(node.base);
        value(node.extent);
        stmt(node.body);
      } else {
        static_assert(std::is_same_v<N, Philox>);
        for (const Value &c : node.counter)
          value(c);
        for (const Value &k : node.key)
          value(k);
      }
    });
  }
};

bool intersects(const std::set<int> &a, const std::set<int> &b) {
  for (int x : a)
    if (b.count(x))
      return true;
  return false;
}

} // namespace

BufferAccess launch_access(const Program &program, const Launch &launch) {
  const Kernel &kernel = program.kernels.at(size_t(launch.kernel));
  ParamAccess params;
  params.stmt(kernel.body);
  // The domain reads its row offsets and spike flags too.
  for (int domain_param : {kernel.domain.rows, kernel.domain.spikes})
    if (domain_param >= 0)
      params.loaded.insert(domain_param);
  BufferAccess access;
  auto buffer_of = [&](int param) { return param < int(launch.args.size()) ? launch.args[size_t(param)].buffer : -1; };
  for (int param : params.loaded)
    if (int b = buffer_of(param); b >= 0)
      access.reads.insert(b);
  for (int param : params.written)
    if (int b = buffer_of(param); b >= 0)
      access.writes.insert(b);
  return access;
}

bool can_run_earlier(const Program &program, const EntryPoint &entry, size_t earlier, size_t later) {
  ir::internal_check(earlier < later && later < entry.launches.size(), "can_run_earlier: launches out of order");
  BufferAccess moved = launch_access(program, entry.launches[later]);
  for (size_t i = earlier + 1; i < later; ++i) {
    BufferAccess between = launch_access(program, entry.launches[i]);
    if (intersects(between.writes, moved.reads) || intersects(between.writes, moved.writes) ||
        intersects(between.reads, moved.writes))
      return false;
  }
  return true;
}

std::vector<int> segment_state(const Program &program) {
  auto access_of = [&](const char *name) {
    BufferAccess all;
    for (const EntryPoint &entry : program.entries)
      if (entry.name == name)
        for (const Launch &launch : entry.launches) {
          BufferAccess one = launch_access(program, launch);
          all.reads.insert(one.reads.begin(), one.reads.end());
          all.writes.insert(one.writes.begin(), one.writes.end());
        }
    return all;
  };
  BufferAccess forward = access_of("train_step");
  std::set<int> state = forward.writes;
  for (const char *later : {"end_example", "train_end_example", "train_backward"})
    for (int b : access_of(later).writes)
      if (forward.reads.count(b))
        state.insert(b);
  std::vector<int> out;
  for (int b : state)
    if (program.buffers.at(size_t(b)).role != BufferRole::History)
      out.push_back(b);
  return out;
}

} // namespace snn::lower
