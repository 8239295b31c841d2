//===- Hyperparameters.cpp - A run's hyperparameter values ----------------===//

#include "Hyperparameters.h"

#include "ModelDescription.h"
#include "PretrainedWeights.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>

namespace snn::rt {

std::string hyper_range(const snn_hyper_desc &d) {
  if (d.flags & SNN_HYPER_BOOLEAN)
    return "true or false";
  std::string kind = (d.flags & SNN_HYPER_INTEGER) ? "an integer " : "a number ";
  if (std::isinf(d.max) && std::isinf(d.min))
    return kind.substr(0, kind.size() - 1);
  // Counts bounded only by their 32-bit storage read as unbounded.
  if (std::isinf(d.max) || ((d.flags & SNN_HYPER_INTEGER) && d.max >= 4294967295.0))
    return kind + ((d.flags & SNN_HYPER_MIN_OPEN) ? "> " : ">= ") + fmt::format("{:g}", d.min);
  return kind + "from " + fmt::format("{:g}", d.min) + ((d.flags & SNN_HYPER_MIN_OPEN) ? " (excluded)" : "") + " to " +
         fmt::format("{:g}", d.max) + ((d.flags & SNN_HYPER_MAX_OPEN) ? " (excluded)" : "");
}

std::string hyper_text(const snn_hyper_desc &d, double value) {
  if (d.flags & SNN_HYPER_BOOLEAN)
    return value != 0 ? "true" : "false";
  return fmt::format("{:g}", value);
}

double parse_hyper(const snn_hyper_desc &d, std::string_view text) {
  std::string option = std::string("--") + d.name;
  auto bad = [&]() { return Error(option + ": expected " + hyper_range(d) + ", found '" + std::string(text) + "'"); };
  if (d.flags & SNN_HYPER_BOOLEAN) {
    if (text == "true" || text == "1")
      return 1;
    if (text == "false" || text == "0")
      return 0;
    throw bad();
  }
  std::string copy(text);
  if (copy.empty() || std::isspace(static_cast<unsigned char>(copy[0])))
    throw bad();
  errno = 0;
  char *end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v) || errno == ERANGE)
    throw bad();
  bool ok = v >= d.min && v <= d.max && !((d.flags & SNN_HYPER_MIN_OPEN) && v == d.min) &&
            !((d.flags & SNN_HYPER_MAX_OPEN) && v == d.max) && (!(d.flags & SNN_HYPER_INTEGER) || v == std::floor(v));
  if (!ok)
    throw bad();
  return v;
}

Hyperparameters::Hyperparameters(const snn_training_desc &training, const std::map<std::string, std::string> &overrides)
    : training_(training) {
  for (uint32_t i = 0; i < training.num_hypers; ++i)
    values_.push_back(training.hypers[i].value);
  for (const auto &[name, text] : overrides) {
    uint32_t found = training.num_hypers;
    std::vector<std::string> names;
    for (uint32_t i = 0; i < training.num_hypers; ++i) {
      if (name == training.hypers[i].name)
        found = i;
      names.push_back(training.hypers[i].name);
    }
    std::string best = closest_array_name(name, names);
    if (found == training.num_hypers)
      throw Error("unknown option '--" + name + "'" + (best.empty() ? "" : "; did you mean '--" + best + "'?") +
                  " (--help lists the options)");
    values_[found] = parse_hyper(training.hypers[found], text);
  }
}

bool Hyperparameters::has(std::string_view name) const {
  for (uint32_t i = 0; i < training_.num_hypers; ++i)
    if (name == training_.hypers[i].name)
      return true;
  return false;
}

double Hyperparameters::get(std::string_view name) const {
  for (uint32_t i = 0; i < training_.num_hypers; ++i)
    if (name == training_.hypers[i].name)
      return values_[i];
  throw Error::internal("the model has no hyperparameter '" + std::string(name) + "'");
}

void Hyperparameters::store(snn_state &state, const snn_model_desc &model) const {
  uint32_t type = model.buffers[training_.hyper].type;
  for (std::size_t i = 0; i < values_.size(); ++i)
    store_element(state.buffers[training_.hyper], type, i, values_[i]);
}

} // namespace snn::rt
