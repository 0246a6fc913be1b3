/* (h) A plasticity rule for the kernel's threading tests: at each postsynaptic spike of j, every
 * synapse of j shrinks by the factor 1 - eta (through the by-post index), and in step `fail_at`
 * (if not negative) the step fails with a message naming it. Built twice: rule_whole.so without
 * GG_DESC_SPLIT_RULE (the kernel must then run it whole: no owner mode, its delivery not split)
 * and, with RULE_SPLIT defined, rule_split.so, which honours rule_part (it has no presynaptic
 * traces, so GG_RULE_PRE_TRACES does nothing but the failure). */
#include "ganglion/plugin_abi.h"

#include <math.h>
#include <stdio.h>

enum { F_ETA, F_FAIL_AT, F_COUNT };

static const gg_field fields[F_COUNT] = {
    {"eta", "1", GG_ROLE_PARAM, GG_TYPE_F64, 0.01, 0.0, 1.0, 0u, NULL,
     "relative shrink of each synapse of a postsynaptic neuron at its spike"},
    {"fail_at", "1", GG_ROLE_PARAM, GG_TYPE_F64, -1.0, -1.0, HUGE_VAL, 0u, NULL,
     "the step that fails (-1: none)"},
};

static gg_status step(const gg_view *v, gg_error *err) {
  const double eta = v->fields[F_ETA][0], fail_at = v->fields[F_FAIL_AT][0];
  uint64_t p, c;
  if (fail_at >= 0 && (double)v->step == fail_at) {
    snprintf(err->message, err->capacity, "failing on purpose in step %llu",
             (unsigned long long)v->step);
    return GG_ERROR;
  }
#ifdef RULE_SPLIT
  if (v->rule_part == GG_RULE_PRE_TRACES) return GG_OK;
#endif
  if (!v->learning) return GG_OK;
  for (p = 0; p < v->n_post_spikes; ++p) {
    const uint32_t j = v->post_spikes[p];
    for (c = v->col_ptr[j]; c < v->col_ptr[j + 1]; ++c)
      v->plastic_weight[v->col_synapse[c]] *= (float)(1.0 - eta);
  }
  return GG_OK;
}

static const gg_hooks cpu_hooks = {
    sizeof(gg_hooks), /* struct_size */
    NULL,             /* init */
    NULL,             /* current */
    step,             /* step */
    NULL,             /* finish */
    NULL,             /* update */
    NULL,             /* channel */
};

#ifdef RULE_SPLIT
#define RULE_NAME "gg_test_rule_split"
#define RULE_FLAGS GG_DESC_SPLIT_RULE
#else
#define RULE_NAME "gg_test_rule_whole"
#define RULE_FLAGS 0u
#endif

static const gg_descriptor descriptor = {
    sizeof(gg_descriptor),                                /* struct_size */
    GG_ABI_MAJOR,                                         /* abi_major */
    GG_ABI_MINOR,                                         /* abi_minor */
    RULE_NAME,                                            /* name */
    GG_KIND_PLASTICITY,                                   /* kind */
    "0.1-test",                                           /* version */
    "Shrinks a neuron's synapses at its spikes (tests).", /* doc */
    NULL,                                                 /* weight_unit */
    RULE_FLAGS,                                           /* flags */
    NULL,                                                 /* input_unit */
    NULL,                                                 /* peak_weight_unit */
    NULL,                                                 /* acts_on */
    fields,                                               /* fields */
    F_COUNT,                                              /* n_fields */
    NULL,                                                 /* validate */
    &cpu_hooks,                                           /* cpu */
    NULL,                                                 /* cuda */
};

GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {
  return &descriptor;
}
