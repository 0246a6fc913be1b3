/* (e) A neuron whose cpu hook table lacks 'step', which every neuron must provide: refused, naming
 * the missing hook. It has an init hook, so the table is not simply empty. */
#include "ganglion/plugin_abi.h"

static gg_status init(const gg_view *v, gg_error *err) {
  (void)v;
  (void)err;
  return GG_OK;
}

static const gg_hooks cpu_hooks = {
    sizeof(gg_hooks), /* struct_size */
    init,             /* init */
    NULL,             /* current */
    NULL,             /* step: missing on purpose */
    NULL,             /* finish */
    NULL,              /* update */
    NULL,             /* channel */
};

static const gg_descriptor descriptor = {
    sizeof(gg_descriptor),      /* struct_size */
    GG_ABI_MAJOR,               /* abi_major */
    GG_ABI_MINOR,               /* abi_minor */
    "gg_test_neuron_no_step",   /* name */
    GG_KIND_NEURON,             /* kind */
    "0.1-test",                 /* version */
    "A neuron without 'step'.", /* doc */
    NULL,                       /* weight_unit */
    0u,                         /* flags */
    NULL,                        /* input_unit */
    NULL,                        /* peak_weight_unit */
    NULL,                         /* acts_on */
    NULL,                       /* fields */
    0u,                         /* n_fields */
    NULL,                       /* validate */
    &cpu_hooks,                 /* cpu */
    NULL,                       /* cuda */
};

GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {
  return &descriptor;
}
