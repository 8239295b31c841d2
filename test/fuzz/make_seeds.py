#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into test/fuzz/corpus/.

compile/      the north-star programs of the design notes and small programs
              of each top-level form (the target also reads examples/,
              stdlib/, test/lit/ and test/e2e/models/ as seeds);
dataset/      one valid file per reader of DatasetTarget.cpp, behind its
              selector byte;
hdf5-events/  descriptions for Hdf5EventsTarget.cpp (any bytes are one).

Run with /usr/bin/python3 (numpy); the output is deterministic.
"""
import gzip
import io
import os
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    path = os.path.join(HERE, "corpus", target, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def npy(array):
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def npz(arrays, compressed):
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as z:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, npy(array))
    return out.getvalue()


def dataset_seeds():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 17, size=(6, 4)).astype(np.float64)
    y = np.array([0, 3, 9, 1, 1, 2], dtype=np.int64)
    csv = "".join(",".join(str(int(v)) for v in row) + f",{label}\n" for row, label in zip(x, y)).encode()
    write("dataset", "0-dense.csv", b"\x00" + csv)
    write("dataset", "0-dense-header.csv", b"\x00" + b"a,b,c,d,label\n" + csv)
    write("dataset", "1-dense.csv.gz", b"\x01" + gzip.compress(csv, mtime=0))
    write("dataset", "2-dense.npz", b"\x02" + npz({"x": x, "y": y}, False))
    write("dataset", "2-dense-deflated.npz", b"\x02" + npz({"x": x.astype(np.float32), "y": y.astype(np.uint8)}, True))
    times = np.array([0.001, 0.002, 0.0005, 0.01, 0.003])
    units = np.array([0, 5, 63, 2, 2], dtype=np.uint32)
    offsets = np.array([0, 2, 2, 5], dtype=np.int64)
    labels = np.array([1, 0, 9], dtype=np.int64)
    events = {"times": times, "units": units, "offsets": offsets, "labels": labels}
    write("dataset", "3-events.npz", b"\x03" + npz(events, False))
    write("dataset", "3-events-deflated.npz", b"\x03" + npz(events, True))
    features, label_file = npy(x), npy(y)
    split = len(features) * 256 // (len(features) + len(label_file) + 1)
    write("dataset", "4-features-labels.npy", b"\x04" + bytes([split]) + features + label_file)
    write("dataset", "5-spike-times.csv", b"\x05" + b"# time, neuron\n0.5 ms, 3\n1 ms, 0\n0.002, 63\n")
    write("dataset", "5-spike-times-header.csv", b"\x05" + b"t,i\n0.001,1\n0.001,2\n")


def hdf5_seeds():
    rng = np.random.default_rng(11)
    for k in range(8):
        write("hdf5-events", f"description-{k}", rng.integers(0, 256, size=24 + 16 * k, dtype=np.uint8).tobytes())


def compile_seeds():
    with open(os.path.join(HERE, "..", "..", "..", "shared", "design", "LANGUAGE.md")) as f:
        text = f.read()
    blocks = text.split("```")[1::2]
    for k, block in enumerate(blocks):
        write("compile", f"language-md-{k}.snn", block.lstrip("\n").encode())


if __name__ == "__main__":
    dataset_seeds()
    hdf5_seeds()
    if os.path.exists(os.path.join(HERE, "..", "..", "..", "shared", "design", "LANGUAGE.md")):
        compile_seeds()
