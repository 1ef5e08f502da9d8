#ifndef TREATY_CMALLOC_H
#define TREATY_CMALLOC_H
/// Caps glibc's malloc arenas (it makes up to eight per core); does nothing elsewhere.
void treaty_limit_malloc_arenas(int arenas);
#endif
