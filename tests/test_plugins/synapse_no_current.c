/* (d) A synapse whose cpu hook table lacks 'current', which every synapse must provide: refused,
 * naming the missing hook. Everything else is valid (weight_unit set, step present). */
#include "ganglion/plugin_abi.h"

#include <math.h>

static const gg_field fields[1] = {
    {"tau", "ms", GG_ROLE_PARAM, GG_TYPE_F64, 5.0, 0.0, HUGE_VAL, GG_MIN_EXCLUSIVE, NULL,
     "decay time constant"},
};

static gg_status step(const gg_view *v, gg_error *err) {
  (void)v;
  (void)err;
  return GG_OK;
}

static const gg_hooks cpu_hooks = {
    sizeof(gg_hooks), /* struct_size */
    NULL,             /* init */
    NULL,             /* current: missing on purpose */
    step,             /* step */
    NULL,             /* finish */
    NULL,              /* update */
    NULL,             /* channel */
};

static const gg_descriptor descriptor = {
    sizeof(gg_descriptor),          /* struct_size */
    GG_ABI_MAJOR,                   /* abi_major */
    GG_ABI_MINOR,                   /* abi_minor */
    "gg_test_synapse_no_current",   /* name */
    GG_KIND_SYNAPSE,                /* kind */
    "0.1-test",                     /* version */
    "A synapse without 'current'.", /* doc */
    "mV",                           /* weight_unit */
    0u,                             /* flags */
    NULL,                            /* input_unit */
    NULL,                            /* peak_weight_unit */
    NULL,                             /* acts_on */
    fields,                         /* fields */
    1u,                             /* n_fields */
    NULL,                           /* validate */
    &cpu_hooks,                     /* cpu */
    NULL,                           /* cuda */
};

GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {
  return &descriptor;
}
