//===- backends/cpu/NeuronKernels.h - Per-population loops ------*- C++ -*-===//
//
// Each phase of a population (init, update, reset) and spike delivery is its
// own internal function whose buffers arrive as separate `noalias` pointer
// arguments. That is what lets LLVM's loop vectoriser prove the loads and
// stores of different variables independent and vectorise the neuron loop.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"

#include <cstdint>

namespace snn::cpu {

/// One population as the generated code sees it.
struct PopulationPlan {
  const ir::Population *population;
  const ir::NeuronModel *model; ///< already specialised to `population`
  uint32_t index;               ///< population index: RNG stream, spiked slot
  uint32_t first_buffer;        ///< snn_state::buffers index of state var 0
};

/// The three per-neuron maps of a population.
enum class KernelPhase {
  /// state := initial value (may draw random numbers; `t` reads 0);
  /// inputs := 0; spiked := 0.
  Init,
  /// state := update map over the values before the step; spiked := spike
  /// condition, where State reads the updated values and Input the inputs
  /// just consumed; then inputs := 0.
  Update,
  /// Where spiked: state := reset map over the values after this step's
  /// spike delivery (an Input reads what was delivered); elsewhere unchanged.
  Reset,
};

/// The LLVM type of every neuron kernel of `model`:
///   void (ptr state_0 .. state_{S-1}, ptr input_0 .. input_{I-1},
///         ptr spiked, ptr stimulus, real t, i32 key0, i32 key1, i64 step)
/// with one pointer per state variable and per input, all `noalias`.
/// `stimulus` is only read by kernels built `with_stimulus`; `t` is the time
/// at the start of the step, `key` the Philox key of the run seed.
llvm::FunctionType *neuron_kernel_type(llvm::LLVMContext &context, const ir::NeuronModel &model, llvm::Type *real);

/// Whether the expressions of `phase` call stimulus().
bool phase_reads_stimulus(const ir::NeuronModel &model, KernelPhase phase);

/// Whether `phase` has any work for `model` (a reset needs both a spike
/// condition and reset assignments).
bool phase_has_work(const ir::NeuronModel &model, KernelPhase phase);

/// Defines the kernel of `phase` for `plan` in `module` (internal linkage,
/// type neuron_kernel_type). Stimulus reads the `stimulus` argument when
/// `with_stimulus`, else is false. Throws ir::InternalError for IR that is
/// not in discrete form or names unknown variables.
llvm::Function *build_neuron_kernel(llvm::Module &module, const PopulationPlan &plan, KernelPhase phase,
                                    bool with_stimulus, llvm::Type *real);

/// Defines the spike delivery kernel shared by all projections:
///   void (ptr spiked_pre, ptr row_start, ptr target, ptr weight, ptr post,
///         i32 num_pre)
/// which adds weight[s] to post[target[s]] for each synapse s of each pre
/// neuron that spiked. The `gated` variant, for targets that are frozen while
/// refractory, takes two more arguments (ptr refractory_counter, ptr
/// spiked_post) and skips post neurons whose counter is above 0 or that
/// spiked in this step: Brian2 drops such writes too.
llvm::Function *build_delivery_kernel(llvm::Module &module, llvm::Type *real, bool gated);

} // namespace snn::cpu
