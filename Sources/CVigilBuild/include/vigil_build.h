#ifndef VIGIL_BUILD_H
#define VIGIL_BUILD_H

/// The commit this binary was built from, or "" when the build did not say
/// (scripts/package.sh links in an object file that defines it).
const char *vigil_build_commit(void);

#endif
