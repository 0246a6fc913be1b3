/* (c) A neuron built for a newer MINOR ABI (GG_ABI_MINOR + 1): otherwise valid, it must be refused
 * (a kernel cannot know what a newer minor appended), with both versions in the message. */
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
    GG_ABI_MAJOR,                   /* abi_major */
    GG_ABI_MINOR + 1,               /* abi_minor: newer than the kernel's */
    "gg_test_abi_minor",            /* name */
    GG_KIND_NEURON,                 /* kind */
    "0.1-test",                     /* version */
    "Built for a newer minor ABI.", /* doc */
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
