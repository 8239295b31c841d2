#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-19 in build-fuzz/ (coverage, ASan,
# UBSan) and runs each for SECONDS (default 60) from its seed corpus:
#
#   scripts/fuzz.sh [SECONDS]
#
# A crash, sanitizer report, timeout (10 s) or out-of-memory (2 GiB) input
# fails the run and is saved in build-fuzz/fuzz-failures/. What the fuzzers
# add to their corpora stays in build-fuzz/fuzz-corpus/ between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
case "$seconds" in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 1 ;;
esac
[ -n "${SNN_SETUP_DONE:-}" ] || bash scripts/setup.sh
CC=clang-19 CXX=clang++-19 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSNN_FUZZ=ON -DSNN_WERROR=OFF -DSNN_FUZZ_SECONDS="$seconds" >/dev/null
ninja -C build-fuzz -j"$(nproc)" snn-fuzz-compile snn-fuzz-dataset snn-fuzz-hdf5-events
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-fuzz
ctest --output-on-failure -j"$(nproc)" -L fuzz
