#ifndef TREATY_CZLIB_SHIM_H
#define TREATY_CZLIB_SHIM_H
#include <zlib.h>

/// `deflateInit` and `inflateInit` are macros Swift cannot import.
static inline int treaty_deflate_init(z_streamp stream, int level) { return deflateInit(stream, level); }
static inline int treaty_inflate_init(z_streamp stream) { return inflateInit(stream); }
#endif
