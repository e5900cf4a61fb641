"""Arithmetic schemes replace products (``*``, ``np.square``, dot, matmul).

The toy scheme here multiplies and then adds one unit in the 4th bit of the
exact product, so its results are easy to tell from exact products; the
oracle is that product rounded with numprec.round.
"""
import numpy as np
import pytest

import numprec
from numprec.emulate import Policy
from numprec.registry import manager

RNG = np.random.default_rng(11)


class Bumped:
    """a*b*(1 + 2**-4): a deliberately wrong multiply."""

    name = "bumped"

    def __init__(self):
        self.formats = []

    def multiply(self, a, b, fmt):
        self.formats.append(fmt)
        return a * b * (1 + 2.0 ** -4)


class TwoArgs:
    def multiply(self, a, b):
        return np.trunc(a * b)


def bumped(a, b, fmt, rounding="nearest_even", seed=0, stream=0):
    return numprec.round(a * b * (1 + 2.0 ** -4), fmt, rounding, seed=seed, stream=stream)


def test_scheme_replaces_multiply_and_square():
    a = numprec.round(RNG.normal(size=30), "bf16")
    b = numprec.round(RNG.normal(size=30), "bf16")
    scheme = Bumped()
    p = Policy("bf16", rounding="stochastic", seed=1, arithmetic=scheme)
    x, y = p.constant(a), p.constant(b)
    np.testing.assert_array_equal((x * y).to_numpy(), bumped(a, b, "bf16", "stochastic", 1, 0))
    np.testing.assert_array_equal((2.5 * x).to_numpy(),
                                  bumped(2.5, a, "bf16", "stochastic", 1, 1))
    np.testing.assert_array_equal(np.square(x).to_numpy(),
                                  bumped(a, a, "bf16", "stochastic", 1, 2))
    x *= y
    np.testing.assert_array_equal(x.to_numpy(), bumped(a, b, "bf16", "stochastic", 1, 3))
    assert scheme.formats[0] == numprec.get_format("bf16")
    # other operations are unchanged
    np.testing.assert_array_equal((p.constant(a) + y).to_numpy(), numprec.round(a + b, "bf16",
                                  "stochastic", seed=1, stream=4))
    assert p.arithmetic == "bumped" and "bumped" in p.name


def test_scheme_products_inside_matmul_then_rounded_accumulation():
    a = numprec.round(RNG.normal(size=(2, 5)), "fp16")
    b = numprec.round(RNG.normal(size=(5, 3)), "fp16")
    p = Policy("fp16", seed=0, arithmetic=Bumped())
    got = (p.constant(a) @ p.constant(b)).to_numpy()
    want = np.empty((2, 3))
    for i in range(2):
        for j in range(3):
            prods = [bumped(a[i, k], b[k, j], "fp16") for k in range(5)]
            s = prods[0]
            for t in prods[1:]:
                s = numprec.round(s + t, "fp16")
            want[i, j] = s
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.dot(p.constant(a), p.constant(b)).to_numpy(), want)


def test_two_argument_schemes_are_accepted():
    a = np.array([1.5, 2.5, -3.25])
    p = Policy("fp16", seed=0, arithmetic=TwoArgs())
    np.testing.assert_array_equal((p.constant(a) * 1.5).to_numpy(), np.trunc(a * 1.5))


def test_check_format_can_refuse_a_compute_format():
    class OnlyBf16(Bumped):
        def check_format(self, fmt):
            if fmt != numprec.get_format("bf16"):
                raise ValueError(f"only bf16, not {fmt.name}")

    Policy("bf16", arithmetic=OnlyBf16())
    with pytest.raises(ValueError, match="only bf16"):
        Policy("fp16", arithmetic=OnlyBf16())


def test_bad_scheme_results_are_reported():
    class WrongShape:
        def multiply(self, a, b, fmt):
            return np.zeros(1)

    p = Policy("fp16", seed=0, arithmetic=WrongShape())
    with pytest.raises(ValueError, match="shape"):
        p.constant(np.ones(3)) * 2.0


def test_scheme_found_through_the_registry_hook(monkeypatch):
    class Plugin:
        @numprec.hookimpl
        def numprec_arithmetics(self):
            return [numprec.ArithmeticEntry("bumped_test", Bumped())]

    monkeypatch.setattr(manager, "_registry",
                        manager.Registry(entry_points=False, plugins=[("toy", Plugin())]))
    assert "bumped_test" in numprec.list_arithmetics()
    p = Policy("bf16", seed=0, arithmetic="bumped_test")
    a = numprec.round(RNG.normal(size=8), "bf16")
    np.testing.assert_array_equal((p.constant(a) * p.constant(a)).to_numpy(),
                                  bumped(a, a, "bf16"))
    assert p.get_config()["arithmetic"] == "bumped_test"
    with pytest.raises(Exception, match="no_such_scheme"):
        Policy("bf16", arithmetic="no_such_scheme")
