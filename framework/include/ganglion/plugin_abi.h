/* ganglion plugin ABI: the whole contract between the kernel and a plugin shared library.
 *
 * Plain C, so that a plugin built by another compiler (or another C++ standard library) still
 * loads. No C++ object, no exception and no allocation crosses this boundary:
 *   - a plugin exports ONE symbol, `ganglion_plugin_v1`, a function returning a pointer to a
 *     static gg_descriptor (metadata + one hook table per backend);
 *   - the kernel owns every byte of state: it allocates the fields a plugin declares, fills them
 *     with defaults and initial values, and hands the plugin a gg_view of plain pointers;
 *   - hooks return GG_OK or an error status and write a message into the kernel's gg_error.
 *
 * Versioning: the kernel loads a plugin when abi_major equals GG_ABI_MAJOR and abi_minor is not
 * newer than the kernel's GG_ABI_MINOR. Minor bumps only append to structs (hence struct_size).
 *
 * Units: time in ms, voltage in mV, rates in Hz in configs (per ms in hooks: a rate field's value
 * reaches the plugin in Hz; convert with 1e-3), currents into lif/eif-like neurons in mV/ms (the
 * membrane capacitance is folded into the current).
 */
#ifndef GANGLION_PLUGIN_ABI_H
#define GANGLION_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "ganglion/hd.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GG_ABI_MAJOR 1
#define GG_ABI_MINOR 12
#define GG_ENTRY_SYMBOL "ganglion_plugin_v1"

#if defined(_WIN32)
#define GG_EXPORT __declspec(dllexport)
#else
#define GG_EXPORT __attribute__((visibility("default")))
#endif

typedef enum gg_status { GG_OK = 0, GG_ERROR = 1, GG_DIVERGED = 2 } gg_status;

typedef enum gg_kind {
  GG_KIND_NEURON = 1,     /* a population: integrates its input, emits spikes (sources too) */
  GG_KIND_SYNAPSE = 2,    /* a projection's postsynaptic state: receives spikes, gives current */
  GG_KIND_PLASTICITY = 3, /* changes a projection's weights as the network runs */
  GG_KIND_RECORDER = 4    /* samples a population into output channels */
} gg_kind;

typedef enum gg_role {
  GG_ROLE_PARAM = 1,       /* set from the config, constant during the run (one value per element) */
  GG_ROLE_STATE = 2,       /* evolves; its initial value comes from the config's "init" */
  GG_ROLE_PER_SYNAPSE = 3, /* one value per synapse (reserved for ABI 1.x) */
  GG_ROLE_TRACE = 4,       /* an auxiliary state variable the user does not initialise */
  GG_ROLE_PRE_TRACE = 5    /* plasticity: a trace with one value per PRESYNAPTIC neuron (n_pre);
                              every other field of a plasticity rule has one per postsynaptic */
} gg_role;

typedef enum gg_type {
  GG_TYPE_F64 = 1,    /* a real number */
  GG_TYPE_CHOICE = 2, /* one word of `choices` ("exact|euler"); stored as its index (0, 1, ...) */
  GG_TYPE_SEQUENCE = 3 /* a param: per element a sequence of numbers of any length (spike times).
                          fields[k] holds them all, element after element; sequence i is
                          fields[k][offsets[k][i]] .. fields[k][offsets[k][i+1] - 1] */
} gg_type;

/* gg_field.flags */
#define GG_MIN_EXCLUSIVE 1u /* the value must be > min (otherwise >= min) */
#define GG_MAX_EXCLUSIVE 2u /* the value must be < max (otherwise <= max) */
#define GG_BOUND_CHECKED 4u /* state only: the kernel stops the run when a value leaves [min, max] */

/* One parameter or variable. Every field is stored by the kernel as n doubles (n = the population
 * size for neurons and recorders, the postsynaptic population size for synapses), except a
 * GG_TYPE_SEQUENCE field, stored as sequences with offsets. */
typedef struct gg_field {
  const char *name;    /* identifier as written in configs: "tau_m" */
  const char *unit;    /* "ms", "mV", "Hz", "mV/ms", "1" (dimensionless), ... */
  int32_t role;        /* gg_role */
  int32_t type;        /* gg_type */
  double default_value;
  double min;          /* -HUGE_VAL / HUGE_VAL for unbounded */
  double max;
  uint32_t flags;      /* GG_MIN_EXCLUSIVE | GG_MAX_EXCLUSIVE | GG_BOUND_CHECKED */
  const char *choices; /* GG_TYPE_CHOICE: words separated by '|'; NULL otherwise */
  const char *doc;     /* one line */
} gg_field;

typedef struct gg_error {
  char *message; /* kernel-owned buffer: write a NUL-terminated message here on error */
  size_t capacity;
} gg_error;

/* Output channels for recorders. The kernel maps each channel to an HDF5 dataset with an unlimited
 * first dimension; rows are appended in blocks. */
typedef enum gg_dtype { GG_DTYPE_F64 = 1, GG_DTYPE_U64 = 2 } gg_dtype;

typedef struct gg_sink {
  void *ctx;
  /* Declare a growing dataset at `path` ("/spikes/E/timestamps") of rows of `width` values.
   * Returns the channel id, or -1 on error. Ids are per recorder instance and count up from 0 in
   * the order of declaration, so a recorder need not store them. Call from `init` only. */
  int32_t (*declare)(void *ctx, const char *path, int32_t dtype, uint32_t width, const char *unit);
  /* Write a fixed dataset once (e.g. a mapping), from `init` or `finish`. */
  int32_t (*write_fixed)(void *ctx, const char *path, int32_t dtype, const void *data,
                         uint64_t rows, uint32_t width, const char *unit);
  /* Append `rows` rows to a channel. */
  int32_t (*append)(void *ctx, int32_t channel, const void *data, uint64_t rows);
} gg_sink;

/* A run of synapses that receive a spike now: CSR indices [begin, end) of presynaptic neuron `pre`. */
typedef struct gg_arrival {
  uint64_t begin;
  uint64_t end;
  uint32_t pre;
  uint32_t delay; /* in steps */
} gg_arrival;

/* A synaptic channel (since ABI 1.3): a projection's postsynaptic state `g` that the neuron's own
 * step turns into input and advances over the step, in the same pass as its integration, in place
 * of the synapse's `current` hook (see GG_DESC_CHANNELS). It describes a `current` of one of these
 * forms, with one value of scale, E and decay for every element:
 *   GG_CHANNEL_CURRENT:      input += g * scale;             then g *= decay
 *   GG_CHANNEL_CONDUCTANCE:  input += g * scale * (E - V);   then g *= decay
 * evaluated in that order (left to right, no fused multiply-add), V being the neuron's potential at
 * the start of the step, so that the fused step gives the same bits as the hook. */
typedef enum gg_channel_form {
  GG_CHANNEL_NONE = 0,       /* the current has neither form (or its constants vary): not fused */
  GG_CHANNEL_CURRENT = 1,
  GG_CHANNEL_CONDUCTANCE = 2
} gg_channel_form;

typedef struct gg_channel {
  int32_t form;  /* gg_channel_form */
  double *g;     /* n: the state, offset like the view's fields */
  double scale;
  double E;      /* GG_CHANNEL_CONDUCTANCE: the reversal potential; 0 otherwise */
  double decay;
} gg_channel;

/* What a hook sees. The same struct on both backends: under `cuda` every array pointer is a device
 * pointer and `cuda_stream` is the cudaStream_t to launch on. Members a kind does not use are
 * NULL/0. Arrays of n are padded to a multiple of 8 elements (64 bytes of doubles). */
typedef struct gg_view {
  uint32_t struct_size;
  int32_t backend;      /* GG_BACKEND_CPU or GG_BACKEND_CUDA */
  void *cuda_stream;    /* cudaStream_t under cuda, NULL on cpu */

  uint64_t n;           /* elements: neurons (neuron, recorder) or postsynaptic neurons (synapse) */
  uint64_t first_gid;   /* global id of element 0 (global ids span all populations) */
  double dt;            /* ms */
  uint64_t step;        /* index of the step being taken; t = step * dt */
  double t;             /* ms, time at the start of this step */

  double *const *fields; /* the descriptor's fields, in table order, n doubles each */
  uint32_t n_fields;
  const uint64_t *const *offsets; /* per field: NULL, or n + 1 offsets of a GG_TYPE_SEQUENCE field */

  /* random numbers: Philox-4x32-10 with key (seed, stream); counters are the caller's choice,
   * conventionally (element, step, draw). See ganglion/philox.h. */
  uint64_t seed;
  uint64_t rng_stream;

  /* ---- neuron ---- */
  const double *input;  /* n: summed synaptic current for this step, mV/ms */
  uint32_t *spikes;     /* out: indices (0..n-1) of elements that spiked this step, ascending.
                           A source may repeat an index for several spikes in one step. */
  uint64_t *n_spikes;   /* out: how many spikes there were; may exceed spike_capacity (only that
                           many were written), which the kernel reports as an error */
  uint64_t spike_capacity; /* room in `spikes` */

  /* ---- synapse (one projection) ---- */
  double *post_input;            /* n: the postsynaptic accumulator to add this projection's current to */
  double *post_v;                /* n: postsynaptic membrane potential (a delta synapse may write it) */
  const gg_arrival *arrivals;    /* the synapses whose spike arrives at the end of this step: ranges
                                    of the CSR arrays below, one per (spiking presynaptic neuron,
                                    delay); a neuron that spiked k times in a step appears k times */
  uint64_t n_arrivals;
  const uint64_t *row_ptr;       /* CSR by presynaptic neuron: row_ptr[pre] .. row_ptr[pre+1] */
  const uint32_t *post_index;    /* postsynaptic index of each synapse */
  const float *weight;           /* weight of each synapse, in the synapse's weight unit */
  const double *pre_rate;        /* rate synapses: the presynaptic population's r (Hz) after this
                                    step's update, n_pre values */
  uint64_t n_pre;                /* size of the presynaptic population */

  /* ---- recorder ---- */
  const double *const *pop_fields; /* the recorded population's fields (its table order) */
  const uint32_t *pop_spikes;      /* the population's spikes this step */
  uint64_t pop_n_spikes;
  const uint32_t *select;          /* chosen element indices ("neurons"), or NULL for all */
  uint64_t n_select;
  const uint32_t *variables;       /* chosen field indices of the population ("variables") */
  uint32_t n_variables;
  const char *population;          /* the recorded population's name */
  const char *const *variable_names;
  uint64_t every;                  /* sample every `every` steps (>= 1) */
  gg_sink sink;
  const double *input_means;       /* per incoming projection: its current this step, averaged
                                      over the population (input unit); recorders of inputs only */
  const char *const *input_names;  /* the projections' names, "E->I" */
  uint32_t n_inputs;
  const char *input_unit;          /* the recorded population's input unit ("mV/ms") */

  /* ---- plasticity (one projection; also projection recorders: weight, n_synapses) ---- */
  float *plastic_weight;           /* the projection's weights, to change in place */
  uint64_t n_synapses;
  const uint64_t *col_ptr;         /* by postsynaptic neuron j: col_synapse[col_ptr[j] .. col_ptr[j+1]) */
  const uint64_t *col_synapse;     /* indices into post_index / weight of each j's synapses */
  const uint32_t *col_pre;         /* the presynaptic neuron of each of those synapses */
  const uint32_t *pre_spikes;      /* presynaptic spikes of this step (as emitted, no delay) */
  uint64_t n_pre_spikes;
  const uint32_t *post_spikes;     /* postsynaptic spikes of this step */
  uint64_t n_post_spikes;
  int32_t learning;                /* 1 inside the rule's active phases: change weights; 0 outside:
                                      keep the traces running but leave weights alone */
  const char *projection;          /* the projection's name, "I->E" */
  const uint64_t *chosen_synapses; /* projection recorders: the synapses to follow */
  uint64_t n_chosen_synapses;

  /* ---- since ABI 1.1 (check struct_size before reading) ---- */
  const uint8_t *uniform;          /* n_fields flags: 1 where a GG_ROLE_PARAM field has the same
                                      value (bits) in every element of the whole instance, so a
                                      hook may load it once, as a scalar; 0 for every other field.
                                      Computed before `init` and again when a schedule changes the
                                      field (it may turn 0 or 1 then): read it on every call, never
                                      cache it; hooks must not write PARAM fields. NULL: nothing is
                                      known. */
  int32_t weights_uniform;         /* synapse: 1 when every weight of the projection equals
                                      weight[0] and stays so (no plasticity acts on it), so
                                      delivery need not load a weight per synapse */

  /* ---- since ABI 1.2 ---- */
  const uint16_t *post_index16;    /* synapse whose descriptor has GG_DESC_COMPACT_CSR: when not
                                      NULL, the postsynaptic index of each synapse in 16 bits,
                                      and post_index is NULL (see GG_DESC_COMPACT_CSR) */

  /* ---- since ABI 1.3 ---- */
  const gg_channel *channels;      /* neuron whose descriptor has GG_DESC_CHANNELS: the incoming
                                      projections whose current its step computes itself, added to
                                      `input` in this order; all of one form, at most
                                      GG_MAX_CHANNELS. NULL when there are none */
  uint32_t n_channels;
  int32_t *out_of_range;           /* neuron whose descriptor has GG_DESC_CHECKS_BOUNDS: out, 0
                                      on entry; the step sets it to 1 where a GG_BOUND_CHECKED
                                      field may be outside its range (or NaN) after the step. The
                                      kernel then looks for the element and stops the run; left 0,
                                      it skips its own scan of the fields */

  /* ---- since ABI 1.4 (the SDK's ganglion::rule_* read them) ---- */
  int32_t rule_part;               /* plasticity step: which part of the rule to do, a gg_rule_part
                                      (below); GG_RULE_WHOLE unless the rule declares
                                      GG_DESC_SPLIT_RULE */
  uint64_t post_begin, post_end;   /* plasticity step, GG_RULE_TARGETS: the postsynaptic neurons
                                      this call acts on, [post_begin, post_end) (a whole rule acts
                                      on all n) */

  /* ---- since ABI 1.6 ---- */
  const uint32_t *arrival_counts;  /* synapse whose descriptor has GG_DESC_COUNTS: when not NULL,
                                      arrival a brings arrival_counts[a] >= 1 spikes at once to
                                      each of its synapses (a drive's Poisson count): act as for
                                      one spike of that many times the weight. NULL: one each */

  /* ---- since ABI 1.9 ---- */
  const char *const *variable_units; /* recorder: the unit of each chosen variable ("mV"), as
                                        the population's descriptor declares it */

  /* ---- since ABI 1.12 ---- */
  /* A batch (`ganglion sweep --batch`): the instance holds the elements of several runs (members),
   * member after member, batch_n each, and each member draws as it would alone. Element i of this
   * view is element e % batch_n of member e / batch_n, e = batch_offset + i; its random numbers
   * take the member's seed, batch_seeds[e / batch_n], and global id batch_first_gid + e % batch_n.
   * batch_n = 0: not a batch (seed, and first_gid + i). gg_element_seed and gg_element_gid (below)
   * say which; a plugin that draws (or keys anything by global id) reads them through those and
   * declares GG_DESC_BATCH. Recorders see one member at a time (batch_n 0). */
  uint64_t batch_n;
  uint64_t batch_offset;
  uint64_t batch_first_gid;
  const uint64_t *batch_seeds;
} gg_view;

/* The seed and the global id element i of view v draws with (ABI 1.12; see batch_n); on a device
 * too, from a view there (its batch_seeds the device's). */
static GG_HD uint64_t gg_element_seed(const gg_view *v, uint64_t i) {
  return v->batch_n ? v->batch_seeds[(v->batch_offset + i) / v->batch_n] : v->seed;
}
static GG_HD uint64_t gg_element_gid(const gg_view *v, uint64_t i) {
  return v->batch_n ? v->batch_first_gid + (v->batch_offset + i) % v->batch_n : v->first_gid + i;
}

/* The parts of a plasticity rule's step (gg_view::rule_part). A rule whose descriptor has
 * GG_DESC_SPLIT_RULE may be called, instead of once whole, first once for GG_RULE_PRE_TRACES, then
 * once per target range for GG_RULE_TARGETS, the ranges disjoint and together the whole
 * population, run at once on several threads. Together they must do exactly what the whole step
 * does: the same arithmetic on every value, so that the results are the same bits.
 *   GG_RULE_WHOLE       all of it (below, gg_hooks::step).
 *   GG_RULE_PRE_TRACES  only the presynaptic traces (GG_ROLE_PRE_TRACE): advance them by dt and
 *                       add this step's presynaptic spikes; no weight changes.
 *   GG_RULE_TARGETS     everything else, for the synapses onto [post_begin, post_end) only: advance
 *                       those neurons' traces, act on this step's presynaptic spikes (their
 *                       synapses onto the range: arrivals[i] holds pre_spikes[i]'s run of the CSR,
 *                       possibly empty; n_arrivals = n_pre_spikes), then on the range's
 *                       postsynaptic spikes (post_spikes holds only those), reading the
 *                       presynaptic traces as GG_RULE_PRE_TRACES left them. Fields are whole (not
 *                       offset to the range); write only the range's elements and weights.
 * The ganglion::rule_* helpers of the SDK (plugin.hpp) give one loop for all three. */
typedef enum gg_rule_part {
  GG_RULE_WHOLE = 0,
  GG_RULE_PRE_TRACES = 1,
  GG_RULE_TARGETS = 2
} gg_rule_part;

#define GG_MAX_CHANNELS 3 /* channels the kernel hands one neuron step (ganglion::with_channels) */

#define GG_BACKEND_CPU 0
#define GG_BACKEND_CUDA 1

/* Neuron `step` and synapse `current` act element by element: the kernel may call them on
 * disjoint ranges of elements at once, each with a view whose n is the range's size, whose
 * per-element pointers (fields, input, post_input, post_v, and offsets of sequence fields) start at
 * the range, whose first_gid is the range's first global id, and whose spike indices are relative
 * to the range. They must touch their elements only. (Sequence values, fields[k] of a
 * GG_TYPE_SEQUENCE field, are not offset: offsets[k] index them.)
 *
 * The hooks of one backend. Every hook may be NULL except those the kind requires:
 *   neuron:   step                 synapse: step, current
 *   recorder: step                 plasticity: step
 *   (init and validate are optional everywhere)
 * All hooks run on the kernel's threads; two hooks of one instance never run at once, and hooks of
 * different instances may (and see above for ranges). A hook must not keep a pointer from its
 * view past its return. */
typedef struct gg_hooks {
  uint32_t struct_size;
  /* Once, before step 0, after fields hold their defaults, the config's values and initial
   * values. May derive state from parameters. Recorders declare their channels here. */
  gg_status (*init)(const gg_view *view, gg_error *err);
  /* Synapse only, early in each step: add this projection's current into post_input. The kernel
   * calls it exactly once per step, before the synapse's `step`, so it may also advance the
   * synapse's own state over the step (the exponential synapses decay there, in the same pass),
   * leaving `step` to apply the arrivals. */
  gg_status (*current)(const gg_view *view, gg_error *err);
  /* Neuron: integrate one dt using `input`, write spikes (rate units: update r).
   * Synapse: at the end of the step, advance the postsynaptic state by dt (unless `current`
   * did), then apply arrivals
   * (rate synapses: take up pre_rate).
   * Plasticity: after the projection's synapses took up this step's arrivals: advance the traces
   * by dt, then act on this step's presynaptic spikes, then on its postsynaptic spikes (or a part
   * of that: gg_rule_part).
   * Recorder: sample (the kernel calls it every step; the recorder honours `every`). */
  gg_status (*step)(const gg_view *view, gg_error *err);
  /* After the last step (recorders flush partial bins here). */
  gg_status (*finish)(const gg_view *view, gg_error *err);
  /* After the kernel changed parameter values during the run (a schedule), before the step that
   * uses them: recompute what `init` derived from parameters. NULL: nothing to recompute. */
  gg_status (*update)(const gg_view *view, gg_error *err);
  /* ---- since ABI 1.3 (check struct_size before reading) ---- */
  /* Synapse, optional: after `init`, whether this projection's `current` has a channel form
   * (gg_channel above). Fill *out for the elements of `view` (out->g pointing at its first) and
   * return GG_OK; out->form = GG_CHANNEL_NONE (or a NULL hook) where it does not. The kernel then
   * may skip `current` and hand the channel to a neuron whose step fuses it (GG_DESC_CHANNELS). */
  gg_status (*channel)(const gg_view *view, gg_channel *out, gg_error *err);
} gg_hooks;

typedef struct gg_descriptor {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char *name;       /* as configs name it: "eif" */
  int32_t kind;           /* gg_kind */
  const char *version;    /* the plugin's own version, free text */
  const char *doc;        /* a paragraph: the model, its equations, its conventions */
  const char *weight_unit;/* synapse: the unit of a projection's weight ("mV"); NULL otherwise */
  uint32_t flags;         /* GG_DESC_SOURCE, GG_DESC_RATE (below) */
  const char *input_unit; /* neuron: the unit of its input and of I_app ("mV/ms"); NULL: no input */
  /* synapse offering NEST's convention (a choice field named "convention" = "integral|peak"):
   * the unit of a weight that is the jump itself, e.g. "mV/ms"; NULL otherwise */
  const char *peak_weight_unit;
  /* plasticity: the synapse models it can act on, "exp_current|exp_conductance|delta"; NULL: any
   * synapse that carries spikes */
  const char *acts_on;
  const gg_field *fields;
  uint32_t n_fields;
  /* Cross-field check on one element's values (in table order), before anything runs. Return
   * GG_ERROR with a message that says what to change (e.g. "V_re (-40 mV) must be below V_th"). */
  gg_status (*validate)(const double *values, gg_error *err);
  const gg_hooks *cpu;  /* NULL when the plugin has no CPU implementation */
  const gg_hooks *cuda; /* always NULL (the kernel refuses a plugin that sets it): a plugin's CUDA
                           hooks come from its companion library, `cuda_library` below */
  /* ---- since ABI 1.7 (the kernel reads it only where struct_size covers it) ---- */
  /* The file name of the plugin's CUDA companion, a library in the same folder as the plugin
   * library that exports GG_CUDA_ENTRY_SYMBOL (below): "libganglion_lif_cuda.so". NULL: the
   * plugin has no CUDA implementation. Kept apart so that the plugin library itself needs no CUDA
   * runtime; the kernel opens the companion only when an instance runs on "cuda". */
  const char *cuda_library;
} gg_descriptor;

#define GG_DESC_SOURCE 1u /* neuron: takes no input (poisson, spike_times) */
#define GG_DESC_PROJECTION 4u /* recorder: records a projection (its weights), not a population */
#define GG_DESC_WRITES_POST_V 8u /* synapse: its step writes post_v (delta), so the kernel runs it
                                    apart from no other projection onto the same population */
#define GG_DESC_COMPACT_CSR 16u /* synapse: its hooks read the targets from post_index16 when that
                                    is not NULL, and only weight[0] when weights_uniform is 1. The
                                    kernel may then store a projection onto at most 65536 neurons
                                    with 16-bit targets, and one unchanging weight once (`weight`
                                    then holds one value): 2 bytes a synapse instead of 8. It does
                                    so only where no plasticity rule and no recorder reads the
                                    projection's synapses. */
#define GG_DESC_SPLIT_STEP 32u /* synapse: its step only applies the arrivals, each synapse to its
                                   own target (the state advanced in `current`), so the kernel may
                                   run it at once on parts of the arrivals whose targets lie in
                                   disjoint ranges (each call's view holds only its part's runs) */
#define GG_DESC_CHANNELS 64u /* neuron: its step adds view->channels' currents to `input` and
                                 advances their state, exactly as gg_channel says (the SDK's
                                 ganglion::with_channels), so the kernel calls no `current` for
                                 them. It does so where the population's channel-form projections
                                 are all of one form, at most GG_MAX_CHANNELS, and no recorder
                                 reads the population's inputs. Where it hands channels, `input`
                                 may be NULL: no input but the channels' */
#define GG_DESC_CHECKS_BOUNDS 128u /* neuron: its step tells the kernel, through out_of_range,
                                       whether its bound-checked fields may have left their
                                       ranges (lif's and eif's do, in their vector loop), so the
                                       kernel scans them only then */
#define GG_DESC_SPIKES_ONLY 256u /* recorder: its hooks read nothing of the population but its
                                     spikes (pop_spikes), never its state or inputs (a projection
                                     recorder: and its projection's weights, which are final for
                                     the step), so the kernel may call it after it has stepped the
                                     state further (with 2 threads or more the kernel then delivers
                                     each step's spikes together with the next step's neurons, one
                                     thread per target range) */
#define GG_DESC_SPLIT_RULE 512u /* plasticity: its step honours rule_part (gg_rule_part), so the
                                    kernel may run it by target range with the projection's
                                    delivery (with 2 threads or more) */
#define GG_DESC_DRIVE 1024u /* neuron source (with GG_DESC_SOURCE): emits no spikes; the kernel
                                gives every synapse of its projections, each step, a Poisson count
                                of spikes of mean rate * dt, its field "rate" (Hz) for the
                                presynaptic element (NEST's poisson_generator). Its step may do
                                nothing. Since ABI 1.5: a kernel before it, which would deliver
                                nothing, refuses the plugin for its minor version */
#define GG_DESC_COUNTS 2048u /* synapse: its step honours arrival_counts (the SDK's
                                  ganglion::for_each_arrival does), so the kernel hands a drive's
                                  count of c spikes as one arrival of count c instead of c
                                  arrivals. Since ABI 1.6 */
/* GG_DESC_BATCH (neuron, synapse, plasticity; since ABI 1.12): the plugin may hold several members
 * of a batch (`ganglion sweep --batch`; gg_view::batch_n): every hook acts element by element
 * (init, update and finish too; a synapse's and a rule's per synapse), never across elements, and
 * draws random numbers (or keys anything) per element by gg_element_seed and gg_element_gid, so
 * that each member's elements do exactly what they do in the member's run alone; its CUDA hooks
 * too, where it has them (the helpers are GG_HD). */
#define GG_DESC_BATCH 4096u
#define GG_DESC_RATE 2u   /* neuron: a rate unit whose output is its state field "r" (Hz), not
                             spikes; synapse: carries rates (W r), so its pre must be a rate unit */

typedef const gg_descriptor *(*gg_entry_fn)(void);

/* ---- The CUDA backend (since ABI 1.7) ----
 *
 * A plugin's CUDA implementation is a companion library (gg_descriptor::cuda_library) exporting
 * one symbol, GG_CUDA_ENTRY_SYMBOL, a function returning its gg_cuda_hooks. Its hooks run on the
 * host, like the CPU hooks, and enqueue their kernels on the instance's stream. */
#define GG_CUDA_ENTRY_SYMBOL "ganglion_plugin_cuda_v1"

/* What a CUDA hook sees. `view` is the instance's gg_view with every array in device memory
 * (fields, input, the channels' g, ...; the gg_channel array itself is in host memory); `host` is
 * the same view over host copies of the arrays, holding the values `init` and `update` left
 * (parameters and what was derived from them, never the evolving state): read constants there,
 * on the host, for instance to pass a parameter that every element shares to a kernel by value.
 * A step may be captured once into a CUDA graph and replayed for many steps: kernels take the
 * step from `step` (device memory), never view->step or view->t, which are those of the
 * capture. */
typedef struct gg_cuda_view {
  uint32_t struct_size;
  const gg_view *view;  /* device arrays; view->cuda_stream is the stream to enqueue on */
  const gg_view *host;  /* host copies of the constants */
  const uint64_t *step; /* device: the step being taken; t = step * dt */
  /* ---- neuron ---- */
  uint32_t *spikes;   /* device: this step's spikes, element indices in any order (a source
                         may repeat an index); append with an atomic add on n_spikes */
  uint32_t *n_spikes; /* device: the count, which the kernel clears before the step; it may
                         pass spike_capacity (no index is then written beyond it), which the
                         kernel reports as an error after the step */
  uint32_t spike_capacity;
  int32_t *out_of_range; /* device: 0 before the step; set to 1 where a GG_BOUND_CHECKED field
                            may have left its range (or turned NaN): the kernel then finds the
                            element and stops the run, as on the CPU */
  /* ---- synapse (since ABI 1.8; check struct_size before reading) ---- */
  const gg_arrival *arrivals;     /* device: this step's arrivals, in no fixed order; the CSR
                                     they index is the view's (row_ptr, post_index, weight) */
  const uint32_t *n_arrivals;     /* device: how many */
  uint32_t arrival_capacity;      /* the most a step can have: a bound for a launch's size */
  const uint32_t *arrival_counts; /* device, one per arrival: the spikes it brings (a drive's,
                                     GG_DESC_COUNTS); NULL: one each */
  /* ---- plasticity (since ABI 1.10) ----
   * A rule's view holds device arrays: plastic_weight, row_ptr, post_index, col_ptr, col_synapse,
   * col_pre, and the step's spikes: view->pre_spikes (ascending, a neuron that spiked k times in a
   * step k times in a row, as on the CPU) and view->post_spikes (each neuron once); their counts
   * are in device memory here (view->n_pre_spikes and view->n_post_spikes are not kept). The
   * kernel calls the rule's step after its projection's delivery, whole (GG_RULE_WHOLE). */
  const uint32_t *n_pre_spikes;  /* device: how many presynaptic spikes this step */
  const uint32_t *n_post_spikes; /* device: how many postsynaptic spikes this step */
  uint32_t pre_spike_capacity;   /* the most of each a step can have: bounds for a launch */
  uint32_t post_spike_capacity;
  const int32_t *learning; /* device: 1 where this step lies in the rule's active phases (change
                              weights), 0 outside (run the traces only); view->learning is not
                              kept */
  /* ---- recorder of a projection (since ABI 1.11) ----
   * A projection recorder (GG_DESC_PROJECTION) of a projection on cuda runs on the device where
   * its plugin's companion gives `step`, `record_size` and `emit`. Its view holds device arrays:
   * weight, row_ptr, post_index, chosen_synapses and its own fields. The kernel enqueues its
   * `step` once at the end of each chunk of steps, not every step, and ends a chunk at each of its
   * samples: where *sampling is 1 the step just taken ((*step - 1) + 1 a multiple of `every`) is
   * a sample, and its kernels write that sample's record at `record`; where it is 0 they must
   * write nothing. The host then hands each record to `emit`, in step order. */
  const int32_t *sampling; /* device: 1 where this chunk's last step is one of its samples */
  void *record;            /* device: record_bytes for the sample's record */
  void *scratch;           /* device: scratch_bytes of room the step may use as it likes */
} gg_cuda_view;

/* gg_cuda_hooks.flags */
#define GG_CUDA_ENQUEUES_ONLY                                                                      \
  1u /* every hook only enqueues work on view->cuda_stream: no                                     \
        synchronisation, no allocation, no copy to or from the host.                               \
        The kernel may then capture the step into a CUDA graph */
#define GG_CUDA_ARRIVAL_FORM                                                                       \
  2u /* (since ABI 1.8) a synapse whose arrivals the kernel delivers                               \
        itself: each synapse s onto target j that an arrival brings                                \
        n spikes adds (weight[s] * scale[j]) * n to x[j], x and scale                              \
        named by arrival_target and arrival_scale; its `step` is then                              \
        NULL. The kernel picks how (atomics, or the CPU's order) */

/* gg_cuda_hooks.arrival_target: the postsynaptic V (view->post_v; GG_DESC_WRITES_POST_V) */
#define GG_ARRIVAL_POST_V (-2)

/* The CUDA hooks, the counterpart of gg_hooks. NULL hooks: `init` NULL runs the CPU `init` on the
 * host copies and uploads what it wrote (so derived constants are the CPU's bits); `update` NULL
 * does the same with the CPU `update`, after the kernel has copied the instance's fields to the
 * host, since an update may read the evolving state (poisson restarts its trains from the draws
 * made so far); `finish` NULL does nothing; `current` NULL adds nothing to
 * the neuron's input (a synapse fused as a channel needs none on the device either); a neuron must
 * give `step`, a synapse `step` or GG_CUDA_ARRIVAL_FORM. */
typedef struct gg_cuda_hooks {
  uint32_t struct_size;
  uint32_t abi_major, abi_minor; /* GG_ABI_MAJOR and GG_ABI_MINOR it was built against */
  int32_t cuda_runtime;          /* CUDART_VERSION it was built with (13000 for 13.0): the kernel
                                    refuses another major version than its device engine's */
  uint32_t flags;                /* GG_CUDA_ENQUEUES_ONLY, GG_CUDA_ARRIVAL_FORM */
  gg_status (*init)(const gg_cuda_view *view, gg_error *err);
  gg_status (*current)(const gg_cuda_view *view, gg_error *err);
  gg_status (*step)(const gg_cuda_view *view, gg_error *err);
  gg_status (*finish)(const gg_cuda_view *view, gg_error *err);
  gg_status (*update)(const gg_cuda_view *view, gg_error *err);
  /* ---- since ABI 1.8 (read only where struct_size covers them and flags say
          GG_CUDA_ARRIVAL_FORM) ---- */
  int32_t arrival_target; /* the field each arrival adds into, or GG_ARRIVAL_POST_V */
  int32_t arrival_scale;  /* the field whose value at the target multiplies the weight; -1: 1 */
  /* ---- since ABI 1.11: a recorder of a projection (gg_cuda_view's recorder part) ---- */
  /* On the host, after the CPU `init` (which declares the recorder's datasets and writes the
   * sample at t = 0 from the host's weights): the bytes of one sample's record and of the scratch
   * its step needs, from the host view. */
  gg_status (*record_size)(const gg_view *host, uint64_t *record_bytes, uint64_t *scratch_bytes,
                           gg_error *err);
  /* On the host: one sample's record, copied from the device, to the recorder's sink. The host
   * view's step and t are those of the step sampled, as its CPU `step` would see them. */
  gg_status (*emit)(const gg_view *host, const void *record, gg_error *err);
} gg_cuda_hooks;

typedef const gg_cuda_hooks *(*gg_cuda_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
