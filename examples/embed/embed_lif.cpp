//===- examples/embed/embed_lif.cpp - Embedding libsnnc --------------------===//
//
// Compiles a model from a string, runs it in process (JIT), and reads a
// state variable: what an embedding program does in a few lines.
//
//===----------------------------------------------------------------------===//
#include "snn/Compiler.h"

#include <iostream>

int main() {
  const char *source = R"(
import std.neurons.LIF
network Demo {
  population cells = LIF(i_offset: 15 mV, t_ref: 2 ms) x 4
}
simulate Demo { dt = 0.1 ms; duration = 100 ms }
)";
  snn::Compilation c = snn::compile_source(source, "demo.snn");
  std::cerr << c.rendered_diagnostics();
  auto model = c.jit();
  if (!model)
    return 1;
  snn::rt::Simulation sim = model->simulation(1);
  sim.init();
  sim.advance(1000);
  std::cout << "after " << sim.time() * 1e3 << " ms: " << sim.spike_count("cells")
            << " spikes, v[0] = " << sim.read("cells", "v")[0] * 1e3 << " mV\n";
  return 0;
}
