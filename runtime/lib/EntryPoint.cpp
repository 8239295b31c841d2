//===- EntryPoint.cpp - Calling a model's entry points --------------------===//
#include "EntryPoint.h"

#include "ModelDescription.h"
#include "snn/runtime.h"

#include <string>

namespace snn::rt {

EntryPoint::EntryPoint(const snn_model_desc &model, std::string_view name, ExampleThreads *threads)
    : fn_(find_entry(model, name)), device_(model.device) {
  if (!fn_)
    throw Error::internal("the model has no '" + std::string(name) + "' entry point");
  for (uint32_t e = 0; e < model.num_entries; ++e)
    if (model.entries[e].name == name) {
      name_ = model.entries[e].name;
      if ((model.entries[e].flags & SNN_ENTRY_BATCH_SEPARABLE) && !device_)
        threads_ = threads;
    }
}

void EntryPoint::operator()(snn_state *state, uint64_t step) const {
  queue(state, step);
  wait();
}

void EntryPoint::queue(snn_state *state, uint64_t step) const {
  if (threads_ && threads_->threads() > 1)
    threads_->run(fn_, state, step);
  else
    fn_(state, step);
}

void EntryPoint::wait(const std::string &where) const {
  if (!device_)
    return;
  char message[512] = "";
  if (device_->finish(message, sizeof message) != 0)
    throw Error("the " + std::string(device_->name) + " device failed in entry point '" + name_ + "'" +
                (where.empty() ? "" : " " + where) + ": " + message);
}

} // namespace snn::rt
