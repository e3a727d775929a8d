// libpq, PostgreSQL's client library, for `attach` (Debian/Ubuntu: libpq-dev; macOS: brew install libpq).
#ifndef TERRAIN_CLIBPQ_SHIM_H
#define TERRAIN_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
