"""e2e: `import nir "graph.nir.h5" as Net` against a numpy reference of the
NIR equations.

Graphs written by nir_graphs.py (the published HDF5 schema) hold every
neuron node type snnc imports (LIF, LI, IF, I, CubaLIF, CubaLI) and every
edge node (Affine with a bias, Linear, Scale, Delay, Flatten), a recurrent
edge, per-neuron parameters that differ between neurons, and a nested graph
with its own recurrence (snnTorch's RLeaky export). Random input spikes
drive them for 60 steps; every recorded state and spike must equal the
numpy reference of docs/nir.md's semantics: a spike is an impulse of area
dt at the end of its step, the dynamics between spikes are exact, a
spike is v > v_threshold after the update and sets v to v_reset, and an
edge closing a cycle carries the previous step's spikes.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import nir_graphs as ng  # noqa: E402

DT, STEPS = 1e-3, 60


class Reference:
    """The NIR equations of the std.nir models, advanced one step at a time."""

    def __init__(self, kind, n, p):
        p = dict({"w_in": 1.0, "v_reset": 0.0}, **p)  # NIR's defaults
        self.kind, self.p = kind, {k: np.broadcast_to(np.asarray(v, float), (n,)).copy() for k, v in p.items()}
        self.v, self.syn = np.zeros(n), np.zeros(n)
        self.bias = np.zeros(n)

    def step(self, impulse):
        p, b = self.p, self.bias
        if self.kind in ("LIF", "LI"):
            target = p["v_leak"] + p["r"] * b
            self.v = target + (self.v - target) * np.exp(-DT / p["tau"]) + p["r"] * DT * impulse / p["tau"]
        elif self.kind in ("IF", "I"):
            self.v = self.v + p["r"] * b * DT + p["r"] * DT * impulse
        elif np.all(p["tau_syn"] == p["tau_syn"][0]) and np.all(p["tau_mem"] == p["tau_mem"][0]):
            # CubaLIF, CubaLI: the coupled linear system, exactly
            ts, tm = p["tau_syn"], p["tau_mem"]
            s_inf = p["w_in"] * b
            v_inf = p["v_leak"] + p["r"] * s_inf
            a = p["r"] * (self.syn - s_inf) * ts / (ts - tm)
            self.v = v_inf + (self.v - v_inf - a) * np.exp(-DT / tm) + a * np.exp(-DT / ts)
            self.syn = s_inf + (self.syn - s_inf) * np.exp(-DT / ts) + p["w_in"] * DT * impulse / ts
        else:
            # Time constants that differ between neurons: exponential Euler,
            # each equation exact with the other's state held over the step.
            ts, tm = p["tau_syn"], p["tau_mem"]
            s_inf = p["w_in"] * b
            v_target = p["v_leak"] + p["r"] * self.syn
            self.v = v_target + (self.v - v_target) * np.exp(-DT / tm)
            self.syn = s_inf + (self.syn - s_inf) * np.exp(-DT / ts) + p["w_in"] * DT * impulse / ts
        if self.kind in ("LIF", "IF", "CubaLIF"):
            z = self.v > p["v_threshold"]
            self.v = np.where(z, p["v_reset"], self.v)
            return z.astype(float)
        return None


def simulate_reference(pops, edges, inputs):
    """`pops`: name -> Reference in update order; `edges`: (pre, post,
    matrix, steps back) with steps back 0 within the step; `inputs`: name ->
    steps x n spikes. Returns name -> dict of v, syn, spikes over steps."""
    spikes = {name: np.asarray(s, float) for name, s in inputs.items()}
    for name, ref in pops.items():
        spikes[name] = np.zeros((STEPS, len(ref.v)))
    out = {name: {"v": [], "syn": []} for name in pops}
    for t in range(STEPS):
        for name, ref in pops.items():
            impulse = np.zeros(len(ref.v))
            for pre, post, matrix, back in edges:
                if post == name and t - back >= 0:
                    impulse += matrix @ spikes[pre][t - back]
            z = ref.step(impulse)
            if z is not None:
                spikes[name][t] = z
            out[name]["v"].append(ref.v.copy())
            out[name]["syn"].append(ref.syn.copy())
    for name in pops:
        out[name] = {k: np.array(v) for k, v in out[name].items()}
        out[name]["spikes"] = spikes[name]
    return out


def spike_matrix(out, name, n):
    m = np.zeros((STEPS, n))
    steps = np.rint(out[name + "_spikes_t"] / DT).astype(int)
    m[steps, out[name + "_spikes_i"]] = 1
    return m


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("nir_import")
    rng = np.random.default_rng(11)
    n_in, n_h, n_c, n_o = 6, 8, 5, 3
    w1 = rng.normal(0.5, 0.6, (n_h, n_in))
    b1 = rng.normal(0.2, 0.3, n_h)
    w_rec = rng.normal(0, 0.4, (n_h, n_h))
    w2 = rng.normal(1.0, 1.0, (n_c, n_h))
    w3 = rng.normal(0, 1.0, (4, n_in))
    w4 = rng.normal(0, 1.0, (n_o, n_c))
    w5 = rng.normal(0, 1.0, (n_o, n_h))
    tau_syn = rng.uniform(0.003, 0.008, n_o)
    tau_li = np.array([0.01, 0.02, 0.03])
    lif = dict(tau=np.full(n_h, 0.01), r=np.full(n_h, 10.0), v_leak=np.full(n_h, 0.05),
               v_threshold=np.full(n_h, 1.0), v_reset=np.full(n_h, 0.1))
    cuba = dict(tau_syn=np.full(n_c, 0.005), tau_mem=np.full(n_c, 0.01), r=np.full(n_c, 10.0), v_leak=np.zeros(n_c),
                v_threshold=rng.uniform(0.6, 1.0, n_c), v_reset=np.zeros(n_c), w_in=np.full(n_c, 0.8))
    iff = dict(r=np.full(n_in, 20.0), v_threshold=np.full(n_in, 0.05), v_reset=np.zeros(n_in))
    li = dict(tau=tau_li, r=np.full(n_o, 5.0), v_leak=np.array([0.0, 0.1, -0.1]))
    cubali = dict(tau_syn=tau_syn, tau_mem=np.full(n_o, 0.02), r=np.full(n_o, 2.0),
                  v_leak=np.zeros(n_o))
    integ = dict(r=np.full(4, 3.0))
    nodes = {
        "input": ng.node("Input", shape=np.array([n_in])),
        "fc1": ng.node("Affine", weight=w1, bias=b1),
        "lif1": ng.node("LIF", **lif),
        "rec": ng.node("Linear", weight=w_rec),
        "fc2": ng.node("Linear", weight=w2),
        "cuba": ng.node("CubaLIF", **cuba),
        "scale": ng.node("Scale", scale=np.full(n_in, 0.7)),
        "delay": ng.node("Delay", delay=np.full(n_in, 0.002)),
        "iff": ng.node("IF", **iff),
        "flat": ng.node("Flatten", start_dim=0, end_dim=-1, input_type=np.array([n_in])),
        "fc3": ng.node("Linear", weight=w3),
        "integ": ng.node("I", **integ),
        "fc4": ng.node("Linear", weight=w4),
        "cubali": ng.node("CubaLI", **cubali),
        "fc5": ng.node("Linear", weight=w5),
        "li": ng.node("LI", **li),
        "output": ng.node("Output", shape=np.array([n_o])),
    }
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "rec"), ("rec", "lif1"), ("lif1", "fc2"), ("fc2", "cuba"),
             ("input", "scale"), ("scale", "delay"), ("delay", "iff"), ("iff", "flat"), ("flat", "fc3"),
             ("fc3", "integ"), ("cuba", "fc4"), ("fc4", "cubali"), ("lif1", "fc5"), ("fc5", "li"), ("li", "output")]
    ng.write(os.path.join(args.work, "graph.nir.h5"), ng.graph(nodes, edges))
    fired = rng.random((STEPS, n_in)) < 0.25
    fired[-2:] = False
    e2e.write_spike_times(os.path.join(args.work, "in.csv"), fired, DT)
    model = """
import nir "graph.nir.h5" as Graph
simulate Graph {
  dt = 1 ms
  duration = %d ms
  input input_ = spike_times("in.csv")
  record spikes(lif1), spikes(cuba), spikes(iff), lif1.v, cuba.v, cuba.syn, iff.v, integ.v, li.v, cubali.v,
         cubali.syn to "out.npz"
}
""" % STEPS
    out = e2e.simulate_model(args.snnc, args.work, model)
    pops = {"lif1": Reference("LIF", n_h, lif), "cuba": Reference("CubaLIF", n_c, cuba),
            "li": Reference("LI", n_o, li), "cubali": Reference("CubaLI", n_o, cubali),
            "iff": Reference("IF", n_in, iff), "integ": Reference("I", 4, integ)}
    pops["lif1"].bias = b1
    ref_edges = [("input_", "lif1", w1, 0), ("lif1", "lif1", w_rec, 1), ("lif1", "cuba", w2, 0),
                 ("input_", "iff", 0.7 * np.eye(n_in), 2), ("iff", "integ", w3, 0), ("cuba", "cubali", w4, 0),
                 ("lif1", "li", w5, 0)]
    want = simulate_reference(pops, ref_edges, {"input_": fired})
    for name, n in (("lif1", n_h), ("cuba", n_c), ("iff", n_in)):
        got = spike_matrix(out, name, n)
        check.check(np.array_equal(got, want[name]["spikes"]),
                    "%s: %d spikes, numpy %d; first difference at step %s" % (
                        name, got.sum(), want[name]["spikes"].sum(),
                        np.argwhere(got != want[name]["spikes"])[:1].tolist()))
        check.check(want[name]["spikes"].sum() > 3, "%s fires (%d spikes)" % (name, want[name]["spikes"].sum()))
    for name, var in (("lif1", "v"), ("cuba", "v"), ("cuba", "syn"), ("iff", "v"), ("integ", "v"), ("li", "v"),
                      ("cubali", "v"), ("cubali", "syn")):
        got, ref = out["%s_%s" % (name, var)][0], want[name][var]
        err = np.max(np.abs(got - ref)) / max(1.0, np.max(np.abs(ref)))
        check.check(err < 1e-10, "%s.%s: max relative |snnc - numpy| = %.3g" % (name, var, err))
    check.note("6 node types and 5 edge node types over %d steps: spikes equal, states within 1e-10" % STEPS)
    round_trip(args, check, model, out, nodes)
    nested(args, check, rng)
    convolution(args, check, rng)
    check.finish()


def round_trip(args, check, model, first, nodes):
    """`--emit=nir` of the imported graph, imported again: the same neuron
    parameters and weights, and a simulation bit-identical to the first."""
    net = os.path.join(args.work, "net.snn")
    back = os.path.join(args.work, "back.nir.h5")
    e2e.run_process([args.snnc, "--emit=nir", net, "-o", back], args.work)
    _, graph = ng.read(back)
    exported = graph["nodes"]
    for name in ("lif1", "cuba", "iff", "integ", "li", "cubali"):
        original = nodes[name]
        got = exported[name]
        same = got["type"] == original["type"] and all(
            np.array_equal(np.broadcast_to(got[k], np.shape(v)), v) for k, v in original.items() if k != "type")
        check.check(same, "round trip: node %s (%s) keeps its type and parameters" % (name, original["type"]))
    weights = {(a, b): exported[a]["weight"] for a, b in graph["edges"] if "weight" in exported.get(a, {})}
    check.check(np.array_equal(weights[("input__lif1", "lif1")], nodes["fc1"]["weight"]) and
                np.array_equal(exported["input__lif1"]["bias"], nodes["fc1"]["bias"]) and
                exported["input__lif1"]["type"] == "Affine",
                "round trip: the Affine node keeps its weight and bias")
    check.check(exported["input__iff"]["type"] == "Scale" and exported["input__iff_delay"]["type"] == "Delay" and
                np.allclose(exported["input__iff_delay"]["delay"], 0.002, rtol=1e-12, atol=0),
                "round trip: Scale then Delay (2 ms)")
    check.check(("lif1", "lif1_lif1") in graph["edges"] and ("lif1_lif1", "lif1") in graph["edges"],
                "round trip: the recurrent edge")
    with open(os.path.join(args.work, "again.snn"), "w") as f:
        f.write(model.replace("graph.nir.h5", "back.nir.h5").replace("out.npz", "again.npz"))
    exe = e2e.compile_model(args.snnc, os.path.join(args.work, "again.snn"), args.work, "again",
                            ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    again = e2e.load_npz(os.path.join(args.work, "again.npz"))
    differ = [k for k in first if not np.array_equal(first[k], again[k])]
    check.check(not differ and set(first) == set(again),
                "round trip: the re-imported graph simulates bit-identically (differ: %s)" % differ)
    check.note("import -> export -> import: %d recorded arrays bit-identical" % len(first))


def conv_matrix(weight, in_shape, stride, pad):
    """PyTorch's convolution (cross-correlation) of a [C, H, W] input (or a
    [C, N] one with a [out, in, k] weight) as a matrix on NIR's flattening."""
    one_d = weight.ndim == 3
    if one_d:
        weight, in_shape, stride, pad = weight[:, :, None, :], (in_shape[0], 1, in_shape[1]), (1, stride), (0, pad)
    co, ci, kh, kw = weight.shape
    c, h, w = in_shape
    ho, wo = (h + 2 * pad[0] - kh) // stride[0] + 1, (w + 2 * pad[1] - kw) // stride[1] + 1
    m = np.zeros((co, ho, wo, c, h, w))
    for y in range(ho):
        for x in range(wo):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = y * stride[0] - pad[0] + ky, x * stride[1] - pad[1] + kx
                    if 0 <= iy < h and 0 <= ix < w:
                        m[:, y, x, :, iy, ix] += weight[:, :, ky, kx]
    return m.reshape(co * ho * wo, c * h * w), (co, wo) if one_d else (co, ho, wo)


def pool_matrix(in_shape, k, stride, scale):
    c, h, w = in_shape
    ho, wo = (h - k) // stride + 1, (w - k) // stride + 1
    m = np.zeros((c, ho, wo, c, h, w))
    for ch in range(c):
        for y in range(ho):
            for x in range(wo):
                m[ch, y, x, ch, y * stride:y * stride + k, x * stride:x * stride + k] = scale
    return m.reshape(c * ho * wo, c * h * w), (c, ho, wo)


def to_nir(values, shape):
    """snnc's row, column, channel numbering (the last axis) to NIR's channel first."""
    c, rest = shape[0], shape[1:]
    return np.moveaxis(values.reshape(values.shape[:-1] + tuple(rest) + (c,)), -1, len(values.shape) - 1).reshape(
        values.shape)


def convolution(args, check, rng):
    """Conv2d (padding 1, a uniform bias), SumPool2d, AvgPool2d, Flatten and
    an Affine on channel-first values, and a strided Conv1d: populations
    take snnc's row, column, channel numbering; the reference runs in NIR's."""
    c_in, h, w = 2, 6, 6
    k2 = rng.normal(0.6, 0.8, (3, c_in, 3, 3))
    conv_m, s1 = conv_matrix(k2, (c_in, h, w), (1, 1), (1, 1))
    pool_m, s2 = pool_matrix(s1, 2, 2, 1.0)
    avg_m, s3 = pool_matrix(s2, 3, 1, 1.0 / 9)
    fc = rng.normal(0.5, 1.0, (4, int(np.prod(s2))))
    k1 = rng.normal(1.0, 0.5, (2, 3, 3))
    conv1_m, s4 = conv_matrix(k1, (3, 8), 2, 1)

    def lif(shape, **extra):
        p = dict(tau=np.full(shape, 0.01), r=np.full(shape, 10.0), v_leak=np.zeros(shape),
                 v_threshold=np.full(shape, 1.0), v_reset=np.zeros(shape))
        p.update(extra)
        return p
    p1, p2, p3 = lif(s1), lif(s2), lif(s3, v_threshold=np.full(s3, 0.3))
    li = dict(tau=np.full(4, 0.02), r=np.full(4, 2.0), v_leak=np.zeros(4))
    p4 = lif(s4)
    nodes = {
        "image": ng.node("Input", shape=np.array([c_in, h, w])),
        "conv": ng.node("Conv2d", weight=k2, stride=np.array([1, 1]), padding=np.array([1, 1]),
                        dilation=np.array([1, 1]), groups=1, bias=np.full(3, 0.1), input_shape=np.array([h, w])),
        "lif_c": ng.node("LIF", **p1),
        "pool": ng.node("SumPool2d", kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
        "lif_p": ng.node("LIF", **p2),
        "avg": ng.node("AvgPool2d", kernel_size=np.array([3, 3]), stride=np.array([1, 1]), padding=np.array([0, 0])),
        "lif_a": ng.node("LIF", **p3),
        "flat": ng.node("Flatten", start_dim=0, end_dim=-1, input_type=np.array(s2)),
        "fc": ng.node("Linear", weight=fc),
        "li": ng.node("LI", **li),
        "signal": ng.node("Input", shape=np.array([3, 8])),
        "conv1": ng.node("Conv1d", weight=k1, stride=2, padding=1, dilation=1, groups=1, bias=np.zeros(2),
                         input_shape=8),
        "lif_1": ng.node("LIF", **p4),
        "output": ng.node("Output", shape=np.array([4])),
    }
    edges = [("image", "conv"), ("conv", "lif_c"), ("lif_c", "pool"), ("pool", "lif_p"), ("lif_p", "avg"),
             ("avg", "lif_a"), ("lif_p", "flat"), ("flat", "fc"), ("fc", "li"), ("li", "output"),
             ("signal", "conv1"), ("conv1", "lif_1")]
    ng.write(os.path.join(args.work, "conv.nir.h5"), ng.graph(nodes, edges))
    image = rng.random((STEPS, c_in * h * w)) < 0.3
    signal = rng.random((STEPS, 24)) < 0.4
    image[-2:] = signal[-2:] = False
    # The spike files number the neurons as snnc does: row, column, channel.
    def snnc_order(fired, shape):
        return np.moveaxis(fired.reshape((STEPS,) + tuple(shape)), 1, -1).reshape(STEPS, -1)
    e2e.write_spike_times(os.path.join(args.work, "image.csv"), snnc_order(image, (c_in, h, w)), DT)
    e2e.write_spike_times(os.path.join(args.work, "signal.csv"), snnc_order(signal, (3, 8)), DT)
    model = """
import nir "conv.nir.h5" as Conv
simulate Conv {
  dt = 1 ms
  duration = %d ms
  input image = spike_times("image.csv")
  input signal = spike_times("signal.csv")
  record spikes(lif_c), spikes(lif_p), spikes(lif_a), spikes(lif_1), lif_c.v, lif_a.v, li.v, lif_1.v to "conv.npz"
}
""" % STEPS
    out = e2e.simulate_model(args.snnc, args.work, model, npz="conv.npz")
    shapes = {"lif_c": s1, "lif_p": s2, "lif_a": s3, "lif_1": s4, "li": (4,)}
    flat = {k: {kk: np.ravel(vv) for kk, vv in v.items()} for k, v in
            (("lif_c", p1), ("lif_p", p2), ("lif_a", p3), ("lif_1", p4), ("li", li))}
    pops = {name: Reference("LI" if name == "li" else "LIF", int(np.prod(shapes[name])), flat[name])
            for name in ("lif_c", "lif_p", "lif_a", "li", "lif_1")}
    pops["lif_c"].bias = np.full(int(np.prod(s1)), 0.1)
    want = simulate_reference(pops, [("image", "lif_c", conv_m, 0), ("lif_c", "lif_p", pool_m, 0),
                                     ("lif_p", "lif_a", avg_m, 0), ("lif_p", "li", fc, 0),
                                     ("signal", "lif_1", conv1_m, 0)],
                              {"image": image, "signal": signal})
    for name in ("lif_c", "lif_p", "lif_a", "lif_1"):
        n = int(np.prod(shapes[name]))
        got = to_nir(spike_matrix(out, name, n), shapes[name])
        check.check(np.array_equal(got, want[name]["spikes"]) and got.sum() > 3,
                    "conv: %s (%s) %d spikes, numpy %d" % (name, shapes[name], got.sum(), want[name]["spikes"].sum()))
    for name in ("lif_c", "lif_a", "li", "lif_1"):
        got = out[name + "_v"][0]
        if len(shapes[name]) > 1:
            got = to_nir(got, shapes[name])
        err = np.max(np.abs(got - want[name]["v"]))
        check.check(err < 1e-10, "conv: %s.v max |snnc - numpy| = %.3g" % (name, err))
    check.note("Conv2d, SumPool2d, AvgPool2d, Flatten + Linear, Conv1d: spikes equal over %d steps" % STEPS)
    # Exported and imported again: the kernels back in [out, in, h, w], the
    # Flatten before the matrix, the pools; the same simulation.
    back = os.path.join(args.work, "conv_back.nir.h5")
    e2e.run_process([args.snnc, "--emit=nir", os.path.join(args.work, "net.snn"), "-o", back], args.work)
    _, graph = ng.read(back)
    exported = graph["nodes"]
    check.check(exported["image_lif_c"]["type"] == "Conv2d" and np.array_equal(exported["image_lif_c"]["weight"], k2)
                and np.allclose(exported["image_lif_c"]["bias"], 0.1) and
                list(exported["image_lif_c"]["padding"]) == [1, 1],
                "conv round trip: the Conv2d keeps its kernel, bias and padding")
    check.check(exported["lif_c_lif_p"]["type"] == "SumPool2d" and exported["lif_p_lif_a"]["type"] == "AvgPool2d",
                "conv round trip: SumPool2d and AvgPool2d")
    check.check(exported["lif_p_li_flatten"]["type"] == "Flatten" and np.array_equal(exported["lif_p_li"]["weight"], fc),
                "conv round trip: Flatten, then the matrix with its columns channel first")
    check.check(list(exported["image"]["shape"]) == [c_in, h, w] and exported["lif_c"]["tau"].shape == s1,
                "conv round trip: shapes channel first")
    with open(os.path.join(args.work, "conv_again.snn"), "w") as f:
        f.write(model.replace("conv.nir.h5", "conv_back.nir.h5").replace("conv.npz", "conv_again.npz"))
    exe = e2e.compile_model(args.snnc, os.path.join(args.work, "conv_again.snn"), args.work, "conv_again",
                            ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    again = e2e.load_npz(os.path.join(args.work, "conv_again.npz"))
    differ = [k for k in out if not np.array_equal(out[k], again[k])]
    check.check(not differ, "conv round trip: bit-identical simulation (differ: %s)" % differ)


def nested(args, check, rng):
    """A nested graph with its own recurrence, as snnTorch exports RLeaky:
    the outer edges name the subgraph, which they enter at its Input and
    leave at its Output."""
    n_in, n_h, n_o = 4, 6, 2
    w_in, w_rec, w_out = rng.normal(0.8, 0.6, (n_h, n_in)), rng.normal(0, 0.5, (n_h, n_h)), rng.normal(0, 1, (n_o, n_h))
    lif = dict(tau=np.full(n_h, 0.005), r=np.full(n_h, 5.0), v_leak=np.zeros(n_h), v_threshold=np.full(n_h, 1.0))
    li = dict(tau=np.full(n_o, 0.02), r=np.ones(n_o), v_leak=np.zeros(n_o))
    sub = ng.graph({"input": ng.node("Input", shape=np.array([n_h])), "lif": ng.node("LIF", **lif),
                    "w_rec": ng.node("Linear", weight=w_rec), "output": ng.node("Output", shape=np.array([n_h]))},
                   [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
    root = ng.graph({"input": ng.node("Input", shape=np.array([n_in])), "fc_in": ng.node("Linear", weight=w_in),
                     "rnn": sub, "fc_out": ng.node("Linear", weight=w_out), "li": ng.node("LI", **li),
                     "output": ng.node("Output", shape=np.array([n_o]))},
                    [("input", "fc_in"), ("fc_in", "rnn"), ("rnn", "fc_out"), ("fc_out", "li"), ("li", "output")])
    ng.write(os.path.join(args.work, "nested.nir.h5"), root)
    fired = rng.random((STEPS, n_in)) < 0.3
    fired[-2:] = False
    e2e.write_spike_times(os.path.join(args.work, "in2.csv"), fired, DT)
    model = """
import nir "nested.nir.h5" as Nested
simulate Nested {
  dt = 1 ms
  duration = %d ms
  input input_ = spike_times("in2.csv")
  record spikes(rnn_lif), rnn_lif.v, li.v to "nested.npz"
}
""" % STEPS
    out = e2e.simulate_model(args.snnc, args.work, model, npz="nested.npz")
    pops = {"rnn_lif": Reference("LIF", n_h, dict(lif, v_reset=np.zeros(n_h))), "li": Reference("LI", n_o, li)}
    want = simulate_reference(pops, [("input_", "rnn_lif", w_in, 0), ("rnn_lif", "rnn_lif", w_rec, 1),
                                     ("rnn_lif", "li", w_out, 0)], {"input_": fired})
    got = spike_matrix(out, "rnn_lif", n_h)
    check.check(np.array_equal(got, want["rnn_lif"]["spikes"]) and got.sum() > 3,
                "nested: %d spikes, numpy %d" % (got.sum(), want["rnn_lif"]["spikes"].sum()))
    for name in ("rnn_lif", "li"):
        err = np.max(np.abs(out[name + "_v"][0] - want[name]["v"]))
        check.check(err < 1e-10, "nested %s.v: max |snnc - numpy| = %.3g" % (name, err))
    check.note("nested graph with a recurrent LIF: %d spikes equal" % got.sum())


if __name__ == "__main__":
    main()
