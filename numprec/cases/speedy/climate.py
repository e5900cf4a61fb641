"""Held-Suarez climatology of the dry core: a long double run and its
zonal-mean time averages (the benchmark behind docs/speedy.md)."""
from __future__ import annotations

import time

import numpy as np

from numprec.cases.speedy.heldsuarez import HeldSuarez
from numprec.cases.speedy.primitive import RADIUS, PrimitiveEquationModel, default_steps_per_day


def held_suarez_climate(trunc=21, spinup_days=200, days=500, seed=1, progress=None):
    """Zonal-mean u and T (time means over ``days`` daily samples after
    ``spinup_days``) of a Held-Suarez run from rest (0.1 K noise), double.

    Returns
    -------
    dict
        ``u`` and ``T`` (level, lat) in m/s and K, ``lat`` (degrees),
        ``sigma``, ``seconds_per_day`` (wall time), ``days``.
    """
    model = PrimitiveEquationModel.build(trunc, forcing=HeldSuarez())
    st = model.spectral_transform
    state = model.resting_state()
    rng = np.random.default_rng(seed)
    state["tem"] = st.truncate(st.analysis(rng.standard_normal((8,) + st.grid_shape) * 0.1))
    spd = default_steps_per_day(trunc)
    tref = model.levels.reference_temperature()[:, None, None]
    acc = {"u": 0.0, "T": 0.0, "n": 0}

    def sample(i, current):
        day = i // spd
        if day <= spinup_days:
            return
        U, _ = st.uv_cos(current["vor"], current["div"])
        acc["u"] = acc["u"] + (U * st.tables["inv_coslat"][:, None] * RADIUS).mean(-1)
        acc["T"] = acc["T"] + (st.synthesis(current["tem"]) + tref).mean(-1)
        acc["n"] += 1
        if progress is not None and day % 50 == 0:
            progress(day)

    t0 = time.perf_counter()
    model.integrate(state, (spinup_days + days) * spd, every=spd, callback=sample)
    wall = time.perf_counter() - t0
    return {"u": acc["u"] / acc["n"], "T": acc["T"] / acc["n"], "lat": st.latitudes,
            "sigma": model.levels.full, "seconds_per_day": wall / (spinup_days + days),
            "days": acc["n"]}


def plot_zonal_means(climate, path):
    """Zonal-mean u (contours, m/s) and T (K) against latitude and sigma."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    lat, sig = climate["lat"], climate["sigma"]
    for ax, name, levels, cmap in ((axes[0], "u", np.arange(-10, 41, 4), "RdBu_r"),
                                   (axes[1], "T", np.arange(190, 320, 10), "viridis")):
        cs = ax.contourf(lat, sig, climate[name], levels=levels, cmap=cmap, extend="both")
        ax.contour(lat, sig, climate[name], levels=levels, colors="k", linewidths=0.4)
        fig.colorbar(cs, ax=ax, label="m/s" if name == "u" else "K")
        ax.set_ylim(1, 0)
        ax.set_xlabel("latitude")
        ax.set_ylabel("sigma")
        ax.set_title(f"zonal-mean {name}, {climate['days']}-day mean")
    fig.savefig(path, dpi=110)
    plt.close(fig)
