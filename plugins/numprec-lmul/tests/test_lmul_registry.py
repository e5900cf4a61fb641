"""The schemes are found through the entry point and used by numprec.emulate."""
import importlib.metadata
import subprocess
import sys

import numpy as np

import numprec
from numprec_lmul import LMul, lmul


def test_entry_point_and_registered_names():
    eps = importlib.metadata.entry_points(group="numprec")
    assert "numprec_lmul.names" in {ep.value for ep in eps}    # declared names: lazy loading
    names = numprec.list_arithmetics()
    assert {"lmul", "lmul3", "lmul4", "lmul7"} <= set(names)
    assert numprec.get_arithmetic("lmul4") == LMul(4)
    assert not [e for e in numprec.plugin_errors() if "lmul" in e]


def test_command_line_lists_the_schemes():
    run = subprocess.run([sys.executable, "-m", "numprec", "formats"], capture_output=True,
                         text=True, check=True)
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("arithmetic schemes")][0]
    assert "lmul" in line and "lmul4" in line


def test_emulated_products_are_rounded_lmul_products():
    from numprec import emulate

    rng = np.random.default_rng(1)
    fmt = numprec.FloatFormat(8, 4)
    x = numprec.round(rng.uniform(-4, 4, 200), fmt)
    y = numprec.round(rng.uniform(-4, 4, 200), fmt)
    policy = emulate.Policy(fmt, arithmetic="lmul", seed=0)
    got = emulate.to_numpy(policy.asarray(x) * policy.asarray(y))
    assert np.array_equal(got, numprec.round(lmul(x, y, 4), fmt))
    # a matmul whose inner dimension is 1 is one product per output
    a, b = x[:10].reshape(10, 1), y[:7].reshape(1, 7)
    got = emulate.to_numpy(policy.asarray(a) @ policy.asarray(b))
    assert np.array_equal(got, numprec.round(lmul(a, b, 4), fmt))


def test_declared_names_are_the_registered_ones():
    from numprec_lmul import names, plugin
    assert names.PLUGIN == plugin.__name__
    assert sorted(e.name for e in plugin.numprec_arithmetics()) == sorted(names.ARITHMETICS)
