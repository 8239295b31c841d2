"""Checks record-every.snn's recordings against its every-step ones."""
import sys

import numpy as np

DT = 1e-4
every, full = np.load(sys.argv[1]), np.load(sys.argv[2])
v, t = full["p_v"][0], full["t"]  # [steps, neurons]
sampled, times = every["p_v"][0], every["p_v_t"]
assert sampled.shape == (100, 4), sampled.shape
assert np.array_equal(sampled, v[9::10]), "every 1 ms: not every tenth sample"
assert np.allclose(times, t[9::10]) and np.isclose(times[0], 1e-3), times[:3]
steps = np.rint(full["p_spikes_t"] / DT).astype(int)
neurons = full["p_spikes_i"]
assert len(steps) > 20, "too few spikes to check rates"
# Bins of 100 steps over neurons 0 and 1: spikes / (2 neurons * 10 ms).
mine = neurons < 2
counts = np.bincount(steps[mine] // 100, minlength=10)
assert np.allclose(every["p_rate"][0], counts / (2 * 100 * DT)), (every["p_rate"][0], counts)
assert np.allclose(every["p_rate_t"], (np.arange(10) + 1) * 100 * DT)
# Every step over all four neurons.
per_step = np.bincount(steps, minlength=1000) / (4 * DT)
# A second record of the same names gets the suffix _2 on each.
assert np.allclose(every["p_rate_2"][0], per_step)
assert np.allclose(every["p_rate_t_2"], t)
print("record-every: ok")
