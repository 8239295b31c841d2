//===- backends/cpu/Loops.cpp - Counted loops in LLVM IR ------------------===//
#include "backends/cpu/Loops.h"

#include "llvm/IR/Intrinsics.h"

namespace snn::cpu {

void emit_counted_loop(llvm::IRBuilderBase &b, llvm::Value *begin, llvm::Value *end, const llvm::Twine &name,
                       const std::function<void(llvm::Value *index)> &body) {
  llvm::Function *function = b.GetInsertBlock()->getParent();
  llvm::LLVMContext &context = function->getContext();
  llvm::BasicBlock *entry = b.GetInsertBlock();
  auto *header = llvm::BasicBlock::Create(context, name + ".header", function);
  auto *loop_body = llvm::BasicBlock::Create(context, name + ".body", function);
  auto *exit = llvm::BasicBlock::Create(context, name + ".exit", function);

  b.CreateBr(header);
  b.SetInsertPoint(header);
  llvm::PHINode *index = b.CreatePHI(begin->getType(), 2, name + ".i");
  index->addIncoming(begin, entry);
  b.CreateCondBr(b.CreateICmpULT(index, end), loop_body, exit);

  b.SetInsertPoint(loop_body);
  body(index);
  llvm::Value *next = b.CreateAdd(index, llvm::ConstantInt::get(begin->getType(), 1), name + ".next", /*HasNUW=*/true);
  index->addIncoming(next, b.GetInsertBlock());
  b.CreateBr(header);

  b.SetInsertPoint(exit);
}

void emit_set_bit_loop(llvm::IRBuilderBase &b, llvm::Value *mask, const llvm::Twine &name,
                       const std::function<void(llvm::Value *bit)> &body) {
  llvm::Function *function = b.GetInsertBlock()->getParent();
  llvm::LLVMContext &context = function->getContext();
  llvm::BasicBlock *entry = b.GetInsertBlock();
  auto *loop_body = llvm::BasicBlock::Create(context, name + ".body", function);
  auto *exit = llvm::BasicBlock::Create(context, name + ".exit", function);
  llvm::Value *zero = b.getInt32(0);
  b.CreateCondBr(b.CreateICmpNE(mask, zero), loop_body, exit);

  b.SetInsertPoint(loop_body);
  llvm::PHINode *bits = b.CreatePHI(b.getInt32Ty(), 2, name + ".bits");
  bits->addIncoming(mask, entry);
  llvm::Value *bit = b.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, bits, b.getTrue(), nullptr, name + ".bit");
  body(bit);
  // Clears the lowest set bit: x & (x - 1).
  llvm::Value *rest = b.CreateAnd(bits, b.CreateSub(bits, b.getInt32(1)), name + ".rest");
  bits->addIncoming(rest, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpNE(rest, zero), loop_body, exit);

  b.SetInsertPoint(exit);
}

} // namespace snn::cpu
