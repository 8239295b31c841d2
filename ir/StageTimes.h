//===- ir/StageTimes.h - Wall time of compile stages ------*- C++ -*-===//
//
// What --time-passes reports: the wall time of each stage of one compile
// (read, parse, check, each pass, schedule, codegen, object, link), in the
// order the stages ran. A stage that runs twice is listed twice.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace snn {

class StageTimes {
public:
  /// Runs `body` and records its wall time under `stage` (also when it throws).
  template <typename F> decltype(auto) time(const std::string &stage, F &&body) {
    struct Stop {
      StageTimes &times;
      const std::string &stage;
      std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
      ~Stop() { times.add(stage, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()); }
    } stop{*this, stage};
    return body();
  }
  void add(const std::string &stage, double seconds) { entries_.emplace_back(stage, seconds); }
  /// (stage, seconds), in the order the stages ran.
  const std::vector<std::pair<std::string, double>> &entries() const { return entries_; }

private:
  std::vector<std::pair<std::string, double>> entries_;
};

} // namespace snn
