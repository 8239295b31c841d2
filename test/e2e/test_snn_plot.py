"""e2e: snn-plot draws training curves, spike rasters and state traces.

Fixtures are written here with numpy in the documented layouts (the
runtime's recording NPZ and the --metrics JSON lines), with known contents:
  * metrics.jsonl: an evaluation-only epoch 0, 12 epochs, nulls (gaps) in
    several columns, an lr column, and a seconds column (not plotted);
  * spikes.npz: population 'hidden' with 37 spikes in example 0 and 52 in
    example 1 (within the batch), 'hidden_v' [3 examples, 150 steps, 6
    neurons] (so example 2 exists but has no spikes), 't';
  * train_rec.npz: a training recording with global example indices
    (<pop>_spikes_example uint64, <pop>_<var>_examples int64).
Every subcommand is run to PNG and SVG (--print-stats) and checked:
  * exit 0, nothing on stderr about errors, no temporary file left behind;
  * the PNG has the PNG signature and decodes (matplotlib.image.imread) to
    a plausibly sized image that is not one flat colour;
  * the SVG parses as XML, and the groups snn-plot tags (ids series-<key>,
    raster-spikes, trace-neuron-<n>) hold exactly what the fixture says
    should be drawn: one marker per non-null metric value, one marker per
    spike of the selected example, one line per selected neuron;
  * the printed stats (series: N, points: N, lines: N) equal the counts
    computed here from the fixture.
Every error case (missing or unreadable input, not NPZ / not JSON, missing
arrays, unknown population / variable / example / neuron / metric, bad
options, a malformed JSON line) exits 1 with one 'snn-plot: error: ' line on
stderr naming the problem, never a traceback, and leaves an existing output
file untouched.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

TOOL = os.path.join(e2e.SOURCE_ROOT, "tools", "snn-plot", "snn-plot")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SPIKES_PER_EXAMPLE = {0: 37, 1: 52}
GLOBAL_SPIKES = {1042: 23, 7: 11, 500: 0}  # global example -> spikes (500: none)


def write_metrics(path):
    """The metrics fixture; returns {key: number of non-null values}."""
    rows = [{"epoch": 0, "train_loss": None, "train_accuracy": None, "test_loss": 2.31,
             "test_accuracy": 0.1, "lr": None, "seconds": 0.2}]
    for epoch in range(1, 13):
        rows.append({"epoch": epoch,
                     "train_loss": 2.3 * np.exp(-epoch / 4) + 0.1,
                     "train_accuracy": 1 - 0.9 * np.exp(-epoch / 4),
                     "test_loss": None if epoch in (5, 6) else 2.3 * np.exp(-epoch / 5) + 0.2,
                     "test_accuracy": None if epoch in (5, 6) else 0.95 - 0.85 * np.exp(-epoch / 5),
                     "lr": 5e-3 * 0.8 ** epoch,
                     "seconds": 1.0 + 0.01 * epoch})
    with open(path, "w") as stream:
        for row in rows:
            stream.write(json.dumps(row) + "\n")
        stream.write("\n")  # a blank line at the end is allowed
    keys = ["train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "seconds"]
    return {key: sum(row[key] is not None for row in rows) for key in keys}


def spike_arrays(rng, counts, neurons, duration):
    """Spikes of several examples in the runtime's order (step, then example)."""
    t, i, b = [], [], []
    for example, count in counts.items():
        t += list(np.round(rng.uniform(0, duration, count), 4))
        i += list(rng.integers(0, neurons, count))
        b += [example] * count
    order = np.lexsort((np.array(i), np.array(b), np.array(t)))
    return (np.array(t, np.float64)[order], np.array(i, np.int32)[order], np.array(b)[order])


def write_recordings(work, rng):
    steps, columns = 150, 6
    t, i, b = spike_arrays(rng, SPIKES_PER_EXAMPLE, 40, 0.15)
    state = np.cumsum(rng.normal(0, 1e-3, (3, steps, columns)), axis=1) - 0.06
    arrays = {"hidden_spikes_t": t, "hidden_spikes_i": i, "hidden_spikes_b": b.astype(np.int32),
              "hidden_v": state, "hidden_v_neurons": np.arange(0, 2 * columns, 2, dtype=np.int32),
              "t": (np.arange(steps) + 1) * 1e-3}
    np.savez(os.path.join(work, "spikes.npz"), **arrays)

    # Two populations, and a repeated record of 'hidden' (suffix _2).
    two = dict(arrays)
    two.update({"input_spikes_t": t[:5], "input_spikes_i": i[:5], "input_spikes_b": b[:5].astype(np.int32),
                "hidden_spikes_t_2": t[:9], "hidden_spikes_i_2": i[:9], "hidden_spikes_b_2": b[:9].astype(np.int32)})
    np.savez(os.path.join(work, "two.npz"), **two)

    gt, gi, gb = spike_arrays(rng, {k: v for k, v in GLOBAL_SPIKES.items()}, 20, 0.05)
    batch_index = {1042: 0, 7: 1, 500: 2}
    train = {"hidden_spikes_t": gt, "hidden_spikes_i": gi,
             "hidden_spikes_b": np.array([batch_index[int(g)] for g in gb], np.int32),
             "hidden_spikes_example": gb.astype(np.uint64),
             "hidden_v": np.cumsum(rng.normal(0, 1e-3, (3, 50, 4)), axis=1),
             "hidden_v_neurons": np.array([3, 5, 8, 13], np.int32),
             "hidden_v_examples": np.array([1042, 7, 500], np.int64),
             "t": (np.arange(50) + 1) * 1e-3}
    np.savez(os.path.join(work, "train_rec.npz"), **train)

    np.savez(os.path.join(work, "no_t.npz"), hidden_v=state, hidden_v_neurons=arrays["hidden_v_neurons"])
    np.savez(os.path.join(work, "no_i.npz"), hidden_spikes_t=t, hidden_spikes_b=b.astype(np.int32))
    np.savez(os.path.join(work, "no_spikes.npz"), t=arrays["t"])
    np.save(os.path.join(work, "single.npy"), t)
    with open(os.path.join(work, "garbage.npz"), "wb") as stream:
        stream.write(b"PK\x03\x04 this is not really a zip archive")
    return arrays


def run(args, work):
    return e2e.run_process([sys.executable, TOOL] + args, cwd=work, timeout=120)


def stat(stdout, name):
    match = re.search(r"^%s: (\d+)$" % name, stdout, re.M)
    return int(match.group(1)) if match else None


def svg_groups(path):
    """{id: element} of the elements with an id snn-plot sets."""
    root = ET.parse(path).getroot()
    return {e.get("id"): e for e in root.iter() if re.match(r"(series|raster|trace)-", e.get("id", ""))}


def count_markers(element):
    return sum(1 for e in element.iter() if e.tag.rsplit("}", 1)[-1] == "use")


def check_image(checker, label, path, fmt):
    if not checker.check(os.path.isfile(path), "%s: wrote no %s" % (label, path)):
        return None
    if fmt == "png":
        with open(path, "rb") as stream:
            head = stream.read(8)
        checker.check(head == PNG_SIGNATURE, "%s: %s does not start with the PNG signature" % (label, path))
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.image as mpimg

        image = mpimg.imread(path)
        height, width = image.shape[:2]
        checker.check(image.ndim == 3 and image.shape[2] in (3, 4), "%s: image shape %s" % (label, image.shape))
        checker.check(300 <= height <= 3000 and 500 <= width <= 4000,
                      "%s: implausible image size %dx%d" % (label, width, height))
        rgb = image[..., :3].reshape(-1, 3)
        colours = len(np.unique((rgb * 255).astype(np.uint8), axis=0))
        checker.check(colours > 10, "%s: the image has %d colour(s), a flat picture" % (label, colours))
        return None
    try:
        return svg_groups(path)
    except ET.ParseError as error:
        checker.check(False, "%s: %s is not XML: %s" % (label, path, error))
        return None


def ok_run(checker, work, label, args, stats_name, expected, formats=("png", "svg")):
    """Runs snn-plot to each format; checks the files and the printed stat.
    Returns the SVG's tagged groups (or {} on failure)."""
    groups = {}
    for fmt in formats:
        out = "%s.%s" % (label, fmt)
        proc = run(args + ["-o", out, "--print-stats"], work)
        what = "%s (%s)" % (label, fmt)
        if not checker.check(proc.returncode == 0, "%s: exit %d, stderr:\n%s" % (what, proc.returncode, proc.stderr)):
            continue
        checker.check("Traceback" not in proc.stderr and "error" not in proc.stderr,
                      "%s: stderr: %s" % (what, proc.stderr))
        got = stat(proc.stdout, stats_name)
        checker.check(got == expected, "%s: printed %s %s, expected %d (stdout: %r)" %
                      (what, stats_name, got, expected, proc.stdout))
        result = check_image(checker, what, os.path.join(work, out), fmt)
        if fmt == "svg":
            groups = result or {}
    leftovers = [name for name in os.listdir(work) if name.startswith(".snn-plot-")]
    checker.check(not leftovers, "%s: temporary files left behind: %s" % (label, leftovers))
    return groups


def check_curves(checker, work, counts):
    plotted = ["train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr"]
    groups = ok_run(checker, work, "curves", ["curves", "metrics.jsonl"], "series", len(plotted))
    checker.check(sorted(groups) == sorted("series-" + k for k in plotted),
                  "curves: SVG series %s, expected %s" % (sorted(groups), plotted))
    for key in plotted:
        if "series-" + key in groups:
            got = count_markers(groups["series-" + key])
            checker.check(got == counts[key], "curves: %s has %d markers, expected %d (its non-null values)" %
                          (key, got, counts[key]))
    groups = ok_run(checker, work, "curves_some", ["curves", "metrics.jsonl", "--metrics", "test_loss,seconds"],
                    "series", 2)
    checker.check(sorted(groups) == ["series-seconds", "series-test_loss"],
                  "curves --metrics: SVG series %s" % sorted(groups))
    if "series-seconds" in groups:
        checker.check(count_markers(groups["series-seconds"]) == counts["seconds"], "curves: seconds markers")


def check_rasters(checker, work):
    for example, count in SPIKES_PER_EXAMPLE.items():
        groups = ok_run(checker, work, "raster_%d" % example,
                        ["raster", "spikes.npz", "--population", "hidden", "--example", str(example)], "points", count)
        got = count_markers(groups["raster-spikes"]) if "raster-spikes" in groups else None
        checker.check(got == count, "raster example %d: SVG has %s spike markers, expected %d" % (example, got, count))
    # Default: the only population, the first example.
    ok_run(checker, work, "raster_default", ["raster", "spikes.npz"], "points", SPIKES_PER_EXAMPLE[0], ["svg"])
    # Example 2 exists (hidden_v has 3 examples) but has no spikes: an empty raster with a note.
    ok_run(checker, work, "raster_empty", ["raster", "spikes.npz", "--example", "2"], "points", 0)
    ok_run(checker, work, "raster_repeat", ["raster", "two.npz", "--population", "hidden_2", "--example", "0"],
           "points", int(np.sum(np.load(os.path.join(work, "two.npz"))["hidden_spikes_b_2"] == 0)), ["svg"])
    # A recording of a training run (runtime/lib/TrainingRecorder.h): one
    # example, presented once per epoch; _b numbers the presentations.
    rng = np.random.default_rng(11)
    presentation = rng.integers(0, 3, 40).astype(np.int32)
    np.savez(os.path.join(work, "presented.npz"), hidden_spikes_t=rng.random(40) * 0.02,
             hidden_spikes_i=rng.integers(0, 8, 40).astype(np.int32), hidden_spikes_b=presentation,
             hidden_spikes_example=np.full(40, 5, np.int32), hidden_spikes_epoch=np.array([1, 2, 3], np.int32),
             hidden_spikes_pass=np.zeros(3, np.int32))
    ok_run(checker, work, "raster_last_presentation", ["raster", "presented.npz"], "points",
           int(np.sum(presentation == 2)), ["png"])
    ok_run(checker, work, "raster_presentation_0", ["raster", "presented.npz", "--presentation", "0"], "points",
           int(np.sum(presentation == 0)), ["svg"])
    # Training recording: --example selects the global index.
    for example, count in GLOBAL_SPIKES.items():
        groups = ok_run(checker, work, "raster_global_%d" % example,
                        ["raster", "train_rec.npz", "--example", str(example)], "points", count,
                        ["png", "svg"] if example == 1042 else ["svg"])
        got = count_markers(groups["raster-spikes"]) if "raster-spikes" in groups else None
        checker.check(got == count, "raster global example %d: %s markers, expected %d" % (example, got, count))
    ok_run(checker, work, "raster_global_default", ["raster", "train_rec.npz"], "points", GLOBAL_SPIKES[7], ["svg"])


def check_traces(checker, work):
    cases = [("trace_default", ["--variable", "hidden_v"], [0, 2, 4, 6, 8]),
             ("trace_some", ["--variable", "hidden_v", "--neurons", "10,2,4", "--example", "2"], [10, 2, 4]),
             ("trace_global", ["--variable", "hidden_v", "--example", "500", "--neurons", "13"], [13])]
    for label, options, neurons in cases:
        source = "train_rec.npz" if label == "trace_global" else "spikes.npz"
        groups = ok_run(checker, work, label, ["trace", source] + options, "lines", len(neurons))
        want = sorted("trace-neuron-%d" % n for n in neurons)
        checker.check(sorted(groups) == want, "%s: SVG lines %s, expected %s" % (label, sorted(groups), want))


def check_errors(checker, work):
    # (label, arguments, fragments the message must contain)
    cases = [
        ("no command", [], ["COMMAND"]),
        ("unknown command", ["histogram", "x", "-o", "x.png"], ["histogram"]),
        ("no output", ["curves", "metrics.jsonl"], ["-o/--output"]),
        ("bad extension", ["curves", "metrics.jsonl", "-o", "out.jpg"], ["-o/--output", "out.jpg", ".png", ".svg"]),
        ("no extension", ["raster", "spikes.npz", "-o", "out"], ["-o/--output", ".png, .svg"]),
        ("missing output dir", ["curves", "metrics.jsonl", "-o", "nodir/out.png"], ["nodir", "does not exist"]),
        ("unknown option", ["curves", "metrics.jsonl", "-o", "e.png", "--colour", "red"], ["--colour"]),
        ("missing jsonl", ["curves", "nothere.jsonl", "-o", "e.png"], ["nothere.jsonl", "no such file"]),
        ("npz as jsonl", ["curves", "spikes.npz", "-o", "e.png"], ["spikes.npz:1:"]),
        ("malformed line", ["curves", "bad_json.jsonl", "-o", "e.png"], ["bad_json.jsonl:3:", "not a JSON object"]),
        ("string value", ["curves", "bad_value.jsonl", "-o", "e.png"], ["bad_value.jsonl:2:", "'train_loss'",
                                                                         "a string"]),
        ("no epoch", ["curves", "no_epoch.jsonl", "-o", "e.png"], ["no_epoch.jsonl:2:", "'epoch'"]),
        ("array line", ["curves", "array.jsonl", "-o", "e.png"], ["array.jsonl:1:", "expected a JSON object"]),
        ("epoch order", ["curves", "order.jsonl", "-o", "e.png"], ["order.jsonl:3:", "epoch 1", "line 2"]),
        ("empty metrics", ["curves", "empty.jsonl", "-o", "e.png"], ["empty.jsonl", "no metrics"]),
        ("unknown metric", ["curves", "metrics.jsonl", "-o", "e.png", "--metrics", "train_loss,f1"],
         ["--metrics", "'f1'", "available:", "test_accuracy"]),
        ("empty metric list", ["curves", "metrics.jsonl", "-o", "e.png", "--metrics", "train_loss,,lr"],
         ["--metrics", "comma-separated"]),
        ("all-null metric", ["curves", "nulls.jsonl", "-o", "e.png", "--metrics", "test_loss"],
         ["'test_loss'", "null on every line"]),
        ("nothing to plot", ["curves", "nulls.jsonl", "-o", "e.png"], ["nulls.jsonl", "no loss, accuracy or lr"]),
        ("missing npz", ["raster", "nothere.npz", "-o", "e.png"], ["nothere.npz", "no such file"]),
        ("jsonl as npz", ["raster", "metrics.jsonl", "-o", "e.png"], ["metrics.jsonl", "not an NPZ file"]),
        ("broken zip", ["trace", "garbage.npz", "--variable", "hidden_v", "-o", "e.png"],
         ["garbage.npz", "not an NPZ file"]),
        ("npy file", ["raster", "single.npy", "-o", "e.png"], ["single.npy", "expected an NPZ file"]),
        ("directory", ["raster", ".", "-o", "e.png"], ["is a directory"]),
        ("unknown population", ["raster", "spikes.npz", "--population", "output", "-o", "e.png"],
         ["--population", "'output'", "available: hidden"]),
        ("ambiguous population", ["raster", "two.npz", "-o", "e.png"],
         ["--population", "hidden, hidden_2, input"]),
        ("no spike arrays", ["raster", "no_spikes.npz", "-o", "e.png"], ["no_spikes.npz", "no spike recording"]),
        ("missing spike array", ["raster", "no_i.npz", "-o", "e.png"], ["no_i.npz", "'hidden_spikes_i'"]),
        ("unknown example", ["raster", "spikes.npz", "--example", "3", "-o", "e.png"],
         ["--example", "example 3", "examples present: 0, 1, 2"]),
        ("batch index in training recording", ["raster", "train_rec.npz", "--example", "1", "-o", "e.png"],
         ["--example", "global example 1", "7, 500, 1042"]),
        ("negative example", ["raster", "spikes.npz", "--example", "-1", "-o", "e.png"], ["--example"]),
        ("text example", ["trace", "spikes.npz", "--variable", "hidden_v", "--example", "two", "-o", "e.png"],
         ["--example", "'two'"]),
        ("no variable option", ["trace", "spikes.npz", "-o", "e.png"], ["--variable"]),
        ("unknown variable", ["trace", "spikes.npz", "--variable", "hidden_a", "-o", "e.png"],
         ["--variable", "'hidden_a'", "available: hidden_v"]),
        ("unknown neuron", ["trace", "spikes.npz", "--variable", "hidden_v", "--neurons", "0,3", "-o", "e.png"],
         ["--neurons", "neuron 3", "recorded: 0, 2, 4, 6, 8, 10"]),
        ("bad neuron list", ["trace", "spikes.npz", "--variable", "hidden_v", "--neurons", "0;2", "-o", "e.png"],
         ["--neurons", "'0;2'"]),
        ("repeated neuron", ["trace", "spikes.npz", "--variable", "hidden_v", "--neurons", "2,2", "-o", "e.png"],
         ["--neurons", "twice"]),
        ("unknown trace example", ["trace", "spikes.npz", "--variable", "hidden_v", "--example", "3", "-o", "e.png"],
         ["--example", "example 3"]),
        ("unknown global trace example", ["trace", "train_rec.npz", "--variable", "hidden_v", "--example", "0",
                                          "-o", "e.png"], ["--example", "global example 0", "1042, 7, 500"]),
        ("missing t", ["trace", "no_t.npz", "--variable", "hidden_v", "-o", "e.png"], ["no_t.npz", "'t'"]),
    ]
    files = {"bad_json.jsonl": '{"epoch": 1, "train_loss": 0.5}\n\n{"epoch": 2, "train_loss": }\n',
             "bad_value.jsonl": '{"epoch": 1, "train_loss": 0.5}\n{"epoch": 2, "train_loss": "0.4"}\n',
             "no_epoch.jsonl": '{"epoch": 1, "train_loss": 0.5}\n{"train_loss": 0.4}\n',
             "array.jsonl": '[1, 2]\n',
             "order.jsonl": '{"epoch": 0, "test_loss": 0.5}\n{"epoch": 1, "train_loss": 0.4}\n'
                            '{"epoch": 1, "train_loss": 0.3}\n',
             "empty.jsonl": "\n\n",
             "nulls.jsonl": '{"epoch": 1, "test_loss": null, "seconds": 1}\n{"epoch": 2, "test_loss": null}\n'}
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as stream:
            stream.write(text)
    sentinel = os.path.join(work, "e.png")
    for label, args, fragments in cases:
        with open(sentinel, "wb") as stream:
            stream.write(b"untouched")
        proc = run(args, work)
        lines = proc.stderr.strip().splitlines()
        checker.check(proc.returncode == 1, "error '%s': exit %d, expected 1 (stderr: %s)" %
                      (label, proc.returncode, proc.stderr.strip()))
        checker.check("Traceback" not in proc.stderr and "internal error" not in proc.stderr,
                      "error '%s': not a clean message:\n%s" % (label, proc.stderr))
        checker.check(len(lines) == 1 and lines[0].startswith("snn-plot: error: "),
                      "error '%s': expected one 'snn-plot: error: ' line, got: %r" % (label, proc.stderr))
        missing = [f for f in fragments if f not in proc.stderr]
        checker.check(not missing, "error '%s': message %r lacks %s" % (label, proc.stderr.strip(), missing))
        with open(sentinel, "rb") as stream:
            checker.check(stream.read() == b"untouched", "error '%s': the output file was overwritten" % label)
    leftovers = [name for name in os.listdir(work) if name.startswith(".snn-plot-")]
    checker.check(not leftovers, "errors: temporary files left behind: %s" % leftovers)


def main():
    args = e2e.parse_args(__doc__)
    checker = e2e.Checker("snn_plot")
    if not os.path.isfile(TOOL):
        e2e.setup_error("no snn-plot at %s" % TOOL)
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        e2e.setup_error("matplotlib is not importable by %s: %s (scripts/setup.sh installs python3-matplotlib)" %
                        (sys.executable, error))
    rng = np.random.default_rng(20240607)
    counts = write_metrics(os.path.join(args.work, "metrics.jsonl"))
    write_recordings(args.work, rng)
    check_curves(checker, args.work, counts)
    check_rasters(checker, args.work)
    check_traces(checker, args.work)
    check_errors(checker, args.work)
    checker.finish()


if __name__ == "__main__":
    main()
