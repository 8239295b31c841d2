//===- passes/Pipeline.cpp - The ordered list of passes -------------------===//
//
// The whole pipeline is this one list, in order (as in Halide's Lower.cpp).
//
//===----------------------------------------------------------------------===//
#include "passes/Pipeline.h"

#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/DiscretizeOdes.h"
#include "passes/EProp.h"
#include "passes/FoldConstants.h"
#include "passes/MergePopulations.h"
#include "passes/ResolveParams.h"
#include "passes/Sparsify.h"

#include <fmt/format.h>
#include <chrono>
#include <cstdio>

namespace snn::passes {

const std::vector<PassInfo> &pipeline() {
  static const std::vector<PassInfo> passes = {
      {"resolve-params", "specialise each population's model to its parameter values", resolve_params},
      {"fold-constants", "fold constant subexpressions", fold_constants},
      {"discretize-odes", "turn ODEs into a per-step update map (exact, euler, rk4)", discretize_odes},
      {"simplify", "fold constants in the discretised model", fold_constants},
      {"merge-populations", "share one model among populations with the same dynamics", merge_populations},
      {"eprop", "derive the eligibility traces and learning signals of a train regime", eprop},
      {"sparsify", "choose each projection's storage format by a cost model", sparsify},
  };
  return passes;
}

bool is_pass_name(const std::string &name) {
  for (const auto &p : pipeline())
    if (name == p.name)
      return true;
  return false;
}

bool run_pipeline(ir::Module &m, const PipelineOptions &options, PassContext &ctx) {
  using clock = std::chrono::steady_clock;
  std::vector<std::pair<const char *, double>> times;
  std::string before = options.print_after_all ? ir::to_string(m) : "";
  for (const auto &pass : pipeline()) {
    auto start = clock::now();
    bool ok = pass.run(m, ctx);
    double seconds = std::chrono::duration<double>(clock::now() - start).count();
    times.emplace_back(pass.name, seconds);
    if (options.times)
      options.times->add(pass.name, seconds);
    if (!ok)
      return false;
    auto problems = ir::verify(m);
    if (!problems.empty())
      throw ir::InternalError("IR invalid after pass '" + std::string(pass.name) + "': " + problems.front());
    if (options.log && (options.print_after_all || options.print_after.count(pass.name))) {
      std::string text = ir::to_string(m);
      *options.log << "; *** IR after " << pass.name;
      if (options.print_after_all && text == before)
        *options.log << " (unchanged)";
      *options.log << " ***\n" << text;
      before = std::move(text);
    }
  }
  if (options.time_passes && options.log && !options.times) {
    double total = 0;
    for (const auto &t : times)
      total += t.second;
    *options.log << "===- pass execution timing -===\n";
    for (const auto &[name, seconds] : times)
      *options.log << fmt::format("  {:10.6f} s  {:5.1f}%  {}\n", seconds, total > 0 ? 100 * seconds / total : 0.0,
                                  name);
    *options.log << fmt::format("  {:10.6f} s  total\n", total);
  }
  return true;
}

} // namespace snn::passes
