//===- frontend/AST.h - The abstract syntax tree of a .snn file -*- C++ -*-===//
//
// Hand-written and small, in the manner of MLIR Toy's AST.h: a kind enum,
// `classof`, and a SourceLocation on every node. Built from the ANTLR parse
// tree by frontend/Parser.cpp; ANTLR types never appear here.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "snn/Diagnostic.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace snn::ast {

using Loc = SourceLocation;

/// A name with where it was written.
struct Ident {
  std::string name;
  Loc loc;
};

class Expr {
public:
  enum Kind { Number, Quantity, Name, Member, Call, Unary, Binary, If, String, Bool, Shape, List };
  Expr(Kind k, Loc l) : kind_(k), loc_(std::move(l)) {}
  virtual ~Expr() = default;
  Kind kind() const { return kind_; }
  const Loc &loc() const { return loc_; }

private:
  Kind kind_;
  Loc loc_;
};
using ExprPtr = std::unique_ptr<Expr>;

/// A literal number, e.g. `0.5` or `1e-3`.
struct NumberExpr : Expr {
  double value;
  NumberExpr(double v, Loc l) : Expr(Number, std::move(l)), value(v) {}
  static bool classof(const Expr *e) { return e->kind() == Number; }
};

/// A number with a unit symbol, e.g. `20 ms`.
struct QuantityExpr : Expr {
  double value;
  std::string unit;
  QuantityExpr(double v, std::string u, Loc l) : Expr(Quantity, std::move(l)), value(v), unit(std::move(u)) {}
  static bool classof(const Expr *e) { return e->kind() == Quantity; }
};

/// `28x28x2` or `3x3`: the sizes along each axis, as written (each below
/// 2^31; larger ones are reported by the parser and kept as 0).
struct ShapeExpr : Expr {
  std::vector<uint32_t> dims;
  ShapeExpr(std::vector<uint32_t> d, Loc l) : Expr(Shape, std::move(l)), dims(std::move(d)) {}
  std::string text() const; ///< `28x28x2`
  static bool classof(const Expr *e) { return e->kind() == Shape; }
};

struct NameExpr : Expr {
  std::string name;
  NameExpr(std::string n, Loc l) : Expr(Name, std::move(l)), name(std::move(n)) {}
  static bool classof(const Expr *e) { return e->kind() == Name; }
};

/// `output.v`: a variable of a population, as a readout names it.
struct MemberExpr : Expr {
  Ident object, member;
  MemberExpr(Ident o, Ident m, Loc l) : Expr(Member, std::move(l)), object(std::move(o)), member(std::move(m)) {}
  static bool classof(const Expr *e) { return e->kind() == Member; }
};

/// A call argument, optionally named (`autapses: false`).
struct Arg {
  std::optional<Ident> name;
  ExprPtr value;
};

struct CallExpr : Expr {
  Ident callee;
  std::vector<Arg> args;
  CallExpr(Ident c, std::vector<Arg> a, Loc l) : Expr(Call, std::move(l)), callee(std::move(c)), args(std::move(a)) {}
  static bool classof(const Expr *e) { return e->kind() == Call; }
};

struct UnaryExpr : Expr {
  std::string op; ///< "-", "+", "not"
  ExprPtr operand;
  UnaryExpr(std::string o, ExprPtr x, Loc l) : Expr(Unary, std::move(l)), op(std::move(o)), operand(std::move(x)) {}
  static bool classof(const Expr *e) { return e->kind() == Unary; }
};

struct BinaryExpr : Expr {
  std::string op; ///< "+", "**", "<=", "and", ...
  ExprPtr lhs, rhs;
  BinaryExpr(std::string o, ExprPtr a, ExprPtr b, Loc l)
      : Expr(Binary, std::move(l)), op(std::move(o)), lhs(std::move(a)), rhs(std::move(b)) {}
  static bool classof(const Expr *e) { return e->kind() == Binary; }
};

struct IfExpr : Expr {
  ExprPtr cond, then_value, else_value;
  IfExpr(ExprPtr c, ExprPtr t, ExprPtr f, Loc l)
      : Expr(If, std::move(l)), cond(std::move(c)), then_value(std::move(t)), else_value(std::move(f)) {}
  static bool classof(const Expr *e) { return e->kind() == If; }
};

/// `[0, 1, 2]`: a list, as `from_list` takes (not a value).
struct ListExpr : Expr {
  std::vector<std::unique_ptr<Expr>> items;
  ListExpr(std::vector<std::unique_ptr<Expr>> i, Loc l) : Expr(List, std::move(l)), items(std::move(i)) {}
  static bool classof(const Expr *e) { return e->kind() == List; }
};

struct StringExpr : Expr {
  std::string value; ///< unescaped
  StringExpr(std::string v, Loc l) : Expr(String, std::move(l)), value(std::move(v)) {}
  static bool classof(const Expr *e) { return e->kind() == String; }
};

struct BoolExpr : Expr {
  bool value;
  BoolExpr(bool v, Loc l) : Expr(Bool, std::move(l)), value(v) {}
  static bool classof(const Expr *e) { return e->kind() == Bool; }
};

/// LLVM-style checked downcast; null when `e` is not a T.
template <typename T> const T *dyn_cast(const Expr *e) {
  return e && T::classof(e) ? static_cast<const T *>(e) : nullptr;
}

// ------------------------------------------------------------ declarations

struct Import {
  std::vector<Ident> module_path; ///< std, neurons
  std::vector<Ident> names;       ///< LIF, IF
  Loc loc;
};

/// `import nir "graph.nir.h5" as Net`: a network read from a file of another
/// format (docs/nir.md).
struct FileImport {
  Ident format;              ///< `nir`
  std::string path;          ///< as written
  Loc path_loc;              ///< the string
  std::optional<Ident> as;   ///< the word `as` as written (checked by the frontend)
  std::optional<Ident> name; ///< the network's name
  Loc loc;                   ///< `import`
};

struct ParamDecl {
  Ident name;
  ExprPtr unit;  ///< `param c : nF` (required parameter), or null
  ExprPtr value; ///< default value, or null
};

struct StateDecl {
  Ident name;
  ExprPtr initial;
};

struct InputDecl {
  Ident name;
  ExprPtr unit; ///< may be null: dimensionless
};

struct OdeDecl {
  Ident state; ///< `v` of `dv/dt`
  Loc lhs_loc;
  ExprPtr rhs;
  std::optional<Ident> unless; ///< `unless refractory`
};

struct Assign {
  Ident target;
  std::string op; ///< "=", "+=", "-=", "*=", "/="
  ExprPtr value;
  Loc loc;
};

struct Setting {
  Ident name; ///< surrogate, refractory, method (neuron); dt, duration, seed (regime)
  ExprPtr value;
  bool is_while = false; ///< `refractory while CONDITION` rather than `NAME = VALUE`
};

struct NeuronDecl {
  Ident name;
  std::vector<ParamDecl> params;
  std::vector<StateDecl> states;
  std::vector<InputDecl> inputs;
  std::vector<OdeDecl> odes;
  ExprPtr spike_condition;
  Loc spike_loc;
  std::vector<Assign> reset;
  Loc reset_loc;
  bool has_reset = false;
  bool reset_next_step = false; ///< `on spike next step { ... }`
  std::vector<Setting> settings;
  std::string file; ///< where it was defined (imports come from other files)
};

/// A parameter of a function, with its default value (or null).
struct FunctionParam {
  Ident name;
  ExprPtr default_value;
};

/// `function NAME(a, b = DEFAULT) = EXPR`: expanded inline where it is called.
struct FunctionDecl {
  Ident name;
  std::vector<FunctionParam> params;
  ExprPtr body;
  std::string file; ///< where it was defined
  /// `let NAME = EXPR`: a named constant, written without a call; its body
  /// is a constant expression (of units, numbers and other constants).
  bool constant = false;
  /// Set when a constant's value failed to lower: reported once, where it
  /// is defined, and its uses then report nothing more.
  mutable bool failed = false;
};

struct PopulationDecl {
  Ident name;
  Ident model;
  std::vector<Arg> args;
  ExprPtr size; ///< null: 1
  Loc size_loc;
};

struct Target {
  Ident population;
  std::optional<Ident> variable;
};

struct ConnectDecl {
  Ident pre;
  std::vector<Target> targets;
  std::optional<Ident> connectivity;
  std::vector<Arg> connectivity_args;
  ExprPtr delay;                      ///< `delay N` (steps) or `delay 1 ms`; null: 1 step
  bool delay_is_distribution = false; ///< `delay ~ uniform(1 ms, 5 ms)`
  Loc delay_loc;
  bool frozen = false; ///< `frozen`: not trained
  /// `sparse(format: dense)`: each such clause's keyword and arguments, as
  /// written (NetworkLowering checks them); none: the compiler chooses.
  struct SparseClause {
    Ident keyword;
    std::vector<Arg> args;
  };
  std::vector<SparseClause> sparse;
  std::optional<Ident> synapse; ///< `synapse STDP(w_max: 10 nS)`: the synapse model
  std::vector<Arg> synapse_args;
  ExprPtr weight;
  bool weight_is_distribution = false;
  Loc weight_loc;
  Loc loc;
};

struct VarRef {
  Ident population, variable;
};

struct InitDecl {
  std::vector<VarRef> targets;
  bool distribution = false; ///< `~` rather than `=`
  ExprPtr value;
  Loc loc;
};

struct NetworkDecl {
  Ident name;
  std::vector<PopulationDecl> populations;
  std::vector<ConnectDecl> connections;
  /// Per-neuron values the network itself gives (only an imported NIR
  /// graph: `init POP.PARAM = load(...)`), before any regime's.
  std::vector<InitDecl> inits;
  /// Lines describing where it came from (an imported NIR graph), kept in
  /// the IR as ir::Network::notes.
  std::vector<std::string> notes;
};

struct Slice {
  ExprPtr begin, end, stride; ///< any may be null
  bool is_range = false;      ///< `a:b` rather than a single index
  std::vector<ExprPtr> more;  ///< `[0, 5, 7]`: the indices after `begin`
  Loc loc;
};

struct Selection {
  Ident population;
  std::optional<Slice> slice;
};

struct RecordItem {
  bool spikes = false; ///< spikes(pop) rather than pop.var
  Ident function;      ///< `spikes` as written (for spikes)
  Selection selection;
  std::optional<Ident> variable;
};

struct RecordDecl {
  std::vector<RecordItem> items;
  std::optional<std::string> file;
  Loc file_loc;
  /// `on example 1000`: the word after `on` and the value (train regimes).
  std::optional<Ident> on_word;
  ExprPtr on_value;
  /// `every 1 ms`: the recording interval (simulations).
  ExprPtr every;
  Loc every_loc;
  Loc loc;
};

/// A workflow statement of a train regime, in one of two forms: a call,
/// `early_stopping(monitor: validation_loss, patience: 5)`, or words,
/// `clip_gradients norm 1.0`, `regularize l2(1e-4)`, `checkpoint every 1
/// epoch to "ckpt/"`. Words are names, calls and (signed) numbers,
/// quantities and counts, each an Expr.
struct Directive {
  Ident keyword;
  bool is_call = false;
  std::vector<Arg> args;      ///< the call form
  std::vector<ExprPtr> words; ///< the word form
  /// `freeze a -> b, c -> d`: the projections named, pre then post.
  /// `prune a -> b to 10 % by magnitude every 5 epochs`: the one projection,
  /// and the words after it: the density (a number), `by`, the criterion,
  /// `every` or `after`, the count.
  std::vector<std::pair<Ident, Ident>> projections;
  std::optional<std::string> file; ///< `to "..."`
  Loc file_loc;
  Loc loc;
};

/// `input POP = spike_times("f.csv")`, or a current source driving a
/// parameter: `input POP.PARAM = dc(0.5 nA, start: 10 ms)`.
struct StimulusDecl {
  Ident population;
  std::optional<Ident> variable;
  ExprPtr source;
};

struct SimulateDecl {
  Ident network;
  std::vector<Setting> settings;
  std::vector<InitDecl> inits;
  std::vector<RecordDecl> records;
  std::vector<StimulusDecl> stimuli;
  Loc loc;
};

/// `data train = dense("x.csv", encode: latency(max: 16))`.
struct DataDecl {
  Ident which; ///< `train` or `test` as written
  ExprPtr source;
  Loc loc; ///< `data`
};

/// `train NET with METHOD { ... }`. Only settings and data statements belong
/// here; the parser reports the regime statements that do not.
struct TrainDecl {
  Ident network;
  Ident method;
  std::vector<Setting> settings;
  std::vector<DataDecl> data;
  std::vector<Directive> directives;
  std::vector<RecordDecl> records;
  Loc loc; ///< `train`
};

/// One parsed file.
/// `x.y op= value` in an `on pre` / `on post` block: `owner` is `post` for a
/// variable of the postsynaptic neuron, empty for the synapse's own state.
struct SynapseAssign {
  std::optional<Ident> owner;
  Ident target;
  std::string op; ///< "=", "+=", "-=", "*=", "/="
  ExprPtr value;
  Loc loc;
};

/// `on pre { ... }` or `on post { ... }`.
struct SynapseEvent {
  Ident pathway; ///< "pre" or "post"
  std::vector<SynapseAssign> body;
};

/// `state w : nS` (no value: the projection's weight) or `state x = 0`.
struct SynapseStateDecl {
  Ident name;
  ExprPtr unit;    ///< may be null
  ExprPtr initial; ///< null: initialised by the projection's weight
};

/// `post.v : volt` in a `post` block: a variable of the postsynaptic
/// neuron the block reads, with the unit it must have.
struct PostRead {
  Ident owner; ///< `post`
  Ident name;
  ExprPtr unit;
};

/// `post { ... }` of a synapse model: states each postsynaptic neuron keeps
/// for the projection, their ODEs, and `output = EXPR`.
struct PostBlock {
  Ident keyword; ///< `post` (the parser accepts any name here)
  std::vector<PostRead> reads;
  std::vector<SynapseStateDecl> states;
  std::vector<OdeDecl> odes;
  /// `output = EXPR` (the name as written; the frontend checks it).
  std::vector<std::pair<Ident, ExprPtr>> outputs;
};

/// `synapse NAME { ... }`: a synapse model (per-synapse state, plasticity).
struct SynapseDecl {
  Ident name;
  std::vector<ParamDecl> params;
  std::vector<SynapseStateDecl> states;
  std::vector<OdeDecl> odes;
  std::vector<SynapseEvent> events;
  std::vector<PostBlock> post; ///< at most one is valid
  std::string file;            ///< where it was defined
};

/// `neuron FastLIF = LIF(tau_mem: 5 ms)`: model `base` with other defaults.
struct AliasDecl {
  bool synapse = false; ///< `synapse NAME = ...` rather than `neuron NAME = ...`
  Ident name, base;
  std::vector<Arg> args;
};

struct File {
  std::string name;
  std::vector<Import> imports;
  std::vector<FileImport> file_imports;
  std::vector<NeuronDecl> neurons;
  std::vector<SynapseDecl> synapses;
  std::vector<AliasDecl> aliases; ///< in source order
  std::vector<FunctionDecl> functions;
  std::vector<NetworkDecl> networks;
  std::vector<SimulateDecl> simulations;
  std::vector<TrainDecl> trainings;
};

/// Prints the AST as an indented tree (for `snnc --emit=ast`).
std::string dump(const File &f);
std::string dump(const Expr &e);

} // namespace snn::ast
