/* (g) A neuron whose V turns NaN: element `which` at step `at` (for the kernel's bound check,
 * which must stop the run there; a NaN fails every comparison, so a check written as
 * `V < min || V > max` would miss it). Otherwise V stays where it starts. Loads like (a). */
#include "ganglion/plugin_abi.h"

#include <math.h>

enum { F_AT, F_WHICH, F_V, F_COUNT };

static const gg_field fields[F_COUNT] = {
    {"at", "1", GG_ROLE_PARAM, GG_TYPE_F64, 10.0, 0.0, HUGE_VAL, 0u, NULL,
     "the step in which V turns NaN"},
    {"which", "1", GG_ROLE_PARAM, GG_TYPE_F64, 1.0, 0.0, HUGE_VAL, 0u, NULL,
     "the element whose V turns NaN"},
    {"V", "mV", GG_ROLE_STATE, GG_TYPE_F64, -65.0, -1e3, 1e3, GG_BOUND_CHECKED, NULL,
     "membrane potential"},
};

static gg_status step(const gg_view *v, gg_error *err) {
  double *V = v->fields[F_V];
  const double *at = v->fields[F_AT], *which = v->fields[F_WHICH];
  uint64_t i;
  (void)err;
  for (i = 0; i < v->n; ++i)
    if ((double)v->step == at[i] && (double)(v->first_gid + i) == which[i]) V[i] = NAN;
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

static const gg_descriptor descriptor = {
    sizeof(gg_descriptor),                 /* struct_size */
    GG_ABI_MAJOR,                          /* abi_major */
    GG_ABI_MINOR,                          /* abi_minor */
    "gg_test_nan",                         /* name */
    GG_KIND_NEURON,                        /* kind */
    "0.1-test",                            /* version */
    "A neuron whose V turns NaN (tests).", /* doc */
    NULL,                                  /* weight_unit */
    0u,                                    /* flags */
    "mV/ms",                               /* input_unit */
    NULL,                                  /* peak_weight_unit */
    NULL,                                  /* acts_on */
    fields,                                /* fields */
    F_COUNT,                               /* n_fields */
    NULL,                                  /* validate */
    &cpu_hooks,                            /* cpu */
    NULL,                                  /* cuda */
};

GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {
  return &descriptor;
}
