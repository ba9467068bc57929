#ifndef VIGIL_BUILD_H
#define VIGIL_BUILD_H

/// The commit this binary was built from, or "" when the build did not say
/// (scripts/package.sh passes -Xcc -DVIGIL_COMMIT="..." to a release build).
const char *vigil_build_commit(void);

#endif
