//===- lower/LaunchFusion.cpp - Fewer launches per step -------------------===//
#include "lower/LaunchFusion.h"

#include "ir/Simplify.h"
#include "lower/Dependence.h"

#include <algorithm>
#include <map>
#include <set>
#include <type_traits>

namespace snn::lower {

namespace {

/// The names a kernel body binds: locals (Let, Var, For, Stage) and Philox
/// blocks, each of which binds its four words `name.0` .. `name.3`.
struct BoundNames {
  std::set<std::string> locals, blocks;
};

void bound_names(const Stmt &s, BoundNames &out) {
  if (!s)
    return;
  visit_stmt(s, [&](const auto &node) {
    using N = std::decay_t<decltype(node)>;
    if constexpr (std::is_same_v<N, Block>) {
      for (const Stmt &inner : node.stmts)
        bound_names(inner, out);
    } else if constexpr (std::is_same_v<N, Let> || std::is_same_v<N, Var>) {
      out.locals.insert(node.name);
    } else if constexpr (std::is_same_v<N, Philox>) {
      out.blocks.insert(node.name);
    } else if constexpr (std::is_same_v<N, If>) {
      bound_names(node.then_body, out);
      bound_names(node.else_body, out);
    } else if constexpr (std::is_same_v<N, For>) {
      out.locals.insert(node.var);
      bound_names(node.body, out);
    } else if constexpr (std::is_same_v<N, While>) {
      bound_names(node.body, out);
    } else if constexpr (std::is_same_v<N, Stage>) {
      out.locals.insert(node.var);
      bound_names(node.body, out);
    }
  });
}

/// The names a Philox block `name` binds: its words.
std::vector<std::string> words_of(const std::string &name) {
  std::vector<std::string> words;
  for (int k = 0; k < 4; ++k)
    words.push_back(name + "." + std::to_string(k));
  return words;
}

/// Rebuilds a kernel body with its buffer parameters renumbered and its
/// locals (bound names and scalar parameters) renamed.
class Renamer {
public:
  std::vector<int> params;                  ///< old parameter index -> new
  std::map<std::string, std::string> names; ///< old local name -> new

  std::string name(const std::string &old) const {
    auto found = names.find(old);
    return found == names.end() ? old : found->second;
  }
  /// A Philox block's name and its four words.
  void rename_block(const std::string &old, const std::string &fresh) {
    names[old] = fresh;
    for (int k = 0; k < 4; ++k)
      names[old + "." + std::to_string(k)] = fresh + "." + std::to_string(k);
  }

  Value value(const Value &v) const {
    if (!v)
      return v;
    return visit_value(v, [&](const auto &node) -> Value {
      using N = std::decay_t<decltype(node)>;
      if constexpr (std::is_same_v<N, IntImm>) {
        return v;
      } else if constexpr (std::is_same_v<N, Local>) {
        return names.count(node.name) ? Local::make(name(node.name), node.type) : v;
      } else if constexpr (std::is_same_v<N, IntOp>) {
        return IntOp::make(node.op, value(node.a), value(node.b));
      } else if constexpr (std::is_same_v<N, Cast>) {
        return Cast::make(node.type, value(node.a));
      } else if constexpr (std::is_same_v<N, Load>) {
        return Load::make(params.at(size_t(node.param)), value(node.index), node.type);
      } else if constexpr (std::is_same_v<N, Math>) {
        return Math::make(ir::substitute(node.expr, [&](const ir::Variable &var) -> ir::Expr {
          if (var.var_kind != ir::VarKind::Local || !names.count(var.name))
            return {};
          return ir::Variable::make(ir::VarKind::Local, name(var.name), var.dim, var.type);
        }));
      } else if constexpr (std::is_same_v<N, RandomReal>) {
        return RandomReal::make(
            node.dist, {value(node.words[0]), value(node.words[1]), value(node.words[2]), value(node.words[3])});
      } else {
        static_assert(std::is_same_v<N, GeometricSkip>);
        return GeometricSkip::make(value(node.hi), value(node.lo), node.log_q);
      }
    });
  }

  Stmt stmt(const Stmt &s) const {
    if (!s)
      return s;
    return visit_stmt(s, [&](const auto &node) -> Stmt {
      using N = std::decay_t<decltype(node)>;
      if constexpr (std::is_same_v<N, Block>) {
        std::vector<Stmt> stmts;
        for (const Stmt &inner : node.stmts)
          stmts.push_back(stmt(inner));
        return Block::make(std::move(stmts));
      } else if constexpr (std::is_same_v<N, Let>) {
        return Let::make(name(node.name), value(node.value));
      } else if constexpr (std::is_same_v<N, Var>) {
        return Var::make(name(node.name), value(node.value));
      } else if constexpr (std::is_same_v<N, Assign>) {
        return Assign::make(name(node.name), value(node.value));
      } else if constexpr (std::is_same_v<N, Store>) {
        return Store::make(params.at(size_t(node.param)), value(node.index), value(node.value));
      } else if constexpr (std::is_same_v<N, AtomicAdd>) {
        return AtomicAdd::make(params.at(size_t(node.param)), value(node.index), value(node.value));
      } else if constexpr (std::is_same_v<N, If>) {
        return If::make(value(node.cond), stmt(node.then_body), stmt(node.else_body));
      } else if constexpr (std::is_same_v<N, For>) {
        return For::make(name(node.var), value(node.begin), value(node.end), stmt(node.body), node.parallel);
      } else if constexpr (std::is_same_v<N, While>) {
        return While::make(value(node.cond), stmt(node.body));
      } else if constexpr (std::is_same_v<N, Philox>) {
        std::array<Value, 4> counter;
        for (size_t k = 0; k < 4; ++k)
          counter[k] = value(node.counter[k]);
        return Philox::make(name(node.name), counter, {value(node.key[0]), value(node.key[1])});
      } else {
        static_assert(std::is_same_v<N, Stage>);
        return Stage::make(name(node.var), params.at(size_t(node.param)), value(node.base), value(node.extent),
                           node.tile, stmt(node.body));
      }
    });
  }
};

/// `base` where neither it nor (for a Philox block) its words are in
/// `used`; else the first of `base.2`, `base.3`, ... that is in neither
/// `used` nor `taken` (the part's own names and those chosen for it).
std::string fresh_name(const std::string &base, bool block, const std::set<std::string> &used,
                       const std::set<std::string> &taken) {
  auto free_in = [&](const std::string &name, const std::set<std::string> &names) {
    if (names.count(name))
      return false;
    if (block)
      for (const std::string &word : words_of(name))
        if (names.count(word))
          return false;
    return true;
  };
  if (free_in(base, used))
    return base;
  for (int k = 2;; ++k) {
    std::string name = base + "." + std::to_string(k);
    if (free_in(name, used) && free_in(name, taken))
      return name;
  }
}

/// One kernel running the bodies of `parts` (kernel indices) in turn at each
/// point: the first part's parameters and domain, then each further part's
/// parameters, its names renamed apart from those taken before it.
Kernel fused_kernel(const Program &p, const std::vector<int> &parts) {
  const Kernel &first = p.kernels.at(size_t(parts[0]));
  Kernel fused;
  fused.domain = first.domain;
  std::set<std::string> used = {"b", "n", "batch", "first_example", "step", "t", "key.0", "key.1"};
  std::vector<Stmt> bodies;
  for (size_t m = 0; m < parts.size(); ++m) {
    const Kernel &part = p.kernels.at(size_t(parts[m]));
    fused.name += (m ? " + " : "") + part.name;
    Renamer renamer;
    BoundNames bound;
    bound_names(part.body, bound);
    // Every name the part has, so that a new one meets none of them.
    std::set<std::string> taken = bound.locals;
    for (const std::string &block : bound.blocks) {
      taken.insert(block);
      for (const std::string &word : words_of(block))
        taken.insert(word);
    }
    for (const Param &param : part.params)
      taken.insert(param.name);
    std::set<std::string> chosen; // the part's names once renamed
    auto choose = [&](const std::string &name, bool block) {
      std::string fresh = fresh_name(name, block, used, taken);
      taken.insert(fresh);
      chosen.insert(fresh);
      if (block)
        for (const std::string &word : words_of(fresh)) {
          taken.insert(word);
          chosen.insert(word);
        }
      return fresh;
    };
    for (const std::string &name : bound.locals)
      if (std::string fresh = choose(name, false); fresh != name)
        renamer.names[name] = fresh;
    for (const std::string &name : bound.blocks)
      if (std::string fresh = choose(name, true); fresh != name)
        renamer.rename_block(name, fresh);
    for (const Param &param : part.params) {
      Param renamed = param;
      renamed.name = choose(param.name, false);
      if (param.kind == Param::Kind::Scalar && renamed.name != param.name)
        renamer.names[param.name] = renamed.name;
      renamer.params.push_back(int(fused.params.size()));
      fused.params.push_back(renamed);
    }
    used.insert(chosen.begin(), chosen.end());
    bodies.push_back(Block::make({renamer.stmt(part.body)}));
  }
  fused.body = Block::make(std::move(bodies));
  return fused;
}

/// The launch's extent, or -1 for a launch fuse_launches leaves alone. (A
/// Stage, whose barriers want blocks of their own, is only ever in a domain
/// that runs past its extent: the Verifier's rule.)
int64_t fusable_extent(const Program &p, const Launch &l) {
  const Kernel &k = p.kernels.at(size_t(l.kernel));
  if (k.domain.kind != DomainKind::Neurons || k.domain.runs_past_extent || k.domain.extent < 0)
    return -1;
  return l.args.at(size_t(k.domain.extent)).scalar;
}

bool meet(const std::set<int> &a, const std::set<int> &b) {
  return std::any_of(a.begin(), a.end(), [&](int x) { return b.count(x) > 0; });
}

/// What a launch touches: from its body's loads and stores (`access`), and
/// from its bindings: every buffer bound, and those bound to a parameter
/// declared written. A fused kernel must not bind one buffer to two
/// parameters one of which is declared written (the Verifier's rule, and
/// the CUDA printer's `__restrict__`), even where the body leaves it alone.
struct Touches {
  BufferAccess access;
  std::set<int> bound, declared_writes;
};

Touches touches(const Program &p, const Launch &l) {
  Touches t{launch_access(p, l), {}, {}};
  const Kernel &k = p.kernels.at(size_t(l.kernel));
  for (size_t i = 0; i < k.params.size(); ++i) {
    if (k.params[i].kind != Param::Kind::Buffer || l.args.at(i).buffer < 0)
      continue;
    t.bound.insert(l.args[i].buffer);
    if (k.params[i].access != Param::Access::Read)
      t.declared_writes.insert(l.args[i].buffer);
  }
  return t;
}

/// Whether two launches' buffers meet: one writes (or declares it writes)
/// what the other touches.
bool conflict(const Touches &a, const Touches &b) {
  return meet(a.access.writes, b.access.reads) || meet(a.access.writes, b.access.writes) ||
         meet(b.access.writes, a.access.reads) || meet(a.declared_writes, b.bound) || meet(b.declared_writes, a.bound);
}

} // namespace

int fuse_launches(Program &p) {
  int saved = 0;
  std::map<std::vector<int>, int> made; // parts -> fused kernel
  for (EntryPoint &entry : p.entries) {
    const size_t n = entry.launches.size();
    std::vector<Touches> touched;
    std::vector<int64_t> extents;
    std::vector<bool> batched;
    for (const Launch &l : entry.launches) {
      touched.push_back(touches(p, l));
      extents.push_back(fusable_extent(p, l));
      batched.push_back(p.kernels[size_t(l.kernel)].domain.batched);
    }
    // Groups of launch indices, each run at the place of its first.
    std::vector<std::vector<size_t>> groups;
    for (size_t j = 0; j < n; ++j) {
      size_t joined = groups.size();
      for (size_t g = 0; g < groups.size() && extents[j] >= 0; ++g) {
        const std::vector<size_t> &group = groups[g];
        if (extents[group[0]] != extents[j] || batched[group[0]] != batched[j])
          continue;
        if (std::any_of(group.begin(), group.end(), [&](size_t i) { return conflict(touched[i], touched[j]); }))
          continue;
        if (!can_run_earlier(p, entry, group[0], j))
          continue;
        joined = g;
        break;
      }
      if (joined == groups.size())
        groups.push_back({});
      groups[joined].push_back(j);
    }
    std::vector<Launch> launches;
    for (const std::vector<size_t> &group : groups) {
      if (group.size() == 1) {
        launches.push_back(entry.launches[group[0]]);
        continue;
      }
      std::vector<int> parts;
      Launch fused;
      for (size_t i : group) {
        const Launch &l = entry.launches[i];
        parts.push_back(l.kernel);
        fused.args.insert(fused.args.end(), l.args.begin(), l.args.end());
        fused.what += (fused.what.empty() ? "" : " + ") + l.what;
      }
      auto found = made.find(parts);
      if (found == made.end()) {
        p.kernels.push_back(fused_kernel(p, parts));
        found = made.emplace(parts, int(p.kernels.size()) - 1).first;
      }
      fused.kernel = found->second;
      launches.push_back(std::move(fused));
      saved += int(group.size()) - 1;
    }
    entry.launches = std::move(launches);
  }
  if (saved > 0)
    drop_unlaunched_kernels(p);
  return saved;
}

} // namespace snn::lower
