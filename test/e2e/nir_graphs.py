"""Writes NIR graphs as HDF5 files, following the published schema (the
`nir` package's `nir.write`, neuroir.org): a `version` string and a `node`
group holding the graph: `type` "NIRGraph", a `nodes` group with one group
per node (a `type` string and one dataset per parameter) and `edges`, an
[E, 2] dataset of (source, target) names. A node may itself be a graph.

Used by the NIR tests (test_nir_import.py, test/lit/nir/) without the `nir`
package: only h5py and numpy, from /usr/bin/python3.
"""

import h5py
import numpy as np

VERSION = "1.0.6"


def graph(nodes, edges):
    """A NIRGraph node: `nodes` maps names to nodes, `edges` lists (source,
    target) names."""
    return {"type": "NIRGraph", "nodes": nodes, "edges": list(edges)}


def node(type_, **params):
    """A node of `type_` with its parameters (arrays, numbers or strings)."""
    out = {"type": type_}
    out.update(params)
    return out


def _write_node(group, value):
    for key, item in value.items():
        if key == "nodes":
            sub = group.create_group("nodes")
            for name, child in item.items():
                _write_node(sub.create_group(name), child)
        elif key == "edges":
            data = np.array([[a, b] for a, b in item], dtype=object).reshape(len(item), 2)
            group.create_dataset("edges", data=data, dtype=h5py.string_dtype())
        elif isinstance(item, str):
            group.create_dataset(key, data=item, dtype=h5py.string_dtype())
        else:
            group.create_dataset(key, data=np.asarray(item))


def write(path, root, version=VERSION):
    """Writes the graph `root` (from graph()) to the HDF5 file `path`."""
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data=version, dtype=h5py.string_dtype())
        _write_node(f.create_group("node"), root)


def read(path):
    """The graph of a NIR file as written by write(): nested dicts of numpy
    arrays and strings, edges as a list of (source, target)."""
    def read_node(group):
        out = {}
        for key, item in group.items():
            if key == "nodes":
                out["nodes"] = {name: read_node(child) for name, child in item.items()}
            elif key == "edges":
                out["edges"] = [(a.decode() if isinstance(a, bytes) else a, b.decode() if isinstance(b, bytes) else b)
                                for a, b in item[()]] if item.shape and item.shape[0] else []
            elif isinstance(item, h5py.Group):
                continue
            else:
                v = item[()]
                out[key] = v.decode() if isinstance(v, bytes) else v
        return out
    with h5py.File(path, "r") as f:
        version = f["version"][()]
        return (version.decode() if isinstance(version, bytes) else version), read_node(f["node"])
