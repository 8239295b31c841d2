#!/usr/bin/python3
"""Temporary files are removed by SIGINT and SIGTERM (snn/temporary_file.h).

Every output is written to a temporary file and renamed into place. An
interrupted writer must not leave the temporary file behind. Each case
starts a process, polls (every millisecond) until its temporary file
exists, sends the signal, and then checks that the process died by that
signal (the default action still runs after the cleanup) and that the
temporary file is gone:

1. snnc linking an executable: `.snn-tmp-*` beside the output, while the
   linker (a child process) writes it; the object file `snnc-*.o` and the
   linker's log `snnc-link-*` in $TMPDIR (a private directory here).
2. A simulation writing a 150 MB recording: `.snn-tmp-*` beside it.
3. A training run writing a checkpoint: `DIR/.checkpoint.npz.partial`,
   held open by SNN_CHECKPOINT_TEST_DELAY_MS.
Each case runs with SIGTERM and with SIGINT. Control: SIGKILL cannot be
caught, so after a SIGKILL during the recording's write the temporary file
is still there (the polling does see the write in progress).
"""
import glob
import os
import shutil
import signal
import subprocess
import time

from e2e_common import SOURCE_ROOT, Checker, compile_model, parse_args, setup_error

RECORDING_MODEL = """
import std.neurons.LIF
network Big {
  population cell = LIF(tau_mem: 10 ms, v_rest: 0 mV, v_th: 10 mV, v_reset: 0 mV, i_offset: 12 mV) x 2000
}
simulate Big {
  dt = 0.1 ms;  duration = 1 s
  record cell.v to "big.npz"
}
"""


def wait_for(pattern, proc, timeout=120.0):
    """Polls until a file matches `pattern`; None if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = glob.glob(pattern)
        if found:
            return found
        if proc.poll() is not None:
            return None
        time.sleep(0.001)
    return None


def interrupt(checker, label, argv, cwd, patterns, signo, env=None, expect_gone=True):
    """Starts argv, sends `signo` once patterns[0] exists, checks the files."""
    for pattern in patterns:
        for path in glob.glob(pattern):
            os.remove(path)
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    found = wait_for(patterns[0], proc)
    if found is None:
        proc.wait()
        setup_error("%s: %s never appeared (exit %s)" % (label, patterns[0], proc.returncode))
    proc.send_signal(signo)
    proc.wait(timeout=60)
    checker.check(proc.returncode == -signo,
                  "%s: exit status %s, expected death by signal %d" % (label, proc.returncode, signo))
    left = [path for pattern in patterns for path in glob.glob(pattern)]
    if expect_gone:
        checker.check(not left, "%s: temporary files left behind: %s" % (label, left))
    else:
        checker.check(bool(left), "%s: the control found no temporary file after SIGKILL" % label)
    checker.note("%s: signal after %s appeared; left %s" % (label, os.path.basename(found[0]), left or "nothing"))


def main():
    args = parse_args(__doc__.splitlines()[0])
    checker = Checker("signal_cleanup")
    work = args.work
    tmpdir = os.path.join(work, "tmp")
    os.makedirs(tmpdir)
    env = dict(os.environ, TMPDIR=tmpdir)

    model = os.path.join(work, "big.snn")
    with open(model, "w") as f:
        f.write(RECORDING_MODEL)
    exe = compile_model(args.snnc, model, work, "big")

    # 1. snnc: the executable's temporary, the object and the link log.
    out = os.path.join(work, "out")
    os.makedirs(out)
    for signo in (signal.SIGTERM, signal.SIGINT):
        name = signal.Signals(signo).name
        interrupt(checker, "snnc link, %s" % name, [args.snnc, model, "-o", os.path.join(out, "model")], work,
                  [os.path.join(out, ".snn-tmp-*"), os.path.join(tmpdir, "snnc-*")], signo, env)
        interrupt(checker, "snnc object, %s" % name, [args.snnc, model, "-o", os.path.join(out, "model")], work,
                  [os.path.join(tmpdir, "snnc-*.o"), os.path.join(out, ".snn-tmp-*")], signo, env)

    # 2. The recording's write.
    for signo in (signal.SIGTERM, signal.SIGINT):
        interrupt(checker, "recording, %s" % signal.Signals(signo).name, [exe], work,
                  [os.path.join(work, ".snn-tmp-*")], signo, env)
    interrupt(checker, "recording, SIGKILL (control)", [exe], work, [os.path.join(work, ".snn-tmp-*")],
              signal.SIGKILL, env, expect_gone=False)
    for path in glob.glob(os.path.join(work, ".snn-tmp-*")):
        os.remove(path)

    # 3. A checkpoint's write.
    digits = os.path.join(SOURCE_ROOT, "examples", "digits_workflow.snn")
    os.symlink(os.path.join(SOURCE_ROOT, "data"), os.path.join(work, "data"))
    trainer = compile_model(args.snnc, digits, work, "digits_workflow")
    delayed = dict(env, SNN_CHECKPOINT_TEST_DELAY_MS="20000")
    for signo in (signal.SIGTERM, signal.SIGINT):
        shutil.rmtree(os.path.join(work, "digits_ckpt"), ignore_errors=True)
        interrupt(checker, "checkpoint, %s" % signal.Signals(signo).name, [trainer, "--quiet"], work,
                  [os.path.join(work, "digits_ckpt", ".checkpoint.npz.partial")], signo, delayed)
    checker.finish()


if __name__ == "__main__":
    main()
