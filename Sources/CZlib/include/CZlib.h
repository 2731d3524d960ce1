#ifndef GAMMA_CZLIB_H
#define GAMMA_CZLIB_H

#include <zlib.h>

// deflateInit2 and inflateInit2 are macros in zlib.h, which Swift cannot import.
// These wrappers pass ZLIB_VERSION and sizeof(z_stream) exactly as the macros do.

static inline int czlib_deflate_init2(z_streamp strm, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, strategy);
}

static inline int czlib_inflate_init2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
