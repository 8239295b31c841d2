#!/usr/bin/env bash
# Sets everything up, builds snnc, compiles the main example
# (examples/digits.snn: a recurrent ALIF network trained with e-prop on the
# UCI 8x8 handwritten digits) and trains it; it ends by printing
# `test accuracy: NN.N %` (about two minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p build/example
build/tools/snnc/snnc examples/digits.snn -o build/example/digits
# The data path in the model (data/digits.csv.gz) is relative to the repository root.
build/example/digits --metrics build/example/digits_metrics.jsonl
