"""Checks record-index-list.snn's lists against its whole-population records."""
import sys

import numpy as np

DT = 1e-4
d = np.load(sys.argv[1])
v_all = d["p_v_2"][0]  # the second p.v record: every neuron, every step
assert list(d["p_v_neurons"]) == [6, 1, 3], d["p_v_neurons"]
assert np.array_equal(d["p_v"][0], v_all[99::100][:, [6, 1, 3]]), "listed v differs"
steps = np.rint(d["p_spikes_t_2"] / DT).astype(int)
neurons = d["p_spikes_i_2"]
mine = np.isin(neurons, [5, 2])
assert np.array_equal(d["p_spikes_i"], neurons[mine]) and np.allclose(d["p_spikes_t"], d["p_spikes_t_2"][mine])
chosen = np.isin(neurons, [0, 7])
counts = np.bincount(steps[chosen] // 100, minlength=5)
assert np.allclose(d["p_rate"][0], counts / (2 * 100 * DT)), (d["p_rate"][0], counts)
assert len(neurons) > 10 and mine.any() and chosen.any()
print("record index lists: ok")
