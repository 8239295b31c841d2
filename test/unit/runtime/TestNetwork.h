//===- TestNetwork.h - The test model, ready to run -------------*- C++ -*-===//
//
// Copies a descriptor of TestModel.h so a test can point its stimulus and
// records at a scratch directory or break its tables, and writes the stimulus file whose spikes
// the tests' hand-computed expectations assume (see TestModel.h):
//   in[0] at steps 0, 1, 2        -> spikes in step 2
//   in[1] at steps 1, 5           -> never spikes (v ends at 0.75)
//   in[2] at steps 0..5           -> spikes in steps 2 and 5
//   out[0], out[1] get 2 * 0.75 from step 2 -> both spike in step 3
//
//===----------------------------------------------------------------------===//
#ifndef SNN_TEST_RUNTIME_TESTNETWORK_H
#define SNN_TEST_RUNTIME_TESTNETWORK_H

#include "TestEnvironment.h"
#include "TestModel.h"

#include <string>
#include <vector>

namespace snn::rt::test {

/// The stimulus of the test model. 0.003 / 0.001 is 2.9999999999999996 in
/// floating point: it must still land in step 3.
inline const char *test_stimulus() {
  return "time,neuron\n"
         "# neuron 0: three spikes\n"
         "0,0\n0.001,0\n0.002,0\n"
         "0.001,1\n0.005,1\n"
         "0,2\n0.001,2\n0.002,2\n0.003,2\n0.004,2\n0.005,2\n";
}

class TestNetwork {
public:
  /// `base` is snn_test_model_f64() or snn_test_model_f32(); the stimulus
  /// file is written into `directory`.
  TestNetwork(const snn_model_desc *base, const ScratchDirectory &directory)
      : desc_(*base), stimulus_path_(directory.write("stimulus.csv", test_stimulus())),
        records_(base->records, base->records + base->num_records),
        buffers_(base->buffers, base->buffers + base->num_buffers),
        populations_(base->populations, base->populations + base->num_populations),
        entries_(base->entries, base->entries + base->num_entries) {
    stimuli_.push_back({0, stimulus_path_.c_str()});
    desc_.stimuli = stimuli_.data();
    desc_.num_stimuli = 1;
    sync();
  }
  TestNetwork(const TestNetwork &) = delete;
  TestNetwork &operator=(const TestNetwork &) = delete;

  /// The tables, to edit; the descriptor follows the edits.
  std::vector<snn_record_desc> &records() { return records_; }
  std::vector<snn_buffer_desc> &buffers() { return buffers_; }
  std::vector<snn_population_desc> &populations() { return populations_; }
  std::vector<snn_entry_desc> &entries() { return entries_; }
  snn_model_desc &desc() {
    sync();
    return desc_;
  }
  const std::string &stimulus_path() const { return stimulus_path_; }

private:
  void sync() {
    desc_.records = records_.data();
    desc_.num_records = uint32_t(records_.size());
    desc_.buffers = buffers_.data();
    desc_.num_buffers = uint32_t(buffers_.size());
    desc_.populations = populations_.data();
    desc_.num_populations = uint32_t(populations_.size());
    desc_.entries = entries_.data();
    desc_.num_entries = uint32_t(entries_.size());
  }
  snn_model_desc desc_;
  std::string stimulus_path_;
  std::vector<snn_stimulus_desc> stimuli_;
  std::vector<snn_record_desc> records_;
  std::vector<snn_buffer_desc> buffers_;
  std::vector<snn_population_desc> populations_;
  std::vector<snn_entry_desc> entries_;
};

} // namespace snn::rt::test

#endif // SNN_TEST_RUNTIME_TESTNETWORK_H
