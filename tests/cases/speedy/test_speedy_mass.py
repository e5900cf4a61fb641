"""The global mass fixer of the SPEEDY-style core (numprec.cases.speedy.mass).

References are independent of the transform's code: analytic means of
exp(k + eps Pbar_1^0) and of constants, and grid values summed directly from
SciPy's spherical Legendre functions at numpy's Gauss-Legendre nodes with
numpy's weights.
"""
import numpy as np
import pytest
from numpy.polynomial.legendre import leggauss
from scipy.special import sph_legendre_p_all

from numprec import emulate
from numprec import verify as nv
from numprec.cases.speedy import SpeedyParameters, SpeedyState, build
from numprec.cases.speedy.case import to_dataset
from numprec.cases.speedy.mass import MassFixer, mean_surface_pressure_excess
from numprec.cases.speedy.restart import load_restart
from numprec.cases.speedy.transform import SpectralTransform
from numprec.emulate import Policy

SQRT2 = np.sqrt(2.0)


@pytest.fixture(scope="module")
def t21():
    return SpectralTransform(21)


def random_lnps(st, lead, seed=0, amplitude=0.05):
    """Random spectral ln p_s, degrees l <= T, a real (0, 0) coefficient."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(tuple(lead) + st.spectral_shape) * amplitude / np.sqrt(st.trunc)
    a = a * (st.degree() <= st.trunc)
    a[..., 1, 0, :] = 0.0                       # m = 0 is real
    a[..., 0, 0, 0] = SQRT2 * rng.uniform(-0.02, 0.02, size=tuple(lead))
    return a


def reference_mean(lnps, trunc, nlat, nlon):
    """Global mean of exp(lnps) per member from SciPy's harmonics on numpy's
    Gauss-Legendre grid (weights sum 2): f = sum_m c_m sum_l Pbar_l^m(mu)
    (re cos m lambda - im sin m lambda), c_0 = 1, c_m = 2."""
    mu, w = leggauss(nlat)
    p = sph_legendre_p_all(trunc, trunc, np.arccos(mu))[0][:, : trunc + 1]   # (l, m, j)
    m = np.arange(trunc + 1)
    pbar = p * ((-1.0) ** m)[None, :, None] * np.sqrt(2.0 * np.pi)
    lam = 2.0 * np.pi * np.arange(nlon) / nlon
    lnps = np.asarray(lnps)
    lead = lnps.shape[:-3]
    f = np.zeros(lead + (nlat, nlon))
    for mm in range(trunc + 1):
        c = 1.0 if mm == 0 else 2.0
        for l in range(mm, trunc + 1):
            re, im = lnps[..., 0, mm, l - mm], lnps[..., 1, mm, l - mm]
            if mm == 0:
                im = np.zeros_like(im)
            zonal = re[..., None] * np.cos(mm * lam) - im[..., None] * np.sin(mm * lam)
            f += c * pbar[l, mm][:, None] * zonal[..., None, :]
    return np.einsum("...ji,j->...", np.exp(f), w) / (2.0 * nlon)


# ----------------------------------------------------------------- analytic references
def test_constant_ln_ps_is_set_to_the_log_of_the_target(t21):
    """lnps = k everywhere: <exp> = e^k, so the fixed (0, 0) coefficient is
    sqrt(2) ln(target)."""
    k = np.array([-0.01, 0.0, 0.03])
    target = np.array([0.995, 1.0, 1.02])
    lnps = np.zeros((3,) + t21.spectral_shape)
    lnps[:, 0, 0, 0] = SQRT2 * k
    out = MassFixer(target - 1.0).under(t21, None).fix(lnps, t21)
    np.testing.assert_allclose(out[:, 0, 0, 0], SQRT2 * np.log(target), rtol=0, atol=2e-16)


@pytest.mark.parametrize("trunc", [21, 30])
def test_zonal_harmonic_mean_is_sinh_b_over_b(trunc):
    """lnps = k + eps Pbar_1^0, Pbar_1^0 = sqrt(3/2) mu: <exp(lnps)> = e^k sinh(b)/b,
    b = eps sqrt(3/2) (the Gaussian quadrature of exp(b mu) is exact to
    round-off for |b| < 1 at 32 or 48 latitudes)."""
    st = SpectralTransform(trunc)
    k, eps, target = 0.004, np.array([0.05, -0.2]), 0.998
    lnps = np.zeros((2,) + st.spectral_shape)
    lnps[:, 0, 0, 0] = SQRT2 * k
    lnps[:, 0, 0, 1] = eps
    b = eps * np.sqrt(1.5)
    mean = np.exp(k) * np.sinh(b) / b
    np.testing.assert_allclose(1.0 + mean_surface_pressure_excess(lnps, st), mean, rtol=2e-15)
    out = MassFixer.at_pressure(target * 1e5).under(st, None).fix(lnps, st)
    expected = SQRT2 * (k + np.log(target / mean))
    np.testing.assert_allclose(out[:, 0, 0, 0], expected, rtol=0, atol=5e-16)


# ----------------------------------------------------------------- random states
def test_fixed_global_mean_equals_the_target_against_scipy(t21):
    lnps = random_lnps(t21, (4,))
    target = np.array([0.99, 1.0, 1.005, 1.03])
    before = reference_mean(lnps, 21, t21.nlat, t21.nlon)
    assert np.max(np.abs(before / target - 1.0)) > 1e-3        # there is something to fix
    out = MassFixer(target - 1.0).under(t21, None).fix(lnps, t21)
    after = reference_mean(out, 21, t21.nlat, t21.nlon)
    np.testing.assert_allclose(after, target, rtol=1.5e-15, atol=0)


def test_only_the_real_l0_coefficient_changes(t21):
    lnps = random_lnps(t21, (3,), seed=1)
    target = np.array([1.01, 0.99, 1.0])
    out = MassFixer(target - 1.0).under(t21, None).fix(lnps, t21)
    changed = out != lnps
    assert changed[:, 0, 0, 0].all()
    changed[:, 0, 0, 0] = False
    assert not changed.any()                                    # all others bit for bit
    mean = reference_mean(lnps, 21, t21.nlat, t21.nlon)
    np.testing.assert_allclose(out[:, 0, 0, 0] - lnps[:, 0, 0, 0],
                               SQRT2 * np.log(target / mean), rtol=0, atol=2e-15)


def test_a_state_at_its_recorded_target_is_unchanged_bit_for_bit(t21):
    """Recorded by the same double quadrature, the computed excess d equals the
    stored one exactly, so c = log1p(0) = 0 and the (0, 0) coefficient gets + 0."""
    lnps = random_lnps(t21, (3,), seed=2)
    fixer = MassFixer.of(lnps, t21)
    out = fixer.fix(lnps, t21)
    assert np.array_equal(out, lnps)
    assert out is not lnps


def test_a_state_at_an_independent_target_moves_by_round_off_only(t21):
    """With the target from the independent reference (a few 1e-16 from the
    grid quadrature), only round-off moves the (0, 0) coefficient."""
    lnps = random_lnps(t21, (3,), seed=3)
    target = reference_mean(lnps, 21, t21.nlat, t21.nlon)
    out = MassFixer(target - 1.0).under(t21, None).fix(lnps, t21)
    assert np.max(np.abs(out[:, 0, 0, 0] - lnps[:, 0, 0, 0])) <= 2e-15


def test_members_are_corrected_independently(t21):
    lnps = random_lnps(t21, (2, 3), seed=4)
    target = np.array([[1.0, 0.99, 1.01], [1.02, 0.98, 1.0]])
    out = MassFixer(target - 1.0).under(t21, None).fix(lnps, t21)
    np.testing.assert_allclose(reference_mean(out, 21, t21.nlat, t21.nlon), target,
                               rtol=3e-15)
    other = target.copy()
    other[1, 2] = 0.9
    out2 = MassFixer(other - 1.0).under(t21, None).fix(lnps, t21)
    same = np.ones((2, 3), bool)
    same[1, 2] = False
    assert np.array_equal(out2[same], out[same])
    assert not np.array_equal(out2[1, 2], out[1, 2])


def test_a_scalar_target_holds_every_member_and_one_member_works(t21):
    lnps = random_lnps(t21, (3,), seed=5)
    out = MassFixer(0.0).under(t21, None).fix(lnps, t21)
    np.testing.assert_allclose(reference_mean(out, 21, t21.nlat, t21.nlon), 1.0, rtol=3e-15)
    one = MassFixer(-0.01).fix(lnps[1], t21)                  # tables built on the fly
    np.testing.assert_allclose(reference_mean(one, 21, t21.nlat, t21.nlon), 0.99, rtol=3e-15)
    assert MassFixer(-0.01).target_pa == pytest.approx(99000.0, rel=1e-15)
    assert MassFixer.at_pressure([99000.0, 1e5]).excess == pytest.approx([-0.01, 0.0])


# ----------------------------------------------------------------- bad input
def test_bad_inputs_get_clear_errors(t21):
    lnps = random_lnps(t21, (3,))
    with pytest.raises(ValueError, match="no target yet"):
        MassFixer().fix(lnps, t21)
    for bad in (-1.0, -2.0, np.nan, np.inf, [0.0, -1.5]):
        with pytest.raises(ValueError, match="finite and > -1"):
            MassFixer(bad)
    with pytest.raises(ValueError, match="real numbers"):
        MassFixer("heavy")
    with pytest.raises(ValueError, match=r"excess has shape \(2,\).*\(3,\)"):
        MassFixer([0.0, 0.0]).fix(lnps, t21)
    with pytest.raises(ValueError, match=r"lnps must be spectral coefficients of shape"):
        MassFixer(0.0).fix(lnps[..., :-1], t21)
    with pytest.raises(ValueError, match="lnps must be"):
        MassFixer(0.0).fix(np.zeros((4, 4)), t21)
    with pytest.raises(ValueError, match=r"built for the grid .*\(21, 32, 64\)"):
        MassFixer(0.0).under(t21, None).fix(random_lnps(SpectralTransform(21, 48, 96), (3,)),
                                            SpectralTransform(21, 48, 96))


# ----------------------------------------------------------------- under a policy
def _fix_under(policy, lnps, target, st):
    st_p = st.under(policy.component("spectral_transform"))
    fixer = MassFixer(target - 1.0).under(st_p, policy.component("mass_fixer"))
    x = policy.asarray(lnps)
    with policy:
        out = fixer.fix(x, st_p)
    return x, out


def _mass_error(out, target, st):
    return np.abs(reference_mean(emulate.to_numpy(out), st.trunc, st.nlat, st.nlon) / target - 1)


@pytest.mark.parametrize("seed", [6, 7, 8, 9])
def test_under_a_policy_the_fix_runs_in_the_mass_fixer_format(t21, seed):
    lnps = random_lnps(t21, (3,), seed=seed)
    target = np.array([1.0, 0.99, 1.01])
    x, single = _fix_under(Policy("binary32"), lnps, target, t21)
    assert isinstance(single, emulate.EmulatedArray)
    assert _mass_error(single, target, t21).max() < 2e-8        # 2048-term binary32 sums
    a, b = emulate.to_numpy(x), emulate.to_numpy(single)
    keep = np.ones(a.shape, bool)
    keep[:, 0, 0, 0] = False
    assert np.array_equal(a[keep], b[keep])                     # only (0, 0) changes
    # the component "mass_fixer" in e11m10 inside a binary32 run: the fix is coarse
    _, coarse = _fix_under(Policy("binary32", components={"mass_fixer": "e11m10"}), lnps,
                           target, t21)
    err = _mass_error(coarse, target, t21)
    assert 1e-6 < err.max() < 2e-4
    # an e11m10 run with the fixer and the transforms (its synthesis) in binary64:
    # only the storage of the new (0, 0) coefficient in e11m10 is left (half an
    # ulp, 2^-11 relative), a mass error <= 2^-11 |a_00| / sqrt(2)
    wider = {"mass_fixer": "binary64", "spectral_transform": "binary64"}
    _, wide = _fix_under(Policy("e11m10", components=wider), lnps, target, t21)
    w = emulate.to_numpy(wide)
    assert np.all(_mass_error(wide, target, t21) <= 2.0 ** -11 * np.abs(w[:, 0, 0, 0]) / SQRT2
                  + 1e-13)


# ----------------------------------------------------------------- in the model
def _held_suarez(days, members, fixer):
    """A T21 Held-Suarez run from the shipped state (members 0..), with the
    model's own fixer (``mass_fixer=True``, target: the start state's mass,
    applied after every leapfrog step) or without; the reference mass of the
    current level each step."""
    p = SpeedyParameters(start="held_suarez_T21", mass_fixer=fixer)
    model = build(p)
    st = model.spectral_transform
    state = model.restart_state(load_restart("held_suarez_T21").select(0, members))
    model = model.with_mass_target(state)
    assert (model.mass_fixer is not None) == fixer
    previous, current = state.pair()
    masses = [reference_mean(current["lnps"], 21, st.nlat, st.nlon)]
    for _ in range(days * p.spd):
        previous, current = model.leapfrog(previous, current)
        masses.append(reference_mean(current["lnps"], 21, st.nlat, st.nlon))
    return np.array(masses)


def test_held_suarez_mass_is_held_to_round_off_by_the_fixer():
    free = _held_suarez(1, 2, False)
    fixed = _held_suarez(1, 2, True)
    drift_free = np.abs(free[-1] / free[0] - 1.0)
    drift_fixed = np.max(np.abs(fixed / fixed[0] - 1.0))
    assert drift_free.min() > 1e-8
    assert drift_fixed < 3e-15


def _zonal_means(model, run, members):
    """6-hourly zonal means of u, v, T, p_s of ``run`` (a list of SpeedyStates) as
    the verifier's Dataset (dims member, time, [sigma,] lat)."""
    samples = {}
    for s in run:
        for k, v in model.output(s).items():
            samples.setdefault(k, []).append(v[members])
    ds = to_dataset(model, {k: np.array(v) for k, v in samples.items()},
                    np.arange(1, len(run) + 1) / 4.0, {})
    return ds[["u", "v", "T", "ps"]].mean("lon")


@pytest.mark.slow
def test_held_suarez_30_day_climate_with_the_fixer_is_within_sampling_noise():
    """30 days from the shipped members 0-5 (6-hourly zonal means pooled over time
    and members, W1 as Paxton et al. 2022): members 0-2 with the fixer against
    the same members without it lie within the W1 of members 0-2 against 3-5
    (the baseline), while the fixer holds the mass to round-off."""
    p = SpeedyParameters(start="held_suarez_T21")
    model = build(p)
    st = model.spectral_transform
    state = model.restart_state(load_restart("held_suarez_T21").select(0, 6))
    runs = {}
    for fix in (False, True):
        previous, current = state.pair()
        if fix:
            previous = {k: v[:3] for k, v in previous.items()}
            current = {k: v[:3] for k, v in current.items()}
        mf = MassFixer.of(current["lnps"], st) if fix else None
        run = []
        for i in range(1, 30 * p.spd + 1):
            previous, current = model.leapfrog(previous, current)
            if mf is not None:
                current = dict(current, lnps=mf.fix(current["lnps"], st))
            if i % p.every == 0:
                run.append(SpeedyState.from_pair(previous, current))
        runs[fix] = run
    mass = np.array([reference_mean(s.lnps, 21, st.nlat, st.nlon) for s in runs[True]])
    assert np.max(np.abs(mass / reference_mean(state.lnps[:3], 21, st.nlat, st.nlon) - 1)) \
        < 3e-15
    reference = _zonal_means(model, runs[False], slice(0, 3))
    baseline = _zonal_means(model, runs[False], slice(3, 6))
    fixed = _zonal_means(model, runs[True], slice(0, 3))
    result = nv.verify(reference, baseline, {"mass fixer": fixed},
                       sample_dims=("time", "member"))
    assert all(str(v) == "indistinguishable" for v in result["verdict"].values.ravel())


# ------------------------------------------------------- the case and restarts
def test_case_run_with_the_fixer_holds_the_mass_and_a_policy_can_widen_it():
    from numprec.cases.speedy import CASE
    params = {"days": 2.0, "start": "held_suarez_T21", "output_hours": 24.0}
    free = CASE.run(params, None, members=1)
    fixed = CASE.run({**params, "mass_fixer": True}, None, members=1)
    st = SpectralTransform(21)

    def mean_ps(ds):
        ps = ds.ps.values[0]                                    # (time, lat, lon)
        return (ps.mean(-1) * st.weights).sum(-1) / 2.0
    m_free, m_fixed = mean_ps(free), mean_ps(fixed)
    assert abs(m_free[-1] - m_free[0]) > 0.1                   # Pa: the unfixed drift
    assert abs(m_fixed[-1] - m_fixed[0]) < 1e-8
    # the component is known to the driver's component check
    ds = CASE.run({**params, "days": 0.25, "output_hours": 6.0, "mass_fixer": True},
                  Policy("e11m10", components={"mass_fixer": "binary64"}), members=1)
    assert not ds.attrs["unstable"]


def test_continued_run_with_the_fixer_is_bit_identical_from_a_restart_file(tmp_path):
    from numprec.cases.speedy.restart import save_restart
    p = SpeedyParameters(start="held_suarez_T21", mass_fixer=True)
    model = build(p)
    state = model.restart_state(load_restart("held_suarez_T21").select(0, 2))
    model = model.with_mass_target(state)
    previous, current = state.pair()
    for _ in range(3):
        previous, current = model.leapfrog(previous, current)
    path = save_restart(tmp_path / "r.nc", SpeedyState.from_pair(previous, current), trunc=21,
                        dt=model.timestepping.dt, mass_target=model.mass_fixer.excess)
    for _ in range(3):
        previous, current = model.leapfrog(previous, current)
    r = load_restart(path)
    np.testing.assert_array_equal(r.mass_target, model.mass_fixer.excess)
    resumed = build(p).with_mass_target(None, r.mass_target)
    prev2, cur2 = resumed.restart_state(r).pair()
    for _ in range(3):
        prev2, cur2 = resumed.leapfrog(prev2, cur2)
    for k in current:
        np.testing.assert_array_equal(cur2[k], current[k], err_msg=k)


def test_bad_mass_fixer_settings_are_refused():
    with pytest.raises(ValueError, match="mass_fixer must be True or False"):
        SpeedyParameters(mass_fixer="yes")
    from numprec.cases.speedy.primitive import PrimitiveEquationModel
    with pytest.raises(ValueError, match="mass_fixer must be True, False or a MassFixer"):
        PrimitiveEquationModel.build(21, mass_fixer=3)
    model = build(SpeedyParameters(mass_fixer=True))            # no target recorded
    previous, current = model.start(model.resting_state(members=1))
    with pytest.raises(ValueError, match="no target yet"):
        model.leapfrog(previous, current)
