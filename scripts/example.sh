#!/usr/bin/env bash
# Sets everything up, builds snnc, compiles the CUBA example network
# (examples/cuba.snn: 4000 LIF neurons, Vogels & Abbott 2005) and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p build/example
build/tools/snnc/snnc examples/cuba.snn -o build/example/cuba
cd build/example
./cuba --duration 1s
/usr/bin/python3 -c "import numpy as np; d = np.load('cuba_spikes.npz'); print('cuba_spikes.npz:', len(d['exc_spikes_t']), 'excitatory spikes, first at', d['exc_spikes_t'][:3], 's')"
