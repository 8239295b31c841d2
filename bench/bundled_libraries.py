"""The shared libraries an executable built here loads that a bare
machine may lack: what gpu_session.py and gpu_suite.py carry to a lent GPU
machine beside the executables."""

import os
import subprocess

# What every Linux machine with a C++ compiler has, and must not be
# replaced by this machine's: the C library, the C++ runtime, the loader.
SYSTEM_LIBS = ("libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux", "libpthread.so", "libdl.so",
               "librt.so", "libresolv.so", "libutil.so", "linux-vdso")


def shared_libraries(files, own=""):
    """name -> path of the non-system shared libraries `files` load (ldd),
    but those found in the folder `own` (put first on the search path)."""
    env = dict(os.environ, LD_LIBRARY_PATH=own) if own else None
    found = {}
    for path in files:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            parts = line.split("=>")
            if len(parts) != 2 or not parts[1].strip().startswith("/"):
                continue
            lib = parts[1].split()[0]
            name = os.path.basename(lib)
            if not name.startswith(SYSTEM_LIBS) and not (own and lib.startswith(own.rstrip("/") + "/")):
                found[name] = lib
    return found
