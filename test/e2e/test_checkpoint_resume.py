#!/usr/bin/python3
"""Checkpoints survive kill -9: a run killed again and again and resumed
with --resume ends bit-identical to an uninterrupted run (docs/training.md,
"Checkpoints").

The model is digits-like (64 latency-coded inputs -> 64 recurrent ALIF ->
10 readout, synthetic dense data) and uses every piece of state that a
checkpoint must carry: Adam moments and step, an exponential schedule per
batch with warm-up, global-norm clipping, dropout (Philox streams keyed by
seed, example and step), firing-rate regularisation (per-example running
rates), shuffling (the epoch's example order), a validation split with early
stopping and restore_best (the best weights), and a checkpoint every 2
batches.

1. Reference: one uninterrupted run (fixed seed).
2. Kill/resume loop: `--resume --checkpoint ck/` runs SIGKILLed after
   seeded random delays spread over the run (some with
   SNN_CHECKPOINT_TEST_DELAY_MS, which holds the run between writing
   ck/.checkpoint.npz.partial and renaming it). After every kill,
   ck/checkpoint.npz (when present) must load completely with numpy and
   never go backwards; at least 2 kills must land inside a checkpoint write
   (a fresh partial file left behind). The last run finishes; its weights
   must equal the reference's byte for byte (same dtype, same bits) and its
   metrics lines must equal the reference's except "seconds".
   Controls: a checkpoint whose firing-rate state, Adam moments or example
   order is perturbed must NOT resume to the reference (the comparison can
   fail, and each of these pieces is saved and used).
3. Errors (exit 1, one message naming the problem): --resume with another
   --seed, --batch, hyperparameter (--clip-norm) or learning rate (--lr),
   another model's checkpoint, truncated checkpoints, --resume without a
   checkpoint directory; --resume with an empty directory starts from the
   beginning and matches the reference.

The truth is the uninterrupted run of the same executable (a checkpoint's
contract is identity with it, not a formula).
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
import zipfile

import numpy as np

from e2e_common import Checker, compile_model, parse_args, run_model, setup_error

SEED = 3
EPOCHS = 20
BATCH = 16
EXAMPLES = 400
MIN_KILLS = 12
# The controls resume from a checkpoint inside an epoch that precedes the
# best epoch (11 of 20, 16 steps each): what changes there reaches the
# restored weights.
CONTROL_STEPS = (40, 150)
MIN_PARTIAL_KILLS = 2
DELAY_ENV = "SNN_CHECKPOINT_TEST_DELAY_MS"

MODEL = """
import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource

network Digits {
  population input  = SpikeSource x 64
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 200 ms, v_th: 0.6, beta: 0.07) x HIDDEN
  population output = Readout(tau_mem: 20 ms) x 10

  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.35)
  connect hidden -> hidden : fixed_probability(1, autapses: false), weight ~ normal(0, 0.05)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.1)
}

train Digits with eprop {
  data train = dense("digits.csv", encode: latency(max: 16))
  test_split = 0.2
  validation_split = 0.2
  dt = 1 ms;  timesteps = 20;  batch = BATCH;  epochs = EPOCHS;  seed = SEED
  readout = mean(output.v)
  readout_bias = true
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 1e-2)
  schedule = exponential(factor: 0.5, every: 100 batches)
  warmup = 6 batches
  clip_gradients norm 1.0
  dropout(hidden, rate: 0.1)
  RATE
  early_stopping(monitor: validation_loss, patience: 50, restore_best: true)
  CHECKPOINT
}
"""

RATE = "regularize firing_rate(hidden, target: 10 Hz, strength: 1e-3)"
CHECKPOINT = 'checkpoint every 2 batches to "ckpt/"'


def model_text(hidden=64, rate=True, checkpoint=True):
    text = MODEL.replace("HIDDEN", str(hidden)).replace("BATCH", str(BATCH))
    text = text.replace("EPOCHS", str(EPOCHS)).replace("SEED", str(SEED))
    text = text.replace("RATE", RATE if rate else "")
    return text.replace("CHECKPOINT", CHECKPOINT if checkpoint else "")


def write_data(path):
    """Ten noisy prototypes of 64 pixels valued 0..16 (digits-like)."""
    rng = np.random.default_rng(7)
    prototypes = rng.integers(0, 17, (10, 64))
    rows = []
    for i in range(EXAMPLES):
        label = i % 10
        pixels = np.clip(prototypes[label] + rng.integers(-9, 10, 64), 0, 16)
        rows.append(",".join(str(int(v)) for v in pixels) + ",%d" % label)
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


def load_all(path):
    """Every array of an NPZ, read completely (raises on a torn file)."""
    with np.load(path, allow_pickle=False) as archive:
        return {name: np.array(archive[name]) for name in archive.files}


def same_weights(got, want):
    """Names of the arrays that differ (missing, dtype, shape or any bit)."""
    bad = sorted(set(got) ^ set(want))
    for name in sorted(set(got) & set(want)):
        a, b = got[name], want[name]
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b) \
                or a.tobytes() != b.tobytes():
            bad.append(name)
    return bad


SECONDS = re.compile(r'"seconds": [^,}]*')


def metrics_lines(path):
    with open(path) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    for line in lines:
        json.loads(line)  # each line is complete JSON
    return [SECONDS.sub('"seconds": _', line) for line in lines]


def file_id(path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def main():
    args = parse_args(__doc__)
    check = Checker("checkpoint_resume")
    work = args.work
    write_data(os.path.join(work, "digits.csv"))
    sources = {"digits": model_text(), "other": model_text(hidden=32),
               "plain": model_text(rate=False, checkpoint=False)}
    exes = {}
    for name, text in sources.items():
        with open(os.path.join(work, name + ".snn"), "w") as f:
            f.write(text)
        exes[name] = compile_model(args.snnc, os.path.join(work, name + ".snn"), work, name,
                                   ["--precision=double"])
    exe = exes["digits"]
    started = time.monotonic()

    # 1. The reference.
    t0 = time.monotonic()
    proc = run_model(exe, work, ["--weights-out", "ref.npz", "--metrics", "ref.jsonl"])
    duration = time.monotonic() - t0
    ref = load_all(os.path.join(work, "ref.npz"))
    ref_metrics = metrics_lines(os.path.join(work, "ref.jsonl"))
    check.note("reference run: %.2f s, %d metrics lines; %s" %
               (duration, len(ref_metrics),
                " ".join(l for l in proc.stdout.splitlines() if l.startswith("best epoch"))))
    setup_ok = check.check(len(ref_metrics) == EPOCHS and set(ref) == {
        "input->hidden", "hidden->hidden", "hidden->output", "output.bias"},
        "reference: %d metrics lines, arrays %s" % (len(ref_metrics), sorted(ref)))
    best = re.search(r"best epoch: (\d+)", proc.stdout)
    check.check(best is not None and int(best.group(1)) < EPOCHS,
                "the best epoch is not the last one (restore_best matters): %s"
                % (best.group(0) if best else "no 'best epoch' line"))
    if not setup_ok:
        check.finish()

    # 2. Kill and resume.
    ck = os.path.join(work, "ck")
    partial = os.path.join(ck, ".checkpoint.npz.partial")
    target = os.path.join(ck, "checkpoint.npz")
    rng = random.Random(20240611)
    counts = {"kills": 0, "partial_kills": 0, "resumes": 0, "runs": 0, "finished_early": 0,
              "delay_runs": 0, "kills_without_checkpoint": 0}
    last_steps = -1
    kill_steps = []  # the checkpoint's optimizer step after each kill
    steps_total = EPOCHS * ((EXAMPLES - int(0.2 * EXAMPLES) - int(0.2 * (EXAMPLES - int(0.2 * EXAMPLES))))
                            // BATCH)

    def launch(delay_ms):
        env = dict(os.environ)
        env.pop(DELAY_ENV, None)
        if delay_ms:
            env[DELAY_ENV] = str(delay_ms)
        return subprocess.Popen([exe, "--resume", "--checkpoint", "ck/", "--weights-out", "out.npz",
                                 "--metrics", "out.jsonl"], cwd=work, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finished(proc_out, err, rc, label):
        counts["runs"] += 1
        if "resumed from" in proc_out:
            counts["resumes"] += 1
        if not check.check(rc == 0, "%s exited with %s: %s" % (label, rc, err.strip()[-400:])):
            return False
        got = load_all(os.path.join(work, "out.npz"))
        bad = same_weights(got, ref)
        check.check(not bad, "%s: weights differ from the uninterrupted run in %s" % (label, bad))
        got_metrics = metrics_lines(os.path.join(work, "out.jsonl"))
        diff = [i for i in range(max(len(got_metrics), len(ref_metrics)))
                if i >= len(got_metrics) or i >= len(ref_metrics) or got_metrics[i] != ref_metrics[i]]
        check.check(not diff, "%s: metrics lines differ from the reference at %s (of %d / %d)%s"
                    % (label, diff[:5], len(got_metrics), len(ref_metrics),
                       "" if not diff or diff[0] >= min(len(got_metrics), len(ref_metrics)) else
                       "\n  got  %s\n  want %s" % (got_metrics[diff[0]], ref_metrics[diff[0]])))
        return True

    def inspect_after_kill():
        """The checkpoint is whole and never goes backwards."""
        nonlocal last_steps
        if not os.path.exists(target):
            counts["kills_without_checkpoint"] += 1
            return
        try:
            saved = load_all(target)
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
            check.check(False, "after kill %d: ck/checkpoint.npz is torn: %s" % (counts["kills"], e))
            return
        steps = int(saved["progress"][3])
        check.check(steps >= last_steps, "after kill %d: the checkpoint went back from step %d to %d"
                    % (counts["kills"], last_steps, steps))
        last_steps = steps
        kill_steps.append(steps)
        lines = [SECONDS.sub('"seconds": _', l) for l in bytes(saved["metrics"].astype(np.uint8))
                 .decode().splitlines() if l.strip()]
        check.check(lines == ref_metrics[:len(lines)],
                    "after kill %d: the checkpoint's metrics are not a prefix of the reference's"
                    % counts["kills"])
        if "mid" not in snapshot and CONTROL_STEPS[0] <= steps <= CONTROL_STEPS[1] and saved["order"].size:
            snapshot["mid"] = saved

    def one_kill(delay_ms, fraction):
        """Starts a resumed run and SIGKILLs it after `fraction` of the
        estimated remaining time; returns False if it finished first."""
        remaining = 1.0 - max(last_steps, 0) / steps_total
        slow = 2.5 if delay_ms else 1.0  # the delay hook slows the run down
        wait = max(0.03, fraction * remaining * duration * slow)
        before = file_id(partial)
        proc = launch(delay_ms)
        counts["delay_runs"] += bool(delay_ms)
        try:
            out, err = proc.communicate(timeout=wait)
            # It finished before the kill: it must match the reference.
            counts["finished_early"] += 1
            finished(out, err, proc.returncode, "a resumed run that finished before its kill")
            return False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate()
        counts["runs"] += 1
        counts["kills"] += 1
        if "resumed from" in out:
            counts["resumes"] += 1
        now = file_id(partial)
        if now is not None and now != before:
            counts["partial_kills"] += 1
        inspect_after_kill()
        return True

    snapshot = {}

    def reset_campaign():
        nonlocal last_steps
        shutil.rmtree(ck, ignore_errors=True)
        last_steps = -1

    planned = MIN_KILLS + 1
    attempts = 0
    while (counts["kills"] < MIN_KILLS or counts["partial_kills"] < MIN_PARTIAL_KILLS) and attempts < 60:
        attempts += 1
        left = max(1, planned - counts["kills"])
        if counts["kills"] >= MIN_KILLS:  # extra kills aimed at a checkpoint write
            delay_ms, fraction = 300, rng.uniform(0.05, 0.3) / left
        else:
            delay_ms = rng.choice([0, 0, 50, 50, 200])
            fraction = rng.uniform(0.2, 1.4) / left
        if not one_kill(delay_ms, fraction):
            reset_campaign()  # it ended: start over so that kills remain possible
    # The last run finishes.
    proc = launch(0)
    out, err = proc.communicate(timeout=300)
    finished(out, err, proc.returncode, "the final resumed run")
    check.note("kills %d (%d during a checkpoint write, %d before any checkpoint), runs %d, resumes %d, "
               "runs with the delay hook %d, runs that finished before their kill %d"
               % (counts["kills"], counts["partial_kills"], counts["kills_without_checkpoint"],
                  counts["runs"], counts["resumes"], counts["delay_runs"], counts["finished_early"]))
    check.note("checkpointed optimizer step after each kill (of %d): %s" % (steps_total, kill_steps))
    check.check(counts["kills"] >= MIN_KILLS, "at least %d kills, got %d" % (MIN_KILLS, counts["kills"]))
    check.check(counts["partial_kills"] >= MIN_PARTIAL_KILLS,
                "at least %d kills during a checkpoint write, got %d"
                % (MIN_PARTIAL_KILLS, counts["partial_kills"]))
    check.check(not os.path.exists(partial), "the finished run leaves no partial file")

    # Controls: perturbed checkpoints must not resume to the reference.
    mid = snapshot.get("mid")
    if mid is None:  # none of the kills left one: poll a slowed-down run for it
        reset_campaign()
        proc = launch(100)
        deadline = time.monotonic() + 120
        while mid is None and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            try:
                saved = load_all(target)
            except (OSError, ValueError, zipfile.BadZipFile, EOFError):
                continue
            steps = int(saved["progress"][3])
            if CONTROL_STEPS[0] <= steps <= CONTROL_STEPS[1] and saved["order"].size:
                mid = saved
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if mid is None:
            setup_error("no checkpoint between optimizer steps %d and %d" % CONTROL_STEPS)
    check.note("controls resume from optimizer step %d" % int(mid["progress"][3]))

    def control(label, change):
        arrays = {k: v.copy() for k, v in mid.items()}
        change(arrays)
        reset_campaign()
        os.makedirs(ck)
        np.savez(target, **arrays)
        proc = run_model(exe, work, ["--resume", "--checkpoint", "ck/", "--weights-out", "ctl.npz",
                                     "--quiet"], expect_ok=False)
        if not check.check(proc.returncode == 0, "control %s: exit %d: %s"
                           % (label, proc.returncode, proc.stderr.strip())):
            return
        got = load_all(os.path.join(work, "ctl.npz"))
        check.check(same_weights(got, ref), "control %s: resumed to the reference weights anyway "
                    "(the comparison cannot see this state)" % label)

    def rate_state(arrays):
        arrays["buffer.hidden.rate_average"] = arrays["buffer.hidden.rate_average"] * 0.5 + 0.01

    def moments(arrays):
        for name in arrays:
            if name.endswith(".moment2"):
                arrays[name] = arrays[name] * 1.5

    def order(arrays):
        arrays["order"] = arrays["order"][::-1].copy()

    def step(arrays):
        arrays["progress"][3] += 1  # Adam's bias correction and the schedule read it

    # The unchanged copy rewritten by numpy must still resume to the reference.
    arrays = dict(mid)
    reset_campaign()
    os.makedirs(ck)
    np.savez(target, **arrays)
    proc = run_model(exe, work, ["--resume", "--checkpoint", "ck/", "--weights-out", "ctl.npz", "--quiet"],
                     expect_ok=False)
    if check.check(proc.returncode == 0, "control unchanged: exit %d: %s" % (proc.returncode, proc.stderr)):
        check.check(not same_weights(load_all(os.path.join(work, "ctl.npz")), ref),
                    "control unchanged: a checkpoint rewritten by numpy does not resume to the reference")
    for label, change in (("firing-rate state x0.5", rate_state), ("Adam second moments x1.5", moments),
                          ("example order reversed", order), ("optimizer step + 1", step)):
        control(label, change)

    # 3. Error cases, from a checkpoint written mid-run.
    def restore_mid():
        reset_campaign()
        os.makedirs(ck)
        np.savez(target, **mid)

    def expect_error(label, executable, argv, needles):
        if os.path.exists(os.path.join(work, "err.npz")):
            os.remove(os.path.join(work, "err.npz"))
        proc = run_model(executable, work, argv, expect_ok=False)
        text = proc.stdout + proc.stderr
        ok = check.check(proc.returncode == 1, "%s: exit %d (expected 1): %s"
                         % (label, proc.returncode, text.strip()[-300:]))
        for needle in needles:
            ok &= check.check(needle in text, "%s: the message lacks %r: %s" % (label, needle, text.strip()))
        check.check(not os.path.exists(os.path.join(work, "err.npz")), "%s: wrote weights anyway" % label)
        if ok:
            check.note("%s: %s" % (label, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""))

    common = ["--resume", "--checkpoint", "ck/", "--weights-out", "err.npz", "--quiet"]
    for label, extra, needles in (
            ("another --seed", ["--seed", str(SEED + 1)], ["checkpoint.npz", "seed %d" % SEED]),
            ("another --batch", ["--batch", str(BATCH // 2)], ["checkpoint.npz", "--batch"]),
            ("another --clip-norm", ["--clip-norm", "2"], ["checkpoint.npz", "hyperparameters"]),
            ("another --lr", ["--lr", "0.02"], ["checkpoint.npz"])):
        restore_mid()
        expect_error("--resume with " + label, exe, common + extra, needles)
    restore_mid()
    expect_error("another model's checkpoint", exes["other"], common, ["checkpoint.npz", "not a checkpoint of this model"])
    with open(target, "rb") as f:
        whole = f.read()
    for cut in (0, 10, len(whole) // 2, len(whole) - 1):
        with open(target, "wb") as f:
            f.write(whole[:cut])
        expect_error("checkpoint truncated to %d of %d bytes" % (cut, len(whole)), exe, common,
                     ["checkpoint.npz"])
    with open(target, "wb") as f:  # the first entry's local header zeroed, the size kept
        f.write(bytes(64) + whole[64:])
    expect_error("checkpoint with a zeroed header", exe, common, ["checkpoint.npz"])
    shutil.copyfile(os.path.join(work, "ref.npz"), target)  # an NPZ, but weights only
    expect_error("a weights file as checkpoint", exe, common, ["checkpoint.npz", "progress"])
    expect_error("--resume without a checkpoint directory", exes["plain"],
                 ["--resume", "--weights-out", "err.npz", "--quiet"], ["--resume", "checkpoint"])

    # The plain model (no per-example running state) still refuses another batch.
    reset_campaign()
    proc = subprocess.Popen([exes["plain"], "--resume", "--checkpoint", "ck/", "--quiet"], cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not os.path.exists(target) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # into epoch 2
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    if check.check(os.path.exists(target), "the plain model wrote no checkpoint with --checkpoint ck/"):
        expect_error("--resume with another --batch (model without running state)", exes["plain"],
                     common + ["--batch", str(BATCH // 2)], ["checkpoint.npz", "batch"])

    # An empty directory: start from the beginning, end at the reference.
    reset_campaign()
    os.makedirs(ck)
    proc = run_model(exe, work, ["--resume", "--checkpoint", "ck/", "--weights-out", "out.npz",
                                 "--metrics", "out.jsonl"], expect_ok=False)
    check.check("no checkpoint in" in proc.stdout, "--resume with an empty directory says it starts "
                "from the beginning: %s" % proc.stdout.splitlines()[:2])
    finished(proc.stdout, proc.stderr, proc.returncode, "--resume with an empty directory")
    check.note("total %.1f s" % (time.monotonic() - started))
    check.finish()


if __name__ == "__main__":
    main()
