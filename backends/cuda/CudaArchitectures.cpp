//===- backends/cuda/CudaArchitectures.cpp - The GPUs an executable runs on -===//
#include "backends/cuda/CudaArchitectures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace snn::cuda {

namespace {

/// Whether `item` is sm_ followed by 2 or 3 digits and at most one suffix.
bool well_formed(std::string_view item, bool &specific) {
  if (item.size() < 5 || item.substr(0, 3) != "sm_")
    return false;
  std::string_view rest = item.substr(3);
  specific = rest.back() == 'a' || rest.back() == 'f';
  if (specific)
    rest.remove_suffix(1);
  if (rest.size() < 2 || rest.size() > 3 || rest.front() == '0')
    return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

} // namespace

std::optional<CudaArchitectures> parse_cuda_architectures(std::string_view list, std::string &bad_item) {
  CudaArchitectures result;
  if (list.empty()) {
    bad_item = "";
    return std::nullopt;
  }
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string_view item = list.substr(start, comma - start);
    bool specific = false;
    if (!well_formed(item, specific)) {
      bad_item = std::string(item);
      return std::nullopt;
    }
    if (specific) {
      if (std::find(result.specific.begin(), result.specific.end(), item) == result.specific.end())
        result.specific.emplace_back(item);
    } else {
      result.portable.push_back(unsigned(std::stoul(std::string(item.substr(3)))));
    }
    start = comma + 1;
  }
  std::sort(result.portable.begin(), result.portable.end());
  result.portable.erase(std::unique(result.portable.begin(), result.portable.end()), result.portable.end());
  return result;
}

std::vector<std::string> CudaArchitectures::nvcc_flags() const {
  std::vector<std::string> flags;
  if (!portable.empty()) {
    // One virtual architecture, so nvcc's front end runs once and ptxas
    // once per GPU; the PTX itself is embedded too (code=compute_NN).
    std::string codes;
    for (unsigned arch : portable)
      codes += fmt::format("sm_{},", arch);
    flags.push_back(fmt::format("-gencode=arch=compute_{0},code=[{1}compute_{0}]", portable.front(), codes));
  }
  for (const std::string &arch : specific)
    flags.push_back(fmt::format("-gencode=arch=compute_{0},code={1}", arch.substr(3), arch));
  return flags;
}

std::string CudaArchitectures::ptx_flag() const {
  return "-arch=compute_" + (portable.empty() ? specific.front().substr(3) : std::to_string(portable.front()));
}

} // namespace snn::cuda
