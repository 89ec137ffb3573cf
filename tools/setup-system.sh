#!/usr/bin/env bash
# Installs the system packages Tessera's tests use, from Debian's archive, when they are missing:
# chromium (e2e tests, PDF reports), poppler-utils (pdftotext/pdftoppm), build tools (better-sqlite3
# builds from source), xvfb (headed runs), coinor-libipopt-dev + pkg-config (the native Ipopt
# yardstick for the OPF). Idempotent; used by `npm test` and by .ci/run.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v g++ >/dev/null 2>&1 || need+=(build-essential)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ -e /usr/include/coin/IpTNLP.hpp ] || [ -e /usr/include/coin-or/IpTNLP.hpp ] || need+=(coinor-libipopt-dev)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu machine: please install ${need[*]} (or set TESSERA_CHROMIUM to a Chromium binary)." >&2
  exit 1
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else echo "need root to apt-get install ${need[*]}" >&2; exit 1; fi; }
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "system packages: installed ${need[*]}"
