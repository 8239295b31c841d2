//===- EntryPoint.h - Calling a model's entry points ------------*- C++ -*-===//
//
// Generated code cannot report failures by itself: a CUDA model's entry
// point only queues its kernels. Calling one through EntryPoint waits for
// them (snn_device_desc::finish) so that the runtime's host code reads
// finished buffers, and turns a failed launch into an Error; `queue` leaves
// them queued, and a later `wait` must come before the host reads or
// writes any buffer they use.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_ENTRYPOINT_H
#define SNN_RUNTIME_ENTRYPOINT_H

#include "ExampleThreads.h"
#include "snn/model_abi.h"

#include <string>
#include <string_view>

namespace snn::rt {

/// One entry point of a model, callable like the generated function.
class EntryPoint {
public:
  EntryPoint() = default;
  /// The entry called `name` of `model`; throws an internal Error when the
  /// model has none (validate_model checked the required ones). A
  /// batch-separable entry of a CPU model runs on `threads` when given.
  EntryPoint(const snn_model_desc &model, std::string_view name, ExampleThreads *threads = nullptr);

  /// Runs the entry point and waits for it. Throws Error when the device
  /// reports a failure.
  void operator()(snn_state *state, uint64_t step) const;
  /// Runs it without waiting: a device's kernels are queued behind the
  /// work already queued (on the CPU the same as operator()).
  void queue(snn_state *state, uint64_t step) const;
  /// Waits for the work queued so far; throws Error when the device
  /// reports a failure, naming this entry point and `where`.
  void wait(const std::string &where = "") const;

private:
  snn_entry_fn fn_ = nullptr;
  ExampleThreads *threads_ = nullptr; ///< set for a batch-separable entry of a CPU model
  const snn_device_desc *device_ = nullptr;
  const char *name_ = "";
};

} // namespace snn::rt

#endif // SNN_RUNTIME_ENTRYPOINT_H
