"""Paxton et al. (2022)'s transform-input rescaling (``SpectralTransform(rescale=...)``).

References: the double-precision transform (for the accuracy of the
rescaled transform under emulation) and the factor computed by hand.
"""
import numpy as np
import pytest

import numprec
from numprec.cases.speedy.heldsuarez import HeldSuarez
from numprec.cases.speedy.primitive import PrimitiveEquationModel
from numprec.cases.speedy.transform import SpectralTransform
from numprec.emulate import Policy, to_numpy


def _spectral(st, amplitude, seed=0, lead=(3,)):
    rng = np.random.default_rng(seed)
    return st.truncate(rng.standard_normal(lead + st.spectral_shape)) * amplitude


def _grid(st, amplitude, seed=1, lead=(3,)):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(lead + st.grid_shape) * amplitude


def _rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("amplitude", [1e-6, 1.0, 3e4])
def test_rescaled_transforms_equal_the_plain_ones_in_double(amplitude):
    plain = SpectralTransform(21)
    scaled = SpectralTransform(21, rescale=100.0)
    spec, grid = _spectral(plain, amplitude), _grid(plain, amplitude)
    assert _rel(scaled.synthesis(spec), plain.synthesis(spec)) < 1e-14
    assert _rel(scaled.analysis(grid), plain.analysis(grid)) < 1e-14
    U, V = plain.uv_cos(spec[0], spec[1])
    Us, Vs = scaled.uv_cos(spec[0], spec[1])
    assert _rel(Us, U) < 1e-14 and _rel(Vs, V) < 1e-14


def test_factor_is_target_over_the_largest_magnitude_in_double():
    st = SpectralTransform(21, rescale=100.0)
    spec = np.zeros((2,) + st.spectral_shape)
    spec[0, 0, 3, 1] = 0.37
    spec[1, 1, 5, 2] = -0.73                       # the largest magnitude
    assert st.rescale_factor(spec) == 100.0 / 0.73
    pol = Policy("e11m10", seed=1)
    x = pol.asarray(spec)
    # from the plain values of the emulated input: -0.73 rounded to 10 bits
    assert st.rescale_factor(x) == 100.0 / abs(float(numprec.round(-0.73, "e11m10")))
    assert isinstance(st.rescale_factor(x), float)
    assert st.rescale_factor(np.zeros_like(spec)) is None        # zero input: no scaling
    assert SpectralTransform(21).rescale_factor(spec) is None      # off


def test_rescaled_transform_is_one_rounded_multiply_and_divide_under_a_policy():
    """Reference from numprec.round: the input times the double factor
    rounded once to e11m10, the unscaled emulated transform, the output
    divided by the double factor rounded once (round to nearest)."""
    pol = Policy("e11m10", seed=1)
    base = SpectralTransform(21)
    values = to_numpy(pol.asarray(_spectral(base, 1e-5)))
    f = 100.0 / float(np.max(np.abs(values)))
    plain = base.under(pol)
    scaled = SpectralTransform(21, rescale=100.0).under(pol)
    with pol:
        got = to_numpy(scaled.synthesis(pol.asarray(values)))
        inner = to_numpy(plain.synthesis(pol.asarray(numprec.round(values * f, "e11m10"))))
    np.testing.assert_array_equal(got, numprec.round(inner / f, "e11m10"))
    assert float(np.max(np.abs(numprec.round(values * f, "e11m10")))) == 100.0


@pytest.mark.parametrize("kind, amplitude, bound, gain", [("synthesis", 1e-6, 5e-3, 10),
                                                         ("analysis", 1e-4, 1e-2, 5)])
def test_rescaling_keeps_tiny_fields_accurate_in_e5m10(kind, amplitude, bound, gain):
    """Tiny fields in e5m10 (smallest normal 6.1e-5): unscaled, the
    intermediate sums are subnormal and keep few bits; rescaled to 100 the
    transform is accurate to about e5m10's 2^-11 per operation (the
    analysis output itself, max 8e-6, is still partly subnormal).  Both are
    compared with the double transform of the same (rounded) input values.
    Measured (T21, 3 fields): synthesis of 1e-6 coefficients 2.5e-2
    unscaled, 1.2e-3 rescaled; analysis of a 1e-4 grid 3.1e-2 and 4.2e-3."""
    pol = Policy("e5m10", seed=1)
    base = SpectralTransform(21)
    plain = base.under(pol)
    scaled = SpectralTransform(21, rescale=100.0).under(pol)
    data = _spectral(base, amplitude) if kind == "synthesis" else _grid(base, amplitude)
    x = pol.asarray(data)
    exact = getattr(base, kind)(to_numpy(x))
    with pol:
        err_plain = _rel(to_numpy(getattr(plain, kind)(x)), exact)
        err_scaled = _rel(to_numpy(getattr(scaled, kind)(x)), exact)
    assert err_scaled < bound
    assert err_plain > gain * err_scaled


def test_bad_rescale_is_refused():
    for bad in (0.0, -100.0, float("inf"), float("nan"), "100", True):
        with pytest.raises(ValueError, match="rescale"):
            SpectralTransform(21, rescale=bad)


def _two_steps(model, policy, pair):
    previous, current = pair
    if policy is None:
        model = model.under(None)
    else:
        model = model.under(policy)
        previous = {k: policy.asarray(v) for k, v in previous.items()}
        current = {k: policy.asarray(v) for k, v in current.items()}
    for _ in range(2):
        previous, current = model.leapfrog(previous, current)
    return {k: to_numpy(v) for k, v in current.items()}


def test_model_build_passes_rescale_transforms_and_runs_under_a_policy():
    """Two e11m10 steps with the rescaled transforms stay as close to double
    as the unscaled e11m10 steps (measured, largest relative difference
    from double, unscaled / rescaled: vor 9.4e-3 / 8.9e-3, div 1.27e-2 /
    1.18e-2, tem 4.9e-3 / 4.9e-3, from 0.1 K noise at rest)."""
    model = PrimitiveEquationModel.build(21, forcing=HeldSuarez(), rescale_transforms=100.0)
    plain = PrimitiveEquationModel.build(21, forcing=HeldSuarez())
    assert model.spectral_transform.rescale == 100.0
    pol = Policy("e11m10", seed=1)
    assert model.under(pol).spectral_transform.rescale == 100.0
    pair = plain.initial_state(1, 0).pair()
    ref = _two_steps(plain, None, pair)
    with pol:
        low = _two_steps(plain, pol, pair)
        low_scaled = _two_steps(model, pol, pair)
    for k in ("vor", "div", "tem"):
        err, err_scaled = _rel(low[k], ref[k]), _rel(low_scaled[k], ref[k])
        assert 0 < err_scaled < 3 * err, (k, err, err_scaled)
