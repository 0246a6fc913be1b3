// RAII over HDF5 identifiers and its error printing, for the writer and the readers of output
// files (analysis).
#pragma once

#include <hdf5.h>

namespace ganglion {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Hid {
public:
  Hid() = default;
  Hid(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Hid() { reset(); }
  Hid(Hid &&other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = H5I_INVALID_HID; }
  Hid &operator=(Hid &&other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.id_;
      close_ = other.close_;
      other.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Hid(const Hid &) = delete;
  Hid &operator=(const Hid &) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  explicit operator bool() const { return valid(); }
  // Closes now and reports whether closing worked (a file's close writes its last metadata).
  bool close() {
    const bool ok = !valid() || close_(id_) >= 0;
    id_ = H5I_INVALID_HID;
    return ok;
  }
  void reset() {
    if (valid()) close_(id_);
    id_ = H5I_INVALID_HID;
  }
  // Forgets the identifier without closing it: HDF5 closes it at its shutdown.
  void release() { id_ = H5I_INVALID_HID; }

private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

// HDF5 prints its error stack to stderr by default; the kernel reports errors as exceptions
// instead, with the innermost HDF5 reason attached (hdf5_reason), so printing is off during calls.
class QuietHdf5 {
public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5 &) = delete;
  QuietHdf5 &operator=(const QuietHdf5 &) = delete;

private:
  H5E_auto2_t func_ = nullptr;
  void *data_ = nullptr;
};

} // namespace ganglion
