// GNU readline for the interactive shell (Debian/Ubuntu: libreadline-dev; macOS: brew install readline).
#ifndef TERRAIN_CREADLINE_SHIM_H
#define TERRAIN_CREADLINE_SHIM_H
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
#endif
