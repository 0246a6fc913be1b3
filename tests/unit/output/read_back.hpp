// Reading an output file back with the HDF5 C API, for the output layer's tests: datasets whole
// with their shape, and string and number attributes.
#pragma once

#include <doctest/doctest.h>
#include <hdf5.h>

#include <functional>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

namespace ganglion::test {

// An open file for reading back, closed at scope exit.
struct ReadFile {
  explicit ReadFile(const std::string &path) {
    id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE_MESSAGE(id >= 0, "cannot open " << path);
  }
  ~ReadFile() { H5Fclose(id); }
  ReadFile(const ReadFile &) = delete;
  ReadFile &operator=(const ReadFile &) = delete;
  hid_t id = -1;
};

inline std::vector<hsize_t> shape(hid_t file, const std::string &path,
                                  std::vector<hsize_t> *max = nullptr) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  const hid_t s = H5Dget_space(d);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(s)));
  std::vector<hsize_t> max_dims(dims.size());
  H5Sget_simple_extent_dims(s, dims.data(), max_dims.data());
  if (max) *max = max_dims;
  H5Sclose(s);
  H5Dclose(d);
  return dims;
}

// Every value of a dataset (of double or uint64_t), row-major.
template <typename T> std::vector<T> read_all(hid_t file, const std::string &path) {
  const std::vector<hsize_t> dims = shape(file, path);
  const hsize_t n = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  std::vector<T> values(n);
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  const hid_t type = std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_UINT64;
  if (n > 0) REQUIRE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Dclose(d);
  return values;
}

inline std::string string_attribute(hid_t file, const std::string &object,
                                    const std::string &name) {
  const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE_MESSAGE(a >= 0, "no attribute " << name << " on " << object);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  char *text = nullptr;
  REQUIRE(H5Aread(a, type, &text) >= 0);
  std::string value = text;
  const hid_t space = H5Aget_space(a);
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, &text);
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(a);
  return value;
}

template <typename T>
T number_attribute(hid_t file, const std::string &object, const std::string &name) {
  const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE_MESSAGE(a >= 0, "no attribute " << name << " on " << object);
  T value{};
  REQUIRE(H5Aread(a, std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_UINT64, &value) >=
          0);
  H5Aclose(a);
  return value;
}

inline bool has_attribute(hid_t file, const std::string &object, const std::string &name) {
  return H5Aexists_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

// Whether a link (group or dataset) exists at an absolute path whose parent groups exist.
inline bool has_object(hid_t file, const std::string &path) {
  return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
}

} // namespace ganglion::test
