"""The shallow-water experiments of Klöwer et al. (2020) and (2022), scaled down.

* :func:`flush_to_zero_spinup` -- Float16 without subnormals (as on A64FX with
  flush-to-zero, Klöwer et al. 2022) loses the ~1e-5 m/s wind increments of
  the unscaled model and the flow never starts; scaling u, v by 2^6 recovers
  it.  IEEE Float16 with subnormals (numprec's ``e5m10``) needs no scaling.
* :func:`forecast_errors` -- Klöwer et al. (2020)'s metric: the RMS error of
  surface height η against double, normalised by the error of unrelated
  states, over forecasts from many start states of a double control run,
  for each number format; and the mean and variance of the zonal velocity.

References
----------
Klöwer, M., Düben, P. D. & Palmer, T. N. (2020). Number formats, error
mitigation, and scope for 16-bit arithmetics in weather and climate modeling
analyzed with a shallow water model. JAMES 12, e2020MS002246.

Klöwer, M., Hatfield, S., Croci, M., Düben, P. D. & Palmer, T. N. (2022).
Fluid simulations accelerated with 16 bits: approaching 4x speedup on A64FX
by squeezing ShallowWaters.jl into Float16. JAMES 14, e2021MS002684.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

import numprec
from numprec.emulate import Policy
from numprec.cases.shallow_water.model import build_model
from numprec.cases.shallow_water.params import ShallowWaterParams
from numprec.cases.shallow_water.run import run_members, spun_up_state, steps_of
from numprec.cases.driver import integrate

__all__ = ["FLUSH_TO_ZERO_FLOAT16", "SCALE_2022", "TENDENCY_COMPONENTS", "FORECAST_SETUPS",
           "flush_to_zero_spinup", "forecast_errors", "format_forecast_errors",
           "plot_forecast_errors"]

#: IEEE Float16 range and precision with results below the smallest normal
#: number (6.1e-5) rounded to 0 or to it (no subnormals).
FLUSH_TO_ZERO_FLOAT16 = numprec.FloatFormat(5, 10, subnormals=False)
#: Klöwer et al. (2022)'s scaling of u and v for Float16.
SCALE_2022 = 2.0 ** 6
#: The components that compute tendencies (Klöwer et al. 2020's "mixed"
#: precision computes these in 16 bit, the prognostic variables in 32 bit).
TENDENCY_COMPONENTS = ("dynamics", "forcing", "bottom_drag", "viscosity")


def _mixed(fmt):
    return lambda seed=0: Policy("binary32", seed=seed,
                                 components={c: fmt for c in TENDENCY_COMPONENTS})


#: label -> (policy factory, model-parameter overrides) of :func:`forecast_errors`.
FORECAST_SETUPS = {
    "Float32": (lambda seed=0: Policy("binary32", seed=seed), {}),
    "Float16": (lambda seed=0: Policy("binary16", seed=seed), {}),
    "Float16 flush-to-zero": (lambda seed=0: Policy(FLUSH_TO_ZERO_FLOAT16, seed=seed), {}),
    "Float16 flush-to-zero, u,v x 2^6": (
        lambda seed=0: Policy(FLUSH_TO_ZERO_FLOAT16, seed=seed), {"scale": SCALE_2022}),
    "Float16, per-step Kahan": (lambda seed=0: Policy("binary16", seed=seed),
                                {"compensation": "per_step"}),
    "BFloat16": (lambda seed=0: Policy("bfloat16", seed=seed), {}),
    "posit16": (lambda seed=0: Policy("posit16", seed=seed), {}),
    "Float32 state / Float16 tendencies": (_mixed("binary16"), {}),
    "Float32 state / BFloat16 tendencies": (_mixed("bfloat16"), {}),
}


def flush_to_zero_spinup(*, nx: int = 20, dt: float = 282.0, days: float = 1.0) -> dict:
    """Spin up the channel from exact rest (no perturbation) for ``days``.

    ``dt = 282 s`` is Klöwer et al.'s time step at Δ = 20 km: each RK4 stage
    adds ``a_k Δt F_x`` ≈ 1.1e-5 to 2.3e-5 m/s of wind forcing to u, below
    Float16's smallest normal number (whatever ``nx``, the increment is
    ``Δt F_x``).

    Returns
    -------
    dict
        ``{label: (mean u, max |u|)}`` [m/s] at the end, for double, Float16
        (e5m10, subnormals), flush-to-zero Float16 unscaled, and scaled by 2^6.
    """
    runs = {"double": (None, 1.0), "Float16": ("binary16", 1.0),
            "Float16 flush-to-zero": (FLUSH_TO_ZERO_FLOAT16, 1.0),
            "Float16 flush-to-zero, u,v x 2^6": (FLUSH_TO_ZERO_FLOAT16, SCALE_2022)}
    out = {}
    for label, (fmt, scale) in runs.items():
        ds = run_members(ShallowWaterParams(nx=nx, dt=dt, scale=scale),
                         None if fmt is None else Policy(fmt, seed=0), members=1,
                         days=days, output_every=days, perturbation=0.0)
        u = ds["u"].values[0, -1]
        out[label] = (float(u.mean()), float(np.abs(u).max()))
    return out


def _control_states(params, starts, spinup, every, seed):
    """Physical start states: a double control run spun up ``spinup`` days,
    sampled every ``every`` days ``starts`` times (one leading dimension)."""
    u, v, eta = spun_up_state(params, 1, seed, spinup)
    model = build_model(params)
    n = steps_of(model, every)
    traj = integrate(model, model.to_internal(u, v, eta), None, steps=n * (starts - 1),
                     sample_at=list(range(0, n * starts - n + 1, n)))
    return tuple(traj.samples[k][:, 0] for k in ("u", "v", "eta"))


def forecast_errors(*, nx: int = 50, starts: int = 6, spinup: float = 450.0,
                    every: float = 20.0, days: float = 60.0, output_every: float = 2.0,
                    climate_from: float = 10.0, setups=None, seed: int = 0,
                    progress=print, **params) -> dict:
    """Klöwer et al. (2020)'s forecast experiment, scaled down.

    A double control run is spun up ``spinup`` days; ``starts`` start states
    ``every`` days apart are taken from it; from each, a forecast of
    ``days`` days is run in double and under each setup (the start states
    are one batch of members).  For each setup and output time: the RMS
    error of η against the double forecast, averaged over the start states
    and divided by the RMS difference between double forecasts from
    *different* start states (unrelated states: the error at which a
    forecast has no skill left), so 1 is "no skill".  And the mean and
    variance of u over the forecasts from ``climate_from`` days on.
    ``**params`` are further :class:`ShallowWaterParams` fields (e.g. ``dt``).

    Returns
    -------
    dict
        ``time`` (days), ``normaliser`` [m], ``error`` ({label: array over
        time}), ``u_mean``, ``u_var`` ({label: float}), ``seconds``
        ({label: float}), ``settings``.
    """
    setups = FORECAST_SETUPS if setups is None else setups
    params = ShallowWaterParams(nx=nx, **params)
    t0 = time.perf_counter()
    start = _control_states(params, starts, spinup, every, seed)
    if progress:
        progress(f"control run: {time.perf_counter() - t0:.1f} s")

    def forecast(policy, overrides):
        ds = run_members(dataclasses.replace(params, **overrides), policy, members=starts,
                         start=start, days=days, output_every=output_every)
        return ds

    t = time.perf_counter()
    ref = forecast(None, {})
    secs = {"double": time.perf_counter() - t}
    eta_ref = ref["eta"].values                          # (member, time, y, x)
    # unrelated states: double forecasts paired with those from the next start state
    other = np.roll(eta_ref, 1, axis=0)
    normaliser = float(np.sqrt(np.mean((other - eta_ref) ** 2)))
    times = ref["time"].values - ref["time"].values[0]
    late = times >= climate_from
    errors, u_mean, u_var = {}, {}, {}

    def climate(label, ds):
        u = ds["u"].values[:, late]
        u_mean[label], u_var[label] = float(np.nanmean(u)), float(np.nanvar(u))

    climate("double", ref)
    for label, (make, overrides) in setups.items():
        t = time.perf_counter()
        ds = forecast(make(seed), overrides)
        secs[label] = time.perf_counter() - t
        err = np.sqrt(np.mean((ds["eta"].values - eta_ref) ** 2, axis=(-2, -1)))
        errors[label] = err.mean(axis=0) / normaliser
        climate(label, ds)
        if progress:
            progress(f"{label}: {secs[label]:.1f} s, error at day {times[-1]:g}: "
                     f"{errors[label][-1]:.3g}")
    return {"time": times, "normaliser": normaliser, "error": errors, "u_mean": u_mean,
            "u_var": u_var, "seconds": secs,
            "settings": {"nx": nx, "dt": params.dt, "starts": starts, "spinup": spinup, "every": every,
                         "days": days, "output_every": output_every,
                         "climate_from": climate_from, "seed": seed}}


def format_forecast_errors(result: dict, at=(10, 30, 60)) -> str:
    """A text table of :func:`forecast_errors`' result."""
    times = result["time"]
    cols = [d for d in at if d <= times[-1] + 1e-9]
    idx = [int(np.argmin(np.abs(times - d))) for d in cols]
    head = f"{'setup':<38}" + "".join(f"{'err d' + format(d, 'g'):>10}" for d in cols) \
        + f"{'mean u':>10}{'var u':>10}{'s':>8}"
    lines = [head, "-" * len(head)]
    ref_m, ref_v = result["u_mean"]["double"], result["u_var"]["double"]
    lines.append(f"{'double':<38}" + "".join(f"{0:>10.3g}" for _ in cols)
                 + f"{ref_m:>10.4f}{ref_v:>10.4f}{result['seconds']['double']:>8.0f}")
    for label, err in result["error"].items():
        m, v = result["u_mean"][label], result["u_var"][label]
        lines.append(f"{label:<38}" + "".join(f"{err[i]:>10.3g}" for i in idx)
                     + f"{m:>10.4f}{v:>10.4f}{result['seconds'][label]:>8.0f}"
                     + f"   ({100 * (m / ref_m - 1):+.1f}% mean, {100 * (v / ref_v - 1):+.1f}% var)")
    return "\n".join(lines)


def plot_forecast_errors(result: dict, path) -> None:
    """Normalised η forecast error against time, one line per setup (PNG)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from numprec.io import save_figure

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, err in result["error"].items():
        ax.semilogy(result["time"][1:], err[1:], label=label)
    ax.set_xlabel("forecast lead time [days]")
    ax.set_ylabel("RMS error of η / RMS of unrelated states")
    s = result["settings"]
    ax.set_title(f"shallow water, nx = {s['nx']}, {s['starts']} start states")
    ax.legend(fontsize="x-small")
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    plt.close(fig)
