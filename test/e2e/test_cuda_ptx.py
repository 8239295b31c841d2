"""e2e: every example and every test model compiles for the GPU: snnc
--target=cuda --emit=ptx runs nvcc on the printed CUDA of each, and the PTX
must define one entry (kernel) per kernel of the model's lowered Program,
and every `let` of the lowered Program must be read in its kernel (the
schedule drops unread locals, lower/UnusedLocals.h, so the printed CUDA
declares none that nvcc would warn of).
The examples and e2e models always; with --lit, every lit test model that
lowers (the error tests exit 1 and are left out; an internal error fails).
Skipped (exit 77) when snnc was built without a CUDA toolkit."""

import glob
import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402


def unread_lets(lowered):
    """The `kernel: name` of each let in `lowered` (--emit=lowered text)
    whose name stands on no other line of its kernel."""
    unread = []
    for kernel in re.findall(r"^kernel .*?^}$", lowered, re.M | re.S):
        lines = kernel.splitlines()
        for k, line in enumerate(lines):
            let = re.match(r"^\s+let (\S+) = ", line)
            if not let:
                continue
            name = re.compile(r"(?<![\w.])%s(?![\w.])" % re.escape(let.group(1)))
            if not any(name.search(other) for j, other in enumerate(lines) if j != k):
                unread.append("%s: %s" % (lines[0].split()[1], let.group(1)))
    return unread


def main():
    args = e2e.parse_args(__doc__.splitlines()[0],
                          lambda p: p.add_argument("--lit", action="store_true", help="the lit test models instead"))
    check = e2e.Checker("cuda_ptx")
    if args.lit:
        models = sorted(glob.glob(os.path.join(e2e.SOURCE_ROOT, "test", "lit", "**", "*.snn"), recursive=True))
    else:
        models = sorted(glob.glob(os.path.join(e2e.SOURCE_ROOT, "examples", "*.snn")) +
                        glob.glob(os.path.join(e2e.MODELS, "*.snn")))
    compiled = 0
    for model in models:
        name = os.path.relpath(model, e2e.SOURCE_ROOT)
        lowered = e2e.run_process([args.snnc, "--target=cuda", "--emit=lowered", model, "-o", "-"], cwd=os.path.dirname(model))
        if lowered.returncode != 0:
            # An error test's model is refused (exit 1); an internal error
            # (exit 70) is a compiler bug whatever the model.
            check.check(args.lit and lowered.returncode == 1,
                        "%s: --emit=lowered failed (exit %d): %s" % (name, lowered.returncode, lowered.stderr))
            continue
        kernels = len(re.findall(r"^kernel ", lowered.stdout, re.M))
        lets = len(re.findall(r"^\s+let ", lowered.stdout, re.M))
        unread = unread_lets(lowered.stdout)
        check.check(lets > 0 and not unread, "%s: %d lets, unread: %s" % (name, lets, ", ".join(unread[:5])))
        ptx = e2e.run_process([args.snnc, "--target=cuda", "--emit=ptx", model, "-o", "-"],
                              cwd=os.path.dirname(model), timeout=300)
        if "built without a CUDA toolkit" in ptx.stderr:
            e2e.skip("snnc was built without a CUDA toolkit")
        if not check.check(ptx.returncode == 0, "%s: --emit=ptx failed: %s" % (name, ptx.stderr)):
            continue
        entries = set(re.findall(r"^\.visible \.entry (snn_kernel_\d+)\(", ptx.stdout, re.M))
        check.check(kernels > 0 and entries == {"snn_kernel_%d" % k for k in range(kernels)},
                    "%s: %d kernels lowered, PTX entries %s" % (name, kernels, sorted(entries)))
        check.note("%s: %d kernels, %d PTX entries" % (name, kernels, len(entries)))
        compiled += 1
    check.check(compiled >= (40 if args.lit else 10), "only %d models compiled" % compiled)
    check.note("%d of %d models compiled to PTX" % (compiled, len(models)))
    check.finish()


if __name__ == "__main__":
    main()
