"""e2e: std.neurons ALIF, EpropLIF, Readout and LeakyIntegrator, and
std.inputs.Poisson, against Brian2.

A network as Bellec et al. 2020's (test_bellec_forward.py checks it
against a numpy reference): scripted input spikes reach an ALIF and an
EpropLIF layer within their step (`delay 0`), each layer feeds back onto
itself a step later and drives a Readout (delay 0), and a LeakyIntegrator
integrates the input a step later. 1000 Poisson neurons fire at 20 Hz.

Brian2 (numpy target, float64, method exact, dt = 1 ms) runs the same
equations with snnc's order of events within a step written out:
- the state update ('groups' slot) decays every state;
- `on spike next step { v -= v_th; a += 1 }` is a flag z set by the reset
  and applied, undecayed, right after the next update (run_regularly in
  'before_thresholds');
- a spike with the default delay of one step (recurrent, LeakyIntegrator)
  is a pathway in 'before_thresholds', which reads the spikes of the step
  before; a `delay 0` spike is a pathway inside the 'thresholds' slot,
  ordered after its source's threshold and before its target's.

Checks: the hidden spike steps exactly, and every v, a and readout sample
to 1e-9 (absolute, on values of order 1); the Poisson rate of each side
within 4 standard errors of 20 Hz and of each other.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-3
STEPS = 300
N = 8
POISSON, RATE = 1000, 20.0
MODEL = """
import std.neurons.{ALIF, EpropLIF, Readout, LeakyIntegrator}
import std.inputs.{SpikeSource, Poisson}

network Net {
  population input = SpikeSource x 8
  population hid_a = ALIF(tau_mem: 20 ms, tau_adapt: 200 ms, v_th: 0.6, beta: 0.3) x 8
  population out_a = Readout(tau_mem: 30 ms) x 8
  population hid_l = EpropLIF(tau_mem: 15 ms, v_th: 0.5) x 8
  population out_l = Readout(tau_mem: 25 ms) x 8
  population leaky = LeakyIntegrator(tau_mem: 10 ms) x 8
  population noise = Poisson(rate: 20 Hz) x 1000

  connect input -> hid_a : one_to_one, delay 0, weight 0.9
  connect input -> hid_a : dense, delay 0, weight 0.15
  connect hid_a -> hid_a : dense, weight -0.05
  connect hid_a -> hid_a : one_to_one, weight 0.2
  connect hid_a -> out_a : dense, delay 0, weight 0.1
  connect input -> hid_l : one_to_one, delay 0, weight 0.7
  connect input -> hid_l : dense, delay 0, weight 0.12
  connect hid_l -> hid_l : dense, weight -0.06
  connect hid_l -> hid_l : one_to_one, weight 0.25
  connect hid_l -> out_l : dense, delay 0, weight -0.2
  connect input -> leaky : dense, weight 0.3
}

simulate Net {
  dt = 1 ms
  duration = 300 ms
  seed = 5
  input input = spike_times("input.csv")
  record spikes(hid_a), spikes(hid_l), spikes(noise) to "out.npz"
  record hid_a.v, hid_a.a, out_a.v, hid_l.v, out_l.v, leaky.v to "out.npz"
}
"""


def run_brian2(x):
    b2 = e2e.brian2(DT)
    times, idx = np.nonzero(x)
    source = b2.SpikeGeneratorGroup(N, idx, times * DT * b2.second, order=-10)

    def hidden(tau, v_th, tau_a, beta, order):
        eqs = """
        dv/dt = -v / tau : 1
        da/dt = -a / tau_a : 1
        z : 1
        """
        ns = {"tau": tau * b2.second, "tau_a": tau_a * b2.second, "v_th": v_th, "beta": beta}
        g = b2.NeuronGroup(N, eqs, threshold="v >= v_th + beta * a", reset="z = 1", method="exact",
                           namespace=ns, order=order)
        # The reset of the step before, after this step's decay.
        g.run_regularly("v -= v_th * z\na += z\nz = 0", when="before_thresholds", order=-5)
        return g

    def leaky(tau, name):
        return b2.NeuronGroup(N, "dv/dt = -v / tau : 1", method="exact", namespace={"tau": tau * b2.second},
                              name=name)

    hid_a = hidden(20e-3, 0.6, 200e-3, 0.3, order=0)
    hid_l = hidden(15e-3, 0.5, 1.0, 0.0, order=0)
    out_a, out_l, leak = leaky(30e-3, "out_a"), leaky(25e-3, "out_l"), leaky(10e-3, "leak")
    objects = [source, hid_a, hid_l, out_a, out_l, leak]

    def connect(pre, post, weight, pattern, zero_delay, order=0):
        syn = b2.Synapses(pre, post, "w : 1", on_pre="v_post += w")
        if pattern == "dense":
            syn.connect()
        else:
            syn.connect(j="i")
        syn.w = weight
        # delay 0: within the thresholds slot, after the source's threshold;
        # delay 1 step: before the thresholds, reading last step's spikes.
        syn.pre.when = "thresholds" if zero_delay else "before_thresholds"
        syn.pre.order = order
        objects.append(syn)

    connect(source, hid_a, 0.9, "one_to_one", True, -1)
    connect(source, hid_a, 0.15, "dense", True, -1)
    connect(hid_a, hid_a, -0.05, "dense", False)
    connect(hid_a, hid_a, 0.2, "one_to_one", False)
    connect(hid_a, out_a, 0.1, "dense", True, 1)
    connect(source, hid_l, 0.7, "one_to_one", True, -1)
    connect(source, hid_l, 0.12, "dense", True, -1)
    connect(hid_l, hid_l, -0.06, "dense", False)
    connect(hid_l, hid_l, 0.25, "one_to_one", False)
    connect(hid_l, out_l, -0.2, "dense", True, 1)
    connect(source, leak, 0.3, "dense", False)
    noise = b2.PoissonGroup(POISSON, RATE * b2.Hz)
    noise_spikes = b2.SpikeMonitor(noise)
    monitors = {}
    for name, group, var in (("hid_a_v", hid_a, "v"), ("hid_a_a", hid_a, "a"), ("out_a_v", out_a, "v"),
                             ("hid_l_v", hid_l, "v"), ("out_l_v", out_l, "v"), ("leaky_v", leak, "v")):
        monitors[name] = b2.StateMonitor(group, var, record=True, when="end")
    spikes = {"hid_a": b2.SpikeMonitor(hid_a), "hid_l": b2.SpikeMonitor(hid_l)}
    net = b2.Network(*objects, noise, noise_spikes, *monitors.values(), *spikes.values())
    net.run(STEPS * DT * b2.second)
    traces = {name: np.asarray(getattr(m, name.split("_")[-1])).T for name, m in monitors.items()}
    z = {}
    for name, mon in spikes.items():
        mat = np.zeros((STEPS, N))
        mat[np.rint(np.asarray(mon.t_) / DT).astype(np.int64), np.asarray(mon.i)] = 1
        z[name] = mat
    return traces, z, noise_spikes.num_spikes


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("eprop_models_brian2")
    rng = np.random.default_rng(20201203)
    x = (rng.random((STEPS, N)) < 0.12).astype(np.float64)
    x[STEPS - 1] = 0
    e2e.write_spike_times(os.path.join(args.work, "input.csv"), x, DT)
    ours = e2e.simulate_model(args.snnc, args.work, MODEL)
    traces, z, noise_count = run_brian2(x)
    for pop in ("hid_a", "hid_l"):
        got = np.zeros((STEPS, N))
        got[np.rint(ours[pop + "_spikes_t"] / DT).astype(np.int64), ours[pop + "_spikes_i"].astype(np.int64)] = 1
        spikes = int(z[pop].sum())
        check.check(20 < spikes < STEPS * N / 2, "%s: %d Brian2 spikes do not exercise the reset" % (pop, spikes))
        check.check(np.array_equal(got, z[pop]), "%s: spikes differ from Brian2's (first at %s)"
                    % (pop, np.argwhere(got != z[pop])[:3].tolist()))
        check.note("%s: %d spikes, as Brian2's" % (pop, int(got.sum())))
    for name, want in traces.items():
        got = ours[name][0]
        err = np.max(np.abs(got - want))
        check.check(err < 1e-9, "%s: max |snnc - Brian2| %.3g" % (name, err))
        check.note("%s: max |snnc - Brian2| %.2g (range %.3g)" % (name, err, want.max() - want.min()))
    check.check(ours["hid_a_a"][0].max() > 1, "hid_a: the adaptation never builds up")
    expected = POISSON * RATE * STEPS * DT
    ours_count = len(ours["noise_spikes_t"])
    se = np.sqrt(expected)  # Poisson counts: variance = mean (binomial: slightly less)
    for label, count in (("snnc", ours_count), ("Brian2", noise_count)):
        check.check(abs(count - expected) < 4 * se, "Poisson %s: %d spikes, expected %.0f +- %.0f"
                    % (label, count, expected, se))
    check.check(abs(ours_count - noise_count) < 4 * np.sqrt(2) * se,
                "Poisson: snnc %d spikes, Brian2 %d" % (ours_count, noise_count))
    check.note("Poisson: snnc %.3f Hz, Brian2 %.3f Hz, expected %.1f Hz"
               % (ours_count / (POISSON * STEPS * DT), noise_count / (POISSON * STEPS * DT), RATE))
    check.finish()


if __name__ == "__main__":
    main()
