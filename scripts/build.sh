#!/usr/bin/env bash
# Configures and builds snnc in build/ (Ninja, RelWithDebInfo). Run setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j"$(nproc)"
