"""e2e: the online and the adjoint e-prop strategies compute the same gradient.

lower/EpropStrategy.h: the online strategy updates eligibility traces per
synapse every step; the adjoint strategy records per-neuron coefficients and
presynaptic spikes, runs the transposed recursion backwards in time after
each example and adds its per-neuron result at each presynaptic spike. The
two are the same sum in a different order, so in float64 they must agree to
rounding. test_eprop_gradients.py checks both against a numpy reference for
LIF and ALIF; this test takes a model the user writes, which the reference
does not know:

  UserNeuron  dv/dt = (0.6 v^2 - v) / tau_mem + s,  ds/dt = (i - s) / tau_syn,
              spike when v >= v_th, v -= v_th at the next step, triangular
              surrogate; RK4 (nonlinear), so the Jacobian entry dv'/dv is a
              state-dependent coefficient recorded per step, and the input
              reaches v only through s (two eligibility vectors per synapse)

5 inputs -> 8 UserNeuron (recurrent, p = 0.5, default delay of one step) ->
3 Readout, 50 steps of 1 ms, batch 4, weights from the regime's seed. For
each readout (per step, last 5 steps, mean, final) the test compiles the
model with --eprop-strategy=online and =adjoint and runs

    ./model --no-shuffle --batches 1 --gradients-out g.npz

Checks:
  * float64: every gradient array equal between the strategies to 1e-12
    relative (the largest difference over the largest magnitude), and none
    all zero (every projection sees spikes and a learning signal);
  * `--timesteps 70` (more steps than the regime's 50, so the adjoint
    strategy's histories grow with the run): the strategies still agree;
  * float32: they agree to 1e-4 relative (different summation orders);
  * the adjoint executable announces its backward pass and the steps its
    history holds (50, or 70 with --timesteps 70); the online one does not.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402
import test_eprop_gradients as eg  # noqa: E402  (events files)

STEPS, EXAMPLES = 50, 8
READOUTS = {"step": "output.v", "last": "last(output.v, steps: 5)", "mean": "mean(output.v)",
            "final": "final(output.v)"}
MODEL = """
import std.neurons.Readout
import std.inputs.SpikeSource
import std.surrogates.triangular

neuron UserNeuron {
  param tau_mem = 20 ms
  param tau_syn = 5 ms
  param v_th = 0.5
  param gamma = 0.3
  state v = 0
  state s = 0 Hz
  input i : Hz
  dv/dt = (0.6 * v * v - v) / tau_mem + s
  ds/dt = (i - s) / tau_syn
  spike when v >= v_th
  on spike next step { v -= v_th }
  surrogate = triangular(v - v_th, v_th, gamma)
}

network Small {
  population input  = SpikeSource x 5
  population hidden = UserNeuron x 8
  population output = Readout(tau_mem: 15 ms) x 3
  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.5)
  connect hidden -> hidden : fixed_probability(0.5, autapses: false), weight ~ normal(0, 0.2)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.3)
}

train Small with eprop {
  data train = events("data.npz")
  dt = 1 ms;  timesteps = %d;  batch = 4;  epochs = 1;  seed = 3
  readout = %s
  loss = sparse_categorical_crossentropy
  optimizer = sgd(lr: 0.01)
}
"""
ARRAYS = ("input->hidden", "hidden->hidden", "hidden->output")


def gradients(args, work, tag, extra_compile, extra_run):
    exe = e2e.compile_model(args.snnc, os.path.join(work, "model.snn"), work, tag, extra_compile)
    out = os.path.join(work, tag + ".npz")
    e2e.run_model(exe, work, ["--no-shuffle", "--batches", "1", "--gradients-out", out, "--quiet", *extra_run])
    return e2e.load_npz(out)


def compare(check, label, online, adjoint, tolerance):
    worst = 0.0
    for name in ARRAYS:
        if not check.check(name in online and name in adjoint, "%s: %s missing" % (label, name)):
            continue
        a, b = np.asarray(online[name], dtype=np.float64), np.asarray(adjoint[name], dtype=np.float64)
        check.check(np.all(np.isfinite(a)) and np.abs(a).max() > 0,
                    "%s: the online gradient of %s is all zero or not finite" % (label, name))
        err = ref.relative_error(b, a)
        check.check(err <= tolerance, "%s: %s adjoint vs online: relative error %.3g > %g; %s"
                    % (label, name, err, tolerance, ref.worst_entry(b, a)))
        worst = max(worst, err)
    return worst


def main():
    args = e2e.parse_args(__doc__)
    check = e2e.Checker("eprop_strategies")
    rng = np.random.default_rng(5)
    xs = ref.random_inputs(rng, EXAMPLES, 70, 5, 0.2)
    labels = rng.integers(0, 3, EXAMPLES)
    for name, readout in READOUTS.items():
        work = os.path.join(args.work, name)
        os.makedirs(work)
        eg.write_events(os.path.join(work, "data.npz"), xs, labels)
        with open(os.path.join(work, "model.snn"), "w") as f:
            f.write(MODEL % (STEPS, readout))
        worst = {}
        for precision, run, tolerance in (("double", [], 1e-12), ("double", ["--timesteps", "70"], 1e-12),
                                          ("float", [], 1e-4)):
            label = "%s, %s%s" % (name, precision, " " + " ".join(run) if run else "")
            tag = precision + ("_long" if run else "")
            got = {s: gradients(args, work, "%s_%s" % (tag, s), ["--precision=" + precision,
                                                                  "--eprop-strategy=" + s], run)
                   for s in ("online", "adjoint")}
            worst[label] = compare(check, label, got["online"], got["adjoint"], tolerance)
        check.note("; ".join("%s: %.2g" % kv for kv in worst.items()))
        if name == "step":
            check_announcement(check, work)
    check.finish()


def check_announcement(check, work):
    """The header line of a training run with the adjoint strategy."""
    for strategy, extra, want in (("adjoint", [], "over 50 recorded steps"),
                                  ("adjoint", ["--timesteps", "70"], "over 70 recorded steps"),
                                  ("online", [], None)):
        exe = os.path.join(work, "double_" + strategy)
        proc = e2e.run_model(exe, work, ["--epochs", "1", "--batches", "1", *extra])
        lines = [line for line in proc.stdout.splitlines() if line.startswith("gradient: a backward pass")]
        if want is None:
            check.check(not lines, "online: announces a backward pass: %s" % lines)
        else:
            check.check(len(lines) == 1 and want in lines[0] and "history" in lines[0],
                        "%s %s: expected one line 'gradient: a backward pass %s, history ...', got %s"
                        % (strategy, " ".join(extra), want, lines))


if __name__ == "__main__":
    main()
