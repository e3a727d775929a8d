// Zstandard (Debian: libzstd-dev; macOS: brew install zstd), for Parquet pages.
#ifndef TERRAIN_CZSTD_SHIM_H
#define TERRAIN_CZSTD_SHIM_H
#include <zstd.h>
#endif
