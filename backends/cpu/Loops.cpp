//===- backends/cpu/Loops.cpp - Counted loops in LLVM IR ------------------===//
#include "backends/cpu/Loops.h"

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

} // namespace snn::cpu
