//===- Hdf5File.cpp - Reading numeric datasets of HDF5 files --------------===//

#include "Hdf5File.h"

#include "PretrainedWeights.h"
#include "QuotedText.h"

#include "snn/runtime.h"

#include <cstring>

namespace snn::rt {

QuietHdf5::QuietHdf5() {
  H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietHdf5::~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }

Hdf5Handle::~Hdf5Handle() {
  if (id_ >= 0)
    close_(id_);
}

Hdf5File::Hdf5File(const std::string &path)
    : path_(path), file_(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose) {
  if (!file_.ok())
    throw Error(path, "cannot open as an HDF5 file (missing, truncated or corrupt)");
}

bool Hdf5File::exists(const std::string &name) const {
  if (name.empty() || name == "/")
    return false;
  std::size_t slash = 0;
  while ((slash = name.find('/', slash + 1)) != std::string::npos)
    if (H5Lexists(file_.get(), name.substr(0, slash).c_str(), H5P_DEFAULT) <= 0)
      return false;
  return H5Lexists(file_.get(), name.c_str(), H5P_DEFAULT) > 0;
}

void Hdf5File::read_vlen(const std::string &name, hid_t memory_base, bool integer, std::vector<double> &values,
                         std::vector<uint64_t> &offsets) const {
  Hdf5Handle set = open(name);
  Hdf5Handle type(H5Dget_type(set.get()), H5Tclose);
  if (!type.ok() || H5Tget_class(type.get()) != H5T_VLEN)
    throw Error(path_, "dataset '" + name + "' must hold variable-length sequences, one per example");
  Hdf5Handle base(H5Tget_super(type.get()), H5Tclose);
  H5T_class_t base_class = base.ok() ? H5Tget_class(base.get()) : H5T_NO_CLASS;
  if (base_class != H5T_INTEGER && (integer || base_class != H5T_FLOAT))
    throw Error(path_, "dataset '" + name + "' must hold sequences of " + (integer ? "integers" : "numbers"));
  uint64_t n = extent(set, name);
  Hdf5Handle memory(H5Tvlen_create(memory_base), H5Tclose);
  Hdf5Handle space(H5Dget_space(set.get()), H5Sclose);
  std::vector<hvl_t> sequences(n);
  if (!memory.ok() || !space.ok() ||
      (n > 0 && H5Dread(set.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, sequences.data()) < 0))
    throw Error(path_, "cannot read dataset '" + name + "' (truncated or corrupt file)");
  offsets.assign(1, 0);
  for (const hvl_t &s : sequences) {
    for (std::size_t i = 0; i < s.len; ++i)
      values.push_back(memory_base == H5T_NATIVE_DOUBLE ? static_cast<const double *>(s.p)[i]
                                                        : double(static_cast<const int64_t *>(s.p)[i]));
    offsets.push_back(values.size());
  }
  if (n > 0)
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, sequences.data());
}

std::vector<double> Hdf5File::read_numbers(const std::string &name) const {
  Hdf5Handle set = open(name);
  Hdf5Handle type(H5Dget_type(set.get()), H5Tclose);
  H5T_class_t type_class = type.ok() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
    throw Error(path_, "dataset '" + name + "' must hold numbers");
  std::vector<double> values(extent(set, name));
  if (!values.empty() && H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    throw Error(path_, "cannot read dataset '" + name + "' (truncated or corrupt file)");
  return values;
}

namespace {

/// The paths of the datasets under `group` ("prefix/name"), recursively,
/// for "did you mean".
struct DatasetNames {
  std::string prefix;
  std::vector<std::string> *names;
};

herr_t collect_dataset(hid_t group, const char *name, const H5L_info_t *, void *data) {
  auto *d = static_cast<DatasetNames *>(data);
  Hdf5Handle object(H5Oopen(group, name, H5P_DEFAULT), H5Oclose);
  if (!object.ok())
    return 0;
  std::string path = d->prefix + name;
  if (H5Iget_type(object.get()) == H5I_DATASET) {
    d->names->push_back(path);
  } else if (H5Iget_type(object.get()) == H5I_GROUP && d->names->size() < 100000) {
    DatasetNames inner{path + "/", d->names};
    hsize_t index = 0;
    H5Literate(object.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_dataset, &inner);
  }
  return 0;
}

} // namespace

NpyArray Hdf5File::read_array(const std::string &name) const {
  std::string origin = path_ + ": array '" + quoted_text(name) + "'";
  if (!exists(name)) {
    std::vector<std::string> names;
    DatasetNames all{"", &names};
    hsize_t index = 0;
    H5Literate(file_.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_dataset, &all);
    std::string message = "the file has no dataset '" + quoted_text(name) + "'";
    std::string close = closest_array_name(name, names);
    if (!close.empty())
      message += "; did you mean '" + quoted_text(close) + "'?";
    throw Error(path_, message);
  }
  Hdf5Handle set(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.ok())
    throw Error(path_, "'" + quoted_text(name) + "' is not a dataset");
  Hdf5Handle type(H5Dget_type(set.get()), H5Tclose);
  H5T_class_t type_class = type.ok() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
    throw Error(path_, "dataset '" + quoted_text(name) + "' must hold numbers");
  Hdf5Handle space(H5Dget_space(set.get()), H5Sclose);
  int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0 || rank > 8)
    throw Error(path_, "dataset '" + quoted_text(name) + "' has an unreadable or unsupported shape");
  hsize_t dims[8] = {};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  NpyArray array;
  array.type = NpyType::F64;
  array.origin = origin;
  uint64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    array.shape.push_back(dims[d]);
    count *= dims[d];
  }
  std::vector<double> values(count);
  if (count > 0 && H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    throw Error(path_, "cannot read dataset '" + quoted_text(name) + "' (truncated or corrupt file)");
  array.bytes.resize(count * sizeof(double));
  if (count > 0)
    std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

Hdf5Handle Hdf5File::open(const std::string &name) const {
  if (!exists(name))
    throw Error(path_, "missing dataset '" + name + "'");
  Hdf5Handle set(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.ok())
    throw Error(path_, "cannot open dataset '" + name + "' (truncated or corrupt file)");
  return set;
}

uint64_t Hdf5File::extent(const Hdf5Handle &set, const std::string &name) const {
  Hdf5Handle space(H5Dget_space(set.get()), H5Sclose);
  hsize_t dims[1] = {0};
  if (!space.ok() || H5Sget_simple_extent_ndims(space.get()) != 1 ||
      H5Sget_simple_extent_dims(space.get(), dims, nullptr) != 1)
    throw Error(path_, "dataset '" + name + "' must be 1-D, one entry per example");
  return dims[0];
}

bool is_hdf5_path(const std::string &path) {
  for (const char *ext : {".h5", ".hdf5", ".nir"})
    if (path.size() >= std::strlen(ext) && path.compare(path.size() - std::strlen(ext), std::strlen(ext), ext) == 0)
      return true;
  return false;
}

} // namespace snn::rt
