//===- TestNetwork.h - The test model, ready to run -------------*- C++ -*-===//
//
// Copies a descriptor of TestModel.h so a test can point its stimulus and
// records at a scratch directory, and writes the stimulus file whose spikes
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
        records_(base->records, base->records + base->num_records) {
    stimuli_.push_back({0, stimulus_path_.c_str()});
    desc_.stimuli = stimuli_.data();
    desc_.num_stimuli = 1;
    sync_records();
  }
  TestNetwork(const TestNetwork &) = delete;
  TestNetwork &operator=(const TestNetwork &) = delete;

  /// The records, to edit; the descriptor follows the edits.
  std::vector<snn_record_desc> &records() { return records_; }
  snn_model_desc &desc() {
    sync_records();
    return desc_;
  }
  const std::string &stimulus_path() const { return stimulus_path_; }

private:
  void sync_records() {
    desc_.records = records_.data();
    desc_.num_records = uint32_t(records_.size());
  }
  snn_model_desc desc_;
  std::string stimulus_path_;
  std::vector<snn_stimulus_desc> stimuli_;
  std::vector<snn_record_desc> records_;
};

} // namespace snn::rt::test

#endif // SNN_TEST_RUNTIME_TESTNETWORK_H
