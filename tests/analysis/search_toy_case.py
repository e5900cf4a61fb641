"""A synthetic case for the precision search whose answer is known by construction.

The output is ``s(t) = t + A + B`` with ``A = (1 + da) - 1`` computed in
component "a" and ``B = (1 + db) - 1`` in component "b" (see
tests/analysis/test_search.py).  Every member starts from the same state.
"""
import dataclasses

import numpy as np
import xarray as xr

from numprec import emulate


@dataclasses.dataclass(frozen=True)
class ToyParams:
    da: float = 2.0 ** -9
    db: float = 2.0 ** -4
    steps: int = 4


class ToyCase:
    name = "toy_search"
    description = "s = t + ((1 + da) - 1) + ((1 + db) - 1)"
    parameters = ToyParams
    components = ("a", "b")
    variables = ("s",)

    def run(self, params, policy, *, members, ic_seed):
        p = ToyParams(**params)

        def term(name, d):
            with emulate.component(name) if policy is not None else _nothing():
                pol = emulate.current()
                one = np.ones(members) if pol is None else pol.asarray(np.ones(members))
                return emulate.to_numpy((one + d) - one) if pol is not None else (one + d) - one

        out = np.empty((members, p.steps))
        with policy if policy is not None else _nothing():
            for k in range(p.steps):
                out[:, k] = k + term("a", p.da) + term("b", p.db)
        return xr.Dataset({"s": (("member", "time"), out, {"units": "m"})},
                          coords={"time": ("time", np.arange(p.steps), {"units": "s"})})


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


TOY = ToyCase()
