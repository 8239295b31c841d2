"""e2e: conv2d and avg_pool2d projections between shaped populations,
against numpy.

An 8x8x2 SpikeSource fires once at scripted neurons in step 0; LeakyIntegrator
layers record the weights their input received (`record P.i`), which after
step 1 must be, to float64 rounding:
  - conv2d(3x3, padding: "same") with a kernel from a file: numpy's
    correlation of the spike image with the [3, 3, 2, 4] kernel, zero-padded;
  - conv2d(3x3, stride: 2) ("valid"): 3x3x4;
  - conv2d(3x3, stride: 2, padding: "same"): 4x4x4 with Keras's padding
    (none before, one row and column after);
  - avg_pool2d(2x2) with weight 0.25: the mean of each 2x2 block per channel.
A kernel drawn from `weight ~ normal(0, 1)` is shared: one spike at (2, 2)
in step 0 and one at (5, 5) in step 4 give the same 3x3x3 response around
each (and the response is not constant). A kernel file of the wrong shape
is refused with exit 1 and the expected shape.
"""

import os
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

MODEL = """
import std.inputs.SpikeSource
import std.neurons.LeakyIntegrator
network N {
  population img = SpikeSource x 8x8x2
  population dot = SpikeSource x 8x8x1
  population same = LeakyIntegrator x 8x8x4
  population strided = LeakyIntegrator x 3x3x4
  population keras = LeakyIntegrator x 4x4x4
  population pooled = LeakyIntegrator x 4x4x2
  population drawn = LeakyIntegrator x 8x8x3
  connect img -> same : conv2d(3x3, padding: "same"), weight load("kernel.npy")
  connect img -> strided : conv2d(3x3, stride: 2), weight load("kernel.npy")
  connect img -> keras : conv2d(3x3, stride: 2, padding: "same"), weight load("kernel.npy")
  connect img -> pooled : avg_pool2d(2x2), weight 0.25
  connect dot -> drawn : conv2d(3x3, padding: "same"), weight ~ normal(0, 1)
}
simulate N {
  dt = 1 ms
  duration = 6 ms
  input img = spike_times("img.csv")
  input dot = spike_times("dot.csv")
  record same.i, strided.i, keras.i, pooled.i, drawn.i to "out.npz"
}
"""


def correlate(image, kernel, stride, pad_before, out):
    """numpy's reference: out[yo, xo, co] = sum over the window of
    image[yo * stride - pad + ky, xo * stride - pad + kx, ci] kernel[ky, kx, ci, co]."""
    kh, kw = kernel.shape[:2]
    padded = np.pad(image, ((pad_before, kh + stride * out), (pad_before, kw + stride * out), (0, 0)))
    result = np.zeros((out, out, kernel.shape[3]))
    for yo in range(out):
        for xo in range(out):
            window = padded[yo * stride:yo * stride + kh, xo * stride:xo * stride + kw]
            result[yo, xo] = np.einsum("abi,abio->o", window, kernel)
    return result


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("conv_pool")
    rng = np.random.default_rng(4)
    kernel = rng.normal(size=(3, 3, 2, 4))
    np.save(os.path.join(args.work, "kernel.npy"), kernel)
    fired = rng.random(128) < 0.2
    with open(os.path.join(args.work, "img.csv"), "w") as f:
        for n in np.nonzero(fired)[0]:
            f.write("0.0005,%d\n" % n)
    with open(os.path.join(args.work, "dot.csv"), "w") as f:
        f.write("0.0005,%d\n0.0045,%d\n" % (2 * 8 + 2, 5 * 8 + 5))
    out = e2e.simulate_model(args.snnc, args.work, MODEL)
    image = fired.reshape(8, 8, 2).astype(float)

    expected = {
        "same": correlate(image, kernel, 1, 1, 8),
        "strided": correlate(image, kernel, 2, 0, 3),
        "keras": correlate(image, kernel, 2, 0, 4),
        "pooled": image.reshape(4, 2, 4, 2, 2).mean(axis=(1, 3)),
    }
    for name, want in expected.items():
        got = out[name + "_i"][0, 1]
        err = np.max(np.abs(got - want.reshape(-1)))
        check.check(err < 1e-12, "%s: max |snnc - numpy| = %.3g" % (name, err))
        check.check(np.all(out[name + "_i"][0, 0] == 0) and np.all(out[name + "_i"][0, 2] == 0),
                    "%s: input outside step 1" % name)
        check.note("%s: %d values within %.2g of numpy" % (name, want.size, err))

    drawn = out["drawn_i"][0].reshape(-1, 8, 8, 3)
    first, second = drawn[1, 1:4, 1:4], drawn[5, 4:7, 4:7]
    check.check(np.array_equal(first, second), "the drawn kernel differs between positions: %s vs %s"
                % (first[:, :, 0].tolist(), second[:, :, 0].tolist()))
    check.check(np.count_nonzero(drawn[1]) == 27 and len(np.unique(first)) == 27,
                "the drawn kernel's 27 values are not distinct and alone: %d nonzero" % np.count_nonzero(drawn[1]))
    check.note("drawn kernel: the same 27 distinct values at (2, 2) and (5, 5)")

    np.save(os.path.join(args.work, "kernel.npy"), kernel[:, :, :, :3])
    proc = subprocess.run([os.path.join(args.work, "net"), "--out", "bad.npz"], cwd=args.work, capture_output=True,
                          text=True, timeout=60)
    check.check(proc.returncode == 1 and "expected [kernel height, kernel width, in channels, out channels] = "
                "[3, 3, 2, 4]" in proc.stderr, "a kernel of the wrong shape: exit %d, %r" % (proc.returncode,
                                                                                            proc.stderr[-300:]))
    check.finish()


if __name__ == "__main__":
    main()
