#ifndef TREATY_CZLIB_SHIM_H
#define TREATY_CZLIB_SHIM_H
#include <zlib.h>
#endif
