//===- StateFiles.cpp - `init p.v = load(...)` at run time ----------------===//

#include "StateFiles.h"

#include "ModelDescription.h"
#include "Npz.h"
#include "PretrainedWeights.h"
#include "QuotedText.h"

#include <fmt/format.h>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>

namespace snn::rt {

std::vector<LoadedState> read_state_files(const snn_model_desc &model) {
  std::vector<LoadedState> out;
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    for (uint32_t k = 0; k < population.num_state_vars; ++k) {
      const snn_variable_desc &var = population.state_vars[k];
      if (!var.file)
        continue;
      std::string path = var.file;
      std::string which = var.array ? "array '" + quoted_text(var.array) + "'" : std::string("the array");
      std::string context =
          "cannot load the values of '" + std::string(population.name) + "." + std::string(var.name) + "': ";
      try {
        NpyArray array = read_npy_array(path, var.array, which);
        if (array.type != NpyType::F64 && array.type != NpyType::F32)
          throw Error(which + " has dtype " + array.type_name() + "; values must be float64 or float32");
        std::vector<uint64_t> expected = {population.size};
        if (array.shape != expected)
          throw Error(which + " has shape " + shape_text(array.shape) + ", expected [" +
                      std::to_string(population.size) + "] (one value per neuron)");
        LoadedState state{var.buffer, population.size, array.to_doubles()};
        for (uint64_t n = 0; n < state.values.size(); ++n) {
          double value = state.values[n];
          bool finite = std::isfinite(value), fits = model.real_size != 4 || std::fabs(value) <= double(FLT_MAX);
          if (finite && fits)
            continue;
          throw Error(which + fmt::format(": element {} is {:g}", n, value) +
                      (finite ? ", beyond float32, the model's real type" : ", not a finite number"));
        }
        out.push_back(std::move(state));
      } catch (const Error &e) {
        if (e.kind() != Error::Kind::User)
          throw;
        throw Error(path, context + e.message());
      }
    }
  }
  return out;
}

void apply_state_files(const snn_model_desc &model, const std::vector<LoadedState> &states, void *const *buffers,
                       uint32_t batch) {
  for (const LoadedState &state : states) {
    uint32_t type = model.buffers[state.buffer].type;
    for (uint32_t example = 0; example < batch; ++example)
      for (uint32_t n = 0; n < state.size; ++n)
        store_element(buffers[state.buffer], type, uint64_t(example) * state.size + n, state.values[n]);
  }
}

} // namespace snn::rt
