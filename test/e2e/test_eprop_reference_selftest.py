"""Self-test of eprop_reference.py, the truth of the e-prop gradient tests.

It needs neither snnc nor the executable (it accepts --snnc and --work like
every e2e script and ignores them). Checked, for LIF and ALIF hidden layers,
both losses, per-step and last-N readouts, symmetric and random feedback:
  (a) the output-weight and bias gradients equal central finite differences
      of the reference's own forward loss (they are exact: the spikes do not
      depend on them);
  (b) without recurrent weights and with differentiate_reset, every gradient
      (input, recurrent, output, bias) equals PyTorch autograd of the same
      forward pass (float64; spike: Heaviside forward, psi backward; random
      feedback: the readout's backward to the spikes goes through B), the
      exactness limit of e-prop;
  (c) with Bellec's convention (reset not differentiated) the gradients equal
      autograd with the reset's spike detached, i.e. they differ from (b) by
      the reset path only; and that path matters (the two conventions differ
      when hidden neurons spike);
  (d) the hidden neurons of every case fire (the cases exercise the traces),
      and with recurrent weights e-prop is not BPTT (an approximation).
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402

STEPS = 50
BATCH = 4
EXACT = 1e-9  # reference vs autograd: both float64, same operations up to order
FD = 1e-6  # central differences with eps 1e-6 on a smooth function


def case(seed, alif, loss, last_steps, random_feedback, zero_recurrent, reset, bias=True):
    rng = np.random.default_rng(seed)
    net = ref.random_net(rng, alif=alif, bias=bias, random_feedback=random_feedback,
                         zero_recurrent=zero_recurrent, beta=0.2 if alif else 0.0,
                         tau_adapt=100e-3, tau_out=15e-3)
    xs = ref.random_inputs(rng, BATCH, STEPS, net.w_in.shape[1], 0.2)
    labels = rng.integers(0, net.w_out.shape[0], BATCH)
    regime = ref.Regime(loss=loss, last_steps=last_steps, differentiate_reset=reset)
    label = "%s %s %s %s%s%s" % ("ALIF" if alif else "LIF", "CE" if loss == ref.CE else "MSE",
                                 "last-%d" % last_steps if last_steps else "per-step",
                                 "random" if random_feedback else "symmetric",
                                 " W_rec=0" if zero_recurrent else "", " diff-reset" if reset else "")
    return net, regime, xs, labels, label


def compare(checker, label, got, want, tol):
    worst = 0.0
    for name in want:
        err = ref.relative_error(got[name], want[name])
        worst = max(worst, err)
        checker.check(err <= tol, "%s: %s relative error %.3g > %g; %s"
                      % (label, name, err, tol, ref.worst_entry(got[name], want[name])))
    return worst


CONFIGS = [(alif, loss, last, fb)
           for alif in (False, True)
           for loss in (ref.CE, ref.MSE)
           for last in (None, 10)
           for fb in (False, True)]


def main():
    e2e.parse_args(__doc__)
    checker = e2e.Checker("eprop_reference_selftest")

    # (a) finite differences of the forward loss, recurrent networks.
    worst = 0.0
    for n, (alif, loss, last, fb) in enumerate(CONFIGS):
        net, regime, xs, labels, label = case(100 + n, alif, loss, last, fb, False, n % 2 == 1)
        grads, total, traces = ref.eprop_gradients(net, regime, xs, labels)
        checker.check(abs(total - ref.batch_loss(net, regime, xs, labels)) <= 1e-12 * abs(total),
                      "%s: eprop_gradients' loss differs from batch_loss" % label)
        rate = np.mean([tr["z"].mean() for tr in traces])
        checker.check(0.02 <= rate <= 0.5, "%s: hidden firing probability %.3f per step" % (label, rate))
        silent = np.sum(np.sum([tr["z"].sum(axis=0) for tr in traces], axis=0) == 0)
        checker.check(silent <= 3, "%s: %d silent hidden neurons" % (label, silent))
        fd = {"w_out": ref.finite_difference(net, regime, xs, labels, "w_out"),
              "bias": ref.finite_difference(net, regime, xs, labels, "bias")}
        worst = max(worst, compare(checker, label + " (vs finite differences)", grads, fd, FD))
    checker.note("(a) %d cases: output/bias gradients vs finite differences, worst %.2g"
                 % (len(CONFIGS), worst))

    try:
        import torch  # noqa: F401
    except ImportError:
        e2e.setup_error("PyTorch is missing (Debian package python3-torch)")

    # (b) exactness limit: W_rec = 0, differentiate_reset, vs autograd.
    # (c) Bellec convention vs autograd with the reset detached.
    worst_b = worst_c = 0.0
    min_gap = np.inf
    for n, (alif, loss, last, fb) in enumerate(CONFIGS):
        net, full, xs, labels, label = case(200 + n, alif, loss, last, fb, True, True)
        bellec = ref.Regime(loss=loss, last_steps=last, differentiate_reset=False)
        g_full, loss_full, traces = ref.eprop_gradients(net, full, xs, labels)
        t_full, t_loss = ref.bptt_gradients(net, full, xs, labels)
        checker.check(abs(loss_full - t_loss) <= 1e-12 * abs(t_loss),
                      "%s: loss %.17g, autograd %.17g" % (label, loss_full, t_loss))
        worst_b = max(worst_b, compare(checker, label + " (vs autograd)", g_full, t_full, EXACT))
        g_bellec, _, _ = ref.eprop_gradients(net, bellec, xs, labels)
        t_bellec, _ = ref.bptt_gradients(net, bellec, xs, labels, detach_reset=True)
        worst_c = max(worst_c, compare(checker, label + " Bellec (vs autograd, reset detached)",
                                       g_bellec, t_bellec, EXACT))
        spikes = sum(tr["z"].sum() for tr in traces)
        checker.check(spikes > 0, "%s: no hidden spike" % label)
        gap = ref.relative_error(g_bellec["w_in"], g_full["w_in"])
        min_gap = min(min_gap, gap)
        checker.check(gap > 1e-3, "%s: the reset path changes the input gradient by only %.3g"
                      % (label, gap))
        for name in ("w_out", "bias"):
            checker.check(ref.relative_error(g_bellec[name], g_full[name]) <= EXACT,
                          "%s: the reset convention changed the %s gradient" % (label, name))
    checker.note("(b) %d cases: W_rec = 0 + differentiate_reset vs autograd, worst %.2g"
                 % (len(CONFIGS), worst_b))
    checker.note("(c) %d cases: Bellec vs autograd with detached reset, worst %.2g; "
                 "the reset path changes dW_in by >= %.2g" % (len(CONFIGS), worst_c, min_gap))

    # (b') the same exactness limit for the mean and final readouts, whose
    # autograd loss (torch_loss) aggregates y before the loss.
    worst_agg = 0.0
    for n, (alif, aggregate) in enumerate(((False, "mean"), (True, "mean"), (False, "final"), (True, "final"))):
        net, _, xs, labels, label = case(250 + n, alif, ref.CE, None, False, True, True)
        regime = ref.Regime(loss=ref.CE, aggregate=aggregate, differentiate_reset=True)
        g, g_loss, _ = ref.eprop_gradients(net, regime, xs, labels)
        t, t_loss = ref.bptt_gradients(net, regime, xs, labels)
        label += " " + aggregate
        checker.check(abs(g_loss - t_loss) <= 1e-12 * abs(t_loss),
                      "%s: loss %.17g, autograd %.17g" % (label, g_loss, t_loss))
        worst_agg = max(worst_agg, compare(checker, label + " (vs autograd)", g, t, EXACT))
    checker.note("(b') mean and final readouts, W_rec = 0 + differentiate_reset vs autograd, worst %.2g"
                 % worst_agg)

    # (b'') the numpy BPTT (bptt_numpy) against autograd, with recurrent
    # weights, for every readout it takes, and with the reset detached.
    worst_np = 0.0
    for n, (alif, last, aggregate, detach) in enumerate(((False, None, None, False), (True, 10, None, False),
                                                         (True, None, "mean", False), (False, None, "final", True),
                                                         (True, None, None, True))):
        net, _, xs, labels, label = case(270 + n, alif, ref.CE, last, False, False, True)
        regime = ref.Regime(loss=ref.CE, last_steps=last, aggregate=aggregate)
        g, g_loss = ref.bptt_numpy(net, regime, xs, labels, detach_reset=detach)
        t, t_loss = ref.bptt_gradients(net, regime, xs, labels, detach_reset=detach)
        label += " %s%s" % (aggregate or "", " reset detached" if detach else "")
        checker.check(abs(g_loss - t_loss) <= 1e-12 * abs(t_loss),
                      "%s: numpy BPTT loss %.17g, autograd %.17g" % (label, g_loss, t_loss))
        worst_np = max(worst_np, compare(checker, label + " (numpy BPTT vs autograd)", g, t, EXACT))
    checker.note("(b'') numpy BPTT with recurrent weights vs autograd, 5 cases, worst %.2g" % worst_np)

    # (d) with recurrent weights e-prop approximates BPTT: not equal, but aligned.
    for n, alif in enumerate((False, True)):
        net, regime, xs, labels, label = case(300 + n, alif, ref.CE, None, False, False, True)
        g, _, _ = ref.eprop_gradients(net, regime, xs, labels)
        t, _ = ref.bptt_gradients(net, regime, xs, labels)
        err = ref.relative_error(g["w_in"], t["w_in"])
        cos = float(np.sum(g["w_in"] * t["w_in"]) / np.linalg.norm(g["w_in"]) / np.linalg.norm(t["w_in"]))
        checker.check(err > 1e-6, "%s: e-prop equals BPTT with recurrent weights (%.3g)" % (label, err))
        checker.check(cos > 0.5, "%s: e-prop and BPTT input gradients not aligned (cos %.3f)"
                      % (label, cos))
        checker.check(ref.relative_error(g["w_out"], t["w_out"]) <= EXACT,
                      "%s: output gradient differs from BPTT with recurrent weights" % label)
        checker.note("(d) %s recurrent: e-prop vs BPTT dW_in relative difference %.3g, cosine %.3f"
                     % (label, err, cos))
    checker.finish()


if __name__ == "__main__":
    main()
