#include "vigil_build.h"

#ifndef VIGIL_COMMIT
#define VIGIL_COMMIT ""
#endif

const char *vigil_build_commit(void) { return VIGIL_COMMIT; }
