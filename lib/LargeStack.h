//===- lib/LargeStack.h - Running deep recursion safely --------*- C++ -*-===//
#pragma once

#include <functional>

namespace snn {

/// Runs `work` on a thread with a 512 MiB stack and waits for it, so that
/// the recursive parser and tree walks survive deeply nested input (which
/// the parser also bounds). Exceptions thrown by `work` are rethrown here.
void run_on_large_stack(const std::function<void()> &work);

} // namespace snn
