#!/bin/sh
# Builds the native-Ipopt reference (needs Debian's coinor-libipopt-dev and pkg-config).
# Output: bench/ipopt-ref/build/mpopf_ref. Exits non-zero with a clear reason when Ipopt is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! pkg-config --exists ipopt 2>/dev/null; then
  echo "ipopt not found by pkg-config: apt-get install -y coinor-libipopt-dev pkg-config" >&2
  exit 3
fi
mkdir -p "$here/build"
out="$here/build/mpopf_ref"
if [ "$out" -nt "$here/mpopf_ref.cpp" ] && [ "${FORCE:-0}" != 1 ]; then
  echo "$out"
  exit 0
fi
# pkg-config's full link line names -llapack/-lblas, whose unversioned .so links exist only with
# liblapack-dev/libblas-dev; libipopt.so already records those dependencies, so fall back to it alone.
# shellcheck disable=SC2046
g++ -O2 -std=c++17 -o "$out.tmp" "$here/mpopf_ref.cpp" $(pkg-config --cflags --libs ipopt) 2>/dev/null ||
  g++ -O2 -std=c++17 -o "$out.tmp" "$here/mpopf_ref.cpp" $(pkg-config --cflags ipopt) -lipopt
mv "$out.tmp" "$out"
echo "$out"
