//===- backends/cuda/KernelPrinter.cpp - Kernels as CUDA C++ --------------===//
#include "backends/cuda/KernelPrinter.h"

#include "backends/cuda/CExpr.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <type_traits>

namespace snn::cuda {

using lower::ElemType;
using lower::Type;

const char *c_type(ElemType type) {
  switch (type) {
  case ElemType::F32:
    return "float";
  case ElemType::F64:
    return "double";
  case ElemType::I32:
    return "int32_t";
  case ElemType::U32:
  case ElemType::Bits:
    return "uint32_t";
  case ElemType::U8:
    return "uint8_t";
  }
  throw ir::InternalError("unknown element type");
}

const char *c_type(Type type, bool f64) {
  switch (type) {
  case Type::Bool:
    return "bool";
  case Type::I32:
    return "int32_t";
  case Type::I64:
    return "int64_t";
  case Type::U32:
    return "uint32_t";
  case Type::Real:
    return f64 ? "double" : "float";
  }
  throw ir::InternalError("unknown lowered type");
}

std::string kernel_symbol(int index) { return fmt::format("snn_kernel_{}", index); }

namespace {

/// Whether `test` holds for some statement of `s` that is not inside a
/// parallel For (a parallel For itself is tested, its body is not).
template <typename Test> bool any_outside_parallel(const lower::Stmt &s, const Test &test) {
  if (!s)
    return false;
  if (test(*s))
    return true;
  return lower::visit_stmt(s, [&](const auto &node) -> bool {
    using T = std::decay_t<decltype(node)>;
    if constexpr (std::is_same_v<T, lower::Block>) {
      for (const lower::Stmt &child : node.stmts)
        if (any_outside_parallel(child, test))
          return true;
      return false;
    } else if constexpr (std::is_same_v<T, lower::If>) {
      return any_outside_parallel(node.then_body, test) || any_outside_parallel(node.else_body, test);
    } else if constexpr (std::is_same_v<T, lower::For>) {
      return !node.parallel && any_outside_parallel(node.body, test);
    } else if constexpr (std::is_same_v<T, lower::While> || std::is_same_v<T, lower::Stage>) {
      return any_outside_parallel(node.body, test);
    } else {
      return false;
    }
  });
}

/// Whether `s` writes memory outside every parallel For.
bool writes_outside_parallel(const lower::Stmt &s) {
  return any_outside_parallel(s, [](const lower::StmtNode &n) {
    return n.kind == lower::StmtKind::Store || n.kind == lower::StmtKind::AtomicAdd;
  });
}

/// Whether `s` holds a parallel For (outside any other one).
bool has_parallel_loop(const lower::Stmt &s) {
  return any_outside_parallel(s, [](const lower::StmtNode &n) {
    return n.kind == lower::StmtKind::For && static_cast<const lower::For &>(n).parallel;
  });
}

} // namespace

int threads_per_point(const lower::Kernel &kernel) {
  // The points of a Synapses domain are independent (apart from atomic
  // adds): a warp takes each row.
  bool warp = kernel.domain.kind == lower::DomainKind::Synapses ||
              (kernel.domain.kind == lower::DomainKind::SpikingRows && has_parallel_loop(kernel.body) &&
               !writes_outside_parallel(kernel.body));
  return warp ? kLanes : 1;
}

int64_t device_threads(const lower::Kernel &kernel, int64_t extent) {
  int lanes = threads_per_point(kernel);
  if (kernel.domain.kind == lower::DomainKind::SpikingRows && lanes > 1)
    return (extent + kRowsPerWarp - 1) / kRowsPerWarp * lanes;
  return extent * lanes;
}

namespace {

/// The unsigned type of the same width, for wrapping arithmetic.
const char *unsigned_of(Type type) { return type == Type::I64 ? "uint64_t" : "uint32_t"; }

/// C identifiers of the Program's names in one kernel: `v_` and the name
/// with every character outside [A-Za-z0-9_] replaced, numbered apart when
/// two names meet.
class Identifiers {
public:
  const std::string &declare(const std::string &name) {
    std::string base = "v_";
    for (char c : name)
      base += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    std::string id = base;
    for (int k = 2; used_.count(id); ++k)
      id = base + "_" + std::to_string(k);
    used_.insert(id);
    return names_[name] = id;
  }
  void alias(const std::string &name, std::string text) { names_[name] = std::move(text); }
  const std::string &get(const std::string &name, const std::string &kernel) const {
    auto found = names_.find(name);
    ir::internal_check(found != names_.end(), "kernel '" + kernel + "' reads unbound local '" + name + "'");
    return found->second;
  }

private:
  std::map<std::string, std::string> names_;
  std::set<std::string> used_;
};

class KernelWriter {
public:
  KernelWriter(const lower::Program &program, int index)
      : index_(index), k_(program.kernels.at(size_t(index))), f64_(program.real == ElemType::F64), dt_(program.dt) {}

  std::string print() {
    const lower::Domain &d = k_.domain;
    lanes_ = threads_per_point(k_);
    line(fmt::format("// kernel {}: {} ({}{})", index_, k_.name, lower::name_of(d.kind), d.batched ? ", batched" : ""));
    std::vector<std::string> params;
    for (const lower::Param &param : k_.params) {
      const std::string &id = ids_.declare(param.name);
      if (param.kind == lower::Param::Kind::Buffer) {
        bool read_only = param.access == lower::Param::Access::Read;
        params.push_back(fmt::format("{}{} *__restrict__ {}", read_only ? "const " : "", c_type(param.elem), id));
        buffer_ids_.push_back(id);
      } else {
        params.push_back(fmt::format("const {} {}", c_type(param.type, f64_), id));
        buffer_ids_.push_back("");
      }
    }
    const char *real = c_type(Type::Real, f64_);
    for (auto [name, type] : {std::pair<const char *, const char *>{"batch", "int64_t"},
                              {"first_example", "int64_t"},
                              {"key.0", "uint32_t"},
                              {"key.1", "uint32_t"}})
      params.push_back(fmt::format("const {} {}", type, ids_.declare(name)));
    const std::string step = ids_.declare("step"), t = ids_.declare("t");
    line(fmt::format("extern \"C\" __global__ void {}(", kernel_symbol(index_)));
    for (size_t k = 0; k < params.size(); ++k)
      line("    " + params[k] + (k + 1 < params.size() ? "," : ") {"));
    ++depth_;
    size_t top = out_.size();
    domain();
    // The step is the device's clock (snn/cuda_device.h), not an argument,
    // so that a step's launches replay unchanged; `t` is step * dt in
    // double, rounded once to the real type, as on the host. Declared
    // where the body reads them (nvcc warns of unused locals).
    std::string clock;
    if (reads_step_ || reads_t_)
      clock += fmt::format("  const int64_t {} = snn_clock;\n", step);
    if (reads_t_)
      clock += fmt::format("  const {0} {1} = ({0})((double){2} * {3});\n", real, t, step, real_literal(dt_, true));
    out_.insert(top, clock);
    --depth_;
    line("}");
    return out_;
  }

private:
  void line(const std::string &text) {
    out_.append(size_t(depth_) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }

  const std::string &buffer(int param) const {
    ir::internal_check(param >= 0 && size_t(param) < buffer_ids_.size() && !buffer_ids_[param].empty(),
                       "kernel '" + k_.name + "' uses parameter " + std::to_string(param) + " as a buffer");
    return buffer_ids_[param];
  }
  ElemType elem_of(int param) const { return k_.params.at(size_t(param)).elem; }

  // --- Values ---------------------------------------------------------------

  std::string value(const lower::Value &v) {
    return lower::visit_value(v, [&](const auto &node) { return emit(node); });
  }

  std::string emit(const lower::IntImm &imm) {
    switch (imm.type) {
    case Type::Bool:
      return imm.value != 0 ? "true" : "false";
    case Type::I32:
      return fmt::format("((int32_t){})", imm.value);
    case Type::U32:
      return fmt::format("{}u", imm.value);
    default:
      return imm.value < 0 ? fmt::format("((int64_t){}ll)", imm.value) : fmt::format("((int64_t){})", imm.value);
    }
  }

  std::string emit(const lower::Local &l) { return local(l.name); }

  /// A local's identifier, noting a read of a built-in.
  const std::string &local(const std::string &name) {
    reads_step_ = reads_step_ || name == "step";
    reads_t_ = reads_t_ || name == "t";
    return ids_.get(name, k_.name);
  }

  std::string emit(const lower::IntOp &op) {
    std::string a = value(op.a), b = value(op.b);
    Type type = op.a->type;
    bool is_signed = type == Type::I32 || type == Type::I64;
    const char *c = c_type(type, f64_);
    auto wrapped = [&](const char *sign) {
      // I64 holds indices and counts, bounded by memory: it cannot overflow,
      // so it is printed plainly; I32 wraps as LLVM's add/sub/mul/shl do.
      if (!is_signed || type == Type::I64)
        return fmt::format("({} {} {})", a, sign, b);
      // Two's-complement wrap-around, as LLVM's add/sub/mul/shl without nsw.
      return fmt::format("(({})(({}){} {} ({}){}))", c, unsigned_of(type), a, sign, unsigned_of(type), b);
    };
    switch (op.op) {
    case lower::IntOpKind::Add:
      return wrapped("+");
    case lower::IntOpKind::Sub:
      return wrapped("-");
    case lower::IntOpKind::Mul:
      return wrapped("*");
    case lower::IntOpKind::Shl:
      return wrapped("<<");
    case lower::IntOpKind::Div:
      return fmt::format("({} / {})", a, b);
    case lower::IntOpKind::Rem:
      return fmt::format("({} % {})", a, b);
    case lower::IntOpKind::Shr: // arithmetic for signed types, logical for U32, as C on these compilers
      return fmt::format("({} >> {})", a, b);
    case lower::IntOpKind::And:
      return fmt::format(type == Type::Bool ? "({} && {})" : "({} & {})", a, b);
    case lower::IntOpKind::Or:
      return fmt::format(type == Type::Bool ? "({} || {})" : "({} | {})", a, b);
    case lower::IntOpKind::Xor:
      return fmt::format("({} ^ {})", a, b);
    case lower::IntOpKind::Lt:
      return fmt::format("({} < {})", a, b);
    case lower::IntOpKind::Le:
      return fmt::format("({} <= {})", a, b);
    case lower::IntOpKind::Eq:
      return fmt::format("({} == {})", a, b);
    case lower::IntOpKind::Ne:
      return fmt::format("({} != {})", a, b);
    }
    throw ir::InternalError("unknown integer operation");
  }

  std::string emit(const lower::Cast &cast) {
    std::string a = value(cast.a);
    if (cast.type == Type::Bool)
      return fmt::format("({} != 0)", a);
    // C's conversions are the lowered ones: extension by the source's
    // signedness, truncation, and toward zero from Real.
    return fmt::format("(({}){})", c_type(cast.type, f64_), a);
  }

  std::string bit(int param, const std::string &index) {
    return fmt::format("(((({}[({}) >> 5] >> (({}) & 31)) & 1u) != 0u)", buffer(param), index, index);
  }

  std::string emit(const lower::Load &load) {
    std::string index = value(load.index);
    ElemType elem = elem_of(load.param);
    if (elem == ElemType::Bits)
      return bit(load.param, index);
    std::string element = fmt::format("{}[{}]", buffer(load.param), index);
    if (stage_ && stage_->param == load.param) // the block's copy of the tile
      element = fmt::format("{}[({}) - {}]", stage_->array, index, stage_->origin);
    if (elem == ElemType::U8)
      return "((int32_t)" + element + ")";
    if ((elem == ElemType::F32 && f64_) || (elem == ElemType::F64 && !f64_)) // a real buffer of the other precision
      return fmt::format("(({}){})", c_type(Type::Real, f64_), element);
    return element;
  }

  std::string emit(const lower::Math &math) {
    CExpr::Sink sink;
    sink.variable = [this](const ir::Variable &v) { return local(v.name); };
    sink.temporary = [this] { return fmt::format("t{}", temporaries_++); };
    sink.line = [this](const std::string &text) { line(text); };
    return CExpr(f64_, sink).print(math.expr);
  }

  std::string emit(const lower::RandomReal &r) {
    std::array<std::string, 4> w;
    for (int k = 0; k < 4; ++k)
      w[k] = value(r.words[k]);
    // As runtime/include/snn/philox.h converts a block, for this real type.
    switch (r.dist) {
    case ir::Distribution::Uniform01:
      return f64_ ? fmt::format("snn_uniform01_f64({}, {})", w[0], w[1]) : fmt::format("snn_uniform01_f32({})", w[0]);
    case ir::Distribution::Normal01:
      return f64_ ? fmt::format("snn_box_muller(snn_uniform01_f64({}, {}), snn_uniform01_f64({}, {}))", w[0], w[1],
                                w[2], w[3])
                  : fmt::format("snn_box_muller_f32(snn_uniform01_f32({}), snn_uniform01_f32({}))", w[0], w[1]);
    }
    throw ir::InternalError("unknown random distribution");
  }

  std::string emit(const lower::GeometricSkip &g) {
    // The one definition the runtime connects with (snn/philox.h); the
    // literal reads back to the same double.
    return fmt::format("snn_geometric_skip({}, {}, {:.17g})", value(g.hi), value(g.lo), g.log_q);
  }

  // --- Statements -----------------------------------------------------------

  void stmt(const lower::Stmt &s) {
    if (s)
      lower::visit_stmt(s, [&](const auto &node) { emit_stmt(node); });
  }

  void emit_stmt(const lower::Block &block) {
    for (const lower::Stmt &s : block.stmts)
      stmt(s);
  }

  void emit_stmt(const lower::Let &let) {
    std::string v = value(let.value);
    line(fmt::format("const {} {} = {};", c_type(let.value->type, f64_), ids_.declare(let.name), v));
  }

  void emit_stmt(const lower::Store &store) {
    std::string index = value(store.index), v = value(store.value);
    ElemType elem = elem_of(store.param);
    if (elem == ElemType::Bits) // neighbouring points share a word: set or clear the bit atomically
      line(fmt::format("snn_store_bit({}, {}, {});", buffer(store.param), index, v));
    else
      line(fmt::format("{}[{}] = {};", buffer(store.param), index, converted(elem, store.value->type, v)));
  }

  /// `v` (of type `type`) as an element of type `elem`: cast only where the
  /// types differ (u8 from I32, a real of the other precision).
  std::string converted(ElemType elem, Type type, const std::string &v) {
    bool same = (elem == ElemType::F32 && type == Type::Real && !f64_) ||
                (elem == ElemType::F64 && type == Type::Real && f64_) || (elem == ElemType::I32 && type == Type::I32) ||
                (elem == ElemType::U32 && type == Type::U32);
    return same ? v : fmt::format("({}){}", c_type(elem), v);
  }

  void emit_stmt(const lower::AtomicAdd &add) {
    std::string index = value(add.index), v = value(add.value);
    line(fmt::format("atomicAdd(&{}[{}], {});", buffer(add.param), index,
                     converted(elem_of(add.param), add.value->type, v)));
  }

  void emit_stmt(const lower::If &branch) {
    line(fmt::format("if ({}) {{", value(branch.cond)));
    block(branch.then_body);
    if (branch.else_body) {
      line("} else {");
      block(branch.else_body);
    }
    line("}");
  }

  void emit_stmt(const lower::For &loop) {
    std::string begin = value(loop.begin), end = value(loop.end);
    std::string bound = fmt::format("end{}", temporaries_++);
    const std::string &var = ids_.declare(loop.var);
    if (loop.parallel && lanes_ > 1 && !in_lanes_) {
      // The warp's lanes take the iterations in turn.
      line(fmt::format("for (int64_t {0} = {1} + lane, {2} = {3}; {0} < {2}; {0} += {4}) {{", var, begin, bound, end,
                       lanes_));
      in_lanes_ = true;
      block(loop.body);
      in_lanes_ = false;
    } else {
      line(fmt::format("for (int64_t {0} = {1}, {2} = {3}; {0} < {2}; ++{0}) {{", var, begin, bound, end));
      block(loop.body);
    }
    line("}");
  }

  void emit_stmt(const lower::Var &var) {
    std::string v = value(var.value);
    line(fmt::format("{} {} = {};", c_type(var.value->type, f64_), ids_.declare(var.name), v));
  }

  void emit_stmt(const lower::Assign &assign) {
    std::string v = value(assign.value);
    line(fmt::format("{} = {};", ids_.get(assign.name, k_.name), v));
  }

  void emit_stmt(const lower::While &loop) {
    line(fmt::format("while ({}) {{", value(loop.cond)));
    block(loop.body);
    line("}");
  }

  void emit_stmt(const lower::Philox &philox) {
    std::array<std::string, 4> counter;
    for (int k = 0; k < 4; ++k)
      counter[k] = value(philox.counter[k]);
    std::string key0 = value(philox.key[0]), key1 = value(philox.key[1]);
    const std::string &words = ids_.declare(philox.name);
    line(fmt::format("uint32_t {}[4];", words));
    line(fmt::format("snn_philox4x32_words({}, {}, {}, {}, {}, {}, {});", counter[0], counter[1], counter[2],
                     counter[3], key0, key1, words));
    for (int k = 0; k < 4; ++k)
      ids_.alias(philox.name + "." + std::to_string(k), fmt::format("{}[{}]", words, k));
  }

  void emit_stmt(const lower::Stage &stage) {
    // Every thread of the block runs this (the Verifier keeps a Stage at the
    // top of a body that runs past the extent, with uniform bounds): the
    // block copies a tile, waits for all of it, runs the body, and waits
    // again before the next tile overwrites the copy.
    ir::internal_check(!stage_, "kernel '" + k_.name + "' stages inside a stage");
    int id = temporaries_++;
    Staged staged{stage.param, fmt::format("stage{}", id), fmt::format("stage_origin{}", id)};
    std::string base = value(stage.base), extent = value(stage.extent);
    const std::string &var = ids_.declare(stage.var);
    std::string end = fmt::format("stage_end{}", id), len = fmt::format("stage_len{}", id);
    line(fmt::format("__shared__ {} {}[{}];", c_type(elem_of(stage.param)), staged.array, stage.tile));
    line(fmt::format("for (int64_t {0} = 0, {1} = {2}; {0} < {1}; {0} += {3}) {{", var, end, extent, stage.tile));
    ++depth_;
    line(fmt::format("const int64_t {} = {} + {};", staged.origin, base, var));
    line(fmt::format("const int64_t {0} = {1} - {2} < {3} ? {1} - {2} : {3};", len, end, var, stage.tile));
    line("__syncthreads();");
    line(fmt::format("for (int64_t i = threadIdx.x; i < {}; i += blockDim.x)", len));
    line(fmt::format("  {}[i] = {}[{} + i];", staged.array, buffer(stage.param), staged.origin));
    line("__syncthreads();");
    stage_ = &staged;
    stmt(stage.body);
    stage_ = nullptr;
    --depth_;
    line("}");
  }

  void block(const lower::Stmt &body) {
    indented([&] { stmt(body); });
  }
  /// What `body` prints, one level deeper.
  template <typename F> void indented(F &&body) {
    ++depth_;
    body();
    --depth_;
  }

  // --- Domains --------------------------------------------------------------

  std::string extent() const {
    const lower::Domain &d = k_.domain;
    ir::internal_check(d.extent >= 0 && size_t(d.extent) < k_.params.size(), "kernel '" + k_.name + "' has no extent");
    return ids_.get(k_.params[d.extent].name, k_.name);
  }

  /// `index` = this thread's point of the x grid (this warp's, when lanes
  /// share a point), returning past the extent unless the domain runs past
  /// it.
  void thread_index(const char *name) {
    const std::string &id = ids_.declare(name);
    if (lanes_ > 1) {
      line(fmt::format("const int64_t {} = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / {};", id, lanes_));
      line(fmt::format("const int64_t lane = threadIdx.x % {};", lanes_));
    } else {
      line(fmt::format("const int64_t {} = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;", id));
    }
    if (k_.domain.runs_past_extent)
      return;
    line(fmt::format("if ({} >= {})", id, extent()));
    line("  return;");
  }

  /// Runs `body` for each example of this block's y index when batched.
  template <typename F> void over_examples(F &&body) {
    if (!k_.domain.batched) {
      body();
      return;
    }
    const std::string &b = ids_.declare("b");
    const std::string &batch = ids_.get("batch", k_.name);
    line(fmt::format("for (int64_t {0} = blockIdx.y; {0} < {1}; {0} += gridDim.y) {{", b, batch));
    indented(body);
    line("}");
  }

  void domain() {
    const lower::Domain &d = k_.domain;
    switch (d.kind) {
    case lower::DomainKind::Neurons:
      thread_index("n");
      over_examples([&] { stmt(k_.body); });
      return;
    case lower::DomainKind::SpikingRows:
      spiking_rows();
      return;
    case lower::DomainKind::Synapses:
      thread_index("pre");
      over_examples([&] {
        const std::string &pre = ids_.get("pre", k_.name), &rows = buffer(d.rows);
        const std::string &s = ids_.declare("s");
        line(fmt::format("for (int64_t {0} = {1}[{2}] + lane, row_end = {1}[{2} + 1]; {0} < row_end; {0} += {3}) {{", s,
                         rows, pre, lanes_));
        block(k_.body);
        line("}");
      });
      return;
    case lower::DomainKind::BatchReduction: {
      thread_index("i");
      const std::string &b = ids_.declare("b");
      line(fmt::format("for (int64_t {0} = 0; {0} < {1}; ++{0}) {{", b, ids_.get("batch", k_.name)));
      block(k_.body);
      line("}");
      return;
    }
    }
    throw ir::InternalError("unknown domain of kernel '" + k_.name + "'");
  }

  /// A point per presynaptic neuron that spiked. Where a warp shares each
  /// row, it takes kRowsPerWarp rows in turn, its lanes reading each flag
  /// together (one access), so that the rows of one example still run in
  /// increasing order within the warp.
  void spiking_rows() {
    const lower::Domain &d = k_.domain;
    auto rows = [&](const std::string &pre) {
      std::string index = d.batched ? fmt::format("{} * {} + {}", ids_.get("b", k_.name), extent(), pre) : pre;
      if (elem_of(d.spikes) == ElemType::Bits)
        line(fmt::format("if ({}) {{", bit(d.spikes, index)));
      else
        line(fmt::format("if ({}[{}] != 0) {{", buffer(d.spikes), index));
      block(k_.body);
      line("}");
    };
    if (lanes_ == 1) {
      thread_index("pre");
      over_examples([&] { rows(ids_.get("pre", k_.name)); });
      return;
    }
    line(fmt::format("const int64_t first_pre = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / {} * {};", lanes_,
                     kRowsPerWarp));
    line(fmt::format("const int64_t lane = threadIdx.x % {};", lanes_));
    line(fmt::format("if (first_pre >= {})", extent()));
    line("  return;");
    line(
        fmt::format("const int64_t last_pre = first_pre + {0} < {1} ? first_pre + {0} : {1};", kRowsPerWarp, extent()));
    over_examples([&] {
      const std::string &pre = ids_.declare("pre");
      line(fmt::format("for (int64_t {0} = first_pre; {0} < last_pre; ++{0}) {{", pre));
      indented([&] { rows(pre); });
      line("}");
    });
  }

  int index_;
  const lower::Kernel &k_;
  bool f64_;
  double dt_;                                 ///< s, for `t`
  bool reads_step_ = false, reads_t_ = false; ///< whether the body reads the built-ins
  Identifiers ids_;
  std::vector<std::string> buffer_ids_; ///< per parameter; empty for scalars
  std::string out_;
  int depth_ = 0;
  int temporaries_ = 0;
  int lanes_ = 1;         ///< threads per point (threads_per_point)
  bool in_lanes_ = false; ///< inside the loop the lanes share
  /// The Stage being printed: its buffer parameter, the __shared__ array
  /// holding the tile, and the tile's first element in the buffer.
  struct Staged {
    int param;
    std::string array, origin;
  };
  const Staged *stage_ = nullptr;
};

} // namespace

std::string print_kernel(const lower::Program &program, int index) { return KernelWriter(program, index).print(); }

} // namespace snn::cuda
