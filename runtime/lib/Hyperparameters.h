//===- Hyperparameters.h - A run's hyperparameter values --------*- C++ -*-===//
//
// The values of a training model's hyperparameters (snn_hyper_desc): the
// regime's, replaced by `--NAME VALUE` options, each checked against its
// range with a message that names the option. The kernels read them from
// the `hyper` buffer; the training loop reads the host-side ones by name.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_HYPERPARAMETERS_H
#define SNN_RUNTIME_HYPERPARAMETERS_H

#include "snn/model_abi.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

class Hyperparameters {
public:
  /// The regime's values, then `overrides` (option name -> text). Throws
  /// Error for an unknown name (with a suggestion) or a bad value.
  Hyperparameters(const snn_training_desc &training, const std::map<std::string, std::string> &overrides);

  /// The value of `name`; throws an internal Error if the model has none.
  double get(std::string_view name) const;
  /// Whether the model has a hyperparameter `name`.
  bool has(std::string_view name) const;
  const std::vector<double> &values() const { return values_; }

  /// Writes every value into the model's `hyper` buffer.
  void store(snn_state &state, const snn_model_desc &model) const;

private:
  const snn_training_desc &training_;
  std::vector<double> values_;
};

/// Parses `text` as the value of hyperparameter `desc`: a number (or true /
/// false for a flag) within its range. Throws Error naming `--NAME`.
double parse_hyper(const snn_hyper_desc &desc, std::string_view text);

/// The range of `desc` as text, e.g. "from 0 to 1 (excluded)".
std::string hyper_range(const snn_hyper_desc &desc);

/// `value` as the command line writes it (true/false for flags, %g else).
std::string hyper_text(const snn_hyper_desc &desc, double value);

} // namespace snn::rt

#endif // SNN_RUNTIME_HYPERPARAMETERS_H
