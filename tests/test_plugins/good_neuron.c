/* (a) A good, minimal neuron plugin written in plain C against plugin_abi.h: the loader must
 * accept it from outside the built-in folder. A perfect integrator: V += dt (input + I_e); a spike
 * at V >= V_th, then V = V_re. ABI version equal to the kernel's. */
#include "ganglion/plugin_abi.h"

#include <math.h>

enum { F_V_TH, F_V_RE, F_I_E, F_V, F_COUNT };

static const gg_field fields[F_COUNT] = {
    {"V_th", "mV", GG_ROLE_PARAM, GG_TYPE_F64, -50.0, -HUGE_VAL, HUGE_VAL, 0u, NULL,
     "spike threshold"},
    {"V_re", "mV", GG_ROLE_PARAM, GG_TYPE_F64, -65.0, -HUGE_VAL, HUGE_VAL, 0u, NULL,
     "reset potential"},
    {"I_e", "mV/ms", GG_ROLE_PARAM, GG_TYPE_F64, 0.0, -HUGE_VAL, HUGE_VAL, 0u, NULL,
     "constant drive"},
    {"V", "mV", GG_ROLE_STATE, GG_TYPE_F64, -65.0, -1e3, 1e3, GG_BOUND_CHECKED, NULL,
     "membrane potential"},
};

static gg_status step(const gg_view *v, gg_error *err) {
  double *V = v->fields[F_V];
  const double *th = v->fields[F_V_TH], *re = v->fields[F_V_RE], *ie = v->fields[F_I_E];
  uint64_t i;
  (void)err;
  for (i = 0; i < v->n; ++i) {
    V[i] += v->dt * (v->input[i] + ie[i]);
    if (V[i] >= th[i]) {
      if (*v->n_spikes < v->spike_capacity) v->spikes[(*v->n_spikes)++] = (uint32_t)i;
      V[i] = re[i];
    }
  }
  return GG_OK;
}

static const gg_hooks cpu_hooks = {
    sizeof(gg_hooks), /* struct_size */
    NULL,             /* init */
    NULL,             /* current */
    step,             /* step */
    NULL,             /* finish */
    NULL,              /* update */
    NULL,             /* channel */
};

static const gg_descriptor descriptor = {
    sizeof(gg_descriptor),                   /* struct_size */
    GG_ABI_MAJOR,                            /* abi_major */
    GG_ABI_MINOR,                            /* abi_minor */
    "gg_test_good",                          /* name */
    GG_KIND_NEURON,                          /* kind */
    "0.1-test",                              /* version */
    "Perfect integrator used by the tests.", /* doc */
    NULL,                                    /* weight_unit */
    0u,                                      /* flags */
    "mV/ms",                                     /* input_unit */
    NULL,                                     /* peak_weight_unit */
    NULL,                                      /* acts_on */
    fields,                                  /* fields */
    F_COUNT,                                 /* n_fields */
    NULL,                                    /* validate */
    &cpu_hooks,                              /* cpu */
    NULL,                                    /* cuda */
};

GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {
  return &descriptor;
}
