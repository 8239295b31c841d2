#!/usr/bin/env bash
# Sets everything up, builds snnc and runs the whole test suite
# (GoogleTest units, lit + FileCheck, end-to-end) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
SNN_WERROR=ON bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" -LE slow
