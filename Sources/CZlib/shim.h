// zlib, for inflating the parts of XLSX files (raw deflate streams inside a zip).
#ifndef VIGIL_ZLIB_SHIM_H
#define VIGIL_ZLIB_SHIM_H

#include <zlib.h>

/// inflateInit2 is a macro over inflateInit2_; this is the raw-deflate form zip entries use.
static inline int vigil_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}

#endif
