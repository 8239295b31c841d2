"""e2e on a GPU: models compiled with snnc --target=cuda (nvcc, no
emulation) run on the device and are compared with the CPU backend.

Skipped (exit 77) without a CUDA toolkit in snnc, and when the executable
finds no usable NVIDIA GPU (it says so and exits 1), so the default test
command passes on machines without one; `ctest -L gpu` runs it on a GPU.

`--emulate` runs the GPU builds in host emulation instead, to try this
script on a machine without a GPU (not a test of the GPU; no MPI part).

Checks: every check of test/e2e/cuda_checks.py (its header says what each
kind asks and why): CUBA for 1 s with postsynaptic delivery (the same
spikes) and with presynaptic delivery (atomics: rates within 5 %), Poisson
sources (the same spikes), digits training (the first batch's gradients
and weights within 1e-6, an epoch's accuracy within 3 points), LIF,
Izhikevich, delays, STDP, the postsynaptic-block/conv/list model and the
wide gather model of test_cuda_host_emulation.py (spike counts). Then,
when Open MPI is installed:
  - digits under `mpirun -np 2`: both ranks on the one GPU exchange through
    MPI (NCCL needs a GPU per rank) and train the same weights as one
    process, bit for bit; `--exchange nccl` then exits 1 naming the ranks
    that share the GPU; on a machine of two GPUs or more, 2 ranks on GPUs
    of their own exchange through NCCL, and train the same weights bit for
    bit.
"""

import glob
import os
import shutil
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cuda_checks  # noqa: E402
import e2e_common as e2e  # noqa: E402


def run(args, label, check, gpu):
    """Compiles and runs `check` for the GPU or the CPU in work/label;
    returns (stdout, NPZ arrays by file), or skips the test when there is
    no GPU."""
    work = os.path.join(args.work, label)
    path = cuda_checks.prepare(check, work)
    exe = os.path.join(work, "model")
    flags = (["--target=cuda"] + (["--cuda-host-emulation"] if args.emulate else []) if gpu else []) + check.flags
    proc = e2e.run_process([args.snnc] + flags + [path, "-o", exe], cwd=work, timeout=300)
    if "built without a CUDA toolkit" in proc.stderr or "no CUDA toolkit" in proc.stderr:
        e2e.skip("snnc finds no CUDA toolkit: " + proc.stderr.strip())
    if proc.returncode != 0:
        e2e.setup_error("snnc failed: " + proc.stderr)
    proc = e2e.run_process([exe] + check.argv, cwd=work, timeout=900, env=check.env)
    if proc.returncode != 0 and "no usable NVIDIA GPU" in proc.stderr:
        e2e.skip("no usable NVIDIA GPU: " + proc.stderr.strip())
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        e2e.setup_error("%s exited with %d" % (label, proc.returncode))
    return proc.stdout, {os.path.basename(f): e2e.load_npz(f) for f in glob.glob(os.path.join(work, "*.npz"))}


def main():
    def options(parser):
        parser.add_argument("--emulate", action="store_true",
                            help="emulate the GPU on the host: tries this script without one")
        parser.add_argument("--no-mpi", action="store_true", help="leave out the MPI part (another machine's MPI)")

    args = e2e.parse_args(__doc__.splitlines()[0], options)
    check = e2e.Checker("cuda_device")
    runs = {}
    for name, case in cuda_checks.CHECKS.items():
        runs[name] = run(args, name + "_gpu", case, gpu=True), run(args, name + "_cpu", case, gpu=False)
        passed, detail = cuda_checks.judge(case.kind, runs[name][1], runs[name][0])
        check.check(passed, "%s: %s" % (name, detail))
        check.note("%s (%s): %s" % (name, case.kind, detail))

    # The emulated device emulates NCCL too; --no-mpi where the executables'
    # Open MPI is not the machine's (bench/gpu_suite.py).
    if shutil.which("mpirun") and not args.emulate and not args.no_mpi:
        # Ranks on one GPU: MPI over its memory, the same bits as one process.
        work = os.path.join(args.work, "digits_gpu")
        launcher = [shutil.which("mpirun"), "-np", "2", "--oversubscribe"] + (
            ["--allow-run-as-root"] if os.geteuid() == 0 else [])
        one_gpu = launcher + ["-x", "CUDA_VISIBLE_DEVICES=0"]  # both ranks on the first GPU
        one = runs["digits"][0][1]["weights.npz"]  # one process on the GPU
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
        gpus = e2e.run_process(["nvidia-smi", "-L"], cwd=args.work).stdout.count("GPU ") if shutil.which("nvidia-smi") else 0
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

    check.finish()


if __name__ == "__main__":
    main()
