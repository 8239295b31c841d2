//===- NpzTest.cpp - NPZ archives, read back by numpy ---------------------===//

#include "Npz.h"

#include "TestEnvironment.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace snn::rt {
namespace {

TEST(Crc32, MatchesStandardCheckValue) {
  EXPECT_EQ(crc32("123456789", 9), 0xcbf43926u);
  EXPECT_EQ(crc32("", 0), 0u);
  // Continuing a checksum equals checksumming the concatenation.
  EXPECT_EQ(crc32("6789", 4, crc32("12345", 5)), 0xcbf43926u);
}

TEST(NpyHeader, IsAlignedAndSpellsShapesLikeNumpy) {
  std::string one = npy_header("<f8", {3});
  EXPECT_EQ(one.size() % 64, 0u);
  EXPECT_EQ(one.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(uint8_t(one[8]) + 256 * uint8_t(one[9]), int(one.size()) - 10);
  EXPECT_NE(one.find("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
  EXPECT_EQ(one.back(), '\n');
  std::string two = npy_header("<i4", {10, 2});
  EXPECT_NE(two.find("'shape': (10, 2), }"), std::string::npos);
  EXPECT_NE(npy_header("<f8", {}).find("'shape': (), }"), std::string::npos);
}

/// Prints every array of an NPZ file as "name dtype shape values" lines.
test::CommandResult describe_with_numpy(const std::string &path) {
  std::string script = "import sys, numpy\n"
                       "with numpy.load(sys.argv[1]) as f:\n"
                       "    for k in sorted(f.files):\n"
                       "        a = f[k]\n"
                       "        print(k, a.dtype, a.shape, a.ravel().tolist())\n";
  return test::run_shell(std::string(test::python()) + " -c " + test::shell_quote(script) + " " +
                         test::shell_quote(path) + " 2>&1");
}

void write_sample(const std::string &path, bool zip64) {
  NpzWriter archive;
  archive.add("times", std::vector<double>{0.5, -1.25, 3e-4}, {3});
  archive.add("index", std::vector<int32_t>{7, -2, 2147483647}, {3});
  archive.add("matrix", std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  archive.add("empty", std::vector<int32_t>{}, {0});
  EXPECT_TRUE(archive.contains("matrix"));
  EXPECT_FALSE(archive.contains("t"));
  EXPECT_EQ(archive.size(), 4u);
  archive.write(path, zip64);
}

const char *const kSampleDescription = "empty int32 (0,) []\n"
                                       "index int32 (3,) [7, -2, 2147483647]\n"
                                       "matrix float64 (2, 3) [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]\n"
                                       "times float64 (3,) [0.5, -1.25, 0.0003]\n";

TEST(NpzWriter, NumpyReadsWhatWasWritten) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory directory;
  std::string path = directory.file("sample.npz");
  write_sample(path, false);
  test::CommandResult result = describe_with_numpy(path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, kSampleDescription);
}

TEST(NpzWriter, NumpyReadsZip64Records) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory directory;
  std::string path = directory.file("sample64.npz");
  write_sample(path, true);
  test::CommandResult result = describe_with_numpy(path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, kSampleDescription);
}

TEST(NpzWriter, ZipChecksumsVerify) {
  if (!test::python_has_numpy())
    GTEST_SKIP() << test::python() << " has no numpy";
  test::ScratchDirectory directory;
  std::string path = directory.file("check.npz");
  write_sample(path, false);
  test::CommandResult result = test::run_shell(std::string(test::python()) +
                                               " -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                                               "print(z.testzip(), [i.compress_type for i in z.infolist()])' " +
                                               test::shell_quote(path));
  EXPECT_EQ(result.output, "None [0, 0, 0, 0]\n");
}

TEST(NpzWriter, WritesAtomicallyAndDeterministically) {
  test::ScratchDirectory directory;
  std::string first = directory.file("a.npz");
  std::string second = directory.file("b.npz");
  write_sample(first, false);
  write_sample(second, false);
  // Overwriting an existing file replaces it.
  write_sample(first, false);
  std::ifstream a(first, std::ios::binary), b(second, std::ios::binary);
  std::string bytes_a((std::istreambuf_iterator<char>(a)), {});
  std::string bytes_b((std::istreambuf_iterator<char>(b)), {});
  EXPECT_FALSE(bytes_a.empty());
  EXPECT_EQ(bytes_a, bytes_b);
  // No temporary file is left behind.
  int entries = 0;
  for (const auto &entry : std::filesystem::directory_iterator(directory.path()))
    entries += entry.is_regular_file();
  EXPECT_EQ(entries, 2);
}

// The temporary file's name must stay legal when the target's name is
// close to the 255-byte limit of a file name.
TEST(NpzWriter, LongestFileNamesWork) {
  test::ScratchDirectory directory;
  std::string name = std::string(246, 'r') + ".npz"; // 250 bytes
  std::string path = directory.file(name);
  write_sample(path, false);
  write_sample(path, false); // replaces it
  std::vector<std::string> entries;
  for (const auto &entry : std::filesystem::directory_iterator(directory.path()))
    entries.push_back(entry.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{name}); // no temporary left
}

TEST(NpzWriter, UnwritablePathIsAnError) {
  test::ScratchDirectory directory;
  std::string path = directory.file("no/such/dir/out.npz");
  try {
    write_sample(path, false);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(error.kind(), Error::Kind::User);
    EXPECT_EQ(std::string(error.what()), "error: cannot write '" + path + "': No such file or directory");
  }
}

TEST(NpzWriter, ShapeMismatchIsInternal) {
  test::ScratchDirectory directory;
  NpzWriter archive;
  archive.add("bad", std::vector<double>{1, 2, 3}, {2, 2});
  try {
    archive.write(directory.file("bad.npz"));
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(error.kind(), Error::Kind::Internal);
    EXPECT_EQ(std::string(error.what()), "internal error: array 'bad' has 3 elements but its shape holds 4");
  }
  EXPECT_FALSE(std::filesystem::exists(directory.file("bad.npz")));
}

} // namespace
} // namespace snn::rt
