//===- backends/cpu/KernelCodegen.cpp - One lowered kernel in LLVM --------===//
#include "backends/cpu/KernelCodegen.h"

#include "backends/cpu/ExprCodegen.h"
#include "backends/cpu/Loops.h"
#include "backends/cpu/Philox.h"

#include "llvm/IR/IRBuilder.h"

#include <map>

namespace snn::cpu {

namespace {

using lower::ElemType;
using lower::Type;

bool is_signed(Type type) { return type == Type::I32 || type == Type::I64; }

/// Emits one kernel's body. Locals live in one map: the Program verifier
/// guarantees every name is bound once, before it is read, and only where
/// its definition dominates the reads.
class KernelEmitter {
public:
  KernelEmitter(llvm::Function *fn, const lower::Kernel &kernel, llvm::Type *real)
      : kernel_(kernel), real_(real), b_(llvm::BasicBlock::Create(fn->getContext(), "entry", fn)) {
    auto arg = fn->arg_begin();
    for (const lower::Param &param : kernel.params) {
      llvm::Argument *a = &*arg++;
      a->setName(param.name);
      if (param.kind == lower::Param::Kind::Buffer)
        buffers_.push_back(a);
      else {
        buffers_.push_back(nullptr);
        locals_[param.name] = a;
      }
    }
    for (const std::string &name : kernel_builtins()) {
      llvm::Argument *a = &*arg++;
      a->setName(name);
      locals_[name] = a;
    }
  }

  void build() {
    emit_domain();
    b_.CreateRetVoid();
  }

private:
  llvm::Type *elem_type(ElemType type) {
    switch (type) {
    case ElemType::F32:
      return b_.getFloatTy();
    case ElemType::F64:
      return b_.getDoubleTy();
    case ElemType::I32:
    case ElemType::U32:
    case ElemType::Bits:
      return b_.getInt32Ty();
    case ElemType::U8:
      return b_.getInt8Ty();
    }
    throw ir::InternalError("unknown element type");
  }

  llvm::Value *buffer(int param) {
    ir::internal_check(param >= 0 && size_t(param) < buffers_.size() && buffers_[param],
                       "kernel '" + kernel_.name + "' uses parameter " + std::to_string(param) + " as a buffer");
    return buffers_[param];
  }

  ElemType elem_of(int param) const { return kernel_.params[param].elem; }

  llvm::Value *local(const std::string &name) {
    if (auto var = vars_.find(name); var != vars_.end()) // a Var: its value now
      return b_.CreateLoad(var->second->getAllocatedType(), var->second, name);
    auto found = locals_.find(name);
    ir::internal_check(found != locals_.end(), "kernel '" + kernel_.name + "' reads unbound local '" + name + "'");
    return found->second;
  }

  void bind(const std::string &name, llvm::Value *value) {
    if (!value->hasName() && llvm::isa<llvm::Instruction>(value))
      value->setName(name);
    locals_[name] = value;
  }

  // --- Values ---------------------------------------------------------------

  llvm::Value *value(const lower::Value &v) {
    return lower::visit_value(v, [&](const auto &node) { return emit(node); });
  }

  llvm::Value *emit(const lower::IntImm &imm) {
    return llvm::ConstantInt::get(llvm_type(imm.type, real_), uint64_t(imm.value), is_signed(imm.type));
  }

  llvm::Value *emit(const lower::Local &l) { return local(l.name); }

  llvm::Value *emit(const lower::IntOp &op) {
    llvm::Value *a = value(op.a), *c = value(op.b);
    bool sign = is_signed(op.a->type);
    switch (op.op) {
    case lower::IntOpKind::Add:
      return b_.CreateAdd(a, c);
    case lower::IntOpKind::Sub:
      return b_.CreateSub(a, c);
    case lower::IntOpKind::Mul:
      return b_.CreateMul(a, c);
    case lower::IntOpKind::Div:
      return sign ? b_.CreateSDiv(a, c) : b_.CreateUDiv(a, c);
    case lower::IntOpKind::Rem:
      return sign ? b_.CreateSRem(a, c) : b_.CreateURem(a, c);
    case lower::IntOpKind::Shl:
      return b_.CreateShl(a, c);
    case lower::IntOpKind::Shr:
      return sign ? b_.CreateAShr(a, c) : b_.CreateLShr(a, c);
    case lower::IntOpKind::And:
      return b_.CreateAnd(a, c);
    case lower::IntOpKind::Or:
      return b_.CreateOr(a, c);
    case lower::IntOpKind::Xor:
      return b_.CreateXor(a, c);
    case lower::IntOpKind::Lt:
      return sign ? b_.CreateICmpSLT(a, c) : b_.CreateICmpULT(a, c);
    case lower::IntOpKind::Le:
      return sign ? b_.CreateICmpSLE(a, c) : b_.CreateICmpULE(a, c);
    case lower::IntOpKind::Eq:
      return b_.CreateICmpEQ(a, c);
    case lower::IntOpKind::Ne:
      return b_.CreateICmpNE(a, c);
    }
    throw ir::InternalError("unknown integer operation");
  }

  llvm::Value *emit(const lower::Cast &cast) {
    llvm::Value *a = value(cast.a);
    Type from = cast.a->type, to = cast.type;
    llvm::Type *target = llvm_type(to, real_);
    if (to == Type::Bool)
      return b_.CreateICmpNE(a, llvm::ConstantInt::get(a->getType(), 0));
    if (to == Type::Real)
      return is_signed(from) ? b_.CreateSIToFP(a, target) : b_.CreateUIToFP(a, target);
    if (from == Type::Real)
      return b_.CreateFPToSI(a, target);
    return b_.CreateIntCast(a, target, is_signed(from));
  }

  llvm::Value *element(int param, llvm::Value *index) {
    return b_.CreateInBoundsGEP(elem_type(elem_of(param)), buffer(param), index);
  }

  /// Word and bit of a bit-packed element.
  std::pair<llvm::Value *, llvm::Value *> bit_address(int param, llvm::Value *index) {
    llvm::Value *word = b_.CreateInBoundsGEP(b_.getInt32Ty(), buffer(param), b_.CreateLShr(index, 5));
    llvm::Value *bit = b_.CreateTrunc(b_.CreateAnd(index, 31), b_.getInt32Ty());
    return {word, bit};
  }

  llvm::Value *emit(const lower::Load &load) {
    llvm::Value *index = value(load.index);
    ElemType elem = elem_of(load.param);
    if (elem == ElemType::Bits) {
      auto [word, bit] = bit_address(load.param, index);
      llvm::Value *bits = b_.CreateLShr(b_.CreateLoad(b_.getInt32Ty(), word), bit);
      return b_.CreateTrunc(bits, b_.getInt1Ty());
    }
    llvm::Value *loaded = b_.CreateLoad(elem_type(elem), element(load.param, index));
    if (elem == ElemType::U8)
      return b_.CreateZExt(loaded, b_.getInt32Ty());
    if (loaded->getType() != llvm_type(load.type, real_)) // a real buffer of the other precision
      return b_.CreateFPCast(loaded, real_);
    return loaded;
  }

  llvm::Value *emit(const lower::Math &math) {
    ExprBindings bindings;
    bindings.variable = [this](const ir::Variable &v) -> llvm::Value * {
      ir::internal_check(v.var_kind == ir::VarKind::Local, std::string(ir::name_of(v.var_kind)) + " variable '" +
                                                               v.name + "' in kernel '" + kernel_.name + "'");
      return local(v.name);
    };
    return ExprCodegen(b_, real_, bindings).emit(math.expr);
  }

  llvm::Value *emit(const lower::RandomReal &r) {
    PhiloxBlock words;
    for (int k = 0; k < 4; ++k)
      words[k] = value(r.words[k]);
    return emit_distribution(b_, r.dist, words, real_);
  }

  llvm::Value *emit(const lower::GeometricSkip &g) {
    llvm::Value *hi = value(g.hi), *lo = value(g.lo);
    return emit_geometric_skip(b_, hi, lo, g.log_q);
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

  void emit_stmt(const lower::Let &let) { bind(let.name, value(let.value)); }

  void emit_stmt(const lower::Store &store) {
    llvm::Value *index = value(store.index);
    llvm::Value *v = value(store.value);
    ElemType elem = elem_of(store.param);
    if (elem == ElemType::Bits) {
      auto [word, bit] = bit_address(store.param, index);
      llvm::Value *mask = b_.CreateShl(b_.getInt32(1), bit);
      llvm::Value *old = b_.CreateLoad(b_.getInt32Ty(), word);
      llvm::Value *set = b_.CreateOr(old, mask), *cleared = b_.CreateAnd(old, b_.CreateNot(mask));
      b_.CreateStore(b_.CreateSelect(v, set, cleared), word);
      return;
    }
    llvm::Type *type = elem_type(elem);
    if (elem == ElemType::U8)
      v = b_.CreateTrunc(v, type);
    else if (v->getType() != type)
      v = b_.CreateFPCast(v, type);
    b_.CreateStore(v, element(store.param, index));
  }

  void emit_stmt(const lower::AtomicAdd &add) {
    // The CPU backend runs a kernel's points one after another: a plain
    // read-modify-write is atomic with respect to the others.
    llvm::Value *slot = element(add.param, value(add.index));
    llvm::Type *type = elem_type(elem_of(add.param));
    llvm::Value *v = value(add.value);
    if (v->getType() != type)
      v = b_.CreateFPCast(v, type);
    b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(type, slot), v), slot);
  }

  void emit_stmt(const lower::If &branch) {
    llvm::Function *fn = b_.GetInsertBlock()->getParent();
    llvm::LLVMContext &context = fn->getContext();
    auto *then_block = llvm::BasicBlock::Create(context, "then", fn);
    auto *else_block = branch.else_body ? llvm::BasicBlock::Create(context, "else", fn) : nullptr;
    auto *done = llvm::BasicBlock::Create(context, "endif", fn);
    b_.CreateCondBr(value(branch.cond), then_block, else_block ? else_block : done);
    b_.SetInsertPoint(then_block);
    stmt(branch.then_body);
    b_.CreateBr(done);
    if (else_block) {
      b_.SetInsertPoint(else_block);
      stmt(branch.else_body);
      b_.CreateBr(done);
    }
    b_.SetInsertPoint(done);
  }

  void emit_stmt(const lower::For &loop) {
    emit_counted_loop(b_, value(loop.begin), value(loop.end), loop.var, [&](llvm::Value *index) {
      locals_[loop.var] = index;
      stmt(loop.body);
    });
  }

  // A Var lives in a stack slot of the entry block (promoted to registers
  // by mem2reg where the optimiser runs); reads load it, Assign stores it.
  void emit_stmt(const lower::Var &var) {
    llvm::Value *init = value(var.value);
    llvm::Function *fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    llvm::AllocaInst *slot = entry.CreateAlloca(init->getType(), nullptr, var.name);
    b_.CreateStore(init, slot);
    vars_[var.name] = slot;
  }

  void emit_stmt(const lower::Assign &assign) {
    auto found = vars_.find(assign.name);
    ir::internal_check(found != vars_.end(), "kernel '" + kernel_.name + "' assigns unbound var '" + assign.name + "'");
    b_.CreateStore(value(assign.value), found->second);
  }

  void emit_stmt(const lower::While &loop) {
    llvm::Function *fn = b_.GetInsertBlock()->getParent();
    llvm::LLVMContext &context = fn->getContext();
    auto *header = llvm::BasicBlock::Create(context, "while.header", fn);
    auto *body = llvm::BasicBlock::Create(context, "while.body", fn);
    auto *exit = llvm::BasicBlock::Create(context, "while.exit", fn);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    b_.CreateCondBr(value(loop.cond), body, exit);
    b_.SetInsertPoint(body);
    stmt(loop.body);
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }

  // The CPU runs a kernel's points one after another and reads the staged
  // buffer itself: the tiles are a plain loop.
  void emit_stmt(const lower::Stage &stage) {
    llvm::Value *extent = value(stage.extent);
    llvm::Value *tile = b_.getInt64(uint64_t(stage.tile));
    llvm::Value *tiles = b_.CreateSDiv(b_.CreateAdd(extent, b_.getInt64(uint64_t(stage.tile - 1))), tile);
    emit_counted_loop(b_, b_.getInt64(0), tiles, "tile", [&](llvm::Value *k) {
      locals_[stage.var] = b_.CreateMul(k, tile, stage.var);
      stmt(stage.body);
    });
  }

  void emit_stmt(const lower::Philox &philox) {
    PhiloxBlock counter;
    for (int k = 0; k < 4; ++k)
      counter[k] = value(philox.counter[k]);
    PhiloxKey key = {value(philox.key[0]), value(philox.key[1])};
    PhiloxBlock out = emit_philox4x32(b_, counter, key);
    for (int k = 0; k < 4; ++k)
      bind(philox.name + "." + std::to_string(k), out[k]);
  }

  // --- Domains --------------------------------------------------------------

  llvm::Value *extent() {
    const lower::Domain &d = kernel_.domain;
    ir::internal_check(d.extent >= 0 && size_t(d.extent) < kernel_.params.size(),
                       "kernel '" + kernel_.name + "' has no extent");
    return local(kernel_.params[d.extent].name);
  }

  /// Runs `body` for b = 0 .. batch - 1 when the domain is batched, else
  /// once with b unbound.
  void over_examples(const std::function<void()> &body) {
    if (!kernel_.domain.batched) {
      body();
      return;
    }
    emit_counted_loop(b_, b_.getInt64(0), local("batch"), "b", [&](llvm::Value *b) {
      locals_["b"] = b;
      body();
    });
  }

  llvm::Value *row_offset(llvm::Value *pre) {
    llvm::Value *offset = b_.CreateLoad(b_.getInt32Ty(), element(kernel_.domain.rows, pre));
    return b_.CreateZExt(offset, b_.getInt64Ty());
  }

  void emit_domain() {
    const lower::Domain &d = kernel_.domain;
    llvm::Value *zero = b_.getInt64(0);
    llvm::Value *count = extent();
    switch (d.kind) {
    case lower::DomainKind::Neurons:
      over_examples([&] {
        emit_counted_loop(b_, zero, count, "n", [&](llvm::Value *n) {
          locals_["n"] = n;
          stmt(kernel_.body);
        });
      });
      return;
    case lower::DomainKind::SpikingRows:
      over_examples([&] {
        llvm::Value *base = d.batched ? b_.CreateMul(local("b"), count) : zero;
        if (elem_of(d.spikes) == ElemType::Bits)
          scan_spike_bits(base, count);
        else
          scan_spike_bytes(base, count);
      });
      return;
    case lower::DomainKind::Synapses:
      over_examples([&] {
        emit_counted_loop(b_, zero, count, "pre", [&](llvm::Value *pre) {
          locals_["pre"] = pre;
          llvm::Value *begin = row_offset(pre), *end = row_offset(b_.CreateAdd(pre, b_.getInt64(1)));
          emit_counted_loop(b_, begin, end, "s", [&](llvm::Value *s) {
            locals_["s"] = s;
            stmt(kernel_.body);
          });
        });
      });
      return;
    case lower::DomainKind::BatchReduction:
      emit_counted_loop(b_, zero, count, "i", [&](llvm::Value *i) {
        locals_["i"] = i;
        emit_counted_loop(b_, zero, local("batch"), "b", [&](llvm::Value *b) {
          locals_["b"] = b;
          stmt(kernel_.body);
        });
      });
      return;
    }
    throw ir::InternalError("unknown domain of kernel '" + kernel_.name + "'");
  }

  /// Runs the body for each row `pre` < `count` whose u8 flag at `base +
  /// pre` is set, in increasing order. Spikes are rare, so the flags are
  /// compared 32 at a time and each non-zero chunk is visited through its
  /// bit mask; the last count % 32 flags are read one by one.
  void scan_spike_bytes(llvm::Value *base, llvm::Value *count) {
    const lower::Domain &d = kernel_.domain;
    constexpr unsigned kChunk = 32;
    auto *chunk_type = llvm::FixedVectorType::get(b_.getInt8Ty(), kChunk);
    llvm::Value *flags = element(d.spikes, base);
    llvm::Value *chunks = b_.CreateLShr(count, 5);
    emit_counted_loop(b_, b_.getInt64(0), chunks, "chunk", [&](llvm::Value *chunk) {
      llvm::Value *first = b_.CreateShl(chunk, 5);
      llvm::Value *bytes =
          b_.CreateAlignedLoad(chunk_type, b_.CreateInBoundsGEP(b_.getInt8Ty(), flags, first), llvm::MaybeAlign(1));
      llvm::Value *set = b_.CreateICmpNE(bytes, llvm::Constant::getNullValue(chunk_type));
      llvm::Value *mask = b_.CreateBitCast(set, b_.getInt32Ty());
      emit_set_bit_loop(b_, mask, "spike",
                        [&](llvm::Value *bit) { visit_row(b_.CreateAdd(first, b_.CreateZExt(bit, b_.getInt64Ty()))); });
    });
    emit_counted_loop(b_, b_.CreateShl(chunks, 5), count, "pre", [&](llvm::Value *pre) {
      llvm::Value *flag = b_.CreateLoad(b_.getInt8Ty(), b_.CreateInBoundsGEP(b_.getInt8Ty(), flags, pre));
      llvm::Function *fn = b_.GetInsertBlock()->getParent();
      auto *row = llvm::BasicBlock::Create(fn->getContext(), "row", fn);
      auto *next = llvm::BasicBlock::Create(fn->getContext(), "row.next", fn);
      b_.CreateCondBr(b_.CreateICmpNE(flag, b_.getInt8(0)), row, next);
      b_.SetInsertPoint(row);
      visit_row(pre);
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    });
  }

  /// The same over bit-packed flags: bits `base` .. `base + count` may
  /// start and end inside a 32-bit word, whose other bits are masked off.
  void scan_spike_bits(llvm::Value *base, llvm::Value *count) {
    const lower::Domain &d = kernel_.domain;
    llvm::Value *end = b_.CreateAdd(base, count);
    llvm::Value *first = b_.CreateLShr(base, 5);
    llvm::Value *last = b_.CreateLShr(b_.CreateAdd(end, b_.getInt64(31)), 5); // exclusive
    llvm::Value *all = b_.getInt32(~0u);
    llvm::Value *low_mask = b_.CreateShl(all, b_.CreateTrunc(b_.CreateAnd(base, 31), b_.getInt32Ty()));
    llvm::Value *end_bits = b_.CreateTrunc(b_.CreateAnd(end, 31), b_.getInt32Ty());
    llvm::Value *high_mask = b_.CreateSelect(b_.CreateICmpEQ(end_bits, b_.getInt32(0)), all,
                                             b_.CreateSub(b_.CreateShl(b_.getInt32(1), end_bits), b_.getInt32(1)));
    emit_counted_loop(b_, first, last, "word", [&](llvm::Value *w) {
      llvm::Value *bits = b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), buffer(d.spikes), w));
      bits = b_.CreateAnd(bits, b_.CreateSelect(b_.CreateICmpEQ(w, first), low_mask, all));
      llvm::Value *last_word = b_.CreateICmpEQ(w, b_.CreateSub(last, b_.getInt64(1)));
      bits = b_.CreateAnd(bits, b_.CreateSelect(last_word, high_mask, all));
      llvm::Value *word_start = b_.CreateSub(b_.CreateShl(w, 5), base);
      emit_set_bit_loop(b_, bits, "spike", [&](llvm::Value *bit) {
        visit_row(b_.CreateAdd(word_start, b_.CreateZExt(bit, b_.getInt64Ty())));
      });
    });
  }

  void visit_row(llvm::Value *pre) {
    locals_["pre"] = pre;
    stmt(kernel_.body);
  }

  const lower::Kernel &kernel_;
  llvm::Type *real_;
  llvm::IRBuilder<> b_;
  std::vector<llvm::Value *> buffers_; ///< per parameter; null for scalars
  std::map<std::string, llvm::Value *> locals_;
  std::map<std::string, llvm::AllocaInst *> vars_; ///< the Vars' stack slots
};

} // namespace

const std::vector<std::string> &kernel_builtins() {
  static const std::vector<std::string> names = {"batch", "first_example", "key.0", "key.1", "step", "t"};
  return names;
}

llvm::Type *llvm_type(lower::Type type, llvm::Type *real) {
  llvm::LLVMContext &context = real->getContext();
  switch (type) {
  case Type::Bool:
    return llvm::Type::getInt1Ty(context);
  case Type::I32:
  case Type::U32:
    return llvm::Type::getInt32Ty(context);
  case Type::I64:
    return llvm::Type::getInt64Ty(context);
  case Type::Real:
    return real;
  }
  throw ir::InternalError("unknown lowered type");
}

llvm::Function *build_kernel(llvm::Module &module, const lower::Program &program, const lower::Kernel &kernel) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *real = program.real == ElemType::F64 ? llvm::Type::getDoubleTy(context) : llvm::Type::getFloatTy(context);
  std::vector<llvm::Type *> params;
  for (const lower::Param &param : kernel.params)
    params.push_back(param.kind == lower::Param::Kind::Buffer ? llvm::PointerType::getUnqual(context)
                                                              : llvm_type(param.type, real));
  llvm::Type *i64 = llvm::Type::getInt64Ty(context), *i32 = llvm::Type::getInt32Ty(context);
  params.insert(params.end(), {i64, i64, i32, i32, i64, real});
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context), params, false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, "snn." + kernel.name, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  // The verifier lets two parameters name one buffer only when neither
  // writes it, which is exactly what noalias permits.
  for (size_t k = 0; k < kernel.params.size(); ++k)
    if (kernel.params[k].kind == lower::Param::Kind::Buffer) {
      fn->getArg(unsigned(k))->addAttr(llvm::Attribute::NoAlias);
      fn->getArg(unsigned(k))->addAttr(llvm::Attribute::NoCapture);
    }
  KernelEmitter(fn, kernel, real).build();
  return fn;
}

} // namespace snn::cpu
