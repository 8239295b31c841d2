//===- lower/UnusedLocals.cpp - Drop locals that nothing reads ------------===//
#include "lower/UnusedLocals.h"

#include "ir/Simplify.h"

#include <algorithm>
#include <unordered_map>

namespace snn::lower {

namespace {

/// How many reads of each local a body holds. Adding and removing go
/// through the same walk, so a removed statement takes back exactly the
/// reads it added.
class Reads {
public:
  void add(const Value &v, int delta) {
    if (!v)
      return;
    visit_value(v, [&](const auto &node) { add_node(node, delta); });
  }

  void add(const Stmt &s, int delta) {
    if (!s)
      return;
    visit_stmt(s, [&](const auto &node) { add_node(node, delta); });
  }

  bool read(const std::string &name) const {
    auto found = count_.find(name);
    return found != count_.end() && found->second > 0;
  }

private:
  void add_node(const IntImm &, int) {}
  void add_node(const Local &l, int delta) { count_[l.name] += delta; }
  void add_node(const IntOp &op, int delta) {
    add(op.a, delta);
    add(op.b, delta);
  }
  void add_node(const Cast &c, int delta) { add(c.a, delta); }
  void add_node(const Load &l, int delta) { add(l.index, delta); }
  void add_node(const Math &m, int delta) {
    ir::mentions(m.expr, [&](const ir::Variable &v) {
      if (v.var_kind == ir::VarKind::Local)
        count_[v.name] += delta;
      return false;
    });
  }
  void add_node(const RandomReal &r, int delta) {
    for (const Value &w : r.words)
      add(w, delta);
  }
  void add_node(const GeometricSkip &g, int delta) {
    add(g.hi, delta);
    add(g.lo, delta);
  }

  void add_node(const Block &b, int delta) {
    for (const Stmt &s : b.stmts)
      add(s, delta);
  }
  void add_node(const Let &l, int delta) { add(l.value, delta); }
  void add_node(const Store &s, int delta) {
    add(s.index, delta);
    add(s.value, delta);
  }
  void add_node(const AtomicAdd &a, int delta) {
    add(a.index, delta);
    add(a.value, delta);
  }
  void add_node(const If &i, int delta) {
    add(i.cond, delta);
    add(i.then_body, delta);
    add(i.else_body, delta);
  }
  void add_node(const For &f, int delta) {
    add(f.begin, delta);
    add(f.end, delta);
    add(f.body, delta);
  }
  void add_node(const Philox &p, int delta) {
    for (const Value &c : p.counter)
      add(c, delta);
    for (const Value &k : p.key)
      add(k, delta);
  }
  void add_node(const Var &v, int delta) { add(v.value, delta); }
  void add_node(const Assign &a, int delta) { add(a.value, delta); }
  void add_node(const While &w, int delta) {
    add(w.cond, delta);
    add(w.body, delta);
  }
  void add_node(const Stage &s, int delta) {
    add(s.base, delta);
    add(s.extent, delta);
    add(s.body, delta);
  }

  std::unordered_map<std::string, int> count_;
};

/// Rebuilds statements without their unread Lets and Philox blocks. A
/// Block is walked from its end, so a Let read only by a later removed one
/// (in the same Block or one nested after it) is seen unread in turn.
class Pruner {
public:
  Pruner(Reads &reads, size_t &removed) : reads_(reads), removed_(removed) {}

  Stmt prune(const Stmt &s) {
    if (!s)
      return s;
    return visit_stmt(s, [&](const auto &node) { return prune_node(s, node); });
  }

private:
  /// Whether `s` binds only locals that nothing reads.
  bool unread(const Stmt &s) const {
    if (const Let *l = s.as<Let>())
      return !reads_.read(l->name);
    if (const Philox *p = s.as<Philox>())
      return !reads_.read(p->name + ".0") && !reads_.read(p->name + ".1") && !reads_.read(p->name + ".2") &&
             !reads_.read(p->name + ".3");
    return false;
  }

  Stmt prune_node(const Stmt &s, const Block &b) {
    std::vector<Stmt> kept;
    bool changed = false;
    for (auto it = b.stmts.rbegin(); it != b.stmts.rend(); ++it) {
      if (unread(*it)) {
        reads_.add(*it, -1);
        ++removed_;
        changed = true;
        continue;
      }
      Stmt pruned = prune(*it);
      changed = changed || pruned.get() != it->get();
      kept.push_back(std::move(pruned));
    }
    if (!changed)
      return s;
    std::reverse(kept.begin(), kept.end());
    return Block::make(std::move(kept));
  }
  Stmt prune_node(const Stmt &s, const If &i) {
    Stmt else_body = prune(i.else_body), then_body = prune(i.then_body);
    if (then_body.get() == i.then_body.get() && else_body.get() == i.else_body.get())
      return s;
    return If::make(i.cond, then_body, else_body);
  }
  Stmt prune_node(const Stmt &s, const For &f) {
    Stmt body = prune(f.body);
    return body.get() == f.body.get() ? s : For::make(f.var, f.begin, f.end, body, f.parallel);
  }
  Stmt prune_node(const Stmt &s, const While &w) {
    Stmt body = prune(w.body);
    return body.get() == w.body.get() ? s : While::make(w.cond, body);
  }
  Stmt prune_node(const Stmt &s, const Stage &st) {
    Stmt body = prune(st.body);
    return body.get() == st.body.get() ? s : Stage::make(st.var, st.param, st.base, st.extent, st.tile, body);
  }
  // Statements without nested ones are kept; the Block around them drops
  // an unread Let or Philox block.
  template <typename Node> Stmt prune_node(const Stmt &s, const Node &) { return s; }

  Reads &reads_;
  size_t &removed_;
};

} // namespace

Stmt remove_unused_locals(const Stmt &body, size_t &removed) {
  Reads reads;
  reads.add(body, +1);
  return Pruner(reads, removed).prune(body);
}

size_t remove_unused_locals(Program &program) {
  size_t removed = 0;
  for (Kernel &kernel : program.kernels)
    kernel.body = remove_unused_locals(kernel.body, removed);
  return removed;
}

} // namespace snn::lower
