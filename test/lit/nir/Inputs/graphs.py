"""Writes the NIR graphs the lit tests of test/lit/nir/ import into the
folder argv[1], through test/e2e/nir_graphs.py (the published schema)."""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "e2e"))
import nir_graphs as ng  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def lif(n, **extra):
    p = dict(tau=np.full(n, 0.02), r=np.full(n, 1.0), v_leak=np.zeros(n), v_threshold=np.full(n, 1.0))
    p.update(extra)
    return ng.node("LIF", **p)


def write(name, nodes, edges):
    ng.write(os.path.join(out, name + ".nir.h5"), ng.graph(nodes, edges))


# Every edge node, a recurrent edge, a uniform bias, per-neuron values.
write("good", {
    "input": ng.node("Input", shape=np.array([3])),
    "fc": ng.node("Affine", weight=np.arange(12.0).reshape(4, 3), bias=np.full(4, 0.5)),
    "lif": lif(4, v_reset=np.full(4, -0.1)),
    "rec": ng.node("Linear", weight=np.eye(4)),
    "out": ng.node("Linear", weight=np.ones((2, 4))),
    "li": ng.node("LI", tau=np.array([0.01, 0.03]), r=np.ones(2), v_leak=np.zeros(2)),
    "scale": ng.node("Scale", scale=np.full(3, 2.0)),
    "delay": ng.node("Delay", delay=np.full(3, 0.003)),
    "if": ng.node("IF", r=np.ones(3), v_threshold=np.ones(3)),
    "output": ng.node("Output", shape=np.array([2])),
}, [("input", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "out"), ("out", "li"),
    ("li", "output"), ("input", "scale"), ("scale", "delay"), ("delay", "if")])

base = {"input": ng.node("Input", shape=np.array([4])), "output": ng.node("Output", shape=np.array([4]))}
image = {"input": ng.node("Input", shape=np.array([1, 4, 4])), "output": ng.node("Output", shape=np.array([2, 3, 3]))}
write("conv", dict(image, conv=ng.node("Conv2d", weight=np.ones((2, 1, 2, 2)), stride=1, padding=0, dilation=1,
                                       groups=2, bias=np.zeros(2), input_shape=np.array([4, 4])), lif=lif(18)),
      [("input", "conv"), ("conv", "lif"), ("lif", "output")])
write("conv_output", dict(image, conv=ng.node("Conv2d", weight=np.ones((2, 1, 2, 2)), stride=1, padding=0,
                                              dilation=1, groups=1, bias=np.zeros(2), input_shape=np.array([4, 4]))),
      [("input", "conv"), ("conv", "output")])
write("chw_values", dict(image, conv=ng.node("Conv2d", weight=np.ones((2, 1, 2, 2)), stride=1, padding=0,
                                             dilation=1, groups=1, bias=np.zeros(2), input_shape=np.array([4, 4])),
                         lif=lif((2, 3, 3), tau=np.linspace(0.01, 0.02, 18).reshape(2, 3, 3))),
      [("input", "conv"), ("conv", "lif"), ("lif", "output")])
write("threshold", dict(base, th=ng.node("Threshold", threshold=np.ones(4))), [("input", "th"), ("th", "output")])
write("unknown", dict(base, odd=ng.node("Foo", x=np.ones(4))), [("input", "odd"), ("odd", "output")])
write("li_source", dict(base, li=ng.node("LI", tau=np.full(4, 0.01), r=np.ones(4), v_leak=np.zeros(4)),
                        w=ng.node("Linear", weight=np.eye(4)), lif=lif(4)),
      [("input", "li"), ("li", "w"), ("w", "lif"), ("lif", "output")])
write("bad_shape", dict(base, fc=ng.node("Linear", weight=np.ones((4, 3))), lif=lif(4)),
      [("input", "fc"), ("fc", "lif"), ("lif", "output")])
write("missing_tau", dict(base, lif=ng.node("LIF", r=np.ones(4), v_leak=np.zeros(4), v_threshold=np.ones(4))),
      [("input", "lif"), ("lif", "output")])
write("bad_tau", dict(base, lif=lif(4, tau=np.array([0.01, 0.0, 0.02, 0.02]))),
      [("input", "lif"), ("lif", "output")])
write("bad_edge", dict(base, lif=lif(4)), [("input", "lif"), ("lif", "nowhere")])
with open(os.path.join(out, "text.nir.h5"), "w") as f:
    f.write("not an HDF5 file\n")
