//===- DatasetTest.cpp - Dense and event data sets, read back -------------===//
//
// Files are written here (CSV text, gzip through zlib, NPY/NPZ through numpy,
// HDF5 through h5py) from closed-form values, read with the runtime and
// compared element by element against the same formulas.
//
//===----------------------------------------------------------------------===//

#include "Dataset.h"

#include "Npz.h"
#include "NpzReader.h"
#include "TestEnvironment.h"
#include "TestHelpers.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include <zlib.h>

namespace snn::rt {
namespace {

using test::error_of;

/// Runs a python script with argv[1] = `path`, argv[2] = `mode`.
void run_python(const std::string &script, const std::string &path, const std::string &mode = "ok") {
  test::CommandResult result = test::run_shell(std::string(test::python()) + " -c " + test::shell_quote(script) + " " +
                                               test::shell_quote(path) + " " + mode + " 2>&1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

bool python_has_h5py() {
  static const bool has =
      test::run_shell(std::string(test::python()) + " -c 'import h5py, numpy' 2>/dev/null").exit_code == 0;
  return has;
}

/// Expects `body` to throw an Error whose what() contains every one of
/// `parts`.
template <typename Body> void expect_error(Body body, std::initializer_list<std::string> parts) {
  Error error = error_of(body);
  for (const std::string &part : parts)
    EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
        << "missing '" << part << "' in: " << error.what();
  EXPECT_EQ(error.exit_code(), 1) << error.what();
}

std::string gzip(const std::string &text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, uLong(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
  stream.avail_in = uInt(text.size());
  stream.next_out = reinterpret_cast<Bytef *>(out.data());
  stream.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// ---------------------------------------------------------------- CSV

/// Feature j of example i in the generated dense sets: multiples of 0.5
/// (exact in float32) from 0 to 8.
double dense_value(std::size_t i, std::size_t j) { return double((i * 7 + j * 3) % 17) * 0.5; }
uint32_t dense_label(std::size_t i) { return uint32_t(i % 4); }

std::string dense_csv(std::size_t examples, std::size_t features) {
  std::string text;
  for (std::size_t i = 0; i < examples; ++i) {
    for (std::size_t j = 0; j < features; ++j)
      text += std::to_string(dense_value(i, j)) + ",";
    text += std::to_string(dense_label(i)) + "\n";
    if (i % 3 == 1)
      text += "\n  \n"; // blank lines are skipped
  }
  return text;
}

void expect_dense(const DenseDataset &data, std::size_t examples, std::size_t features) {
  ASSERT_EQ(data.size(), examples);
  ASSERT_EQ(data.features, features);
  ASSERT_EQ(data.values.size(), examples * features);
  for (std::size_t i = 0; i < examples; ++i) {
    EXPECT_EQ(data.labels[i], dense_label(i)) << "example " << i;
    for (std::size_t j = 0; j < features; ++j)
      EXPECT_EQ(data.row(i)[j], dense_value(i, j)) << "example " << i << " feature " << j;
  }
}

TEST(DenseCsv, ReadsEveryValueAndLabel) {
  test::ScratchDirectory dir;
  std::string path = dir.write("d.csv", dense_csv(13, 5));
  expect_dense(read_dense(path, 4), 13, 5);
  // Spaces around fields, CRLF line ends, a label written as 3.0.
  DenseDataset data = parse_dense_csv(" 1.5 , -2e-3,3.0\r\n\r\n4,5,0\r\n", "t.csv", 4);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data.values, (std::vector<double>{1.5, -2e-3, 4, 5}));
  EXPECT_EQ(data.labels, (std::vector<uint32_t>{3, 0}));
}

TEST(DenseCsv, GzipRoundTripAndConcatenatedMembers) {
  test::ScratchDirectory dir;
  std::string text = dense_csv(40, 9);
  std::string path = dir.write("d.csv.gz", gzip(text));
  expect_dense(read_dense(path, 4), 40, 9);
  std::size_t half = text.find('\n', text.size() / 2) + 1;
  std::string two = dir.write("two.csv.gz", gzip(text.substr(0, half)) + gzip(text.substr(half)));
  expect_dense(read_dense(two, 4), 40, 9);
}

// A gzip bomb: 4 MiB of zeros compress to a few KiB; with a 1 MiB limit
// the reader stops inflating at the limit instead of filling memory.
TEST(DenseCsv, GzipInflatingPastTheInputLimitIsRefused) {
  test::ScratchDirectory dir;
  std::string path = dir.write("bomb.csv.gz", gzip(std::string(4 << 20, '0')));
  set_max_input_bytes(1 << 20);
  Error error = error_of([&] { read_dense(path, 4); });
  set_max_input_bytes(kDefaultMaxInputBytes);
  EXPECT_EQ(error.location(), path);
  EXPECT_EQ(error.message(), "the compressed data inflates to more than the input limit of 1048576 bytes (see "
                             "--max-input-bytes)");
  EXPECT_EQ(error.exit_code(), 1);
}

TEST(DenseCsv, MalformedTextGivesLocatedErrors) {
  expect_error([] { parse_dense_csv("1,2,0\n\n1,2,3,0\n", "a.csv", 4); },
               {"a.csv:3:1: error: ", "example 1: row has 4 fields, expected 3 like line 1"});
  expect_error([] { parse_dense_csv("1,2,0\n1,abc,1\n", "a.csv", 4); },
               {"a.csv:2:3: error: ", "example 1: invalid value 'abc': expected a number"});
  expect_error([] { parse_dense_csv("1,0x10,0\n", "a.csv", 4); }, {"a.csv:1:3", "invalid value '0x10'"});
  expect_error([] { parse_dense_csv("1, nan,0\n", "a.csv", 4); },
               {"a.csv:1:4", "example 0: value 'nan' is not a finite number"});
  expect_error([] { parse_dense_csv("1,2,0\n1,,0\n", "a.csv", 4); }, {"a.csv:2:3", "example 1: missing value"});
  expect_error([] { parse_dense_csv("1,2,2.5\n", "a.csv", 4); },
               {"a.csv:1:5", "example 0: label 2.5 is not an integer"});
  expect_error([] { parse_dense_csv("1,2,0\n1,2,4\n", "a.csv", 4); },
               {"a.csv:2:5", "example 1: label 4 is out of range: expected 0..4-1 (4 classes)"});
  expect_error([] { parse_dense_csv("1,2,-1\n", "a.csv", 4); }, {"label -1 is out of range"});
  expect_error([] { parse_dense_csv("1,2,x\n", "a.csv", 4); }, {"invalid label 'x'"});
  expect_error([] { parse_dense_csv("5\n", "a.csv", 4); }, {"a.csv:1:1", "at least one feature and a label"});
  expect_error([] { parse_dense_csv("\n \n", "a.csv", 4); }, {"a.csv: error: no examples"});
  expect_error([] { parse_dense_csv("1,0\n", "a.csv", 0); }, {"class count must be at least 1"});
  expect_error([] { read_dense("/nonexistent/d.csv", 4); }, {"/nonexistent/d.csv: error: cannot read the file"});
  expect_error([] { read_dense("d.txt", 4); }, {"unknown dense data set format"});
}

TEST(DenseCsv, TruncatedOrCorruptGzipNeverCrashes) {
  test::ScratchDirectory dir;
  std::string compressed = gzip(dense_csv(30, 6));
  for (std::size_t cut = 0; cut < compressed.size(); ++cut) {
    std::string path = dir.write("cut.csv.gz", compressed.substr(0, cut));
    Error error = error_of([&] { read_dense(path, 4); });
    std::string what = error.what();
    EXPECT_EQ(what.rfind(path + ": error: ", 0), 0u) << what;
    if (cut >= 10) {
      EXPECT_NE(what.find("truncated compressed data"), std::string::npos) << "cut " << cut << ": " << what;
    }
  }
  std::string flipped = compressed;
  flipped[flipped.size() - 6] ^= 0x55; // inside the CRC-32 trailer
  std::string path = dir.write("bad.csv.gz", flipped);
  expect_error([&] { read_dense(path, 4); }, {"corrupt compressed data: incorrect data check"});
  std::string plain = dir.write("plain.csv.gz", "1,2,0\n");
  expect_error([&] { read_dense(plain, 4); }, {"not a gzip file"});
}

// ---------------------------------------------------------------- NPY / NPZ

const char *const kDenseScript = R"PY(
import sys, numpy as np
out, mode = sys.argv[1], sys.argv[2]
i, j = np.meshgrid(np.arange(11), np.arange(6), indexing='ij')
v = ((i * 7 + j * 3) % 17)
y = np.arange(11) % 4
def feat(dtype):
    return (v * 0.5).astype(dtype) if dtype in ('float32', 'float64') else v.astype(dtype)
if mode.startswith('npz-'):
    _, dtype, how = mode.split('-')
    (np.savez_compressed if how == 'z' else np.savez)(out, x=feat(dtype), y=y.astype('int64'))
elif mode == 'npy':
    np.save(out + '.x.npy', feat('float64'))
    np.save(out + '.y.npy', y.astype('int32'))
    np.savez(out + '.y.npz', y=y.astype('uint8'))
    np.save(out + '.xf.npy', np.asfortranarray(feat('float32')))
elif mode == 'missing-y': np.savez(out, x=feat('float64'))
elif mode == 'x-1d': np.savez(out, x=feat('float64').ravel(), y=y)
elif mode == 'y-short': np.savez(out, x=feat('float64'), y=y[:10])
elif mode == 'y-frac': np.savez(out, x=feat('float64'), y=y + 0.5)
elif mode == 'y-range': np.savez(out, x=feat('float64'), y=y * 2)
elif mode == 'x-nan':
    x = feat('float64'); x[4, 2] = np.nan; np.savez(out, x=x, y=y)
elif mode == 'x-f16': np.savez(out, x=feat('float16'), y=y)
elif mode == 'x-big': np.savez(out, x=feat('>f8'), y=y)
)PY";

/// The dense set of kDenseScript, with float features halved for int types.
void expect_script_dense(const DenseDataset &data, bool halves) {
  ASSERT_EQ(data.size(), 11u);
  ASSERT_EQ(data.features, 6u);
  for (std::size_t i = 0; i < 11; ++i) {
    EXPECT_EQ(data.labels[i], i % 4);
    for (std::size_t j = 0; j < 6; ++j)
      EXPECT_EQ(data.row(i)[j], halves ? dense_value(i, j) : dense_value(i, j) * 2) << i << "," << j;
  }
}

TEST(DenseNpz, EveryFeatureTypeStoredAndDeflated) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory dir;
  for (std::string dtype : {"float32", "float64", "uint8", "int32", "int64"})
    for (std::string how : {"s", "z"}) {
      std::string path = dir.file(dtype + how + ".npz");
      run_python(kDenseScript, path, "npz-" + dtype + "-" + how);
      SCOPED_TRACE(dtype + " " + how);
      expect_script_dense(read_dense(path, 4), dtype.at(0) == 'f');
    }
}

TEST(DenseNpy, FeaturesWithLabelsFromNpyOrNpz) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory dir;
  std::string base = dir.file("d");
  run_python(kDenseScript, base, "npy");
  expect_script_dense(read_dense_npy(base + ".x.npy", base + ".y.npy", 4), true);
  expect_script_dense(read_dense_npy(base + ".x.npy", base + ".y.npz", 4), true);
  expect_script_dense(read_dense_npy(base + ".xf.npy", base + ".y.npy", 4), true); // Fortran order
  expect_error([&] { read_dense_npy(base + ".x.npy", base + ".y.npy", 3); },
               {base + ".y.npy: error: example 3: label 3 is out of range"});
  expect_error([&] { read_dense_npy(base + ".y.npy", base + ".y.npy", 4); },
               {base + ".y.npy: error: array 'features' must be 2-D"});
}

TEST(DenseNpz, MalformedArraysGiveSpecificErrors) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory dir;
  auto check = [&](const std::string &mode, std::initializer_list<std::string> parts) {
    std::string path = dir.file(mode + ".npz");
    run_python(kDenseScript, path, mode);
    SCOPED_TRACE(mode);
    expect_error([&] { read_dense(path, 4); }, parts);
  };
  check("missing-y", {"missing-y.npz: error: missing array 'y'"});
  check("x-1d", {"array 'x' must be 2-D [examples, features]"});
  check("y-short", {"array 'y' must have shape (11,)"});
  check("y-frac", {"example 0: label 0.5 is not an integer"});
  check("y-range", {"example 2: label 4 is out of range"});
  check("x-nan", {"example 4, feature 2: value nan is not finite"});
  check("x-f16", {"array 'x': unsupported dtype '<f2'"});
  check("x-big", {"array 'x': unsupported dtype '>f8'"});
}

TEST(DenseNpz, TruncatedOrCorruptArchivesNeverCrash) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory dir;
  for (std::string how : {"s", "z"}) {
    std::string path = dir.file("full" + how + ".npz");
    run_python(kDenseScript, path, "npz-float64-" + how);
    std::string bytes = read_file_bytes(path);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      std::string cut_path = dir.write("cut.npz", bytes.substr(0, cut));
      Error error = error_of([&] { read_dense(cut_path, 4); });
      EXPECT_EQ(std::string(error.what()).rfind(cut_path + ": error: ", 0), 0u) << error.what();
    }
    // Every single flipped byte either still reads the same values (a
    // byte the reader ignores, e.g. a timestamp) or is an Error.
    for (std::size_t at = 0; at < bytes.size(); ++at) {
      std::string flipped = bytes;
      flipped[at] ^= 0x20;
      std::string flip_path = dir.write("flip.npz", flipped);
      try {
        DenseDataset data = read_dense(flip_path, 4);
        SCOPED_TRACE("flipped byte " + std::to_string(at));
        expect_script_dense(data, true);
      } catch (const Error &error) {
        EXPECT_EQ(error.exit_code(), 1) << error.what();
      }
    }
  }
}

TEST(Npy, RejectsMalformedHeaders) {
  std::string header = npy_header("<f8", {2});
  std::string good = header + std::string(16, '\0');
  EXPECT_EQ(parse_npy(good, "a.npy").to_doubles(), (std::vector<double>{0, 0}));
  expect_error([&] { parse_npy(good.substr(0, good.size() - 1), "a.npy"); },
               {"a.npy: error: truncated or corrupt .npy data: shape (2,) of float64 needs 16 bytes, found 15"});
  expect_error([&] { parse_npy("PK\x03\x04 not npy", "a.npy"); }, {"not an .npy array"});
  std::string huge = npy_header("<f8", {999999999999, 999999999999});
  expect_error([&] { parse_npy(huge, "a.npy"); }, {"truncated or corrupt .npy data"});
  std::string no_shape = header;
  no_shape.replace(no_shape.find("'shape'"), 7, "'shapf'");
  expect_error([&] { parse_npy(no_shape, "a.npy"); }, {"corrupt .npy header"});
}

// ---------------------------------------------------------------- events

/// Example e of the generated event sets has (e * 3) % 7 spikes; spike k is
/// at (e * 10 + k) ms (float32) on unit (e * 5 + k * 3) % 20; label e % 5.
constexpr std::size_t kEventExamples = 9;
std::size_t event_count(std::size_t e) { return (e * 3) % 7; }
double event_time(std::size_t e, std::size_t k) { return double(float(double(e * 10 + k) * 0.001)); }
uint32_t event_unit(std::size_t e, std::size_t k) { return uint32_t((e * 5 + k * 3) % 20); }

const char *const kEventScript = R"PY(
import sys, numpy as np
out, mode = sys.argv[1], sys.argv[2]
n = 9
times = [np.array([(e * 10 + k) * 0.001 for k in range((e * 3) % 7)], dtype=np.float32) for e in range(n)]
units = [np.array([(e * 5 + k * 3) % 20 for k in range((e * 3) % 7)], dtype=np.uint16) for e in range(n)]
labels = np.arange(n) % 5
if mode.endswith('neg-time'): times[4][1] = -0.5
if mode.endswith('nan-time'): times[2][0] = np.inf
if mode.endswith('unit-range'): units[6][2] = 20
if mode.endswith('label-range'): labels[6] = 5
if out.endswith('.npz'):
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in times])]).astype(np.int64)
    arrays = dict(times=np.concatenate(times), units=np.concatenate(units), offsets=offsets, labels=labels)
    if mode == 'no-offsets': del arrays['offsets']
    if mode == 'float-units': arrays['units'] = arrays['units'].astype(np.float32)
    if mode == 'bad-offsets': arrays['offsets'][3] = arrays['offsets'][2] - 1
    if mode == 'short-offsets': arrays['offsets'] = arrays['offsets'][:-1]
    (np.savez_compressed if mode == 'z' else np.savez)(out, **arrays)
else:
    import h5py
    with h5py.File(out, 'w') as f:
        if mode == 'fixed-times':
            f['spikes/times'] = np.zeros((n, 3), dtype=np.float32)
        else:
            t = f.create_dataset('spikes/times', (n,), dtype=h5py.vlen_dtype(np.float32))
            for e in range(n): t[e] = times[e]
        if mode != 'no-units':
            u = f.create_dataset('spikes/units', (n,), dtype=h5py.vlen_dtype(np.uint16))
            for e in range(n): u[e] = units[e][:-1] if (mode == 'ragged' and e == 3) else units[e]
        f['labels'] = labels.astype(np.uint16)
)PY";

void expect_events(const EventDataset &data) {
  ASSERT_EQ(data.size(), kEventExamples);
  ASSERT_EQ(data.offsets.size(), kEventExamples + 1);
  EXPECT_EQ(data.units, 20u);
  for (std::size_t e = 0; e < kEventExamples; ++e) {
    EXPECT_EQ(data.labels[e], e % 5);
    ASSERT_EQ(data.spikes(e), event_count(e)) << "example " << e;
    for (std::size_t k = 0; k < event_count(e); ++k) {
      EXPECT_EQ(data.times[data.offsets[e] + k], event_time(e, k)) << e << "," << k;
      EXPECT_EQ(data.unit_ids[data.offsets[e] + k], event_unit(e, k)) << e << "," << k;
    }
  }
}

TEST(EventNpz, ReadsRaggedExamples) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory dir;
  for (std::string mode : {"ok", "z"}) {
    std::string path = dir.file(mode + ".npz");
    run_python(kEventScript, path, mode);
    expect_events(read_events(path, 20, 5));
  }
}

TEST(EventNpz, MalformedArraysGiveSpecificErrors) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory dir;
  auto check = [&](const std::string &mode, std::initializer_list<std::string> parts) {
    std::string path = dir.file(mode + ".npz");
    run_python(kEventScript, path, mode);
    SCOPED_TRACE(mode);
    expect_error([&] { read_events(path, 20, 5); }, parts);
  };
  check("no-offsets", {"no-offsets.npz: error: missing array 'offsets'"});
  check("float-units", {"array 'units': error: must hold integers, found float32"});
  check("bad-offsets", {"array 'offsets': error: entry 3 is"});
  check("short-offsets", {"must have 10 entries (examples + 1), found 9"});
  check("neg-time", {"example 4, spike 1: time -0.5 is negative"});
  check("nan-time", {"example 2, spike 0: time inf is not finite"});
  check("unit-range", {"example 6, spike 2: unit 20 is out of range: the input population has 20 units"});
  check("label-range", {"example 6: label 5 is out of range"});
  std::string ok = dir.file("ok.npz");
  run_python(kEventScript, ok, "ok");
  expect_error([&] { read_events(ok, 19, 5); }, {"unit 19 is out of range"});
  expect_error([&] { read_events(ok, 20, 4); }, {"example 4: label 4 is out of range"});
  expect_error([&] { read_events(dir.file("x.csv"), 20, 4); }, {"unknown event data set format"});
}

TEST(EventHdf5, ReadsVariableLengthDatasets) {
  if (!python_has_h5py())
    GTEST_SKIP() << test::python() << " has no h5py";
  test::ScratchDirectory dir;
  std::string path = dir.file("shd.h5");
  run_python(kEventScript, path, "ok");
  expect_events(read_events(path, 20, 5));
}

TEST(EventHdf5, MalformedFilesGiveSpecificErrors) {
  if (!python_has_h5py())
    GTEST_SKIP() << test::python() << " has no h5py";
  test::ScratchDirectory dir;
  auto check = [&](const std::string &mode, std::initializer_list<std::string> parts) {
    std::string path = dir.file(mode + ".h5");
    run_python(kEventScript, path, mode);
    SCOPED_TRACE(mode);
    expect_error([&] { read_events(path, 20, 5); }, parts);
  };
  check("no-units", {"no-units.h5: error: missing dataset 'spikes/units'"});
  check("fixed-times", {"dataset 'spikes/times' must hold variable-length sequences"});
  check("ragged", {"example 3: 2 spike times but 1 units"});
  check("neg-time", {"example 4, spike 1: time -0.5 is negative"});
  check("nan-time", {"example 2, spike 0: time inf is not finite"});
  check("unit-range", {"example 6, spike 2: unit 20 is out of range"});
  check("label-range", {"example 6: label 5 is out of range"});
  std::string path = dir.file("full.h5");
  run_python(kEventScript, path, "ok");
  std::string bytes = read_file_bytes(path);
  for (std::size_t cut = 0; cut < bytes.size(); cut += 97) {
    std::string cut_path = dir.write("cut.h5", bytes.substr(0, cut));
    Error error = error_of([&] { read_events(cut_path, 20, 5); });
    EXPECT_EQ(std::string(error.what()).rfind(cut_path + ": error: ", 0), 0u) << error.what();
  }
  expect_error([&] { read_events(dir.write("text.h5", "not hdf5"), 20, 5); }, {"cannot open as an HDF5 file"});
}

// ---------------------------------------------------------------- digits

TEST(DigitsData, RepositoryCopyReadsWhole) {
  DenseDataset data = read_dense(SNN_TEST_DATA_DIR "/digits.csv.gz", 10);
  ASSERT_EQ(data.size(), 1797u);
  ASSERT_EQ(data.features, 64u);
  std::set<uint32_t> labels(data.labels.begin(), data.labels.end());
  EXPECT_EQ(labels, (std::set<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  double low = 1e9, high = -1e9;
  for (double v : data.values) {
    low = std::min(low, v);
    high = std::max(high, v);
    EXPECT_EQ(v, std::floor(v));
  }
  EXPECT_EQ(low, 0);
  EXPECT_EQ(high, 16);
  // The first row as printed in the file.
  EXPECT_EQ(data.row(0)[2], 5);
  EXPECT_EQ(data.row(0)[3], 13);
  EXPECT_EQ(data.labels[0], 0u);
  expect_error([] { read_dense(SNN_TEST_DATA_DIR "/digits.csv.gz", 9); }, {"label 9 is out of range"});
}

} // namespace
} // namespace snn::rt
