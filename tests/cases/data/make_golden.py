"""Golden outputs of the Lorenz and heat cases before their move onto the case contract.

Made with the flat modules ``numprec/cases/lorenz.py``, ``lorenz_model.py``,
``heat.py`` and ``heat_model.py`` as of commit
b56aecc854bf833a02d2859f404ab4004bb1ad13 (the last commit touching them; the
repository HEAD was 2f4514f308f7e12ecc8533a7bd47a95e68a3026d), by running::

    python tests/cases/data/make_golden.py

at that commit.  It does not run against later code (it uses the old API);
it is kept to say exactly how the files were made.

``lorenz_<name>.npz`` holds ``time`` and ``samples`` (time, nvar, member),
float64, as returned by ``lorenz.simulate`` (``ds[v].values`` stacked in the
order of the system's state), plus the settings as 0-d arrays.
``heat_<name>.npz`` holds ``time`` [days] and ``T`` (time, depth) [K].
"""
import sys

import numpy as np

from numprec.cases import heat, lorenz
from numprec.emulate import Policy

#: Lorenz run settings shared by all runs (small: 4 members, 3 time units)
L_MEMBERS, L_TIME, L_SPINUP, L_EVERY, L_SEED = 4, 3.0, 0.5, 0.1, 5

#: name -> (system kwargs, dt, format, rounding, seed, compensated, tendencies format)
LORENZ = {
    "l63_double": (dict(name="l63"), 0.01, None, None, 0, False, None),
    "l63_e5m10_rn": (dict(name="l63"), 0.01, "e5m10", "nearest_even", 0, False, None),
    "l63_bfloat16_rn": (dict(name="l63"), 0.01, "bfloat16", "nearest_even", 0, False, None),
    "l63_e5m10_sr": (dict(name="l63"), 0.01, "e5m10", "stochastic", 7, False, None),
    "l63_bfloat16_sr": (dict(name="l63"), 0.01, "bfloat16", "stochastic", 3, False, None),
    "l63_e5m10_rn_kahan": (dict(name="l63"), 0.01, "e5m10", "nearest_even", 0, True, None),
    "l63_bfloat16_sr_kahan": (dict(name="l63"), 0.01, "bfloat16", "stochastic", 9, True, None),
    "l63_fp32_tendencies_fp16_rn": (dict(name="l63"), 0.01, "binary32", "nearest_even", 0,
                                    False, "fp16"),
    # overflows (e4m3fn has no infinity: NaN) -> an unstable run, NaN samples after it
    "l63_e4m3fn_rn": (dict(name="l63"), 0.01, "float8_e4m3fn", "nearest_even", 0, False,
                      None),
    "l96_double": (dict(name="l96", K=10), 0.005, None, None, 0, False, None),
    "l96_e5m10_rn": (dict(name="l96", K=10), 0.005, "e5m10", "nearest_even", 0, False, None),
    "l96_bfloat16_sr": (dict(name="l96", K=10), 0.005, "bfloat16", "stochastic", 4, False,
                        None),
    "l96_e5m10_sr_kahan": (dict(name="l96", K=10), 0.005, "e5m10", "stochastic", 2, True,
                           None),
    "l96x2_double": (dict(name="l96", K=6, J=4), 0.005, None, None, 0, False, None),
    "l96x2_bfloat16_rn": (dict(name="l96", K=6, J=4), 0.005, "bfloat16", "nearest_even", 0,
                          False, None),
    "l96x2_e5m10_sr": (dict(name="l96", K=6, J=4), 0.005, "e5m10", "stochastic", 8, False,
                       None),
    "l96x2_fp32_tendencies_bf16_sr": (dict(name="l96", K=6, J=4), 0.005, "binary32",
                                      "stochastic", 6, False, "bfloat16"),
}

#: heat: length and output interval [years] of every run (default column)
H_YEARS, H_EVERY = 0.05, 0.01

#: name -> (format, rounding, seed, compensated, extra params)
HEAT = {
    "double": (None, "nearest_even", 0, False, {}),
    "double_long": (None, "nearest_even", 0, False, {"years": 2.0, "output_every": 0.5}),
    "fp16_rn": ("fp16", "nearest_even", 0, False, {}),
    "fp16_sr": ("fp16", "stochastic", 3, False, {}),
    "e11m10_sr": ("e11m10", "stochastic", 12, False, {}),
    "fp16_rn_kahan": ("fp16", "nearest_even", 0, True, {}),
    "fp16_sr_kahan": ("fp16", "stochastic", 5, True, {}),
    "bfloat16_rn_coarse": ("bfloat16", "nearest_even", 0, False,
                           {"dt": 86400.0, "depth": 20.0, "years": 0.5, "output_every": 0.1}),
}


def lorenz_run(system_kw, dt, fmt, rounding, seed, compensated, tendencies):
    system = lorenz.make_system(**system_kw)
    policy = None
    if fmt is not None:
        comps = None if tendencies is None else {"tendencies": tendencies}
        policy = Policy(fmt, rounding=rounding, seed=seed, components=comps)
    ds = lorenz.simulate(system, members=L_MEMBERS, time=L_TIME, dt=dt, spinup=L_SPINUP,
                         sample_every=L_EVERY, seed=L_SEED, policy=policy,
                         compensated=compensated)
    samples = np.concatenate([ds[v].values.reshape(ds.sizes["time"], -1, L_MEMBERS)
                              for v in system.names], axis=1)
    settings = {"members": L_MEMBERS, "time_units": L_TIME, "spinup": L_SPINUP,
                "sample_every": L_EVERY, "ic_seed": L_SEED, "dt": dt,
                "system": system_kw["name"], "K": system_kw.get("K", 0),
                "J": system_kw.get("J", 0), "format": fmt or "", "rounding": rounding or "",
                "seed": seed, "compensated": compensated, "tendencies": tendencies or ""}
    return {"time": ds["time"].values, "samples": samples,
            **{k: np.array(v) for k, v in settings.items()}}


def heat_run(fmt, rounding, seed, compensated, extra):
    extra = dict(extra)
    years = extra.pop("years", H_YEARS)
    every = extra.pop("output_every", H_EVERY)
    ds = heat.simulate(fmt, rounding, years=years, seed=seed, output_every=every,
                       compensated=compensated, **extra)
    settings = {"years": years, "output_every": every, "format": fmt or "",
                "rounding": rounding, "seed": seed, "compensated": compensated, **extra}
    return {"time": ds["time"].values, "T": ds["T"].values,
            **{k: np.array(v) for k, v in settings.items()}}


def main(folder):
    for name, spec in LORENZ.items():
        np.savez_compressed(f"{folder}/lorenz_{name}.npz", **lorenz_run(*spec))
        print("lorenz", name)
    for name, spec in HEAT.items():
        np.savez_compressed(f"{folder}/heat_{name}.npz", **heat_run(*spec))
        print("heat", name)


if __name__ == "__main__":
    import os
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
