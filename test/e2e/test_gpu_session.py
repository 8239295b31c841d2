"""e2e: bench/gpu_session.py, the GPU checks prepared for a lent machine.

`bundle --emulate` compiles every check's model for the CPU and, in host
emulation, for the CUDA target, packs them with their shared libraries,
and `run --quick` unpacks the bundle elsewhere and runs each pair side by
side: every check must pass (the emulation is bit for bit the CPU's), and
report.md and report.json must say so. So the script a GPU session runs in
its few minutes does not rot between sessions.
"""

import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cuda_checks  # noqa: E402
import e2e_common as e2e  # noqa: E402

SCRIPT = os.path.join(e2e.SOURCE_ROOT, "bench", "gpu_session.py")


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("gpu_session")
    bundle_dir, report_dir = os.path.join(args.work, "bundle"), os.path.join(args.work, "report")
    proc = subprocess.run([sys.executable, SCRIPT, "bundle", "--emulate", "--snnc", args.snnc, "--out", bundle_dir],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        e2e.setup_error("bundle failed: " + proc.stderr + proc.stdout)
    bundle = os.path.join(bundle_dir, "bundle.tar.xz")
    proc = subprocess.run([sys.executable, SCRIPT, "run", "--quick", "--bundle", bundle, "--out", report_dir],
                          capture_output=True, text=True, timeout=600, cwd=args.work)
    check.check(proc.returncode == 0, "run exited %d: %s %s" % (proc.returncode, proc.stdout, proc.stderr))
    with open(os.path.join(report_dir, "report.json")) as f:
        report = json.load(f)
    checks = report["checks"]
    check.check(sorted(checks) == sorted(cuda_checks.CHECKS), "checks: %s" % sorted(checks))
    for name, result in checks.items():
        check.check(result["passed"] is True, "%s: %s" % (name, result["detail"]))
    check.check(report["manifest"]["emulated"] is True, "the manifest should say the bundle is emulated")
    with open(os.path.join(report_dir, "report.md")) as f:
        text = f.read()
    check.check(text.count("| pass |") == len(checks), "report.md: " + text)
    check.note("; ".join("%s: %s" % (n, r["detail"][:60]) for n, r in checks.items()))
    check.finish()


if __name__ == "__main__":
    main()
