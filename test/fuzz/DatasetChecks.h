//===- test/fuzz/DatasetChecks.h - What a data set read must hold -*- C++ -*-===//
//
// A reader either throws snn::rt::Error or returns a data set that the
// training loop can index without further checks; these are those checks.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ScratchFile.h"
#include "runtime/lib/Dataset.h"

#include <cmath>

namespace snn::fuzz {

/// Aborts unless `data` is consistent: `features` values per example, all
/// finite, labels below `classes`.
inline void check_dense(const char *target, const rt::DenseDataset &data, uint32_t classes) {
  if (data.values.size() != data.size() * data.features)
    broken(target, "dense data set: values are not examples x features");
  for (double v : data.values)
    if (!std::isfinite(v))
      broken(target, "dense data set: a non-finite feature was accepted");
  for (uint32_t label : data.labels)
    if (label >= classes)
      broken(target, "dense data set: a label not below the class count was accepted");
}

/// Aborts unless `data` is consistent: offsets from 0 to the spike count,
/// non-decreasing; times finite and >= 0; unit ids below `units`; labels
/// below `classes`.
inline void check_events(const char *target, const rt::EventDataset &data, uint32_t units, uint32_t classes) {
  if (data.offsets.size() != data.labels.size() + 1 || data.offsets.front() != 0 ||
      data.offsets.back() != data.times.size() || data.times.size() != data.unit_ids.size())
    broken(target, "event data set: offsets, times and units disagree");
  for (std::size_t e = 0; e + 1 < data.offsets.size(); ++e)
    if (data.offsets[e] > data.offsets[e + 1])
      broken(target, "event data set: decreasing offsets were accepted");
  for (double t : data.times)
    if (!std::isfinite(t) || t < 0)
      broken(target, "event data set: a negative or non-finite time was accepted");
  for (uint32_t u : data.unit_ids)
    if (u >= units)
      broken(target, "event data set: a unit id not below the input size was accepted");
  for (uint32_t label : data.labels)
    if (label >= classes)
      broken(target, "event data set: a label not below the class count was accepted");
}

} // namespace snn::fuzz
