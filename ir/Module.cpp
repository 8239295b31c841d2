//===- ir/Module.cpp - The model IR ---------------------------------------===//
#include "ir/Module.h"

namespace snn::ir {

namespace {
template <typename T> const T *find_named(const std::vector<T> &v, const std::string &n) {
  for (const T &x : v)
    if (x.name == n)
      return &x;
  return nullptr;
}
template <typename T> int index_named(const std::vector<T> &v, const std::string &n) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == n)
      return static_cast<int>(i);
  return -1;
}
} // namespace

const char *name_of(IntegrationMethod m) {
  switch (m) {
  case IntegrationMethod::Auto:
    return "auto";
  case IntegrationMethod::Exact:
    return "exact";
  case IntegrationMethod::Euler:
    return "euler";
  case IntegrationMethod::RK4:
    return "rk4";
  }
  return "?";
}

const char *name_of(ConnectivityKind k) {
  switch (k) {
  case ConnectivityKind::Dense:
    return "dense";
  case ConnectivityKind::FixedProbability:
    return "fixed_probability";
  case ConnectivityKind::OneToOne:
    return "one_to_one";
  }
  return "?";
}

const Parameter *NeuronModel::find_param(const std::string &n) const { return find_named(params, n); }
const StateVar *NeuronModel::find_state(const std::string &n) const { return find_named(states, n); }
const InputVar *NeuronModel::find_input(const std::string &n) const { return find_named(inputs, n); }
int NeuronModel::state_index(const std::string &n) const { return index_named(states, n); }
int NeuronModel::input_index(const std::string &n) const { return index_named(inputs, n); }

const Population *Network::find_population(const std::string &n) const { return find_named(populations, n); }
int Network::population_index(const std::string &n) const { return index_named(populations, n); }

NeuronModel *Module::find_model(const std::string &n) {
  for (auto &m : models)
    if (m.name == n)
      return &m;
  return nullptr;
}
const NeuronModel *Module::find_model(const std::string &n) const { return find_named(models, n); }

} // namespace snn::ir
