//===- lower/Stmt.h - Statements of kernel bodies ---------------*- C++ -*-===//
//
// A kernel body is a statement run once per point of the kernel's domain
// (see Program.h). Statements are immutable and shared like values; the
// node list is the X-macro SNN_LOWER_STMT_NODES.
//
// Scoping: a `Let`, `Var` or `Philox` binds its name(s) for the statements
// after it in the enclosing Block; a `For` binds its variable in its body.
// Names are never rebound within one kernel, so every local has one
// definition. Only a Var's local changes after it is bound (by `Assign`),
// which is what carries state from one iteration of a `While` to the next.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Value.h"

#include <vector>

namespace snn::lower {

#define SNN_LOWER_STMT_NODES(X)                                                                                        \
  X(Block)                                                                                                             \
  X(Let)                                                                                                               \
  X(Store)                                                                                                             \
  X(AtomicAdd)                                                                                                         \
  X(If)                                                                                                                \
  X(For)                                                                                                               \
  X(Philox)                                                                                                            \
  X(Var)                                                                                                               \
  X(Assign)                                                                                                            \
  X(While)                                                                                                             \
  X(Stage)

enum class StmtKind : uint8_t {
#define SNN_KIND(N) N,
  SNN_LOWER_STMT_NODES(SNN_KIND)
#undef SNN_KIND
};

struct StmtNode;

/// A handle to an immutable statement node (null when absent).
class Stmt {
public:
  Stmt() = default;
  Stmt(std::shared_ptr<const StmtNode> node) : node_(std::move(node)) {}
  const StmtNode *get() const { return node_.get(); }
  const StmtNode *operator->() const { return node_.get(); }
  const StmtNode &operator*() const { return *node_; }
  explicit operator bool() const { return node_ != nullptr; }
  template <typename T> const T *as() const;

private:
  std::shared_ptr<const StmtNode> node_;
};

struct StmtNode {
  StmtKind kind;
  explicit StmtNode(StmtKind k) : kind(k) {}
  virtual ~StmtNode() = default;
};

/// Statements run in order.
struct Block : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Block;
  std::vector<Stmt> stmts;
  explicit Block(std::vector<Stmt> s) : StmtNode(Kind), stmts(std::move(s)) {}
  static Stmt make(std::vector<Stmt> stmts);
};

/// Binds `name` to `value` for the rest of the enclosing Block.
struct Let : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Let;
  std::string name;
  Value value;
  Let(std::string n, Value v) : StmtNode(Kind), name(std::move(n)), value(std::move(v)) {}
  static Stmt make(const std::string &name, Value value);
};

/// Writes `value` to element `index` (I64) of buffer parameter `param`. The
/// value's type is the element's value type (see Load); a u8 element stores
/// the low 8 bits of an I32.
struct Store : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Store;
  int param;
  Value index, value;
  Store(int p, Value i, Value v) : StmtNode(Kind), param(p), index(std::move(i)), value(std::move(v)) {}
  static Stmt make(int param, Value index, Value value);
};

/// Adds a Real `value` to element `index` of buffer parameter `param`,
/// atomically with respect to other points of the domain that run in
/// parallel. (The CPU backend runs a kernel's points one after another, so
/// there it is a plain read-modify-write.)
struct AtomicAdd : StmtNode {
  static constexpr StmtKind Kind = StmtKind::AtomicAdd;
  int param;
  Value index, value;
  AtomicAdd(int p, Value i, Value v) : StmtNode(Kind), param(p), index(std::move(i)), value(std::move(v)) {}
  static Stmt make(int param, Value index, Value value);
};

/// Runs `then_body` where `cond` (Bool) holds, else `else_body` (may be null).
struct If : StmtNode {
  static constexpr StmtKind Kind = StmtKind::If;
  Value cond;
  Stmt then_body, else_body;
  If(Value c, Stmt t, Stmt e) : StmtNode(Kind), cond(std::move(c)), then_body(std::move(t)), else_body(std::move(e)) {}
  static Stmt make(Value cond, Stmt then_body, Stmt else_body = Stmt());
};

/// for (var = begin; var < end; ++var) body, in order; `var`, `begin` and
/// `end` are I64. A `parallel` loop's iterations may also run at once (a GPU
/// gives them to the lanes of a warp): each writes only elements no other
/// iteration reads or writes, except through AtomicAdd, and their order
/// changes no result except the order of those adds.
struct For : StmtNode {
  static constexpr StmtKind Kind = StmtKind::For;
  std::string var;
  Value begin, end;
  Stmt body;
  bool parallel = false;
  For(std::string v, Value b, Value e, Stmt s, bool p)
      : StmtNode(Kind), var(std::move(v)), begin(std::move(b)), end(std::move(e)), body(std::move(s)), parallel(p) {}
  static Stmt make(const std::string &var, Value begin, Value end, Stmt body, bool parallel = false);
};

/// Binds `name.0` .. `name.3` (U32) to Philox4x32-10 of `counter` under
/// `key` (all U32), as snn_philox4x32 in runtime/include/snn/philox.h.
struct Philox : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Philox;
  std::string name;
  std::array<Value, 4> counter;
  std::array<Value, 2> key;
  Philox(std::string n, std::array<Value, 4> c, std::array<Value, 2> k)
      : StmtNode(Kind), name(std::move(n)), counter(std::move(c)), key(std::move(k)) {}
  static Stmt make(const std::string &name, std::array<Value, 4> counter, std::array<Value, 2> key);
  /// The local holding output word `k` (0..3) of the block called `name`.
  static Value word(const std::string &name, int k);
};

/// Binds the mutable local `name` (I64, I32 or U32), first `value`, for the
/// rest of the enclosing Block. A read of it (Local) gives the value of the
/// last Assign before the read.
struct Var : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Var;
  std::string name;
  Value value;
  Var(std::string n, Value v) : StmtNode(Kind), name(std::move(n)), value(std::move(v)) {}
  static Stmt make(const std::string &name, Value value);
};

/// Gives the Var `name` (bound in an enclosing Block, of the same type) the
/// value `value`.
struct Assign : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Assign;
  std::string name;
  Value value;
  Assign(std::string n, Value v) : StmtNode(Kind), name(std::move(n)), value(std::move(v)) {}
  static Stmt make(const std::string &name, Value value);
};

/// Runs `body` as long as `cond` (Bool, evaluated before each iteration)
/// holds: a loop whose trip count depends on what it computes (its Vars).
/// Its iterations run in order, never at once.
struct While : StmtNode {
  static constexpr StmtKind Kind = StmtKind::While;
  Value cond;
  Stmt body;
  While(Value c, Stmt b) : StmtNode(Kind), cond(std::move(c)), body(std::move(b)) {}
  static Stmt make(Value cond, Stmt body);
};

/// Runs `body` once per tile of the elements base .. base + extent - 1 of
/// buffer parameter `param`, in order, with `var` (I64) bound to the tile's
/// first element relative to `base`: 0, tile, 2 * tile, ... < extent. Every
/// Load of `param` in `body` reads an element of the current tile, base +
/// var .. base + min(var + tile, extent) - 1, and nothing in the kernel
/// writes `param`; so a device may copy the tile once into memory its points
/// share (a CUDA block's shared memory) and read it from there. A CPU runs
/// the tiles as a plain loop and reads `param` itself.
///
/// The points of a device block copy each tile together, so all of them
/// must reach the Stage and run its tiles alike: a Stage stands only at the
/// top of the body of a Neurons kernel whose domain runs past its extent
/// (Domain::runs_past_extent), `base` and `extent` read only scalars,
/// built-ins and `b`, and `body` holds no Stage.
struct Stage : StmtNode {
  static constexpr StmtKind Kind = StmtKind::Stage;
  std::string var;
  int param;
  Value base, extent;
  int64_t tile;
  Stmt body;
  Stage(std::string v, int p, Value b, Value e, int64_t t, Stmt s)
      : StmtNode(Kind), var(std::move(v)), param(p), base(std::move(b)), extent(std::move(e)), tile(t),
        body(std::move(s)) {}
  static Stmt make(const std::string &var, int param, Value base, Value extent, int64_t tile, Stmt body);
};

template <typename T> const T *Stmt::as() const {
  if (node_ && node_->kind == T::Kind)
    return static_cast<const T *>(node_.get());
  return nullptr;
}

/// Calls `visit(node)` on the node's own type for every kind of statement;
/// a walk written with it handles every kind in SNN_LOWER_STMT_NODES or does
/// not compile.
template <typename F> decltype(auto) visit_stmt(const Stmt &s, F &&visit) {
  switch (s->kind) {
#define SNN_CASE(N)                                                                                                    \
  case StmtKind::N:                                                                                                    \
    return visit(static_cast<const N &>(*s));
    SNN_LOWER_STMT_NODES(SNN_CASE)
#undef SNN_CASE
  }
  throw ir::InternalError("unknown lowered statement kind");
}

} // namespace snn::lower
