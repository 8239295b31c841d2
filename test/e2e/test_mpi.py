"""e2e: data-parallel training over MPI ranks (runtime/lib/DataParallel.h).

`mpirun -np K ./model` splits each batch's example slots over K ranks,
exchanges every example's gradients, loss and scores, and has every rank
reduce over the whole batch in example order: the weights and the metrics
must be the same bits as one process with the same batch.

Model: 6 inputs -> 8 EpropLIF + 8 ALIF (recurrent, one-step delays) + 6
noisy LIF (white noise `xi`) -> 3 Readout, with dropout and firing-rate
regularisation (state a batch slot keeps across batches), 40 steps of 1
ms; 14 examples, batch 4 (so the last batch is partial and, on 3 ranks,
some rank has no example of it), 20 % validation split, shuffled, 2 epochs.

Checks, each against the single-process run:
  * e-prop (adjoint strategy): `mpirun -np 2` and `-np 3` give bit-identical
    weights (--weights-out) and metrics (--metrics, `seconds` aside), also
    with --threads 2 on each rank and with --history-steps 7;
  * e-prop (online strategy) and BPTT on 2 ranks: the same;
  * --gradients-out on 2 ranks: bit-identical gradients and losses;
  * only rank 0 prints: the header line appears once, with the ranks;
  * a simulation, and a training model that records, are refused under
    mpirun with exit 1 and a message (no rank hangs);
  * the CUDA target (host emulation, where every rank is a GPU of its own
    and the device's collective is NCCL's algorithm made of MPI
    broadcasts): `mpirun -np 2` and `-np 3` exchange through the collective
    by default and through MPI with `--exchange mpi`, and both give the
    single process's weights and metrics bit for bit; the header says
    which exchange ran;
  * the collective failing to start (the emulation fails on request: its
    id on rank 0, or joining on one rank or on all) ends every rank with
    exit 1 and the failing rank's message;
  * `--exchange nccl` for a CPU model under mpirun, and `--exchange bogus`,
    exit 1 with a message.
Skipped when Open MPI's mpirun is absent (scripts/setup.sh installs it).
"""

import os
import shutil
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402
import test_eprop_gradients as eg  # noqa: E402  (events files)
import test_history_segments as hs  # noqa: E402  (the model)

EXAMPLES = 14


def same_arrays(a, b):
    return sorted(a) == sorted(b) and all(
        a[k].shape == b[k].shape and np.array_equal(a[k].view(np.uint8), b[k].view(np.uint8)) for k in a)


def mpirun(ranks):
    launcher = [shutil.which("mpirun"), "-np", str(ranks), "--oversubscribe"]
    if os.geteuid() == 0:
        launcher.append("--allow-run-as-root")
    return launcher


def train(exe, work, tag, ranks, extra=()):
    """Trains 2 epochs; returns (weights, metrics, stdout)."""
    weights, log = tag + "_w.npz", tag + "_m.jsonl"
    argv = ([] if ranks == 1 else mpirun(ranks)) + [exe, "--epochs", "2", "--validation-split", "0.2",
                                                    "--weights-out", weights, "--metrics", log, *extra]
    proc = e2e.run_process(argv, cwd=work, timeout=300)
    if proc.returncode != 0:
        print(proc.stdout)
        print(proc.stderr)
        e2e.setup_error("%s exited with %d" % (" ".join(argv), proc.returncode))
    return (e2e.load_npz(os.path.join(work, weights)), e2e.load_metrics(os.path.join(work, log)), proc.stdout)


def main():
    args = e2e.parse_args(__doc__)
    if not shutil.which("mpirun"):
        e2e.skip("no mpirun (Open MPI): scripts/setup.sh installs openmpi-bin")
    check = e2e.Checker("mpi")
    work = args.work
    if "ASAN_OPTIONS" in os.environ:
        # scripts/test.sh --sanitize: Open MPI's components, loaded with
        # dlopen and unloaded at exit, keep allocations LeakSanitizer cannot
        # attribute; every other test checks the runtime's own for leaks.
        os.environ["ASAN_OPTIONS"] += ":detect_leaks=0"

    rng = np.random.default_rng(23)
    eg.write_events(os.path.join(work, "data.npz"), ref.random_inputs(rng, EXAMPLES, hs.STEPS, 6, 0.25),
                    rng.integers(0, 3, EXAMPLES))
    eprop = hs.write_model(work, "eprop", "output.v")
    bptt = hs.write_model(work, "bptt", "mean(output.v)")
    executables = {
        "adjoint": e2e.compile_model(args.snnc, eprop, work, "adjoint", ["--eprop-strategy=adjoint"]),
        "online": e2e.compile_model(args.snnc, eprop, work, "online", ["--eprop-strategy=online"]),
        "bptt": e2e.compile_model(args.snnc, bptt, work, "bptt"),
    }
    runs = [("adjoint", 2, []), ("adjoint", 3, []), ("adjoint", 2, ["--threads", "2"]),
            ("adjoint", 2, ["--history-steps", "7"]), ("online", 2, []), ("bptt", 2, [])]
    alone = {}
    for name, ranks, extra in runs:
        key = (name, tuple(extra))
        if key not in alone:
            alone[key] = train(executables[name], work, "%s_%s_1" % (name, "_".join(extra)), 1, extra)
        w1, m1, _ = alone[key]
        wk, mk, out = train(executables[name], work, "%s_%s_%d" % (name, "_".join(extra), ranks), ranks, extra)
        label = "%s %s on %d ranks" % (name, " ".join(extra), ranks)
        check.check(same_arrays(w1, wk), "%s: other weights than one process (largest difference %s)"
                    % (label, {k: float(np.abs(w1[k] - wk[k]).max()) for k in w1 if k in wk}))
        check.check(m1 == mk, "%s: metrics %s, one process %s" % (label, mk, m1))
        headers = [line for line in out.splitlines() if line.startswith("model Segments: training on")]
        ranks_line = [line for line in out.splitlines() if line.startswith("data-parallel over %d MPI ranks" % ranks)]
        check.check(len(headers) == 1 and len(ranks_line) == 1,
                    "%s: expected one header and one 'data-parallel over %d MPI ranks' line, got %s"
                    % (label, ranks, headers + ranks_line))
    check.note("weights and metrics bit-identical to one process for: %s"
               % ", ".join("%s %s x%d" % (n, " ".join(e), r) for n, r, e in runs))

    # The gradient of one batch.
    grads = {}
    for ranks in (1, 2):
        out = "g%d.npz" % ranks
        argv = ([] if ranks == 1 else mpirun(ranks)) + [executables["adjoint"], "--no-shuffle", "--batches", "1",
                                                        "--gradients-out", out, "--quiet"]
        proc = e2e.run_process(argv, cwd=work)
        check.check(proc.returncode == 0, "--gradients-out on %d ranks: exit %d: %s"
                    % (ranks, proc.returncode, proc.stderr.strip()))
        grads[ranks] = e2e.load_npz(os.path.join(work, out))
    check.check(same_arrays(grads[1], grads[2]) and "loss" in grads[2],
                "--gradients-out on 2 ranks differs from one process")

    # The CUDA target: the device's collective (emulated NCCL) or MPI.
    gpu = e2e.compile_model(args.snnc, eprop, work, "gpu", ["--target=cuda", "--cuda-host-emulation"])
    w1, m1, _ = train(gpu, work, "gpu_1", 1)
    for ranks, extra, via in ((2, [], "NCCL (emulated by MPI broadcasts)"), (3, [], "NCCL (emulated by MPI broadcasts)"),
                              (2, ["--exchange", "mpi"], "MPI"), (2, ["--exchange", "nccl"], "NCCL")):
        wk, mk, out = train(gpu, work, "gpu_%d_%s" % (ranks, "_".join(extra)), ranks, extra)
        label = "CUDA host emulation on %d ranks %s" % (ranks, " ".join(extra))
        check.check(same_arrays(w1, wk), "%s: other weights than one process (largest difference %s)"
                    % (label, {k: float(np.abs(w1[k] - wk[k]).max()) for k in w1 if k in wk}))
        check.check(m1 == mk, "%s: metrics %s, one process %s" % (label, mk, m1))
        header = [line for line in out.splitlines() if line.startswith("data-parallel over %d MPI ranks" % ranks)]
        check.check(len(header) == 1 and ("gradients exchanged by " + via) in header[0],
                    "%s: expected the header to say 'gradients exchanged by %s', got %s" % (label, via, header))
    check.note("CUDA host emulation: 2 and 3 ranks through the emulated NCCL, 2 through MPI: bit-identical")

    # The collective fails to start. Asked for by name (--exchange nccl):
    # every rank ends with exit 1, and the message of the rank where it
    # failed says why (whichever rank prints). Under auto: the ranks train
    # through MPI, the same weights, and the header says why.
    for fail, want in (("make_id", "emulated NCCL: make_id failed on rank 0"),
                       ("join@1", "emulated NCCL: join failed on rank 1"),
                       ("join", "emulated NCCL: join failed on rank 0")):
        failing = mpirun(2) + ["-x", "SNN_EMULATED_NCCL_FAIL=" + fail, gpu]
        proc = e2e.run_process(failing + ["--epochs", "1", "--exchange", "nccl"], cwd=work, timeout=120)
        check.check(proc.returncode == 1 and want in proc.stderr and "--exchange mpi exchanges through MPI instead"
                    in proc.stderr, "--exchange nccl, collective failing at %s: expected exit 1 and '%s', got %d: %s"
                    % (fail, want, proc.returncode, proc.stderr.strip()[-600:]))
        out = "fallback_%s.npz" % fail.replace("@", "_")
        proc = e2e.run_process(failing + ["--epochs", "2", "--validation-split", "0.2", "--weights-out", out],
                               cwd=work, timeout=300)
        header = [line for line in proc.stdout.splitlines() if line.startswith("data-parallel over 2 MPI ranks")]
        if check.check(proc.returncode == 0 and len(header) == 1 and
                       "gradients exchanged by MPI (" + want in header[0],
                       "auto, collective failing at %s: expected exit 0 and the header to say why MPI, got %d, %s: %s"
                       % (fail, proc.returncode, header, proc.stderr.strip()[-600:])):
            check.check(same_arrays(w1, e2e.load_npz(os.path.join(work, out))),
                        "auto, collective failing at %s: other weights than one process" % fail)

    # Refused, with a message, on every rank and without a hang.
    sim = os.path.join(work, "sim.snn")
    with open(sim, "w") as f:
        f.write("import std.neurons.LIF\n"
                "network Sim { population p = LIF x 4 }\n"
                "simulate Sim { dt = 0.1 ms; duration = 1 ms }\n")
    sim_exe = e2e.compile_model(args.snnc, sim, work, "sim")
    recorded = os.path.join(work, "recorded.snn")
    with open(recorded, "w") as f:
        f.write(open(eprop).read().replace("  dropout(lif", "  record spikes(lif) on example 0\n  dropout(lif"))
    recorded_exe = e2e.compile_model(args.snnc, recorded, work, "recorded")
    for exe, extra, want in ((executables["adjoint"], ["--exchange", "nccl"],
                              "--exchange nccl: the model runs on the CPU, whose ranks exchange through MPI"),
                             (executables["adjoint"], ["--exchange", "bogus"],
                              "option '--exchange' needs auto, mpi or nccl, not 'bogus'"),
                             (sim_exe, [], "only training runs data-parallel under mpirun"),
                             (recorded_exe, ["--epochs", "1"],
                              "records examples during training, which mpirun does not support yet")):
        proc = e2e.run_process(mpirun(2) + [exe, *extra], cwd=work, timeout=60)
        check.check(proc.returncode == 1 and want in proc.stderr,
                    "%s under mpirun: expected exit 1 and '%s', got %d: %s"
                    % (os.path.basename(exe), want, proc.returncode, proc.stderr.strip()[-600:]))
    check.finish()


if __name__ == "__main__":
    main()
