"""The SPEEDY-style spectral transform against independent oracles.

Oracles: SciPy's spherical-harmonic Legendre functions (normalised so that
int |Y|^2 dOmega = 1, with the Condon-Shortley phase: Pbar_l^m = (-1)^m sqrt(2 pi)
times SciPy's, Pbar^2 integrating to 1 over [-1, 1]), SciPy's Gauss-Legendre
roots, exact polynomial integrals, and analytic fields (spherical harmonics
evaluated by SciPy; solid-body rotation).
"""
import numpy as np
import pytest
from scipy.special import roots_legendre, sph_legendre_p_all

from numprec.cases.speedy.gaussian import gaussian_latitudes
from numprec.cases.speedy.legendre import legendre_table
from numprec.cases.speedy.transform import SpectralTransform, default_grid

RESOLUTIONS = [(21, 32, 64), (30, 48, 96)]


def scipy_legendre(lmax, mu):
    """Pbar_l^m(mu)[l, m] from SciPy in our normalisation (no CS phase)."""
    p = sph_legendre_p_all(lmax, lmax, np.arccos(mu))[0]      # (l, 2m+1, j)
    m = np.arange(lmax + 1)
    return p[:, : lmax + 1] * ((-1.0) ** m)[None, :, None] * np.sqrt(2 * np.pi)


def harmonic(st, l, m):
    """Real part of Pbar_l^m(mu) e^{i m lambda} on the grid (from SciPy)."""
    pbar = scipy_legendre(l, st.mu)[l, m]
    lam = np.radians(st.longitudes)
    return pbar[:, None] * np.cos(m * lam)[None, :]


@pytest.mark.parametrize("nlat", [32, 48, 64])
def test_gaussian_latitudes_match_scipy_and_integrate_polynomials(nlat):
    mu, w = gaussian_latitudes(nlat)
    x, _ = roots_legendre(nlat)
    assert np.all(np.diff(mu) < 0)
    np.testing.assert_array_equal(mu, -mu[::-1])
    np.testing.assert_allclose(np.sort(mu), x, rtol=0, atol=4e-16)
    assert abs(w.sum() - 2) <= 1e-14
    for k in range(0, 2 * nlat, 2):                          # int mu^k = 2/(k+1)
        assert abs(np.dot(w, mu ** k) - 2.0 / (k + 1)) <= 1e-14


@pytest.mark.parametrize("trunc, nlat, nlon", RESOLUTIONS)
def test_quadrature_orthonormality(trunc, nlat, nlon):
    mu, w = gaussian_latitudes(nlat)
    P = legendre_table(trunc, trunc + 1, mu)
    worst = 0.0
    for m in range(trunc + 1):
        k = trunc + 2 - m
        gram = (P[m, :k] * w) @ P[m, :k].T
        worst = max(worst, np.abs(gram - np.eye(k)).max())
    assert worst <= 1e-14


@pytest.mark.parametrize("trunc", [21, 30])
def test_legendre_recursion_matches_scipy(trunc):
    mu = np.linspace(-0.999, 0.999, 41)
    P = legendre_table(trunc, trunc + 1, mu)
    ref = scipy_legendre(trunc + 1, mu)
    for m in range(trunc + 1):
        for n in range(trunc + 2 - m):
            np.testing.assert_allclose(P[m, n], ref[m + n, m], rtol=0, atol=3e-14)
        assert np.all(P[m, trunc + 2 - m:] == 0)


def test_legendre_hemispheric_symmetry():
    mu = np.linspace(0.01, 0.99, 9)
    P, Q = legendre_table(12, 13, mu), legendre_table(12, 13, -mu)
    n = np.arange(14)
    np.testing.assert_allclose(Q, P * ((-1.0) ** n)[None, :, None], rtol=1e-14, atol=1e-15)


def test_default_grids_are_speedys():
    assert default_grid(21) == (32, 64)
    assert default_grid(30) == (48, 96)


def test_grid_that_aliases_is_refused():
    with pytest.raises(ValueError, match="alias free"):
        SpectralTransform(30, 32, 64)
    with pytest.raises(ValueError, match="trunc"):
        SpectralTransform(0)
    with pytest.raises(ValueError, match="fourier"):
        SpectralTransform(21, fourier="slow")


def random_spectral(st, shape, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape + st.spectral_shape) * st.tables["mask_scalar"]
    a[..., 1, 0, :] = 0.0                                    # m = 0 coefficients are real
    return a


@pytest.mark.parametrize("trunc, nlat, nlon", RESOLUTIONS)
def test_round_trip(trunc, nlat, nlon):
    st = SpectralTransform(trunc)
    a = random_spectral(st, (2, 3))
    grid = st.synthesis(a)
    assert grid.shape == (2, 3, nlat, nlon)
    back = st.analysis(grid)
    assert np.abs(back - a).max() <= 1e-13 * np.abs(a).max()


@pytest.mark.parametrize("trunc, nlat, nlon", RESOLUTIONS)
def test_synthesis_is_the_harmonic_sum(trunc, nlat, nlon):
    st = SpectralTransform(trunc)
    a = np.zeros(st.spectral_shape)
    a[0, 3, 4] = 0.7                                        # l = 7, m = 3, real part
    a[1, 5, 2] = -0.4                                       # l = 7, m = 5, imaginary part
    a[0, 0, 6] = 1.3                                        # l = 6, m = 0
    lam = np.radians(st.longitudes)[None, :]
    ref = scipy_legendre(7, st.mu)
    expect = (2 * 0.7 * ref[7, 3][:, None] * np.cos(3 * lam)
              - 2 * (-0.4) * ref[7, 5][:, None] * np.sin(5 * lam)
              + 1.3 * ref[6, 0][:, None])
    np.testing.assert_allclose(st.synthesis(a), expect, rtol=0, atol=1e-14)


@pytest.mark.parametrize("l, m", [(1, 0), (2, 1), (7, 3), (20, 12), (21, 21)])
def test_laplacian_eigenvalues(l, m):
    """Y_l^m (from SciPy) analyses to one coefficient, and the Laplacian of
    it is -l(l+1) Y_l^m (round-off noise of the other coefficients is
    amplified by up to T(T+1), hence the grid tolerance)."""
    st = SpectralTransform(21)
    y = harmonic(st, l, m)
    a = st.truncate(st.analysis(y))
    unit = np.zeros(st.spectral_shape)
    unit[0, m, l - m] = 1.0 if m == 0 else 0.5
    np.testing.assert_allclose(a, unit, rtol=0, atol=1e-14)
    lap = st.laplacian(a)
    assert lap[0, m, l - m] == -l * (l + 1) * a[0, m, l - m]
    np.testing.assert_allclose(st.synthesis(lap), -l * (l + 1) * y, rtol=0,
                               atol=3e-14 * 21 * 22 * np.abs(y).max())
    inv = st.synthesis(st.inverse_laplacian(a))
    np.testing.assert_allclose(inv, -y / (l * (l + 1)), rtol=0, atol=1e-14)


def test_inverse_laplacian_drops_the_mean():
    st = SpectralTransform(21)
    a = random_spectral(st, ())
    b = st.inverse_laplacian(st.laplacian(a))
    a[0, 0, 0] = 0.0
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-15)


@pytest.mark.parametrize("trunc", [21, 30])
def test_solid_body_rotation(trunc):
    """zeta = 2 omega sin(lat) is the vorticity of u = omega a cos(lat), v = 0."""
    st = SpectralTransform(trunc)
    omega = 7.292e-5
    mu = st.mu
    coslat = np.sqrt(1 - mu ** 2)[:, None]
    zeta = np.broadcast_to((2 * omega * mu)[:, None], st.grid_shape)
    vor = st.truncate(st.analysis(zeta))
    U, V = st.uv_cos(vor, np.zeros_like(vor))
    np.testing.assert_allclose(U / coslat, omega * coslat * np.ones(st.nlon), rtol=0,
                               atol=1e-13 * omega)
    np.testing.assert_allclose(V, 0, rtol=0, atol=1e-13 * omega)
    curl, div = st.curl_div(U, V)
    np.testing.assert_allclose(curl, vor, rtol=0, atol=1e-13 * omega)
    np.testing.assert_allclose(div, 0, rtol=0, atol=1e-13 * omega)


def test_winds_of_random_vorticity_and_divergence_give_them_back():
    st = SpectralTransform(21)
    vor, div = random_spectral(st, (2,), seed=1), random_spectral(st, (2,), seed=2)
    vor[..., 0, 0, 0] = div[..., 0, 0, 0] = 0.0               # no global mean
    U, V = st.uv_cos(vor, div)
    curl, back = st.curl_div(U, V)
    scale = np.abs(vor).max()
    np.testing.assert_allclose(curl, vor, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(back, div, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(st.divergence(U, V), div, rtol=0, atol=1e-13 * scale)


def test_gradient_of_an_analytic_field():
    """f = sin(lat) cos(lat) cos(lon): (1/cos) df/dlon = -sin(lat) sin(lon),
    df/dlat = cos(2 lat) cos(lon)."""
    st = SpectralTransform(30)
    phi = np.arcsin(st.mu)[:, None]
    lam = np.radians(st.longitudes)[None, :]
    f = np.sin(phi) * np.cos(phi) * np.cos(lam)
    gx, gy = st.grid_gradient(st.truncate(st.analysis(f)))
    np.testing.assert_allclose(gx, -np.sin(phi) * np.sin(lam), rtol=0, atol=3e-14)
    np.testing.assert_allclose(gy, np.cos(2 * phi) * np.cos(lam), rtol=0, atol=3e-14)


def test_divergence_of_a_gradient_is_the_laplacian():
    st = SpectralTransform(21)
    a = random_spectral(st, (3,), seed=4)
    gx, gy = st.grid_gradient(a)
    coslat = np.sqrt(1 - st.mu ** 2)[:, None]
    div = st.divergence(gx * coslat, gy * coslat)
    lap = st.laplacian(a)
    np.testing.assert_allclose(div, lap, rtol=0, atol=1e-14 * np.abs(lap).max())


def test_bad_shapes_are_refused():
    st = SpectralTransform(21)
    with pytest.raises(ValueError, match="spectral array"):
        st.synthesis(np.zeros((2, 22, 22)))
    with pytest.raises(ValueError, match="grid array"):
        st.analysis(np.zeros((32, 60)))


@pytest.mark.parametrize("fourier", ["dft", "fft"])
@pytest.mark.parametrize("fmt, tol", [("binary64", 1e-13), ("e11m23", 2e-6), ("e11m10", 1e-2)])
def test_same_code_runs_under_emulation(fmt, tol, fourier):
    """Tables converted once under the policy; the round trip stays within a
    few units of the format's precision (Legendre sums by rounded matmul,
    Fourier step by numprec's rounded FFT or the rounded DFT)."""
    from numprec.emulate import EmulatedArray, Policy, to_numpy
    st = SpectralTransform(21, fourier=fourier)
    policy = Policy(fmt, seed=3)
    emulated = st.under(policy)
    assert isinstance(emulated.tables["synth_even"], EmulatedArray)
    a = random_spectral(st, (2,), seed=5)
    with policy:
        grid = emulated.synthesis(policy.asarray(a))
        back = emulated.analysis(grid)
    assert isinstance(back, EmulatedArray)
    assert np.abs(to_numpy(back) - a).max() <= tol * np.abs(a).max()


@pytest.mark.parametrize("piece", [1, 3 * 32 * 64, 7 * 32 * 64])
def test_pieces_give_the_values_of_one_call_under_round_to_nearest(piece):
    """A batch cut into pieces (``piece`` grid values each) transforms to
    the same values as one call (the reference: ``piece`` larger than the
    batch), bit for bit under round to nearest, and keeps its shape."""
    from numprec.emulate import Policy, to_numpy
    policy = Policy("e11m10", seed=3)
    whole = SpectralTransform(21, piece=2 ** 30).under(policy)
    cut = SpectralTransform(21, piece=piece).under(policy)
    st = SpectralTransform(21)
    a = policy.asarray(random_spectral(st, (2, 5), seed=7))
    g = policy.asarray(np.random.default_rng(8).standard_normal((2, 5) + st.grid_shape))
    with policy:
        grid, ref_grid = cut.synthesis(a), whole.synthesis(a)
        spec, ref_spec = cut.analysis(g), whole.analysis(g)
    assert grid.shape == (2, 5) + st.grid_shape and spec.shape == (2, 5) + st.spectral_shape
    np.testing.assert_array_equal(to_numpy(grid), to_numpy(ref_grid))
    np.testing.assert_array_equal(to_numpy(spec), to_numpy(ref_spec))


def test_bad_piece_is_refused():
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="piece"):
            SpectralTransform(21, piece=bad)


@pytest.mark.parametrize("fmt, tol, tol_lap", [("binary64", 6e-14, 2e-12),
                                               ("e11m23", 4e-6, 1e-4)])
def test_gradient_and_divergence_of_analytic_fields_under_emulation(fmt, tol, tol_lap):
    """The degree-shift operators (cos d/dmu and its adjoint) on emulated
    arrays: the gradient of f = sin(lat) cos(lat) cos(lon) is
    (-sin(lat) sin(lon), cos(2 lat) cos(lon)), and div(grad f) = lap f =
    -6 f (f is a degree-2 harmonic).  Measured: binary64 3e-14 / 6e-13 (the
    divergence divides by cos^2 near the poles), e11m23 1.5e-6 / 3.6e-5."""
    from numprec.emulate import Policy, to_numpy
    st = SpectralTransform(30)
    policy = Policy(fmt, seed=3)
    low = st.under(policy)
    phi = np.arcsin(st.mu)[:, None]
    lam = np.radians(st.longitudes)[None, :]
    f = np.sin(phi) * np.cos(phi) * np.cos(lam)
    with policy:
        a = low.truncate(low.analysis(policy.asarray(f)))
        gx, gy = low.grid_gradient(a)
        coslat = policy.asarray(np.sqrt(1 - st.mu ** 2)[:, None])
        lap = low.synthesis(low.divergence(gx * coslat, gy * coslat))
    np.testing.assert_allclose(to_numpy(gx), -np.sin(phi) * np.sin(lam), rtol=0, atol=tol)
    np.testing.assert_allclose(to_numpy(gy), np.cos(2 * phi) * np.cos(lam), rtol=0, atol=tol)
    np.testing.assert_allclose(to_numpy(lap), -6.0 * f, rtol=0, atol=tol_lap)


def test_transforms_run_under_the_spectral_transform_component():
    """Inside an e11m10 policy whose spectral_transform component is
    binary64, synthesis and analysis compute in binary64: they agree with
    the double transform of the same values to round-off (e11m10
    arithmetic would be ~1e-3 off)."""
    from numprec.emulate import Policy, to_numpy
    st = SpectralTransform(21)
    policy = Policy("e11m10", seed=3, components={"spectral_transform": "binary64"})
    low = st.under(policy.component("spectral_transform"))
    a = policy.asarray(random_spectral(st, (2,), seed=9))
    g = policy.asarray(np.random.default_rng(10).standard_normal((2,) + st.grid_shape))
    with policy:
        grid = to_numpy(low.synthesis(a))
        spec = to_numpy(low.analysis(g))
    ref_grid, ref_spec = st.synthesis(to_numpy(a)), st.analysis(to_numpy(g))
    assert np.abs(grid - ref_grid).max() <= 1e-13 * np.abs(ref_grid).max()
    assert np.abs(spec - ref_spec).max() <= 1e-13 * np.abs(ref_spec).max()


def test_a_policy_that_rounds_nothing_is_not_cut_in_pieces():
    """Under e11m52 (binary64 on float64: numpy's own products) a batch
    larger than ``piece`` is transformed in one call, so it equals the plain
    double transform bit for bit (pieces would change BLAS's partition)."""
    from numprec.emulate import Policy, to_numpy
    st = SpectralTransform(21, piece=2 * 32 * 64)
    policy = Policy("e11m52", seed=3)
    low = st.under(policy)
    a = random_spectral(st, (3, 4), seed=11)
    g = np.random.default_rng(12).standard_normal((3, 4) + st.grid_shape)
    with policy:
        grid = to_numpy(low.synthesis(policy.asarray(a)))
        spec = to_numpy(low.analysis(policy.asarray(g)))
    np.testing.assert_array_equal(grid, st.synthesis(a))
    np.testing.assert_array_equal(spec, st.analysis(g))


def test_e11m52_steps_of_a_five_member_batch_equal_double():
    """Three Held-Suarez steps of 5 members at T21 (a batch the emulated
    transforms would cut in pieces, with the forcing's synthesis merged into
    the model's on rounding policies) under e11m52 equal the double steps
    bit for bit."""
    from numprec.cases.speedy.heldsuarez import HeldSuarez
    from numprec.cases.speedy.primitive import PrimitiveEquationModel
    from numprec.emulate import Policy, to_numpy
    model = PrimitiveEquationModel.build(21, forcing=HeldSuarez())
    previous, current = model.initial_state(5, 0, spinup_steps=2).pair()
    m = model.under(None)
    p, c = previous, current
    for _ in range(3):
        p, c = m.leapfrog(p, c)
    policy = Policy("e11m52", seed=3)
    low = model.under(policy)
    pe = {k: policy.asarray(v) for k, v in previous.items()}
    ce = {k: policy.asarray(v) for k, v in current.items()}
    with policy:
        for _ in range(3):
            pe, ce = low.leapfrog(pe, ce)
    for k in c:
        np.testing.assert_array_equal(to_numpy(ce[k]), c[k], err_msg=k)


def test_merged_forcing_synthesis_gives_the_separate_values_under_round_to_nearest():
    """The model's synthesis with the forcing's fields appended (``extra``)
    gives, bit for bit under e11m10 round to nearest, the grids of the two
    separate syntheses (the reference: the forcing's own synthesis)."""
    from numprec.cases.speedy.heldsuarez import HeldSuarez
    from numprec.cases.speedy.primitive import PrimitiveEquationModel
    from numprec.emulate import Policy, to_numpy
    model = PrimitiveEquationModel.build(21, forcing=HeldSuarez())
    previous, current = model.initial_state(2, 0, spinup_steps=2).pair()
    policy = Policy("e11m10", seed=3)
    low = model.under(policy)
    pe = {k: policy.asarray(v) for k, v in previous.items()}
    ce = {k: policy.asarray(v) for k, v in current.items()}
    with policy:
        extra = low.forcing.grid_inputs(pe)
        merged = low.grid_fields(ce, extra)
        alone = low.grid_fields(ce)
        separate = low.spectral_transform.synthesis(extra)
    assert merged["extra"].shape == (2, 9) + model.spectral_transform.grid_shape
    np.testing.assert_array_equal(to_numpy(merged["extra"]), to_numpy(separate))
    for k in alone:
        np.testing.assert_array_equal(to_numpy(merged[k]), to_numpy(alone[k]), err_msg=k)
