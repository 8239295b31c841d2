#!/usr/bin/python3
"""`weight load(...)`: pretrained weights for some projections.

1. Model A (input, hidden, output) trains 2 epochs and writes a.npz.
2. Model B, other population names (src, rec, out), loads its src -> rec
   projection from a.npz's "input->hidden" with `name:`; run with
   `--epochs 0 --weights-out b.npz`: "src->rec" equals the file's array
   exactly, and every other array equals those of model B_drawn (the same
   model drawing src -> rec instead), so the other projections keep the
   weights `init` drew.
3. `--weights-in` still overrides a loaded projection.
4. Transfer learning: model B_frozen loads src -> rec and freezes it, and
   trains 2 epochs; B (src -> rec trained) evaluating B_frozen's final
   weights plus the loaded src -> rec (`--epochs 0 --weights-in`) gives
   B_frozen's final test loss and accuracy: the frozen projection kept the
   loaded weights through training.
5. A simulation loading an .npy (float32) and an .npz array runs; each bad
   file (missing, not NPZ/NPY, array missing, wrong shape, dtype,
   non-finite, beyond float32, nonzero where there is no synapse) is one
   error line naming the file, the projection and the problem, exit 1.
"""
import json
import os

import numpy as np

from e2e_common import Checker, compile_model, load_npz, parse_args, run_model
from weight_models import train_model, write_events

N_IN, N_HIDDEN, N_OUT = 12, 10, 3


def write(work, name, text):
    path = os.path.join(work, name + ".snn")
    with open(path, "w") as f:
        f.write(text)
    return path


def metrics_of(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def model_b(name, src_clause, epochs=1):
    return train_model(name, [("src", N_IN), ("rec", N_HIDDEN), ("out", N_OUT)], [
        "src -> rec : dense, delay 0, " + src_clause,
        "rec -> rec : fixed_probability(0.5, autapses: false), weight ~ normal(0, 0.1)",
        "rec -> out : dense, delay 0, weight ~ glorot_uniform",
    ], epochs=epochs, seed=5)


SIMULATION = """
neuron Unit {
  state v = 0
  input i : Hz
  dv/dt = -v / 10 ms + i
}
network S {
  population a = Unit x 4
  population b = Unit x 3
  population c = Unit x 4
  connect a -> b : dense, weight load("bad.npz", name: "a->bb")
  connect a -> c : one_to_one, weight load("bad.npy")
}
simulate S { dt = 1 ms; duration = 2 ms }
"""


def main():
    args = parse_args(__doc__)
    check = Checker("pretrained_weights")
    work = args.work
    rng = np.random.default_rng(3)
    write_events(os.path.join(work, "data.npz"), rng, 16, N_IN, N_OUT)
    write_events(os.path.join(work, "test.npz"), rng, 8, N_IN, N_OUT)

    # 1. A trained model's weights.
    a = write(work, "a", train_model("A", [("input", N_IN), ("hidden", N_HIDDEN), ("output", N_OUT)], [
        "input -> hidden : dense, delay 0, weight ~ normal(0, 0.5)",
        "hidden -> output : dense, delay 0, weight ~ normal(0, 0.3)",
    ], epochs=2))
    run_model(compile_model(args.snnc, a, work, "a"), work, ["--quiet", "--weights-out", "a.npz"])
    pretrained = load_npz(os.path.join(work, "a.npz"))["input->hidden"]

    # 2. Loaded by another model under another name; the rest drawn.
    b_exe = compile_model(args.snnc, write(work, "b", model_b("B", 'weight load("a.npz", name: "input->hidden")')),
                          work, "b")
    drawn_exe = compile_model(args.snnc, write(work, "b_drawn", model_b("B", "weight ~ normal(0, 0.5)")), work,
                              "b_drawn")
    run_model(b_exe, work, ["--epochs", "0", "--quiet", "--weights-out", "b.npz"])
    run_model(drawn_exe, work, ["--epochs", "0", "--quiet", "--weights-out", "b_drawn.npz"])
    b, drawn = load_npz(os.path.join(work, "b.npz")), load_npz(os.path.join(work, "b_drawn.npz"))
    check.check(sorted(b) == sorted(drawn) and "src->rec" in b, "arrays of b.npz: %s" % sorted(b))
    check.check(np.array_equal(b["src->rec"], pretrained), "the loaded projection equals a.npz's input->hidden")
    check.check(not np.array_equal(drawn["src->rec"], pretrained), "the drawn model differs there (sanity)")
    for name in sorted(set(b) & set(drawn) - {"src->rec"}):
        check.check(np.array_equal(b[name], drawn[name]), "%s keeps the weights init drew" % name)

    # 3. --weights-in overrides the loaded weights.
    other = dict(b)
    other["src->rec"] = np.full_like(pretrained, 0.125)
    np.savez(os.path.join(work, "other.npz"), **other)
    run_model(b_exe, work, ["--epochs", "0", "--quiet", "--weights-in", "other.npz", "--weights-out", "c.npz"])
    check.check(np.array_equal(load_npz(os.path.join(work, "c.npz"))["src->rec"], other["src->rec"]),
                "--weights-in overrides a loaded projection")

    # 4. Loaded and frozen through training.
    frozen_src = model_b("B", 'weight load("a.npz", name: "input->hidden"), frozen', epochs=2)
    frozen_exe = compile_model(args.snnc, write(work, "b_frozen", frozen_src), work, "b_frozen")
    run_model(frozen_exe, work, ["--quiet", "--metrics", "frozen.jsonl", "--weights-out", "frozen.npz"])
    trained = load_npz(os.path.join(work, "frozen.npz"))
    check.check("src->rec" not in trained, "a frozen projection is no trained parameter: %s" % sorted(trained))
    check.check(not np.array_equal(trained["rec->out"], b["rec->out"]), "the other projections trained")
    trained["src->rec"] = pretrained
    np.savez(os.path.join(work, "frozen_full.npz"), **trained)
    run_model(b_exe, work, ["--epochs", "0", "--quiet", "--weights-in", "frozen_full.npz",
                            "--metrics", "frozen_eval.jsonl"])
    last, evaluated = metrics_of(os.path.join(work, "frozen.jsonl"))[-1], metrics_of(
        os.path.join(work, "frozen_eval.jsonl"))[0]
    check.note("frozen run: test loss %.6g, accuracy %.3f; evaluated with the loaded weights: %.6g, %.3f"
               % (last["test_loss"], last["test_accuracy"], evaluated["test_loss"], evaluated["test_accuracy"]))
    check.check(last["test_accuracy"] == evaluated["test_accuracy"] and
                abs(last["test_loss"] - evaluated["test_loss"]) <= 1e-6 * abs(last["test_loss"]),
                "the frozen projection kept the loaded weights through training")

    # 5. A simulation: good files load, bad ones are one located error each.
    sim = compile_model(args.snnc, write(work, "sim", SIMULATION), work, "sim")
    good_npz = np.arange(12, dtype=np.float64).reshape(3, 4) / 8
    good_npy = np.diag(np.array([0.5, -1, 2, 0.25], dtype=np.float32))
    np.savez(os.path.join(work, "bad.npz"), **{"a->bb": good_npz})
    np.save(os.path.join(work, "bad.npy"), good_npy)
    proc = run_model(sim, work, ["--quiet"], expect_ok=False)
    check.check(proc.returncode == 0, "good files load (exit %d): %s" % (proc.returncode, proc.stderr.strip()))

    npz_context = "bad.npz: error: cannot load the weights of projection 'a -> b.i': "
    npy_context = "bad.npy: error: cannot load the weights of projection 'a -> c.i': "
    bad_cases = [
        ("missing file", lambda: os.remove(os.path.join(work, "bad.npz")),
         npz_context + "cannot read the file: No such file or directory"),
        ("not an npz", lambda: open(os.path.join(work, "bad.npz"), "w").write("a,b\n1,2\n"),
         npz_context + "the file is not an .npz archive (a zip file)"),
        ("array missing", lambda: np.savez(os.path.join(work, "bad.npz"), **{"a->b": good_npz, "x": good_npz}),
         npz_context + "the file has no array 'a->bb' (its arrays: 'a->b', 'x'); did you mean 'a->b'?"),
        ("wrong shape", lambda: np.savez(os.path.join(work, "bad.npz"), **{"a->bb": good_npz.T}),
         npz_context + "array 'a->bb' has shape [4, 3], expected [n_post, n_pre] = [3, 4]"),
        ("wrong dtype", lambda: np.savez(os.path.join(work, "bad.npz"), **{"a->bb": good_npz.astype(np.int64)}),
         npz_context + "array 'a->bb' has dtype int64; weights must be float64 or float32"),
        ("not finite", lambda: np.savez(os.path.join(work, "bad.npz"),
                                        **{"a->bb": np.where(np.arange(12).reshape(3, 4) == 6, np.nan, good_npz)}),
         npz_context + "array 'a->bb': element [1, 2] is nan, not a finite number"),
        ("beyond float32", lambda: np.savez(os.path.join(work, "bad.npz"),
                                            **{"a->bb": np.where(np.arange(12).reshape(3, 4) == 11, 1e300,
                                                                 good_npz)}),
         npz_context + "array 'a->bb': element [2, 3] is 1e+300, beyond float32, the model's real type"),
        ("npz given as npy", lambda: np.savez(os.path.join(work, "bad.npy"), x=good_npy),
         npy_context + "the file is not an .npy file (it does not start with \\x93NUMPY)"),
        ("no synapse", lambda: np.save(os.path.join(work, "bad.npy"), good_npy + np.eye(4, k=1, dtype=np.float32)),
         npy_context + "the array: element [0, 1] is 1 but the projection has no synapse from 1 to 0 (it must be 0)"),
    ]
    for tag, make_bad, expected in bad_cases:
        np.savez(os.path.join(work, "bad.npz"), **{"a->bb": good_npz})
        np.save(os.path.join(work, "bad.npy"), good_npy)
        if os.path.exists(os.path.join(work, "bad.npy.npz")):
            os.remove(os.path.join(work, "bad.npy.npz"))
        make_bad()
        if tag == "npz given as npy":  # numpy appends .npz; put the archive where the model looks
            os.replace(os.path.join(work, "bad.npy.npz"), os.path.join(work, "bad.npy"))
        proc = run_model(sim, work, ["--quiet"], expect_ok=False)
        lines = proc.stderr.strip().splitlines()
        check.check(proc.returncode == 1, "%s: exit %d, expected 1" % (tag, proc.returncode))
        check.check(lines == [expected], "%s: stderr %r, expected %r" % (tag, proc.stderr, expected))
    check.finish()


if __name__ == "__main__":
    main()
