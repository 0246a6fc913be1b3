/* (b) A neuron built for a newer MAJOR ABI (GG_ABI_MAJOR + 1): otherwise valid, it must be refused
 * with both versions in the message. */
#include "ganglion/plugin_abi.h"

static gg_status step(const gg_view *v, gg_error *err) {
  (void)v;
  (void)err;
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
    sizeof(gg_descriptor),          /* struct_size */
    GG_ABI_MAJOR + 1,               /* abi_major: newer than the kernel's */
    GG_ABI_MINOR,                   /* abi_minor */
    "gg_test_abi_major",            /* name */
    GG_KIND_NEURON,                 /* kind */
    "0.1-test",                     /* version */
    "Built for a newer major ABI.", /* doc */
    NULL,                           /* weight_unit */
    0u,                             /* flags */
    NULL,                            /* input_unit */
    NULL,                            /* peak_weight_unit */
    NULL,                             /* acts_on */
    NULL,                           /* fields */
    0u,                             /* n_fields */
    NULL,                           /* validate */
    &cpu_hooks,                     /* cpu */
    NULL,                           /* cuda */
};

GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {
  return &descriptor;
}
