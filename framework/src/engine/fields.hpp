// The fields of one plugin instance (structure of arrays: one array per field of its
// descriptor), the pointer tables its views hand out, and the checks of per-element values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/values.hpp"
#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"

namespace ganglion::engine {

struct Fields {
  std::vector<FieldData> data;
  std::vector<double *> ptrs;
  std::vector<const uint64_t *> offsets;
  std::vector<uint8_t> uniform; // per field: a parameter with one value in every element
  // n values per field, or n_pre for a plasticity rule's presynaptic traces.
  void make(const gg_descriptor *d, uint64_t n, const std::vector<ValueSpec> &values, uint64_t seed,
            uint64_t first_gid, uint64_t n_pre = 0);
  // Whether parameter k has one value throughout its n elements (after a schedule changed it too).
  void refresh_uniform(const gg_descriptor *d, uint32_t k, uint64_t n);
  // A scheduled change: field k takes `value` in place (its pointer stays valid), and its flag
  // follows.
  void set(const gg_descriptor *d, uint32_t k, const ValueSpec &value, uint64_t n);
  // A copy with its own values (the pointer tables point into the copy's arrays).
  Fields copy() const;
  void bind(gg_view &v);
};

// The plugin's validate hook on every element, where parameters differ between elements (the
// loader checked element 0, which then stands for all of them). Throws RunError naming the
// element.
void validate_elements(const gg_descriptor *d, const std::vector<double *> &ptrs,
                       const std::vector<uint8_t> &uniform, uint64_t n, const std::string &where,
                       const char *element);


} // namespace ganglion::engine
