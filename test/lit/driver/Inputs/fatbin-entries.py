"""Prints the GPU code an executable embeds, one line per entry of its
.nv_fatbin section: "ELF sm_80" for a cubin, "PTX compute_75" for PTX.

Reads the ELF section table and NVIDIA's fat binary layout (as cuobjdump
does, which the toolkit here lacks): fat binaries of a 16-byte header
(magic 0xBA55ED50, version, header size, payload size), each a run of
entries whose header holds the kind (1 PTX, 2 ELF), the header's size, the
payload's size, and at byte 28 the architecture.
"""
import struct
import sys


def section(path, wanted):
    data = open(path, "rb").read()
    assert data[:4] == b"\x7fELF" and data[4] == 2, "a 64-bit ELF file"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + k * shentsize) for k in range(shnum)]
    names = headers[shstrndx]
    for name, _, _, _, offset, size in headers:
        start = names[4] + name
        if data[start:data.index(b"\0", start)] == wanted:
            return data[offset:offset + size]
    sys.exit(f"{path}: no {wanted.decode()} section")


def entries(fatbin):
    at = 0
    while at + 16 <= len(fatbin):
        magic, _, header, size = struct.unpack_from("<IHHQ", fatbin, at)
        if magic != 0xBA55ED50:
            break
        entry, end = at + header, at + header + size
        while entry < end:
            kind, _, entry_header, entry_size = struct.unpack_from("<HHIQ", fatbin, entry)
            arch, = struct.unpack_from("<I", fatbin, entry + 28)
            yield {1: f"PTX compute_{arch}", 2: f"ELF sm_{arch}"}.get(kind, f"kind {kind} {arch}")
            entry += entry_header + entry_size
        at = end


for line in entries(section(sys.argv[1], b".nv_fatbin")):
    print(line)
