//===- ProgramLookup.h - Finding a Program's parts by name ------*- C++ -*-===//
#pragma once

#include "lower/Program.h"

#include <gtest/gtest.h>

#include <string>

namespace snn::test {

/// The index of the buffer called `name`; a test failure and -1 if none.
inline int buffer_named(const lower::Program &p, const std::string &name) {
  for (size_t k = 0; k < p.buffers.size(); ++k)
    if (p.buffers[k].name == name)
      return int(k);
  ADD_FAILURE() << "no buffer " << name;
  return -1;
}

} // namespace snn::test
