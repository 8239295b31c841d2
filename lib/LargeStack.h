//===- lib/LargeStack.h - Running deep recursion safely --------*- C++ -*-===//
#pragma once

#include <functional>

namespace snn {

/// Runs `work` on a thread with a 512 MiB stack and waits for it, so that
/// the recursive parser and tree walks survive deeply nested input (which
/// the parser also bounds). Exceptions thrown by `work` are rethrown here.
/// One such thread is kept per calling thread (started on first use), and
/// work that calls this again runs in place.
void run_on_large_stack(const std::function<void()> &work);

} // namespace snn
