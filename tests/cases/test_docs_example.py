"""The complete small case in docs/cases.md runs as written and follows the contract."""
import re
from pathlib import Path

import numpy as np

import numprec
from numprec.emulate import Policy

DOC = Path(__file__).resolve().parents[2] / "docs" / "cases.md"


def code_blocks():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_example_case_runs_and_follows_the_contract():
    blocks = code_blocks()
    namespace = {}
    exec(compile(blocks[1], str(DOC), "exec"), namespace)      # the case
    exec(compile(blocks[2], str(DOC), "exec"), namespace)      # running it
    case = namespace["CASE"]
    assert case.components == ("forces", "time_stepping")
    double, mixed = namespace["double"], namespace["mixed"]
    assert double["x"].dims == ("member", "time") and double.sizes["time"] == 100
    # oracle: forward Euler written out with numpy (double) and numprec.round (mixed)
    p = case.parameters()
    x0 = np.random.default_rng(1).normal(size=8)
    x, v = x0.copy(), np.zeros(8)
    r32 = lambda a: numprec.round(a, "binary32")               # noqa: E731
    r16 = lambda a: numprec.round(a, "fp16")                   # noqa: E731
    xm, vm = r32(x0), r32(np.zeros(8))
    w2, d = p.omega * p.omega, 2.0 * p.zeta * p.omega
    for k in range(1, p.steps + 1):
        a = -w2 * x - d * v
        x, v = x + p.dt * v, v + p.dt * a
        am = r16(r16(-r16(w2) * r16(xm)) - r16(r16(d) * r16(vm)))
        xm, vm = r32(xm + r32(r32(p.dt) * vm)), r32(vm + r32(r32(p.dt) * am))
        if k % p.every == 0:
            assert np.array_equal(double["x"].values[:, k // p.every - 1], x)
            assert np.array_equal(mixed["x"].values[:, k // p.every - 1], xm)
    assert not np.array_equal(mixed["x"].values, double["x"].values)
    assert case.build(omega=2.0).forces.omega == 2.0
    Policy("fp16").check_components(case.components)
