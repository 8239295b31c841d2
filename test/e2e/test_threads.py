"""e2e: `--threads N` gives the same bits for every N.

The compiler marks the entry points whose kernels work on each example on
its own (`--emit=lowered` lists them under `threads`); the runtime runs
those on groups of examples, one group per thread (runtime/lib/
ExampleThreads.h). Every example runs the instructions it runs on one
thread, and the reductions over the batch stay in example order, so:

  * digits (examples/digits.snn, 2 epochs of 10 batches of 32): with the
    adjoint e-prop strategy (the cost model's choice), the online strategy
    and `train ... with bptt`, --threads 2 and --threads 3 write weights
    equal bit for bit to --threads 1, and the same losses and accuracies
    per epoch (metrics JSON, the `seconds` field aside);
  * a simulation of models/batch.snn (batch 4: Poisson input, LIF cells,
    voltage and spike recordings) with --threads 1, 2 and 4 writes equal
    NPZ files;
  * --emit=lowered names the split entries: digits' forward and backward
    steps, not init, reduce_gradients or apply_gradients;
  * --threads 0 and 257 are refused with a message naming the option.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402


def same_arrays(a, b):
    return sorted(a) == sorted(b) and all(np.array_equal(a[k], b[k]) for k in a)


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("threads")
    root = e2e.SOURCE_ROOT
    digits = os.path.join(root, "examples", "digits.snn")
    with open(digits) as f:
        source = f.read()
    variants = {"adjoint": (source, []), "online": (source, ["--eprop-strategy=online"]),
                "bptt": (source.replace("with eprop", "with bptt"), [])}
    for name, (text, flags) in variants.items():
        work = os.path.join(args.work, name)
        model = e2e.model_folder(work, digits, data=os.path.join(root, "data", "digits.csv.gz"))
        with open(model, "w") as f:
            f.write(text)
        exe = e2e.compile_model(args.snnc, model, work, "digits", flags)
        runs = {}
        for threads in (1, 2, 3):
            out, log = "w%d.npz" % threads, "m%d.jsonl" % threads
            e2e.run_model(exe, work, ["--epochs", "2", "--batches", "10", "--threads", str(threads),
                                      "--weights-out", out, "--metrics", log, "--quiet"], timeout=300)
            runs[threads] = (e2e.load_npz(os.path.join(work, out)), e2e.load_metrics(os.path.join(work, log)))
        for threads in (2, 3):
            check.check(same_arrays(runs[1][0], runs[threads][0]),
                        "digits (%s): --threads %d trained other weights than --threads 1" % (name, threads))
            check.check(runs[1][1] == runs[threads][1], "digits (%s): --threads %d metrics %s, --threads 1 %s"
                        % (name, threads, runs[threads][1], runs[1][1]))
        check.note("digits (%s): --threads 1, 2, 3 trained the same weights; final test accuracy %.4f"
                   % (name, runs[1][1][-1]["test_accuracy"]))

    lowered = e2e.run_process([args.snnc, "--emit=lowered", digits, "-o", "-"], cwd=args.work)
    split = [line.split(":", 1)[1].split() for line in lowered.stdout.splitlines() if "split by example:" in line]
    check.check(split and {"step", "train_step", "train_backward"} <= set(split[0])
                and not {"init", "reduce_gradients", "apply_gradients"} & set(split[0]),
                "--emit=lowered splits %s" % split)

    work = os.path.join(args.work, "batch")
    model = e2e.model_folder(work, os.path.join(e2e.MODELS, "batch.snn"))
    exe = e2e.compile_model(args.snnc, model, work, "batch")
    outputs = {}
    for threads in (1, 2, 4):
        # The model records to batch.npz: keep each run's copy.
        e2e.run_model(exe, work, ["--threads", str(threads), "--quiet"])
        os.replace(os.path.join(work, "batch.npz"), os.path.join(work, "out%d.npz" % threads))
        outputs[threads] = e2e.load_npz(os.path.join(work, "out%d.npz" % threads))
    for threads in (2, 4):
        check.check(same_arrays(outputs[1], outputs[threads]),
                    "batch.snn: --threads %d recorded other values than --threads 1" % threads)
    check.note("batch.snn: --threads 1, 2, 4 recorded the same %d arrays" % len(outputs[1]))

    for bad in ("0", "257"):
        proc = e2e.run_model(exe, work, ["--threads", bad], expect_ok=False)
        check.check(proc.returncode == 1 and "option '--threads' needs an integer from 1 to 256" in proc.stderr,
                    "--threads %s: exit %d, %s" % (bad, proc.returncode, proc.stderr.strip()))
    check.finish()


if __name__ == "__main__":
    main()
