#include "vigil_build.h"

/// The commit, from an object file scripts/package.sh links in (so a new commit relinks
/// the binary instead of recompiling it). A weak reference: null in any other build.
extern const char vigil_commit_text[] __attribute__((weak));

const char *vigil_build_commit(void) { return vigil_commit_text ? vigil_commit_text : ""; }
