// LZ4 block format (Debian: liblz4-dev; macOS: brew install lz4), for Parquet LZ4_RAW pages.
#ifndef TERRAIN_CLZ4_SHIM_H
#define TERRAIN_CLZ4_SHIM_H
#include <lz4.h>
#endif
