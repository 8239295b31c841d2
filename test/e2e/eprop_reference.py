"""Independent references for e-prop (Bellec et al. 2020, Methods), float64.

The contract is docs/training.md; this file writes its equations out once,
in numpy, without sharing any code with the compiler:

  hidden ALIF j (LIF: beta = 0, no a):
    v[t] = alpha v[t-1] + sum_i W_rec[j,i] z_i[t-1] + sum_i W_in[j,i] x_i[t] - v_th z_j[t-1]
    a[t] = rho a[t-1] + z_j[t-1]
    z[t] = H(v[t] - v_th - beta a[t])                     (spike when >= 0)
    psi[t] = (gamma / v_th) max(0, 1 - |v[t] - v_th - beta a[t]| / v_th)
  readout k:  y[t] = kappa y[t-1] + sum_j W_out[k,j] z_j[t] + b_k
  all states, z[-1] and psi[-1] are 0 at the start of each example.

  eligibility, per synapse j <- i with pre_i[t] = x_i[t] (input weights) or
  z_i[t-1] (recurrent weights):
    eps_v[t] = alpha eps_v[t-1] + pre_i[t]
               (differentiate_reset: (alpha - v_th psi[t-1]) eps_v[t-1]
                                      + v_th beta psi[t-1] eps_a[t-1] + pre_i[t])
    eps_a[t] = psi[t-1] eps_v[t-1] + (rho - psi[t-1] beta) eps_a[t-1]
    e[t] = psi[t] (eps_v[t] - beta eps_a[t]);  ebar[t] = kappa ebar[t-1] + e[t]
  loss derivative delta_k[t] = w_t dl/dy_k(y[t]); learning signal
  L_j[t] = sum_k B[j,k] delta_k[t], B = W_out^T (symmetric) or given (random);
  dW_in, dW_rec = sum_t L ebar; dW_out[k,j] = sum_t delta_k zbar_j;
  db_k = sum_t delta_k bbar; all summed over the batch.

The differentiate_reset recursion: v[t] depends on v[t-1] through alpha and
through the reset -v_th z[t-1], with dz[t-1]/dv[t-1] = psi[t-1] and
dz[t-1]/da[t-1] = -beta psi[t-1]; so dv[t]/dv[t-1] = alpha - v_th psi[t-1]
and dv[t]/da[t-1] = v_th beta psi[t-1]. a[t] depends on v[t-1] through
z[t-1] (psi[t-1]) and on a[t-1] through rho and z[t-1] (-beta psi[t-1]).

`bptt_gradients` is the second, independent truth: the same forward pass in
PyTorch (float64, CPU) with a spike function whose backward is psi, and
autograd for the gradient. Without recurrent weights and with the reset
differentiated, e-prop is exact and both agree ("the exactness limit"); with
`detach_reset=True` the reset's spike is detached, which is Bellec's
convention, and then both agree too.
"""

from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

CE = "sparse_categorical_crossentropy"
MSE = "mean_squared_error"


@dataclass
class Net:
    """A recurrent (A)LIF layer and a leaky readout. Times in seconds."""

    w_in: np.ndarray  # [H, I]
    w_rec: np.ndarray  # [H, H]
    w_out: np.ndarray  # [K, H]
    bias: Optional[np.ndarray] = None  # [K], None: no readout bias
    feedback: Optional[np.ndarray] = None  # [H, K], None: symmetric (W_out^T)
    alif: bool = True
    dt: float = 1e-3
    tau_mem: float = 20e-3
    tau_adapt: float = 200e-3
    tau_out: float = 20e-3
    v_th: float = 0.6
    beta: float = 0.0174
    gamma: float = 0.3
    rec_mask: Optional[np.ndarray] = None  # [H, H] 1 where a synapse exists; None: no autapses

    def __post_init__(self):
        h = self.w_in.shape[0]
        if self.rec_mask is None:
            self.rec_mask = 1.0 - np.eye(h)
        self.w_rec = self.w_rec * self.rec_mask

    @property
    def alpha(self):
        return np.exp(-self.dt / self.tau_mem)

    @property
    def rho(self):
        return np.exp(-self.dt / self.tau_adapt)

    @property
    def kappa(self):
        return np.exp(-self.dt / self.tau_out)

    @property
    def beta_eff(self):
        return self.beta if self.alif else 0.0


@dataclass
class Regime:
    loss: str = CE
    last_steps: Optional[int] = None  # None: per-step readout `output.v`
    # "mean", "final" or "max": the loss of the time average, the last value
    # or the maximum over time of y (then last_steps is unused).
    aggregate: Optional[str] = None
    differentiate_reset: bool = False
    extra: dict = field(default_factory=dict)


def step_weights(timesteps, last_steps):
    """w_t of the per-example loss sum_t w_t l(y[t])."""
    w = np.zeros(timesteps)
    if last_steps is None:
        w[:] = 1.0 / timesteps
    else:
        w[timesteps - last_steps:] = 1.0 / last_steps
    return w


def forward(net, x):
    """One example, x [T, I] of input spikes; returns the traces as [T, ...] arrays."""
    steps, hidden = x.shape[0], net.w_in.shape[0]
    beta = net.beta_eff
    v, a, z = np.zeros(hidden), np.zeros(hidden), np.zeros(hidden)
    y = np.zeros(net.w_out.shape[0])
    bias = np.zeros_like(y) if net.bias is None else net.bias
    out = {name: [] for name in ("v", "a", "z", "psi", "y")}
    for t in range(steps):
        v = net.alpha * v + net.w_rec @ z + net.w_in @ x[t] - net.v_th * z
        a = net.rho * a + z
        g = v - net.v_th - beta * a
        z = (g >= 0).astype(np.float64)
        psi = (net.gamma / net.v_th) * np.maximum(0.0, 1.0 - np.abs(g) / net.v_th)
        y = net.kappa * y + net.w_out @ z + bias
        for name, value in (("v", v), ("a", a), ("z", z), ("psi", psi), ("y", y)):
            out[name].append(value)
    return {name: np.array(values) for name, values in out.items()}


def example_loss(y, label, w, loss):
    """sum_t w_t l(y[t]) and its derivative delta [T, K] with respect to y."""
    classes = y.shape[1]
    onehot = np.zeros(classes)
    onehot[label] = 1.0
    if loss == CE:
        m = y.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(y - m).sum(axis=1))
        soft = np.exp(y - lse[:, None])
        return float(np.sum(w * (lse - y[:, label]))), w[:, None] * (soft - onehot)
    if loss == MSE:
        per_step = np.mean((y - onehot) ** 2, axis=1)
        return float(np.sum(w * per_step)), w[:, None] * (2.0 * (y - onehot) / classes)
    raise ValueError("unknown loss " + loss)


def readout_loss(y, label, regime):
    """The example's loss and dl/dy[t] as [T, K], for every readout: per
    step (weights w_t), or of the mean, final value or maximum over time (the
    derivative then sits at every step / the last step / each class's first
    peak)."""
    steps = y.shape[0]
    if regime.aggregate is None:
        return example_loss(y, label, step_weights(steps, regime.last_steps), regime.loss)
    delta = np.zeros_like(y)
    if regime.aggregate == "mean":
        loss, d = example_loss(y.mean(axis=0)[None, :], label, np.ones(1), regime.loss)
        delta[:] = d[0] / steps
    elif regime.aggregate == "final":
        loss, d = example_loss(y[-1][None, :], label, np.ones(1), regime.loss)
        delta[-1] = d[0]
    elif regime.aggregate == "max":
        loss, d = example_loss(y.max(axis=0)[None, :], label, np.ones(1), regime.loss)
        peaks = y.argmax(axis=0)  # the first step of each class's maximum
        delta[peaks, np.arange(y.shape[1])] = d[0]
    else:
        raise ValueError("unknown readout " + regime.aggregate)
    return loss, delta


def batch_loss(net, regime, xs, labels):
    """The loss of the batch: the sum of the examples' losses."""
    total = 0.0
    for x, label in zip(xs, labels):
        total += readout_loss(forward(net, x)["y"], label, regime)[0]
    return total


def _traces(net, regime, psi, pre):
    """Filtered eligibility traces ebar [T, H, P] for presynaptic activity pre [T, P]."""
    steps, hidden = psi.shape
    beta, alpha, rho, kappa, v_th = net.beta_eff, net.alpha, net.rho, net.kappa, net.v_th
    eps_v = np.zeros((hidden, pre.shape[1]))
    eps_a = np.zeros_like(eps_v)
    ebar = np.zeros_like(eps_v)
    psi_prev = np.zeros(hidden)[:, None]
    out = np.zeros((steps,) + eps_v.shape)
    for t in range(steps):
        if regime.differentiate_reset:
            new_v = (alpha - v_th * psi_prev) * eps_v + v_th * beta * psi_prev * eps_a + pre[t][None, :]
        else:
            new_v = alpha * eps_v + pre[t][None, :]
        eps_a = psi_prev * eps_v + (rho - psi_prev * beta) * eps_a
        eps_v = new_v
        e = psi[t][:, None] * (eps_v - beta * eps_a)
        ebar = kappa * ebar + e
        out[t] = ebar
        psi_prev = psi[t][:, None]
    return out


def forward_count(net, x):
    """forward() with a spiking readout: EpropLIF neurons (tau_out, v_th,
    gamma of the net) whose spike counts are the scores."""
    fw = forward(net, x)
    steps, classes = x.shape[0], net.w_out.shape[0]
    alpha_o = net.kappa  # exp(-dt / tau_out): the readout neurons' membrane decay
    v, z = np.zeros(classes), np.zeros(classes)
    zs, psis = [], []
    for t in range(steps):
        v = alpha_o * v + net.w_out @ fw["z"][t] - net.v_th * z
        g = v - net.v_th
        z = (g >= 0).astype(np.float64)
        zs.append(z)
        psis.append((net.gamma / net.v_th) * np.maximum(0.0, 1.0 - np.abs(g) / net.v_th))
    fw["z_out"], fw["psi_out"] = np.array(zs), np.array(psis)
    fw["count"] = fw["z_out"].sum(axis=0)
    return fw


def eprop_gradients_count(net, regime, xs, labels):
    """e-prop with `readout = spike_count(output)`: the readout neurons are
    trained like hidden ones with the learning signal delta_k (the loss's
    derivative with respect to their count, summing every step's trace),
    and the hidden neurons get L_j[t] = sum_k B[j,k] delta_k psi_out_k[t],
    the count's partial derivative through the readout's spike in the same
    step (unfiltered: e-prop's truncation)."""
    grads = {"w_in": np.zeros_like(net.w_in), "w_rec": np.zeros_like(net.w_rec),
             "w_out": np.zeros_like(net.w_out)}
    feedback = net.w_out.T if net.feedback is None else net.feedback
    no_filter = replace(net, tau_out=1e-300)  # kappa = 0 for the hidden traces
    alpha_o = net.kappa
    total, traces = 0.0, []
    for x, label in zip(xs, labels):
        fw = forward_count(net, x)
        traces.append(fw)
        loss, d = example_loss(fw["count"][None, :], label, np.ones(1), regime.loss)
        delta = d[0]
        total += loss
        signal = (fw["psi_out"] * delta[None, :]) @ feedback.T  # [T, H]
        z_prev = np.vstack([np.zeros((1, fw["z"].shape[1])), fw["z"][:-1]])
        grads["w_in"] += np.einsum("tj,tji->ji", signal, _traces(no_filter, regime, fw["psi"], x))
        grads["w_rec"] += np.einsum("tj,tji->ji", signal, _traces(no_filter, regime, fw["psi"], z_prev))
        eps = np.zeros_like(net.w_out)
        psi_prev = np.zeros(net.w_out.shape[0])
        for t in range(x.shape[0]):
            decay = alpha_o - net.v_th * psi_prev if regime.differentiate_reset else alpha_o
            eps = decay[:, None] * eps if np.ndim(decay) else decay * eps
            eps = eps + fw["z"][t][None, :]
            grads["w_out"] += delta[:, None] * fw["psi_out"][t][:, None] * eps
            psi_prev = fw["psi_out"][t]
    grads["w_rec"] *= net.rec_mask
    return grads, total, traces


def eprop_gradients(net, regime, xs, labels):
    """e-prop gradients summed over the batch, and the batch loss.

    Returns ({"w_in", "w_rec", "w_out"[, "bias"]}: arrays shaped like the
    parameters, loss, per-example forward traces)."""
    grads = {"w_in": np.zeros_like(net.w_in), "w_rec": np.zeros_like(net.w_rec),
             "w_out": np.zeros_like(net.w_out)}
    if regime.aggregate == "count":
        return eprop_gradients_count(net, regime, xs, labels)
    if net.bias is not None:
        grads["bias"] = np.zeros_like(net.bias)
    feedback = net.w_out.T if net.feedback is None else net.feedback
    total, traces = 0.0, []
    for x, label in zip(xs, labels):
        steps = x.shape[0]
        fw = forward(net, x)
        traces.append(fw)
        loss, delta = readout_loss(fw["y"], label, regime)
        total += loss
        signal = delta @ feedback.T  # L [T, H]
        z_prev = np.vstack([np.zeros((1, fw["z"].shape[1])), fw["z"][:-1]])
        grads["w_in"] += np.einsum("tj,tji->ji", signal, _traces(net, regime, fw["psi"], x))
        grads["w_rec"] += np.einsum("tj,tji->ji", signal, _traces(net, regime, fw["psi"], z_prev))
        zbar = np.zeros_like(fw["z"])
        bbar = np.zeros(steps)
        for t in range(steps):
            zbar[t] = (net.kappa * zbar[t - 1] if t else 0.0) + fw["z"][t]
            bbar[t] = (net.kappa * bbar[t - 1] if t else 0.0) + 1.0
        grads["w_out"] += delta.T @ zbar
        if net.bias is not None:
            grads["bias"] += delta.T @ bbar
    grads["w_rec"] *= net.rec_mask
    return grads, total, traces


def bptt_numpy(net, regime, xs, labels, detach_reset=False):
    """Surrogate-gradient BPTT of forward() written out in numpy: the
    reverse-time recursion of every path, by hand (symmetric feedback:
    the readout's own weights). Returns (gradients as eprop_gradients,
    loss). With detach_reset the membrane's reset carries no gradient."""
    grads = {"w_in": np.zeros_like(net.w_in), "w_rec": np.zeros_like(net.w_rec),
             "w_out": np.zeros_like(net.w_out)}
    if net.bias is not None:
        grads["bias"] = np.zeros_like(net.bias)
    w_rec = net.w_rec * net.rec_mask
    beta, total = net.beta_eff, 0.0
    for x, label in zip(xs, labels):
        fw = forward(net, x)
        loss, delta = readout_loss(fw["y"], label, regime)
        total += loss
        steps, hidden = fw["z"].shape
        z_prev = np.vstack([np.zeros((1, hidden)), fw["z"][:-1]])
        ybar = np.zeros(net.w_out.shape[0])
        vbar_next, abar_next = np.zeros(hidden), np.zeros(hidden)
        for t in range(steps - 1, -1, -1):
            ybar = delta[t] + net.kappa * ybar  # dL/dy[t]
            grads["w_out"] += np.outer(ybar, fw["z"][t])
            if net.bias is not None:
                grads["bias"] += ybar
            # z[t] reaches y[t], and at t + 1 v (recurrence, reset) and a.
            zbar = net.w_out.T @ ybar + w_rec.T @ vbar_next + abar_next
            if not detach_reset:
                zbar -= net.v_th * vbar_next
            gbar = zbar * fw["psi"][t]
            vbar = gbar + net.alpha * vbar_next
            abar = -beta * gbar + net.rho * abar_next
            grads["w_in"] += np.outer(vbar, x[t])
            grads["w_rec"] += np.outer(vbar, z_prev[t])
            vbar_next, abar_next = vbar, abar
    grads["w_rec"] *= net.rec_mask
    return grads, total


def bptt_gradients(net, regime, xs, labels, detach_reset=False, threads=None):
    """Surrogate-gradient BPTT of the same forward pass with PyTorch autograd
    (float64, CPU); xs [B, T, I]. With random feedback the readout's backward
    to the spikes uses it (feedback alignment), as e-prop does. Returns (gradients as eprop_gradients, loss)."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    d = torch.float64
    params = {"w_in": torch.tensor(net.w_in, dtype=d, requires_grad=True),
              "w_rec": torch.tensor(net.w_rec, dtype=d, requires_grad=True),
              "w_out": torch.tensor(net.w_out, dtype=d, requires_grad=True)}
    if net.bias is not None:
        params["bias"] = torch.tensor(net.bias, dtype=d, requires_grad=True)
    x = torch.tensor(np.asarray(xs), dtype=d)
    loss = torch_loss(net, regime, params, x, torch.tensor(np.asarray(labels)), detach_reset)
    loss.backward()
    grads = {name: p.grad.numpy().copy() for name, p in params.items()}
    grads["w_rec"] *= net.rec_mask
    return grads, float(loss.detach())


def make_spike_function(v_th, gamma):
    """Heaviside forward, triangular pseudo-derivative psi backward."""
    import torch

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, g):
            ctx.save_for_backward(g)
            return (g >= 0).to(g.dtype)

        @staticmethod
        def backward(ctx, grad):
            (g,) = ctx.saved_tensors
            return grad * (gamma / v_th) * torch.clamp(1.0 - g.abs() / v_th, min=0.0)

    return Spike.apply


def make_readout_function(feedback):
    """y = z W_out^T forward; backward to z through the fixed matrix
    `feedback` [H, K] instead of W_out^T (feedback alignment), to W_out as usual."""
    import torch

    b = torch.tensor(feedback, dtype=torch.float64)

    class Readout(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z, w_out):
            ctx.save_for_backward(z)
            return z @ w_out.T

        @staticmethod
        def backward(ctx, grad):
            (z,) = ctx.saved_tensors
            return grad @ b.T, grad.T @ z

    return Readout.apply


def torch_loss(net, regime, params, x, labels, detach_reset=False):
    """The batch loss (sum over examples) as a torch scalar; x [B, T, I]."""
    import torch

    spike = make_spike_function(net.v_th, net.gamma)
    if net.feedback is None:
        def readout(z, w_out):
            return z @ w_out.T
    else:
        readout = make_readout_function(net.feedback)
    batch, steps = x.shape[0], x.shape[1]
    hidden, classes = net.w_in.shape[0], net.w_out.shape[0]
    mask = torch.tensor(net.rec_mask, dtype=x.dtype)
    w_rec = params["w_rec"] * mask
    beta = net.beta_eff
    v = torch.zeros(batch, hidden, dtype=x.dtype)
    a = torch.zeros_like(v)
    z = torch.zeros_like(v)
    y = torch.zeros(batch, classes, dtype=x.dtype)
    inputs = torch.einsum("bti,ji->btj", x, params["w_in"])
    w = torch.tensor(step_weights(steps, regime.last_steps), dtype=x.dtype)
    onehot = torch.nn.functional.one_hot(labels.long(), classes).to(x.dtype)
    total = torch.zeros((), dtype=x.dtype)
    aggregate = getattr(regime, "aggregate", None)
    if aggregate not in (None, "mean", "final"):
        raise ValueError("torch_loss: no %s readout" % aggregate)
    summed = torch.zeros_like(y)

    def loss_of(values):
        if regime.loss == CE:
            return (torch.logsumexp(values, dim=1) - (values * onehot).sum(dim=1)).sum()
        return ((values - onehot) ** 2).mean(dim=1).sum()

    for t in range(steps):
        reset = z.detach() if detach_reset else z
        v = net.alpha * v + z @ w_rec.T + inputs[:, t] - net.v_th * reset
        a = net.rho * a + z
        z = spike(v - net.v_th - beta * a)
        y = net.kappa * y + readout(z, params["w_out"])
        if "bias" in params:
            y = y + params["bias"]
        if aggregate == "mean":
            summed = summed + y
        elif aggregate is None and w[t] != 0:
            total = total + w[t] * loss_of(y)
    if aggregate == "mean":
        return loss_of(summed / steps)
    if aggregate == "final":
        return loss_of(y)
    return total


def finite_difference(net, regime, xs, labels, name, eps=1e-6):
    """Central finite differences of batch_loss with respect to net.<name>."""
    param = getattr(net, name)
    grad = np.zeros_like(param)
    for idx in np.ndindex(param.shape):
        keep = param[idx]
        param[idx] = keep + eps
        up = batch_loss(net, regime, xs, labels)
        param[idx] = keep - eps
        down = batch_loss(net, regime, xs, labels)
        param[idx] = keep
        grad[idx] = (up - down) / (2 * eps)
    return grad


def relative_error(got, want, floor=1e-12):
    """max |got - want| / max(max |want|, floor): a norm-relative error."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(want))) if want.size else 0.0, floor)
    return float(np.max(np.abs(got - want))) / scale if got.size else 0.0


def worst_entry(got, want):
    """A one-line description of the entry with the largest difference."""
    diff = np.abs(np.asarray(got) - np.asarray(want))
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return "worst at %s: got %.17g, expected %.17g" % (idx, got[idx], want[idx])


def random_inputs(rng, batch, steps, inputs, rate):
    """Bernoulli spike rasters [B, T, I] with probability `rate` per step."""
    return (rng.random((batch, steps, inputs)) < rate).astype(np.float64)


def random_net(rng, inputs=5, hidden=8, classes=3, alif=True, bias=True, random_feedback=False,
               zero_recurrent=False, w_in_mean=0.15, w_in_std=0.3, **params):
    """A small random network whose hidden neurons fire at moderate rates
    for inputs of ~20 % spike probability per step."""
    w_in = rng.normal(w_in_mean, w_in_std, (hidden, inputs))
    w_rec = np.zeros((hidden, hidden)) if zero_recurrent else rng.normal(0.0, 0.2, (hidden, hidden))
    w_out = rng.normal(0.0, 0.5, (classes, hidden))
    return Net(w_in=w_in, w_rec=w_rec, w_out=w_out,
               bias=rng.normal(0.0, 0.3, classes) if bias else None,
               feedback=rng.normal(0.0, 0.5, (hidden, classes)) if random_feedback else None,
               alif=alif, **params)
