//===- test/unit/lower/PrinterTest.cpp - lower::to_string and memory ------===//
//
// The printout is deterministic, and its memory table states each buffer's
// bytes and the total, which this test recomputes from extents, element
// sizes and the batch.
//
//===----------------------------------------------------------------------===//
#include "TestNetwork.h"

#include "lower/Printer.h"
#include "lower/Schedule.h"

#include <gtest/gtest.h>

#include <sstream>

namespace snn::test {
namespace {

using lower::ElemType;
using lower::Program;

/// Bytes of one element (Bits are handled by the caller).
uint64_t element_size(ElemType type) {
  switch (type) {
  case ElemType::F64:
    return 8;
  case ElemType::U8:
    return 1;
  default:
    return 4;
  }
}

/// Bytes of buffer `b` for `batch` examples, recomputed here.
uint64_t expected_bytes(const lower::Buffer &b, uint32_t batch) {
  uint64_t copies = b.batch == lower::BatchAxis::PerExample ? batch : 1;
  if (b.type == ElemType::Bits)
    return copies * 4 * ((b.extent + 31) / 32);
  return copies * b.extent * element_size(b.type);
}

/// The lines of `text`.
std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// The last whitespace-separated word of `line`.
std::string last_word(const std::string &line) {
  size_t end = line.find_last_not_of(' ');
  size_t begin = line.find_last_of(' ', end);
  return line.substr(begin + 1, end - begin);
}

/// The bytes the memory table `text` gives buffer `index` (named `name`).
std::string printed_bytes(const std::string &text, size_t index, const std::string &name) {
  std::string prefix = "%" + std::to_string(index) + "  " + name + " ";
  for (const std::string &line : lines(text))
    if (line.find(prefix) != std::string::npos)
      return last_word(line);
  return "<no line for " + name + ">";
}

TEST(Printer, TwoSchedulesOfOneModulePrintIdentically) {
  Program a = lower::schedule(test_network(), lower::ScheduleOptions{});
  Program b = lower::schedule(test_network(), lower::ScheduleOptions{});
  std::string text = lower::to_string(a);
  EXPECT_EQ(text, lower::to_string(b));
  for (const char *part : {"program net {", "real = f32", "batch = 3", "entry init {", "entry reset_example {",
                           "entry step {", "kernel update.Leaky over neurons(size) x batch {", "launch deliver"})
    EXPECT_NE(text.find(part), std::string::npos) << part << " in\n" << text;
  // The printout does tell different Programs apart.
  ir::Module other = test_network();
  other.regime.seed = 6;
  EXPECT_NE(lower::to_string(lower::schedule(other, lower::ScheduleOptions{})), text);
}

TEST(Printer, MemoryTableGivesEachBuffersBytesAndTheTotal) {
  for (bool dp : {false, true}) {
    lower::ScheduleOptions options;
    options.double_precision = dp;
    const uint32_t batch = 3;
    Program p = lower::schedule(test_network(batch), options);
    std::string text = lower::to_string(p);
    uint64_t total = 0;
    for (size_t k = 0; k < p.buffers.size(); ++k) {
      uint64_t bytes = expected_bytes(p.buffers[k], batch);
      EXPECT_EQ(printed_bytes(text, k, p.buffers[k].name), std::to_string(bytes)) << p.buffers[k].name;
      total += bytes;
    }
    EXPECT_NE(text.find("total " + std::to_string(total) + " bytes"), std::string::npos) << text;
    EXPECT_EQ(p.total_bytes(batch), total);

    // exc.v: 8 neurons x 3 examples of f32 (f64); the recurrent weights are
    // shared: round(0.25 * 8 * 7) = 14 synapses, whatever the batch.
    size_t real = dp ? 8 : 4;
    EXPECT_EQ(printed_bytes(text, 0, "exc.v"), std::to_string(8 * batch * real));
    for (size_t k = 0; k < p.buffers.size(); ++k)
      if (p.buffers[k].name == "exc -> exc.v.weight") {
        EXPECT_EQ(p.buffers[k].extent, 14u);
        EXPECT_EQ(printed_bytes(text, k, "exc -> exc.v.weight"), std::to_string(14 * real));
      }
    EXPECT_NE(text.find("~14"), std::string::npos) << "random connectivity is an estimate";

    // Another batch: per-example buffers scale, shared ones do not.
    uint64_t per_example = 0, shared = 0;
    for (const lower::Buffer &b : p.buffers)
      (b.batch == lower::BatchAxis::PerExample ? per_example : shared) += expected_bytes(b, 1);
    std::string report = lower::memory_report(p, 10);
    EXPECT_NE(report.find("total " + std::to_string(10 * per_example + shared) + " bytes"), std::string::npos)
        << report;
    EXPECT_NE(report.find("for a batch of 10"), std::string::npos) << report;
  }
}

TEST(Printer, BitBuffersTakeWholeWords) {
  Program p;
  p.buffers.push_back({"flags",
                       ElemType::Bits,
                       {lower::ScopeKind::Global, -1},
                       lower::BatchAxis::PerExample,
                       lower::BufferRole::State,
                       "",
                       70,
                       false});
  // 70 bits: 3 words of 4 bytes per example.
  EXPECT_EQ(p.bytes(0, 2), 24u);
  EXPECT_EQ(printed_bytes(lower::memory_report(p, 2), 0, "flags"), "24");
}

TEST(Printer, HumanBytes) {
  EXPECT_EQ(lower::human_bytes(1023), "1023 B");
  EXPECT_EQ(lower::human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(lower::human_bytes(3u << 20), "3.0 MiB");
  EXPECT_EQ(lower::human_bytes(uint64_t(5) << 30), "5.0 GiB");
}

} // namespace
} // namespace snn::test
