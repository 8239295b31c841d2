"""e2e on a GPU: models compiled with snnc --target=cuda (nvcc, no
emulation) run on the device and are compared with the CPU backend.

Skipped (exit 77) without a CUDA toolkit in snnc, and when the executable
finds no usable NVIDIA GPU (it says so and exits 1), so the default test
command passes on machines without one; `ctest -L gpu` runs it on a GPU.

Checks:
  - CUBA for 1 s with --spike-delivery=postsynaptic (each target gathers its
    inputs in presynaptic order, no atomics): the same spikes as the CPU,
    every one (its updates use no libm function, so nothing differs);
  - CUBA for 1 s with presynaptic delivery (atomics, sums in any order): the
    rates of both populations within 5 % of the CPU's;
  - 1000 Poisson sources for 1 s: the same spikes (Philox is bit-exact);
  - digits, one epoch, postsynaptic: the test accuracy within 3 points of
    the CPU's and every trained weight within 1e-3 relative (L2) of it (the
    GPU's libm differs from glibc's in the last bits, and training
    amplifies that a little);
  - digits under `mpirun -np 2` (when Open MPI is installed): both ranks
    on the one GPU exchange through MPI (the header says why: NCCL needs a
    GPU per rank) and train the same weights as one process, bit for bit;
    `--exchange nccl` then exits 1 naming the ranks that share the GPU; on
    a machine of two GPUs or more, 2 ranks on GPUs of their own exchange
    through NCCL, and train the same weights bit for bit;
  - LIF, Izhikevich, delays, STDP, and the postsynaptic-block/conv/list
    model of test_cuda_host_emulation.py: spike counts within 5 % + 2 of the
    CPU's.
"""

import glob
import os
import shutil
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import test_cuda_host_emulation as emulation  # noqa: E402

GPU = ["--target=cuda"]


def run(args, label, model, flags, run_args, files=None, data=None):
    """Compiles and runs `model` in work/label; returns (NPZ arrays by file,
    summary rates, stdout), or skips the test when there is no GPU."""
    work = os.path.join(args.work, label)
    path = e2e.model_folder(work, model, files, data)
    exe = os.path.join(work, "model")
    proc = e2e.run_process([args.snnc] + flags + [path, "-o", exe], cwd=work, timeout=300)
    if "built without a CUDA toolkit" in proc.stderr:
        e2e.skip("snnc was built without a CUDA toolkit")
    if proc.returncode != 0:
        e2e.setup_error("snnc failed: " + proc.stderr)
    proc = e2e.run_process([exe] + run_args, cwd=work, timeout=900)
    if proc.returncode != 0 and "no usable NVIDIA GPU" in proc.stderr:
        e2e.skip("no usable NVIDIA GPU: " + proc.stderr.strip())
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        e2e.setup_error("%s exited with %d" % (label, proc.returncode))
    arrays = {os.path.basename(f): e2e.load_npz(f) for f in glob.glob(os.path.join(work, "*.npz"))}
    return arrays, e2e.summary_rates(proc.stdout), proc.stdout


def accuracy(stdout):
    for line in stdout.splitlines():
        if line.startswith("test accuracy:"):
            return float(line.split()[2])
    e2e.setup_error("no test accuracy in the output")


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("cuda_device")
    root = e2e.SOURCE_ROOT
    cuba = os.path.join(root, "examples", "cuba.snn")
    post = ["--spike-delivery=postsynaptic"]

    cpu, cpu_rates, _ = run(args, "cuba_cpu", cuba, [], ["--duration", "1"])
    gpu, gpu_rates, _ = run(args, "cuba_gpu_post", cuba, GPU + post, ["--duration", "1"])
    for name in cpu:
        emulation.compare(check, "cuba postsynaptic " + name, cpu[name], gpu.get(name, {}))
    check.note("CUBA 1 s, postsynaptic: CPU %s, GPU %s" % (cpu_rates, gpu_rates))
    _, atomic_rates, _ = run(args, "cuba_gpu_pre", cuba, GPU + ["--spike-delivery=presynaptic"], ["--duration", "1"])
    for population, (_, _, rate) in cpu_rates.items():
        got = atomic_rates.get(population, (0, 0, -1))[2]
        check.check(abs(got - rate) <= 0.05 * rate, "CUBA presynaptic: %s at %.2f Hz, CPU %.2f Hz" %
                    (population, got, rate))
    check.note("CUBA 1 s, presynaptic (atomics): GPU %s" % atomic_rates)

    poisson = os.path.join(e2e.MODELS, "poisson.snn")
    cpu, _, _ = run(args, "poisson_cpu", poisson, [], ["--duration", "1"])
    gpu, rates, _ = run(args, "poisson_gpu", poisson, GPU, ["--duration", "1"])
    for name in cpu:
        emulation.compare(check, "poisson " + name, cpu[name], gpu.get(name, {}))
    check.note("Poisson 1 s: %s" % rates)

    digits = os.path.join(root, "examples", "digits.snn")
    data = os.path.join(root, "data", "digits.csv.gz")
    run_args = ["--epochs", "1", "--weights-out", "weights.npz"]
    cpu, _, cpu_out = run(args, "digits_cpu", digits, [], run_args, data=data)
    gpu, _, gpu_out = run(args, "digits_gpu", digits, GPU + post, run_args, data=data)
    a, b = accuracy(cpu_out), accuracy(gpu_out)
    check.check(abs(a - b) <= 3, "digits: test accuracy %.1f %% on the GPU, %.1f %% on the CPU" % (b, a))
    for name, w in cpu["weights.npz"].items():
        g = gpu["weights.npz"].get(name)
        rel = float(np.linalg.norm(g - w) / max(np.linalg.norm(w), 1e-30)) if g is not None else float("inf")
        check.check(rel <= 1e-3, "digits: weights %s differ by %.3g (relative L2)" % (name, rel))
        check.note("digits: %s differs by %.3g (relative L2)" % (name, rel))
    check.note("digits, 1 epoch: %.1f %% CPU, %.1f %% GPU" % (a, b))

    if shutil.which("mpirun"):
        # Ranks on one GPU: MPI over its memory, the same bits as one process.
        work = os.path.join(args.work, "digits_gpu")
        launcher = [shutil.which("mpirun"), "-np", "2", "--oversubscribe"] + (
            ["--allow-run-as-root"] if os.geteuid() == 0 else [])
        one_gpu = launcher + ["-x", "CUDA_VISIBLE_DEVICES=0"]  # both ranks on the first GPU
        one = gpu["weights.npz"]  # one process on the GPU
        proc = e2e.run_process(one_gpu + ["./model", "--epochs", "1", "--weights-out", "ranks.npz"], cwd=work,
                               timeout=900)
        header = [line for line in proc.stdout.splitlines() if line.startswith("data-parallel over 2 MPI ranks")]
        check.check(proc.returncode == 0 and len(header) == 1 and "gradients exchanged by MPI (ranks 0 and 1 share "
                    "one CUDA device, and NCCL needs one per rank)" in header[0],
                    "digits on 2 ranks: exit %d, header %s, %s" % (proc.returncode, header, proc.stderr[-600:]))
        if proc.returncode == 0:
            ranks = e2e.load_npz(os.path.join(work, "ranks.npz"))
            check.check(sorted(ranks) == sorted(one) and all(
                np.array_equal(ranks[k].view(np.uint8), one[k].view(np.uint8)) for k in one),
                "digits on 2 ranks of one GPU: other weights than one process")
        proc = e2e.run_process(one_gpu + ["./model", "--epochs", "1", "--exchange", "nccl"], cwd=work, timeout=300)
        check.check(proc.returncode == 1 and "--exchange nccl: ranks 0 and 1 share one CUDA device" in proc.stderr,
                    "--exchange nccl on one GPU: exit %d, %s" % (proc.returncode, proc.stderr[-600:]))
        check.note("digits on 2 MPI ranks of one GPU: %s" % header)
        gpus = e2e.run_process(["nvidia-smi", "-L"]).stdout.count("GPU ") if shutil.which("nvidia-smi") else 0
        if gpus >= 2:
            # A GPU per rank: NCCL, and the same bits.
            proc = e2e.run_process(launcher + ["./model", "--epochs", "1", "--weights-out", "nccl.npz"], cwd=work,
                                   timeout=900)
            header = [line for line in proc.stdout.splitlines() if line.startswith("data-parallel over 2 MPI ranks")]
            check.check(proc.returncode == 0 and len(header) == 1 and header[0].endswith("gradients exchanged by NCCL"),
                        "digits on 2 GPUs: exit %d, header %s, %s" % (proc.returncode, header, proc.stderr[-600:]))
            if proc.returncode == 0:
                nccl = e2e.load_npz(os.path.join(work, "nccl.npz"))
                check.check(all(np.array_equal(nccl[k].view(np.uint8), one[k].view(np.uint8)) for k in one),
                            "digits on 2 GPUs through NCCL: other weights than one process")
            check.note("digits on 2 GPUs: %s" % header)

    features = os.path.join(args.work, "features.snn")
    with open(features, "w") as f:
        f.write(emulation.FEATURES)
    cases = [("lif", os.path.join(root, "examples", "lif.snn"), None),
             ("izhikevich", os.path.join(root, "examples", "izhikevich.snn"), None),
             ("delays", os.path.join(e2e.MODELS, "delays.snn"), {"spikes.csv": (10, 3000, 1e-4)}),
             ("stdp", os.path.join(e2e.MODELS, "stdp.snn"),
              {"pre.csv": (12, 3000, 1e-4), "post.csv": (12, 3000, 1e-4)}),
             ("features", features, None)]
    for label, model, files in cases:
        _, cpu_rates, _ = run(args, label + "_cpu", model, [], [], files=files)
        _, gpu_rates, _ = run(args, label + "_gpu", model, GPU, [], files=files)
        for population, (_, spikes, _) in cpu_rates.items():
            got = gpu_rates.get(population, (0, -1, 0))[1]
            check.check(abs(got - spikes) <= 0.05 * spikes + 2, "%s: %s fired %d times on the GPU, %d on the CPU" %
                        (label, population, got, spikes))
        check.note("%s: CPU %s, GPU %s" % (label, cpu_rates, gpu_rates))
    check.finish()


if __name__ == "__main__":
    main()
