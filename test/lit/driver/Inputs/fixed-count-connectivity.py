"""Checks the in-degrees that fixed-count-connectivity.snn records."""
import sys

import numpy as np

d = np.load(sys.argv[1])
last = {name: d[name][0, -1] for name in ("ins_n", "outs_n", "total_n", "selfs_n", "self_z")}
assert np.all(last["ins_n"] == 7), last["ins_n"]
assert last["outs_n"].sum() == 5 * 30 and last["outs_n"].max() > last["outs_n"].min(), last["outs_n"]
assert last["total_n"].sum() == 123, last["total_n"]
assert last["selfs_n"].sum() == 3 * 30, last["selfs_n"]
# Without autapses each of the 30 takes all 29 others: z = 29 everywhere.
assert np.all(last["self_z"] == 29), last["self_z"]
print("fixed-count connectivity: ok")
