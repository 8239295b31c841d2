"""The firing-rate regulariser of docs/training.md ("Regularising spikes"),
in numpy (float64), on top of eprop_reference.py (whose API is unchanged).

mlGeNN's form, `regularize firing_rate(hidden, target: R Hz, strength: S,
tau: TAU)`: each hidden neuron j keeps a filtered rate

    f_j[t] = a f_j[t-1] + (1 - a) z_j[t],   a = exp(-dt / TAU),

which starts at 0 at the beginning of the run (it is carried across the
examples of a batch slot; a single batch from a fresh start therefore has
f = 0 at the start of every example), and every step each trained
projection into the hidden population adds

    S (f_j[t] - R dt) e_ji[t]

to dW_ji, with e_ji[t] the *unfiltered* eligibility trace of
eprop_reference (psi_j[t] (eps_v - beta eps_a), before the readout's
kappa filter). Within a step the hidden population spikes (z[t]), then f[t]
is formed from z[t], then the term uses f[t] and e[t].
"""

from dataclasses import replace

import numpy as np

import eprop_reference as ref


def filtered_rate(z, dt, tau):
    """f [T, H] for spikes z [T, H], f[-1] = 0."""
    a = np.exp(-dt / tau)
    f = np.zeros(z.shape[1])
    out = np.zeros_like(z)
    for t in range(z.shape[0]):
        f = a * f + (1.0 - a) * z[t]
        out[t] = f
    return out


def unfiltered_traces(net, regime, psi, pre):
    """e [T, H, P]: eprop_reference's traces with the readout filter off
    (kappa = exp(-dt / 1e-300) = 0, so ebar[t] = e[t])."""
    return ref._traces(replace(net, tau_out=1e-300), regime, psi, pre)


def rate_terms(net, regime, xs, target_hz, strength, tau):
    """The regulariser's contribution {"w_in", "w_rec"} summed over the
    batch xs [B, T, I] (each example from f = 0)."""
    terms = {"w_in": np.zeros_like(net.w_in), "w_rec": np.zeros_like(net.w_rec)}
    for x in xs:
        fw = ref.forward(net, x)
        f = filtered_rate(fw["z"], net.dt, tau)
        factor = strength * (f - target_hz * net.dt)  # [T, H]
        z_prev = np.vstack([np.zeros((1, fw["z"].shape[1])), fw["z"][:-1]])
        terms["w_in"] += np.einsum("tj,tji->ji", factor, unfiltered_traces(net, regime, fw["psi"], x))
        terms["w_rec"] += np.einsum("tj,tji->ji", factor, unfiltered_traces(net, regime, fw["psi"], z_prev))
    terms["w_rec"] *= net.rec_mask
    return terms


def regularized_gradients(net, regime, xs, labels, target_hz, strength, tau):
    """eprop_reference.eprop_gradients plus the firing-rate term on the
    hidden projections. Returns (gradients, unregularised gradients, loss,
    traces)."""
    grads, loss, traces = ref.eprop_gradients(net, regime, xs, labels)
    plain = {name: value.copy() for name, value in grads.items()}
    terms = rate_terms(net, regime, xs, target_hz, strength, tau)
    for name, value in terms.items():
        grads[name] = grads[name] + value
    return grads, plain, loss, traces
