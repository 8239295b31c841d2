#!/usr/bin/env bash
# Sets everything up, builds snnc and runs the whole test suite
# (GoogleTest units, lit + FileCheck, end-to-end) through CTest.
#
#   scripts/test.sh             the CI command: build/ with -Werror, all
#                               tests but those labelled slow, then each
#                               fuzz target for 60 s (scripts/fuzz.sh)
#   scripts/test.sh --sanitize  the same suite built with ASan and UBSan in
#                               build-sanitize/ (any finding fails its test)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=default
case "${1:-}" in
  "") ;;
  --sanitize) mode=sanitize ;;
  *) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 1 ;;
esac
bash scripts/setup.sh
if [ "$mode" = sanitize ]; then
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSNN_WERROR=ON \
    -DSNN_SANITIZE=address,undefined >/dev/null
  ninja -C build-sanitize -j"$(nproc)"
  # Leaks are findings too; a test that expects a failed allocation gets
  # null from malloc instead of an ASan report.
  export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  cd build-sanitize
  ctest --output-on-failure -j"$(nproc)" -LE slow --timeout 3000
  exit
fi
SNN_WERROR=ON bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" -LE slow)
# The libFuzzer targets, 60 s each (clang-19 build in build-fuzz/).
SNN_SETUP_DONE=1 bash scripts/fuzz.sh 60
