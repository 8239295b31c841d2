"""e2e: `train ... with bptt` against finite differences where the loss is smooth.

In discrete time a hidden neuron's spikes are a step function of the
weights, so the loss of a spiking network is piecewise constant in every
weight that reaches it only through hidden spikes: a small enough change
moves no spike and no loss bit (checked below), and the surrogate gradient
there is a design choice, not a derivative (test_eprop_gradients.py checks
it against PyTorch autograd and a numpy BPTT instead). The loss is smooth
in the parameters of the readout, which hidden spikes do not depend on:
the hidden -> readout weights (events of recorded, replayed hidden spikes),
a skip projection input -> readout (events of input spikes) and the
readout's bias, through the readout's leaky dynamics and the loss. There
central differences of the executable's own loss must equal its gradient.

Model: 5 inputs -> 8 ALIF (recurrent, p = 0.5, one-step delay) -> 3
Readout, plus input -> readout, readout_bias, T = 40 steps of 1 ms, batch
4, float64, `train ... with bptt`. Two losses: the mean readout with
cross-entropy and the last 5 steps with mean squared error.

Checks, per loss:
  * every entry of the three readout parameters: (L(w + h) - L(w - h)) / 2h
    with L the summed `loss` array of --gradients-out (h = 1e-6 max(1, |w|))
    equals the gradient to 1e-6 of the array's largest entry;
  * the gradients are not all zero;
  * three input -> hidden weights moved by h leave the loss bit-identical.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402
import test_eprop_gradients as eg  # noqa: E402  (events files)

STEPS, EXAMPLES, TOLERANCE = 40, 4, 1e-6
MODEL = """
import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource

network Smooth {
  population input  = SpikeSource x 5
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 200 ms, v_th: 0.5, beta: 0.05) x 8
  population output = Readout(tau_mem: 15 ms) x 3
  connect input  -> hidden : dense, delay 0, weight ~ normal(0.4, 0.5)
  connect hidden -> hidden : fixed_probability(0.5, autapses: false), weight ~ normal(0, 0.3)
  connect input  -> output : dense, delay 0, weight ~ normal(0, 0.3)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.3)
}

train Smooth with bptt {
  data train = events("data.npz")
  dt = 1 ms;  timesteps = %d;  batch = %d;  epochs = 1;  seed = 3
  readout = %s
  readout_bias = true
  loss = %s
  optimizer = sgd(lr: 1e-4)
}
"""
CASES = {"mean_crossentropy": ("mean(output.v)", "sparse_categorical_crossentropy"),
         "last_mse": ("last(output.v, steps: 5)", "mean_squared_error")}
SMOOTH = ("input->output", "hidden->output", "output.bias")


def save_weights(path, weights):
    np.savez(path, **weights)


def loss_and_gradient(exe, work, weights, tag):
    """The summed loss of the first batch at `weights`, and its gradient."""
    w_path = os.path.join(work, tag + "_w.npz")
    g_path = os.path.join(work, tag + "_g.npz")
    save_weights(w_path, weights)
    e2e.run_model(exe, work, ["--no-shuffle", "--batches", "1", "--weights-in", w_path, "--gradients-out", g_path,
                              "--quiet"])
    g = e2e.load_npz(g_path)
    return float(np.sum(g["loss"])), g


def check_case(args, check, name, readout, loss):
    work = os.path.join(args.work, name)
    os.makedirs(work)
    rng = np.random.default_rng(17)
    eg.write_events(os.path.join(work, "data.npz"), ref.random_inputs(rng, EXAMPLES, STEPS, 5, 0.25),
                    rng.integers(0, 3, EXAMPLES))
    model = os.path.join(work, "model.snn")
    with open(model, "w") as f:
        f.write(MODEL % (STEPS, EXAMPLES, readout, loss))
    exe = e2e.compile_model(args.snnc, model, work, "model", ["--precision=double"])
    # A point away from the initial one: the weights after one SGD step.
    start = os.path.join(work, "start.npz")
    e2e.run_model(exe, work, ["--no-shuffle", "--epochs", "1", "--batches", "1", "--weights-out", start, "--quiet"])
    weights = e2e.load_npz(start)
    base, gradient = loss_and_gradient(exe, work, weights, "base")
    check.check(len(gradient["loss"]) == EXAMPLES, "%s: the gradient file's loss has %d entries, expected %d"
                % (name, len(gradient["loss"]), EXAMPLES))

    worst = 0.0
    for array in SMOOTH:
        if not check.check(array in gradient and array in weights, "%s: %s missing" % (name, array)):
            continue
        g = gradient[array]
        scale = float(np.abs(g).max())
        check.check(scale > 0, "%s: the gradient of %s is all zero" % (name, array))
        for index in np.ndindex(*weights[array].shape):
            value = float(weights[array][index])
            h = 1e-6 * max(1.0, abs(value))
            moved = {k: v.copy() for k, v in weights.items()}
            moved[array][index] = value + h
            up, _ = loss_and_gradient(exe, work, moved, "up")
            moved[array][index] = value - h
            down, _ = loss_and_gradient(exe, work, moved, "down")
            fd = (up - down) / (2 * h)
            err = abs(fd - float(g[index])) / max(scale, 1e-300)
            worst = max(worst, err)
            check.check(err <= TOLERANCE, "%s: d loss / d %s%s: finite difference %.10g, gradient %.10g "
                        "(error %.2g of the largest entry)" % (name, array, list(index), fd, g[index], err))

    # The loss is flat in hidden weights: a small move changes no spike.
    for index in ((0, 0), (3, 2), (7, 4)):
        moved = {k: v.copy() for k, v in weights.items()}
        moved["input->hidden"][index] += 1e-6 * max(1.0, abs(float(moved["input->hidden"][index])))
        flat, _ = loss_and_gradient(exe, work, moved, "hidden")
        check.check(flat == base, "%s: moving input->hidden%s by 1e-6 changed the loss from %.17g to %.17g"
                    % (name, list(index), base, flat))
    check.note("%s: worst finite-difference error %.2g of the largest gradient entry (loss %.6g)"
               % (name, worst, base))


def main():
    args = e2e.parse_args(__doc__)
    check = e2e.Checker("bptt_finite_differences")
    for name, (readout, loss) in CASES.items():
        check_case(args, check, name, readout, loss)
    check.finish()


if __name__ == "__main__":
    main()
