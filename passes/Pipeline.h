//===- passes/Pipeline.h - The ordered list of passes ----------*- C++ -*-===//
#pragma once

#include "ir/StageTimes.h"
#include "passes/Pass.h"

#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace snn::passes {

/// One named step of the pipeline.
struct PassInfo {
  const char *name;        ///< as given to --print-after
  const char *description; ///< one line, for --help and --time-passes
  bool (*run)(ir::Module &, PassContext &);
};

/// The passes in the order they run. A module read from printed IR
/// (ir/Reader.h) enters at the start too: resolve-params and discretize-odes
/// skip what is already resolved or discretised, and the others are
/// idempotent (folding folded expressions, merging merged populations), so
/// IR printed at any point of the pipeline reads back to the same result.
const std::vector<PassInfo> &pipeline();

struct PipelineOptions {
  std::set<std::string> print_after; ///< pass names
  bool print_after_all = false;
  bool time_passes = false;
  std::ostream *log = nullptr; ///< where printed IR and timings go
  /// When set, each pass's wall time is added here (and not printed): the
  /// driver reports the whole compile in one table.
  StageTimes *times = nullptr;
};

/// Runs every pass, verifying the module after each (a failed verification
/// is an internal error, thrown as ir::InternalError). Returns false when a
/// pass reported a user error (in ctx.diags); later passes are skipped.
bool run_pipeline(ir::Module &m, const PipelineOptions &options, PassContext &ctx);

/// Whether `name` names a pass.
bool is_pass_name(const std::string &name);

} // namespace snn::passes
