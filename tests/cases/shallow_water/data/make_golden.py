"""Golden outputs of the shallow-water model before its move onto the case contract.

Made with the flat modules ``numprec/cases/shallow_water.py`` and
``numprec/cases/shallow_water_model.py`` as of commit
b56aecc854bf833a02d2859f404ab4004bb1ad13 (the last commit touching them; the
repository HEAD was 0072d4757078b147ec7eceba894a96aa148c500f), by running::

    python tests/cases/shallow_water/data/make_golden.py

at that commit.  It does not run against later code (it uses the old API);
it is kept to say exactly how the files were made.  Each ``<name>.npz`` holds
``time`` [s], ``u``, ``v`` (interior v-points), ``eta`` (float64, physical
units, shape ``(nt, [member,] ...)``) and the settings as 0-d arrays.

The runs (small grid, nx = 20, Δ = 100 km, Δt = 1414 s): a double-precision
spin-up of SPINUP days from rest plus a 1 cm random η perturbation
(``ic_seed``), then DAYS days under each precision setting, output every
EVERY days.  ``batched_*`` integrate three members in one leading dimension.
"""
import sys

import numpy as np

from numprec.cases import shallow_water as sw
from numprec.cases.shallow_water_model import ShallowWaterModel, ShallowWaterParams, SWState
from numprec.emulate import Policy

NX, SPINUP, DAYS, EVERY, IC_SEED = 20, 100.0, 10.0, 2.0, 1

#: name -> (format, rounding, seed, scale, compensated, tendencies component format)
RUNS = {
    "double": (None, None, 0, 1.0, False, None),
    "e5m10_rn": ("e5m10", "nearest_even", 0, 1.0, False, None),
    "bfloat16_rn": ("bfloat16", "nearest_even", 0, 1.0, False, None),
    "e5m10_sr": ("e5m10", "stochastic", 7, 1.0, False, None),
    "e5m10_rn_kahan": ("e5m10", "nearest_even", 0, 1.0, True, None),
    "e5m10_rn_scaled": ("e5m10", "nearest_even", 0, 64.0, False, None),
    "e5m10_sr_scaled_kahan": ("e5m10", "stochastic", 11, 64.0, True, None),
    "fp32_tendencies_fp16_rn": ("binary32", "nearest_even", 0, 1.0, False, "fp16"),
}


def policy_of(fmt, rounding, seed, tendencies):
    if fmt is None:
        return None
    comps = None if tendencies is None else {"tendencies": tendencies}
    return Policy(fmt, rounding=rounding, seed=seed, components=comps)


def settings(fmt, rounding, seed, scale, compensated, tendencies, members=0):
    return {"nx": NX, "spinup": SPINUP, "days": DAYS, "every": EVERY, "ic_seed": IC_SEED,
            "format": "" if fmt is None else fmt, "rounding": rounding or "",
            "seed": seed, "scale": scale, "compensated": compensated,
            "tendencies": tendencies or "", "members": members}


def single(name, fmt, rounding, seed, scale, compensated, tendencies):
    policy = policy_of(fmt, rounding, seed, tendencies)
    ds = sw.simulate(policy=policy, days=DAYS, output_every=EVERY, spinup=SPINUP,
                     ic_seed=IC_SEED, scale=scale, compensated=compensated, nx=NX)
    return {"time": (ds["time"].values - ds["time"].values[0]) * sw.SECONDS_PER_DAY,
            "u": ds["u"].values, "v": ds["v"].values, "eta": ds["eta"].values,
            **settings(fmt, rounding, seed, scale, compensated, tendencies)}


def batched(fmt, rounding, seed, scale, compensated, members=3):
    """Three members in one leading dimension, through the old harness' integrator."""
    double = ShallowWaterModel(ShallowWaterParams(nx=NX))
    state = double.initial_state(sw.PERTURBATION, seed=IC_SEED, batch=(members,))
    _, us, vs, etas, bad = sw._integrate(double, state[:3], SPINUP, SPINUP, None)
    assert not bad
    model = ShallowWaterModel(ShallowWaterParams(nx=NX, scale=scale, compensated=compensated))
    policy = policy_of(fmt, rounding, seed, None)
    run = model.map_constants(policy.constant)
    t, u, v, eta, bad = sw._integrate(run, (us[-1], vs[-1], etas[-1]), DAYS, EVERY, policy)
    return {"time": t, "u": u, "v": v, "eta": eta,
            **settings(fmt, rounding, seed, scale, compensated, None, members)}


def main(outdir):
    for name, spec in RUNS.items():
        np.savez_compressed(f"{outdir}/{name}.npz", **single(name, *spec))
        print("wrote", name)
    np.savez_compressed(f"{outdir}/batched_e5m10_sr.npz",
                        **batched("e5m10", "stochastic", 5, 1.0, False))
    np.savez_compressed(f"{outdir}/batched_e5m10_rn_kahan.npz",
                        **batched("e5m10", "nearest_even", 0, 1.0, True))
    print("wrote batched")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/cases/shallow_water/data")
