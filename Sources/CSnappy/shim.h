// Snappy's C API (Debian: libsnappy-dev; macOS: brew install snappy), for Parquet pages.
#ifndef TERRAIN_CSNAPPY_SHIM_H
#define TERRAIN_CSNAPPY_SHIM_H
#include <stddef.h>
#include <snappy-c.h>
#endif
