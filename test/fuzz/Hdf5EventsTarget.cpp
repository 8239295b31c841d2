//===- test/fuzz/Hdf5EventsTarget.cpp - libFuzzer: HDF5 event data sets ---===//
//
// Structure-aware: the input is not the file's bytes but a description of
// one, which this target writes with libhdf5 and then reads with
// read_events(".h5"). The description chooses, for each of `spikes/times`,
// `spikes/units` and `labels`: absent, of the wrong shape (2-D, scalar or a
// string), or a dataset of any numeric element type, with any number of
// examples, sequence lengths and values (NaN, negative, huge). So the fuzzer
// explores the reader's checks rather than libhdf5's parser of file bytes,
// which is libhdf5's to fuzz (Dataset.h documents that corrupt bytes inside
// a file can crash libhdf5 1.10).
//
//===----------------------------------------------------------------------===//
#include "DatasetChecks.h"
#include "ScratchFile.h"
#include "snn/runtime.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <cstdint>
#include <vector>

using namespace snn;

namespace {
constexpr const char *kTarget = "hdf5-events";

/// A numeric HDF5 type and a way to draw one value of it.
struct ElementType {
  hid_t type;
  std::size_t bytes;
};
const ElementType kTypes[] = {{H5T_NATIVE_DOUBLE, 8}, {H5T_NATIVE_FLOAT, 4}, {H5T_NATIVE_INT64, 8},
                              {H5T_NATIVE_UINT64, 8}, {H5T_NATIVE_INT32, 4}, {H5T_NATIVE_UINT32, 4},
                              {H5T_NATIVE_INT8, 1},   {H5T_NATIVE_UINT8, 1}, {H5T_NATIVE_UINT16, 2}};

/// `count` values of `type` as raw bytes, drawn so that small and special
/// values (0, 1, NaN, -1) are common.
std::vector<uint8_t> draw_values(FuzzedDataProvider &in, const ElementType &type, std::size_t count) {
  std::vector<uint8_t> bytes(count * type.bytes);
  for (std::size_t i = 0; i < count; ++i) {
    uint8_t *at = bytes.data() + i * type.bytes;
    if (type.type == H5T_NATIVE_DOUBLE) {
      double v =
          in.ConsumeBool() ? double(in.ConsumeIntegralInRange<int>(-2, 70)) / 8 : in.ConsumeFloatingPoint<double>();
      std::memcpy(at, &v, 8);
    } else if (type.type == H5T_NATIVE_FLOAT) {
      float v = in.ConsumeBool() ? float(in.ConsumeIntegralInRange<int>(-2, 70)) / 8 : in.ConsumeFloatingPoint<float>();
      std::memcpy(at, &v, 4);
    } else {
      uint64_t v =
          in.ConsumeBool() ? uint64_t(in.ConsumeIntegralInRange<int64_t>(-1, 70)) : in.ConsumeIntegral<uint64_t>();
      std::memcpy(at, &v, type.bytes); // little-endian: the low bytes
    }
  }
  return bytes;
}

/// Writes dataset `name` into `file` as the input describes.
void write_dataset(FuzzedDataProvider &in, hid_t file, const char *name, bool sequences) {
  enum Shape { Absent, Proper, Sequences, Flat, TwoD, Scalar, Text };
  Shape shape = Shape(in.ConsumeIntegralInRange<int>(0, 6));
  if (shape == Proper)
    shape = sequences ? Sequences : Flat;
  if (shape == Absent)
    return;
  const ElementType &type = kTypes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kTypes) - 1)];
  hsize_t examples = in.ConsumeIntegralInRange<hsize_t>(0, 6);
  hid_t space = -1, memory = -1, stored = -1;
  std::vector<std::vector<uint8_t>> rows;
  std::vector<hvl_t> sequences_in;
  std::vector<uint8_t> flat;
  const void *buffer = nullptr;
  switch (shape) {
  case Sequences:
    space = H5Screate_simple(1, &examples, nullptr);
    memory = H5Tvlen_create(type.type);
    stored = H5Tcopy(memory);
    for (hsize_t e = 0; e < examples; ++e)
      rows.push_back(draw_values(in, type, in.ConsumeIntegralInRange<std::size_t>(0, 8)));
    for (auto &row : rows)
      sequences_in.push_back({row.size() / type.bytes, row.data()});
    buffer = sequences_in.data();
    break;
  case Flat:
  case TwoD: {
    hsize_t dims[2] = {examples, 2};
    space = H5Screate_simple(shape == Flat ? 1 : 2, dims, nullptr);
    memory = H5Tcopy(type.type);
    stored = H5Tcopy(type.type);
    flat = draw_values(in, type, std::size_t(examples) * (shape == Flat ? 1 : 2));
    buffer = flat.data();
    break;
  }
  case Scalar:
    space = H5Screate(H5S_SCALAR);
    memory = H5Tcopy(type.type);
    stored = H5Tcopy(type.type);
    flat = draw_values(in, type, 1);
    buffer = flat.data();
    break;
  default: { // Text: a fixed-length string
    space = H5Screate(H5S_SCALAR);
    memory = H5Tcopy(H5T_C_S1);
    H5Tset_size(memory, 4);
    stored = H5Tcopy(memory);
    flat = {'1', '2', '3', 0};
    buffer = flat.data();
    break;
  }
  }
  hid_t set = H5Dcreate2(file, name, stored, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (set < 0 ||
      (examples > 0 || shape == Scalar || shape == Text ? H5Dwrite(set, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer)
                                                        : 0) < 0)
    fuzz::broken(kTarget, std::string("libhdf5 could not write '") + name + "'");
  H5Dclose(set);
  H5Tclose(stored);
  H5Tclose(memory);
  H5Sclose(space);
}

std::string write_file(FuzzedDataProvider &in) {
  std::string path = fuzz::scratch_directory() + "/data.h5";
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    fuzz::broken(kTarget, "libhdf5 could not create " + path);
  if (in.ConsumeBool()) { // else 'spikes' is missing as a group
    hid_t group = H5Gcreate2(file, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    write_dataset(in, file, "spikes/times", true);
    write_dataset(in, file, "spikes/units", true);
    H5Gclose(group);
  }
  write_dataset(in, file, "labels", false);
  H5Fclose(file);
  return path;
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // the writer's expected failures stay quiet
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  uint32_t units = in.ConsumeIntegralInRange<uint32_t>(1, 100);
  uint32_t classes = in.ConsumeIntegralInRange<uint32_t>(1, 12);
  std::string path = write_file(in);
  try {
    fuzz::check_events(kTarget, rt::read_events(path, units, classes), units, classes);
  } catch (const rt::Error &e) {
    if (e.kind() != rt::Error::Kind::User)
      fuzz::broken(kTarget, std::string("an internal error: ") + e.what());
  }
  return 0;
}
