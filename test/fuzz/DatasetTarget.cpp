//===- test/fuzz/DatasetTarget.cpp - libFuzzer: data set and stimulus files -===//
//
// The first byte chooses a reader, the rest is the file:
//   0  dense CSV text            parse_dense_csv
//   1  gzip-compressed CSV       read_dense(".csv.gz")
//   2  dense NPZ (x, y)          read_dense(".npz")
//   3  event NPZ                 read_events(".npz")
//   4  NPY features + NPY labels read_dense_npy; the second byte splits the
//                                rest into the two files
//   5  spike-times CSV           parse_spike_times (a stimulus file)
// Each either throws snn::rt::Error or returns data that passes the checks
// of DatasetChecks.h; anything else (another exception, a crash, a sanitizer
// report, a read past the input limit) stops the run.
//
//===----------------------------------------------------------------------===//
#include "DatasetChecks.h"
#include "ScratchFile.h"
#include "runtime/lib/Stimulus.h"
#include "snn/runtime.h"

#include <cstdint>
#include <string_view>

using namespace snn;

namespace {
constexpr const char *kTarget = "dataset";
constexpr uint32_t kClasses = 10;
constexpr uint32_t kUnits = 64;

void read(uint8_t format, std::string_view file) {
  switch (format % 6) {
  case 0:
    fuzz::check_dense(kTarget, rt::parse_dense_csv(file, "fuzz.csv", kClasses), kClasses);
    break;
  case 1:
    fuzz::check_dense(kTarget, rt::read_dense(fuzz::write_scratch_file("data.csv.gz", file), kClasses), kClasses);
    break;
  case 2:
    fuzz::check_dense(kTarget, rt::read_dense(fuzz::write_scratch_file("data.npz", file), kClasses), kClasses);
    break;
  case 3:
    fuzz::check_events(kTarget, rt::read_events(fuzz::write_scratch_file("data.npz", file), kUnits, kClasses), kUnits,
                       kClasses);
    break;
  case 4: {
    std::size_t split = file.empty() ? 0 : std::size_t(uint8_t(file[0])) * file.size() / 256;
    std::string_view rest = file.substr(file.empty() ? 0 : 1);
    split = std::min(split, rest.size());
    std::string features = fuzz::write_scratch_file("x.npy", rest.substr(0, split));
    std::string labels = fuzz::write_scratch_file("y.npy", rest.substr(split));
    fuzz::check_dense(kTarget, rt::read_dense_npy(features, labels, kClasses), kClasses);
    break;
  }
  case 5:
    for (const rt::SpikeEvent &e : rt::parse_spike_times(file, "fuzz.csv", "input", kUnits))
      if (e.neuron >= kUnits || !(e.time >= 0) || !std::isfinite(e.time))
        fuzz::broken(kTarget, "spike times: an event outside the population or not a finite time >= 0");
    break;
  }
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // Bounded as an executable run with --max-input-bytes 1048576 would be, so
  // a size field that claims gigabytes is refused rather than allocated.
  rt::set_max_input_bytes(1 << 20);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view file(reinterpret_cast<const char *>(data) + 1, size - 1);
  try {
    read(data[0], file);
  } catch (const rt::Error &e) {
    if (e.kind() != rt::Error::Kind::User)
      fuzz::broken(kTarget, std::string("an internal error: ") + e.what());
  }
  return 0;
}
