"""Small e-prop training models and data for the weight-initialiser and
pretrained-weight tests (test_weight_initializers.py, test_pretrained_weights.py).
"""
import numpy as np

DT = 1e-3


def train_model(name, pops, connections, steps=8, batch=4, epochs=1, seed=1):
    """The text of `network NAME` with populations (input, hidden, output) =
    `pops`, each (name, size), and `connections` (the clause lists after
    `connect`), trained by e-prop on data.npz / test.npz."""
    (i, n_in), (h, n_hidden), (o, n_out) = pops
    lines = [
        "import std.neurons.{EpropLIF, Readout}",
        "import std.inputs.SpikeSource",
        "",
        "network %s {" % name,
        "  population %s = SpikeSource x %d" % (i, n_in),
        "  population %s = EpropLIF(tau_mem: 20 ms, v_th: 0.6, gamma: 0.3) x %d" % (h, n_hidden),
        "  population %s = Readout(tau_mem: 20 ms) x %d" % (o, n_out),
    ]
    lines += ["  connect " + c for c in connections]
    lines += [
        "}",
        "",
        "train %s with eprop {" % name,
        '  data train = events("data.npz")',
        '  data test = events("test.npz")',
        "  dt = 1 ms;  timesteps = %d;  batch = %d;  epochs = %d;  seed = %d" % (steps, batch, epochs, seed),
        "  readout = mean(%s.v)" % o,
        "  loss = sparse_categorical_crossentropy",
        "  optimizer = adam(lr: 0.01)",
        "}",
    ]
    return "\n".join(lines) + "\n"


def write_events(path, rng, examples, inputs, classes, steps=8, rate=0.2):
    """Random spike rasters with class-dependent rates, in the SHD layout."""
    times, units, offsets, labels = [], [], [0], []
    for e in range(examples):
        label = e % classes
        p = np.full(inputs, rate * 0.3)
        p[label::classes] = rate
        fire = rng.random((steps, inputs)) < p
        step, unit = np.nonzero(fire)
        times.append((step + 0.5) * DT)
        units.append(unit)
        offsets.append(offsets[-1] + step.size)
        labels.append(label)
    np.savez(path, times=np.concatenate(times).astype(np.float64), units=np.concatenate(units).astype(np.int64),
             offsets=np.array(offsets, dtype=np.int64), labels=np.array(labels, dtype=np.int64))
