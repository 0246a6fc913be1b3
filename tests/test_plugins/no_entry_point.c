/* (f) A valid shared library that is not a ganglion plugin: it exports a function, but not the
 * entry symbol ganglion_plugin_v1 (a near miss, in fact, to show the name must match exactly). */
#include "ganglion/plugin_abi.h"

GG_EXPORT int ganglion_plugin_v0(void) {
  return 42;
}
