#!/usr/bin/env bash
# Configures and builds snnc in build/ (Ninja, RelWithDebInfo). Run setup.sh first.
# SNN_WERROR=ON in the environment makes warnings errors (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSNN_WERROR="${SNN_WERROR:-OFF}" >/dev/null
ninja -C build -j"$(nproc)"
