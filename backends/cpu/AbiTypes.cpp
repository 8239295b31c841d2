//===- backends/cpu/AbiTypes.cpp - LLVM types of the model ABI ------------===//
#include "backends/cpu/AbiTypes.h"

namespace snn::cpu {

namespace {
llvm::StructType *named_struct(llvm::LLVMContext &context, llvm::StringRef name, llvm::ArrayRef<llvm::Type *> fields) {
  if (llvm::StructType *existing = llvm::StructType::getTypeByName(context, name))
    return existing;
  return llvm::StructType::create(context, fields, name);
}
} // namespace

AbiTypes AbiTypes::get(llvm::LLVMContext &context) {
  llvm::Type *i32 = llvm::Type::getInt32Ty(context);
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *f64 = llvm::Type::getDoubleTy(context);
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);

  AbiTypes t;
  t.buffer_desc = named_struct(context, "snn_buffer_desc", {ptr, ptr, i32, i32, i32, i32, i32, i64});
  t.variable_desc = named_struct(context, "snn_variable_desc", {ptr, i32, i32, ptr, ptr});
  t.population_desc =
      named_struct(context, "snn_population_desc", {ptr, ptr, i32, i32, ptr, i32, ptr, i32, i32, i32, i32});
  t.projection_desc =
      named_struct(context, "snn_projection_desc", {ptr, i32, i32, i32, f64, i64, i32, i32, i32, i32, ptr,
                                                    ptr, ptr, ptr, ptr, i32, i32, i32, i32, i32, i32});
  t.window_desc =
      named_struct(context, "snn_window_desc", {i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32});
  t.record_desc = named_struct(context, "snn_record_desc", {i32, i32, i32, i32, i32, i32, i32, ptr, i64, i32, ptr});
  t.stimulus_desc = named_struct(context, "snn_stimulus_desc", {i32, ptr});
  t.state = named_struct(context, "snn_state", {ptr, ptr, i32, i64, i64});
  t.entry_desc = named_struct(context, "snn_entry_desc", {ptr, ptr, i32});
  t.model_desc = named_struct(context, "snn_model_desc", {i32, i32, ptr, f64, f64, i64, i32, i32, ptr, i32, ptr,
                                                          i32, ptr, i32, ptr, i32, ptr, i32, ptr, ptr, ptr, i32});
  t.data_desc = named_struct(context, "snn_data_desc", {ptr, ptr, i32, f64, f64});
  t.param_desc = named_struct(context, "snn_param_desc", {ptr, i32, i32, i32, i32, i32});
  t.hyper_desc = named_struct(context, "snn_hyper_desc", {ptr, ptr, f64, f64, f64, i32});
  t.prune_desc = named_struct(context, "snn_prune_desc", {i32, f64, i32, i32});
  t.rewire_desc = named_struct(context, "snn_rewire_desc", {i32, f64, f64, i32});
  t.training_desc = named_struct(context, "snn_training_desc",
                                 {i32, i32, f64, f64, t.data_desc, t.data_desc, i32, i32, i32, i32, i32, i32, i32,
                                  f64, ptr, ptr, ptr, i32,         ptr,         i32, i32, ptr, i32, i32, i32, i32,
                                  i32, i32, i32, ptr, i32,         i32,         ptr, i32, ptr, i32, ptr});
  return t;
}

} // namespace snn::cpu
