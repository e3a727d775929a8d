#!/usr/bin/env bash
# Installs terrain under PREFIX (default ~/.local):
#   PREFIX/bin/terrain                  the release build
#   PREFIX/share/terrain/datasets/      the bundled tables (*.csv.gz) and their README.md
#   PREFIX/share/terrain/datasets/contours/  the outlines `chart map` draws (*.geojson.gz)
# The installed terrain finds its tables from any folder. PREFIX/bin should be on PATH.
#
#   scripts/install.sh [PREFIX]
#
# TERRAIN_BINARY=path installs that executable instead of building one (for tests).
set -euo pipefail
prefix="${1:-$HOME/.local}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${TERRAIN_BINARY:-}" ]]; then
  binary="$TERRAIN_BINARY"
else
  swift build --package-path "$root" -c release >&2
  binary="$(swift build --package-path "$root" -c release --show-bin-path)/terrain"
fi
data="$prefix/share/terrain/datasets"
mkdir -p "$prefix/bin" "$data" "$data/contours"
# Tables of an earlier installation that are no longer bundled must not linger.
rm -f "$data"/*.csv "$data"/*.csv.gz "$data"/contours/*.geojson "$data"/contours/*.geojson.gz
install -m 755 "$binary" "$prefix/bin/terrain"
install -m 644 "$root"/datasets/*.csv.gz "$root/datasets/README.md" "$data/"
install -m 644 "$root"/datasets/contours/*.geojson.gz "$data/contours/"
echo "installed $prefix/bin/terrain and its tables in $data"
