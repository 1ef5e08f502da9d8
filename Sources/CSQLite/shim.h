#ifndef TREATY_CSQLITE_SHIM_H
#define TREATY_CSQLITE_SHIM_H
// The session API (used by sync) is declared only when both macros are set before the include.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

/// `SQLITE_TRANSIENT` is a macro Swift cannot import.
static inline sqlite3_destructor_type treaty_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
