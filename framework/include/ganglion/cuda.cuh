// The CUDA side of a plugin, compiled by nvcc into the plugin's companion library
// (ganglion_add_plugin's CUDA_SOURCES). A companion is a struct of static hooks, each taking a
// `const gg_cuda_view &` (init, current, step, finish, update: those it lacks are NULL in the
// table; a synapse may declare `arrivals` in place of its step, see Arrivals), and one line that
// exports its table:
//
//   struct LifCuda {
//     static constexpr bool enqueues_only = true; // GG_CUDA_ENQUEUES_ONLY: graph capture allowed
//     static void step(const gg_cuda_view &v) { ... ganglion::cuda::step_elements(v, ...); }
//   };
//   GANGLION_CUDA_PLUGIN(LifCuda)
//
// A hook runs on the host and enqueues kernels on the view's stream; it reports failure by
// throwing ganglion::Failure, as a CPU hook does. The element arithmetic is best written once,
// GG_HD, in a header that the CPU plugin includes too (plugins/neuron/lif/lif_model.hpp), so the
// two backends give the same bits; ganglion::with_params and ganglion::with_channels hand a kernel
// plain structs whose calls are GG_HD.
#ifndef GANGLION_CUDA_CUH
#define GANGLION_CUDA_CUH

#include <cuda_runtime.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/errors.hpp"
#include "ganglion/sdk/params.hpp"
#include "ganglion/sdk/tables.hpp"

namespace ganglion::cuda {

inline cudaStream_t stream(const gg_cuda_view &v) {
  return static_cast<cudaStream_t>(v.view->cuda_stream);
}

// Throws Failure naming `what` and CUDA's message where `e` is an error.
inline void check(cudaError_t e, const char *what) {
  if (e != cudaSuccess) throw Failure(std::string(what) + ": " + cudaGetErrorString(e));
}

inline constexpr unsigned kBlock = 256; // threads per block of the element kernels

template <class Body> __global__ void elements_kernel(uint64_t n, const uint64_t *step, Body body) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) body(i, *step);
}

// body(i, step) for every element i of the view, a thread each, on the view's stream. body is a
// struct passed by value whose operator() is __device__ (or GG_HD); the step comes from device
// memory, so a captured graph replays correctly.
template <class Body> void for_each_element(const gg_cuda_view &v, const Body &body) {
  const uint64_t n = v.view->n;
  if (n == 0) return;
  const uint64_t blocks = (n + kBlock - 1) / kBlock;
  elements_kernel<<<unsigned(blocks), kBlock, 0, stream(v)>>>(n, v.step, body);
  check(cudaGetLastError(), "launching an element kernel");
}

// A neuron's outputs in device memory: the step's spike list and its range flag.
struct Spikes {
  uint32_t *list, *count;
  uint32_t capacity;
  int32_t *out_of_range;
  __device__ void emit(uint32_t i) const {
    const uint32_t k = atomicAdd(count, 1u);
    if (k < capacity) list[k] = i;
  }
  // k spikes of element i at once (one atomic add): a source may emit an index several times in
  // a step.
  __device__ void emit(uint32_t i, uint32_t k) const {
    if (k == 0) return;
    const uint32_t first = atomicAdd(count, k);
    for (uint32_t j = 0; j < k && first + j < capacity; ++j)
      list[first + j] = i;
  }
  __device__ void outside() const { *out_of_range = 1; }
};
inline Spikes spikes_of(const gg_cuda_view &v) {
  return Spikes{v.spikes, v.n_spikes, v.spike_capacity, v.out_of_range};
}

template <class Step> struct Firing {
  Step step;
  Spikes out;
  __device__ void operator()(uint64_t i, uint64_t s) const {
    const auto o = step(i, double(s));
    if (o.spiked) out.emit(uint32_t(i));
    if (o.outside) out.outside();
  }
};

// A neuron step: s(i, now) steps element i at step `now` and returns what happened, a struct with
// `spiked` and `outside` (integrate_and_fire::Outcome); the spikes are appended and the range flag
// raised for it.
template <class Step> void step_elements(const gg_cuda_view &v, const Step &s) {
  for_each_element(v, Firing<Step>{s, spikes_of(v)});
}

template <class Step> struct Emitting {
  Step step;
  Spikes out;
  __device__ void operator()(uint64_t i, uint64_t s) const {
    out.emit(uint32_t(i), uint32_t(step(i, s)));
  }
};

// A source's step: s(i, step) steps element i at step `step` and returns its number of spikes,
// which are appended at once.
template <class Step> void emit_elements(const gg_cuda_view &v, const Step &s) {
  for_each_element(v, Emitting<Step>{s, spikes_of(v)});
}

// ganglion::with_params for a CUDA hook: the uniform values read on the host, the arrays on the
// device.
template <class Body>
void with_params(const gg_cuda_view &v, std::initializer_list<int> which, Body &&body) {
  ganglion::with_params(*v.host, *v.view, which, static_cast<Body &&>(body));
}

// A synapse whose arrivals the kernel delivers (GG_CUDA_ARRIVAL_FORM): each synapse s onto target
// j that an arrival brings n spikes adds (weight[s] * scale[j]) * n to x[j]. `target` is the field
// x (or GG_ARRIVAL_POST_V), `scale` the field of the factor (-1: none). Declared in the struct as
//   static constexpr ganglion::cuda::Arrivals arrivals{I, jump};
// in place of a `step`, so the kernel may deliver in any order it chooses, the CPU's included.
struct Arrivals {
  int32_t target;
  int32_t scale = -1;
};

// A recorder's record and scratch sizes (gg_cuda_hooks::record_size), returned by the struct's
//   static ganglion::cuda::RecordSize record_size(const gg_view &host);
// beside its `step` (which writes the record where *sampling is 1) and
//   static void emit(const gg_view &host, const void *record);
// (on the host: the record to the recorder's sink).
struct RecordSize {
  uint64_t record = 0, scratch = 0;
};

// The exported table, from the struct's hooks.
template <class P> struct Tables {
  // Each hook wrapped so that an exception becomes a status and a message; a hook the struct
  // lacks is never called (its entry is NULL).
  static gg_status init(const gg_cuda_view *v, gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::init(*v); }) P::init(*v);
    });
  }
  static gg_status current(const gg_cuda_view *v, gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::current(*v); }) P::current(*v);
    });
  }
  static gg_status step(const gg_cuda_view *v, gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::step(*v); }) P::step(*v);
    });
  }
  static gg_status finish(const gg_cuda_view *v, gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::finish(*v); }) P::finish(*v);
    });
  }
  static gg_status update(const gg_cuda_view *v, gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::update(*v); }) P::update(*v);
    });
  }
  static gg_status record_size(const gg_view *host, uint64_t *record, uint64_t *scratch,
                               gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::record_size(*host); }) {
        const RecordSize r = P::record_size(*host);
        *record = r.record;
        *scratch = r.scratch;
      }
    });
  }
  static gg_status emit(const gg_view *host, const void *record, gg_error *e) {
    return ganglion::detail::guarded(e, [&] {
      if constexpr (requires { P::emit(*host, record); }) P::emit(*host, record);
    });
  }
  using Hook = gg_status (*)(const gg_cuda_view *, gg_error *);
  using View = const gg_cuda_view &;
  static constexpr bool has_arrivals = requires { P::arrivals; };
  static constexpr Arrivals arrivals() {
    if constexpr (has_arrivals)
      return P::arrivals;
    else
      return {-1, -1};
  }
  static constexpr uint32_t flags() {
    uint32_t f = has_arrivals ? GG_CUDA_ARRIVAL_FORM : 0u;
    if constexpr (requires { P::enqueues_only; })
      f |= P::enqueues_only ? GG_CUDA_ENQUEUES_ONLY : 0u;
    return f;
  }
  // Which hooks the struct has.
  static constexpr bool has_init = requires { P::init(std::declval<View>()); };
  static constexpr bool has_current = requires { P::current(std::declval<View>()); };
  static constexpr bool has_step = requires { P::step(std::declval<View>()); };
  static constexpr bool has_finish = requires { P::finish(std::declval<View>()); };
  static constexpr bool has_update = requires { P::update(std::declval<View>()); };
  static constexpr bool has_record_size = requires {
    P::record_size(std::declval<const gg_view &>());
  };
  static constexpr bool has_emit = requires {
    P::emit(std::declval<const gg_view &>(), std::declval<const void *>());
  };
  static_assert(has_record_size == has_emit,
                "a recorder on the device gives both `record_size` and `emit`");
  static_assert(!(has_arrivals && has_step),
                "declare `arrivals` or a `step`, not both: the kernel delivers declared arrivals");
  static constexpr gg_cuda_hooks hooks{sizeof(gg_cuda_hooks),
                                       GG_ABI_MAJOR,
                                       GG_ABI_MINOR,
                                       CUDART_VERSION,
                                       flags(),
                                       has_init ? Hook(&init) : nullptr,
                                       has_current ? Hook(&current) : nullptr,
                                       has_step ? Hook(&step) : nullptr,
                                       has_finish ? Hook(&finish) : nullptr,
                                       has_update ? Hook(&update) : nullptr,
                                       arrivals().target,
                                       arrivals().scale,
                                       has_record_size ? &record_size : nullptr,
                                       has_emit ? &emit : nullptr};
};

} // namespace ganglion::cuda

// Exports the one entry symbol of a CUDA companion library built from struct `Type`.
#define GANGLION_CUDA_PLUGIN(Type)                                                                 \
  extern "C" GG_EXPORT const gg_cuda_hooks *ganglion_plugin_cuda_v1(void) {                        \
    return &::ganglion::cuda::Tables<Type>::hooks;                                                 \
  }

#endif
