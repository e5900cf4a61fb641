"""The rounded FFT (np.fft.fft / ifft / rfft / irfft on emulated arrays).

Exactness is checked against an op-by-op reference written here with
``numprec.round`` on scalars, following the algorithm of docs/emulate.md
("FFT"): Stockham autosort, decimation in frequency, radices 4s, a 2, then
odd primes (FFTPACK's radix-2/3/4 butterflies, sequential sums for other
odd radices); every real operation of the complex arithmetic rounded, each
whole-array operation taking the next random stream, element ``i`` of its
(C-order) result array using counter ``i``.
"""
from __future__ import annotations

import numpy as np
import pytest

import numprec
from numprec import emulate
from numprec.emulate.complex import EmulatedComplex


# ----------------------------------------------------------- the reference
def stage_radices(n):
    out = []
    while n % 4 == 0:
        out.append(4)
        n //= 4
    if n % 2 == 0:
        out.append(2)
        n //= 2
    f = 3
    while n > 1:
        if n % f == 0:
            out.append(f)
            n //= f
        else:
            f += 2
    return out


class Reference:
    """Scalar op-by-op rounded complex arithmetic with an explicit stream count."""

    def __init__(self, fmt, rounding, seed, dtype):
        self.fmt, self.rounding, self.seed = numprec.get_format(fmt), rounding, seed
        self.dtype = np.dtype(dtype)
        self.stream = 0

    def constant(self, v):
        return numprec.round(np.float64(v), self.fmt, "nearest_even").astype(self.dtype)

    def twiddle(self, N, e, sign):
        """fl(exp(sign 2 pi i e / N)): double, exact at quarter points, rounded once."""
        e %= N
        if (4 * e) % N == 0:
            c, s = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)][(4 * e) // N]
        else:
            theta = (2.0 * np.pi / N) * np.arange(N, dtype=np.float64)
            c, s = np.cos(theta)[e], np.sin(theta)[e]
        return self.constant(c), self.constant(sign * s)

    def raw_twiddle(self, N, e):
        """(cos, sin) of 2 pi e / N in double, exact at quarter points (not rounded)."""
        e %= N
        if (4 * e) % N == 0:
            return [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)][(4 * e) // N]
        theta = (2.0 * np.pi / N) * np.arange(N, dtype=np.float64)
        return np.cos(theta)[e], np.sin(theta)[e]

    def combine(self, n, right, left, factors):
        """(right + left) + factors * (right - left) on (rows, B) complex pairs
        of callables; 12 whole-array operations."""
        shape = (len(factors), right[2])
        ar = self.op(lambda u, v: u + v, shape, right[0], left[0])
        ai = self.op(lambda u, v: u + v, shape, right[1], left[1])
        dr = self.op(lambda u, v: u - v, shape, right[0], left[0])
        di = self.op(lambda u, v: u - v, shape, right[1], left[1])
        tr, ti = self.cmul(shape, dr.__getitem__, di.__getitem__,
                           lambda i: factors[i[0]][0], lambda i: factors[i[0]][1])
        sr = self.op(lambda u, v: u + v, shape, ar.__getitem__, tr.__getitem__)
        si = self.op(lambda u, v: u + v, shape, ai.__getitem__, ti.__getitem__)
        return self.to_array(sr, shape), self.to_array(si, shape)

    def to_array(self, d, shape):
        return np.array([d[i] for i in np.ndindex(*shape)], self.dtype).reshape(shape)

    def scale_rows(self, arr, factor):
        """One rounded multiply of a (rows, B) array by fl(factor)."""
        f = self.constant(factor)
        return self.to_array(self.op(lambda u, v: u * v, arr.shape, lambda i: arr[i], lambda i: f), arr.shape)

    def op(self, fn, shape, *operands):
        """One whole-array operation: ``fn`` on container scalars for every
        index of ``shape``, each result rounded with counter = flat index."""
        out = {}
        for flat, idx in enumerate(np.ndindex(*shape)):
            args = [o(idx) for o in operands]
            exact = fn(*[self.dtype.type(a) for a in args])
            out[idx] = numprec.round(np.array([exact], dtype=self.dtype), self.fmt, self.rounding,
                                     seed=self.seed, stream=self.stream, offset=flat)[0]
        self.stream += 1
        return out

    def cmul(self, shape, a, b, c, d):
        p1 = self.op(lambda u, v: u * v, shape, a, c)
        p2 = self.op(lambda u, v: u * v, shape, b, d)
        re = self.op(lambda u, v: u - v, shape, p1.__getitem__, p2.__getitem__)
        p3 = self.op(lambda u, v: u * v, shape, a, d)
        p4 = self.op(lambda u, v: u * v, shape, b, c)
        im = self.op(lambda u, v: u + v, shape, p3.__getitem__, p4.__getitem__)
        return re, im

    def butterfly(self, xr, xi, R, m, s, sign):
        """FFTPACK's radix-2, 3 and 4 passes (docs/emulate.md, "FFT"): whole-array
        operations on the (m, s, B) slices x_j, real part then imaginary part."""
        B = xr.shape[1]
        sub = (m, s, B)
        add, minus, times = (lambda u, v: u + v), (lambda u, v: u - v), (lambda u, v: u * v)

        def x(j, part):
            arr = xr if part == 0 else xi
            return lambda idx: arr[idx[1] + s * (idx[0] + j * m), idx[2]]

        def pair(fn_r, a_r, b_r, fn_i, a_i, b_i):
            r = self.op(fn_r, sub, a_r, b_r)
            i = self.op(fn_i, sub, a_i, b_i)
            return r.__getitem__, i.__getitem__

        if R == 2:
            y = [pair(add, x(0, 0), x(1, 0), add, x(0, 1), x(1, 1)),
                 pair(minus, x(0, 0), x(1, 0), minus, x(0, 1), x(1, 1))]
        elif R == 3:
            # taur = -1/2, taui = fl(sign sin(2 pi / 3))
            taur = lambda idx, c=self.constant(-0.5): c
            taui = lambda idx, c=self.constant(sign * np.sin(2.0 * np.pi / 3.0)): c
            t = pair(add, x(1, 0), x(2, 0), add, x(1, 1), x(2, 1))
            y0 = pair(add, x(0, 0), t[0], add, x(0, 1), t[1])
            h = pair(times, t[0], taur, times, t[1], taur)
            c = pair(add, x(0, 0), h[0], add, x(0, 1), h[1])
            d = pair(minus, x(1, 0), x(2, 0), minus, x(1, 1), x(2, 1))
            g = pair(times, d[0], taui, times, d[1], taui)
            y = [y0, pair(minus, c[0], g[1], add, c[1], g[0]),      # c + i g
                 pair(add, c[0], g[1], minus, c[1], g[0])]          # c - i g
        else:
            t1 = pair(add, x(0, 0), x(2, 0), add, x(0, 1), x(2, 1))
            t2 = pair(minus, x(0, 0), x(2, 0), minus, x(0, 1), x(2, 1))
            t3 = pair(add, x(1, 0), x(3, 0), add, x(1, 1), x(3, 1))
            t4 = pair(minus, x(1, 0), x(3, 0), minus, x(1, 1), x(3, 1))
            y0 = pair(add, t1[0], t3[0], add, t1[1], t3[1])
            y2 = pair(minus, t1[0], t3[0], minus, t1[1], t3[1])
            # w t4 with w = -i (forward): (t4i, -t4r); w = +i (inverse): (-t4i, t4r)
            if sign < 0:
                y1 = pair(add, t2[0], t4[1], minus, t2[1], t4[0])
                y3 = pair(minus, t2[0], t4[1], add, t2[1], t4[0])
            else:
                y1 = pair(minus, t2[0], t4[1], add, t2[1], t4[0])
                y3 = pair(add, t2[0], t4[1], minus, t2[1], t4[0])
            y = [y0, y1, y2, y3]
        return (lambda idx: y[idx[0]][0](idx[1:])), (lambda idx: y[idx[0]][1](idx[1:]))

    def stage(self, xr, xi, R, m, s, sign):
        """xr, xi: (n, B) arrays of container values; op arrays are (R, m, s, B)."""
        B = xr.shape[1]
        yr = lambda idx: xr[idx[2] + s * idx[1], idx[3]]          # x_0, for every k
        yi = lambda idx: xi[idx[2] + s * idx[1], idx[3]]
        full = (R, m, s, B)
        sub = (R - 1, m, s, B)
        shift = lambda idx: (idx[0] + 1,) + idx[1:]
        if R in (2, 3, 4):
            yr, yi = self.butterfly(xr, xi, R, m, s, sign)
        for j in range(1 if R not in (2, 3, 4) else R, R):
            aj_r = lambda idx, j=j: xr[idx[2] + s * (idx[1] + j * m), idx[3]]
            aj_i = lambda idx, j=j: xi[idx[2] + s * (idx[1] + j * m), idx[3]]
            w = [self.twiddle(R, j * k, sign) for k in range(1, R)]
            pr, pi = self.cmul(sub, lambda i, f=aj_r: f(shift(i)), lambda i, f=aj_i: f(shift(i)),
                               lambda i, w=w: w[i[0]][0], lambda i, w=w: w[i[0]][1])
            tr = lambda idx, f=aj_r, p=pr: f(idx) if idx[0] == 0 else p[(idx[0] - 1,) + idx[1:]]
            ti = lambda idx, f=aj_i, p=pi: f(idx) if idx[0] == 0 else p[(idx[0] - 1,) + idx[1:]]
            new_r = self.op(lambda u, v: u + v, full, yr, tr)
            new_i = self.op(lambda u, v: u + v, full, yi, ti)
            yr, yi = new_r.__getitem__, new_i.__getitem__
        if m > 1:
            w = lambda idx: self.twiddle(R * m, idx[1] * (idx[0] + 1), sign)
            tr_, ti_ = self.cmul(sub, lambda i, f=yr: f(shift(i)), lambda i, f=yi: f(shift(i)),
                                 lambda i: w(i)[0], lambda i: w(i)[1])
            yr0, yi0 = yr, yi
            yr = lambda idx: yr0(idx) if idx[0] == 0 else tr_[(idx[0] - 1,) + idx[1:]]
            yi = lambda idx: yi0(idx) if idx[0] == 0 else ti_[(idx[0] - 1,) + idx[1:]]
        n = R * m * s
        outr = np.empty((n, B), self.dtype)
        outi = np.empty((n, B), self.dtype)
        for idx in np.ndindex(*full):
            k, p, q, b = idx
            outr[q + s * (R * p + k), b] = yr(idx)
            outi[q + s * (R * p + k), b] = yi(idx)
        return outr, outi

    def dft(self, xr, xi, sign):
        """The transform along axis 1 of (B, n) arrays (done on the (n, B) layout)."""
        xr, xi = xr.T.copy(), xi.T.copy()
        n = xr.shape[0]
        n_cur, s = n, 1
        for R in stage_radices(n):
            m = n_cur // R
            xr, xi = self.stage(xr, xi, R, m, s, sign)
            n_cur, s = m, s * R
        return xr.T.copy(), xi.T.copy()

    def scale(self, arr, factor):
        """One rounded multiply of a (B, n) array by fl(factor), on the (n, B) layout."""
        f = self.constant(factor)
        t = arr.T
        res = self.op(lambda u, v: u * v, t.shape, lambda i: t[i], lambda i: f)
        return np.array([res[i] for i in np.ndindex(*t.shape)], self.dtype).reshape(t.shape).T


def _factor(n, norm, inverse):
    if norm == "ortho":
        return 1 / np.sqrt(n)
    return 1 / n if (norm == "backward") == inverse else 1.0


def reference_rfft_even(ref, x, norm):
    """x: (B, n) real, n even -> (B, n/2+1) pairs: half-length FFT + post-processing."""
    B, n = x.shape
    h = n // 2
    zr, zi = ref.dft(x[:, 0::2].copy(), x[:, 1::2].copy(), -1)
    zr, zi = zr.T, zi.T                                            # (h, B)
    right = (lambda i: zr[i[0] % h, i[1]], lambda i: zi[i[0] % h, i[1]], B)
    left = (lambda i: zr[(h - i[0]) % h, i[1]], lambda i: -zi[(h - i[0]) % h, i[1]])
    factors = []
    for k in range(h + 1):
        c, s = ref.raw_twiddle(n, k)
        factors.append((ref.constant(-s), ref.constant(-c)))         # -i w_n^k
    sr, si = ref.combine(n, right, left, factors)
    f = 0.5 * _factor(n, norm, False)
    return ref.scale_rows(sr, f).T, ref.scale_rows(si, f).T


def reference_irfft_even(ref, Xr, Xi, n, norm):
    """Xr, Xi: (B, n/2+1) with zeroed ends -> (B, n) real."""
    h = n // 2
    Xr, Xi = Xr.T, Xi.T
    B = Xr.shape[1]
    right = (lambda i: Xr[i[0], i[1]], lambda i: Xi[i[0], i[1]], B)
    left = (lambda i: Xr[h - i[0], i[1]], lambda i: -Xi[h - i[0], i[1]])
    factors = []
    for k in range(h):
        c, s = ref.raw_twiddle(n, k)
        factors.append((ref.constant(-s), ref.constant(c)))          # i conj(w_n^k)
    ur, ui = ref.combine(n, right, left, factors)
    er, ei = ref.dft(ur.T.copy(), ui.T.copy(), +1)
    er, ei = er.T, ei.T                                            # (h, B)
    f = _factor(n, norm, True)
    if f != 1.0:
        er, ei = ref.scale_rows(er, f), ref.scale_rows(ei, f)
    out = np.empty((B, n), ref.dtype)
    out[:, 0::2], out[:, 1::2] = er.T, ei.T
    return out


def reference(func, x, fmt, rounding, seed, dtype, n=None, norm="backward"):
    """The documented rounded transform of ``x`` (2-d, last axis)."""
    ref = Reference(fmt, rounding, seed, dtype)
    if func == "irfft":
        Xr, Xi = np.real(x).astype(dtype), np.imag(x).astype(dtype)
        n = 2 * (x.shape[1] - 1) if n is None else n
        half = n // 2 + 1
        Xr, Xi = Xr[:, :half], Xi[:, :half].copy()
        Xi[:, 0] = 0
        if n % 2 == 0:
            Xi[:, n // 2] = 0
            return reference_irfft_even(ref, Xr, Xi, n, norm)
        fr = np.concatenate([Xr, Xr[:, 1:n - half + 1][:, ::-1]], axis=1)
        fi = np.concatenate([Xi, -Xi[:, 1:n - half + 1][:, ::-1]], axis=1)
        out, _ = ref.dft(fr, fi, +1)
        factor = _factor(n, norm, True)
        return ref.scale(out, factor) if factor != 1.0 else out
    n = x.shape[1]
    if func == "rfft" and n % 2 == 0:
        yr, yi = reference_rfft_even(ref, np.real(x).astype(dtype), norm)
        return yr, yi, ref.stream
    xr = np.real(x).astype(dtype)
    xi = np.imag(x).astype(dtype) if np.iscomplexobj(x) else np.zeros_like(xr)
    sign = +1 if func == "ifft" else -1
    yr, yi = ref.dft(xr, xi, sign)
    factor = _factor(n, norm, func == "ifft")
    if factor != 1.0:
        yr, yi = ref.scale(yr, factor), ref.scale(yi, factor)
    if func == "rfft":
        yr, yi = yr[:, :n // 2 + 1], yi[:, :n // 2 + 1]
    return yr, yi, ref.stream


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint64 if a.dtype == np.float64 else np.uint32)


# ----------------------------------------------------- (a) bit-identical
LENGTHS = [2, 3, 4, 5, 6, 8, 12, 15, 16, 30, 48, 96, 7, 11]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
@pytest.mark.parametrize("n", LENGTHS)
def test_fft_matches_the_op_by_op_reference(n, rounding, dtype):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))
    pol = emulate.Policy("e8m7", rounding=rounding, seed=11, dtype=dtype)
    xr, xi = pol.constant(x.real), pol.constant(x.imag)       # no streams
    xc = numprec.round(x.real, "e8m7") + 1j * numprec.round(x.imag, "e8m7")
    X = np.fft.fft(EmulatedComplex(xr, xi))
    yr, yi, streams = reference("fft", xc, "e8m7", rounding, 11, dtype)
    assert isinstance(X, EmulatedComplex) and X.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(_bits(X.real.to_numpy(dtype)), _bits(yr))
    np.testing.assert_array_equal(_bits(X.imag.to_numpy(dtype)), _bits(yi))
    assert pol.streams_used == streams


@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
@pytest.mark.parametrize("func,n,norm", [("ifft", 12, "backward"), ("ifft", 7, "ortho"),
                                         ("fft", 6, "forward"), ("rfft", 16, "backward"),
                                         ("rfft", 2, "forward"), ("rfft", 12, "ortho"),
                                         ("rfft", 96, "backward"), ("rfft", 15, "ortho")])
def test_ifft_rfft_and_norms_match_the_reference(func, n, norm, rounding):
    rng = np.random.default_rng(3)
    pol = emulate.Policy("e5m10", rounding=rounding, seed=5)
    if func == "rfft":
        x = numprec.round(rng.standard_normal((3, n)), "e5m10")
        X = np.fft.rfft(pol.constant(x), norm=norm)
    else:
        x = numprec.round(rng.standard_normal((3, n)), "e5m10") + 1j * numprec.round(rng.standard_normal((3, n)), "e5m10")
        X = getattr(np.fft, func)(EmulatedComplex(pol.constant(x.real), pol.constant(x.imag)), norm=norm)
    yr, yi, streams = reference(func, x, "e5m10", rounding, 5, "float64", norm=norm)
    np.testing.assert_array_equal(_bits(X.real.to_numpy()), _bits(yr))
    np.testing.assert_array_equal(_bits(X.imag.to_numpy()), _bits(yi))
    assert pol.streams_used == streams


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
@pytest.mark.parametrize("n,m", [(8, 5), (9, 5), (12, None), (7, 4), (2, 2), (30, 16), (96, 49)])
def test_irfft_matches_the_reference(n, m, rounding, dtype):
    rng = np.random.default_rng(n)
    m = n // 2 + 1 if m is None else m
    pol = emulate.Policy("e5m10", rounding=rounding, seed=2, dtype=dtype)
    Xr = numprec.round(rng.standard_normal((2, m)), "e5m10")
    Xi = numprec.round(rng.standard_normal((2, m)), "e5m10")
    out = np.fft.irfft(EmulatedComplex(pol.constant(Xr), pol.constant(Xi)), n=n)
    ref = reference("irfft", Xr + 1j * Xi, "e5m10", rounding, 2, dtype, n=n)
    np.testing.assert_array_equal(_bits(out.to_numpy(dtype)), _bits(ref))


def test_stochastic_results_repeat_under_a_seed_and_differ_across_seeds():
    x = np.random.default_rng(0).standard_normal((4, 48))
    runs = [np.fft.rfft(emulate.Policy("e5m10", rounding="stochastic", seed=s).constant(x)).to_numpy()
            for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


# -------------------------------------------- (b), (c) near-binary64 vs numpy
# e11m50, not binary64: a binary64 policy rounds nothing and takes numpy.fft
# itself (tests/emulate/test_native.py); two bits fewer run the rounded FFT.
def _relerr(got, want):
    return np.max(np.abs(got - want)) / np.max(np.abs(want))


@pytest.mark.parametrize("shape,axis", [((96,), 0), ((8, 48, 96), -1), ((5, 30, 4), 1),
                                        ((12, 3, 2), 0), ((2, 11, 3), -2)])
def test_near_binary64_agrees_with_numpy_fft(shape, axis):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    z = x + 1j * rng.standard_normal(shape)
    pol = emulate.Policy("e11m50")
    ez = EmulatedComplex(pol.asarray(z.real), pol.asarray(z.imag))
    ex = pol.asarray(x)
    for norm in ("backward", "ortho", "forward"):
        assert _relerr(np.fft.fft(ez, axis=axis, norm=norm).to_numpy(), np.fft.fft(z, axis=axis, norm=norm)) < 1e-13
        assert _relerr(np.fft.ifft(ez, axis=axis, norm=norm).to_numpy(), np.fft.ifft(z, axis=axis, norm=norm)) < 1e-13
        assert _relerr(np.fft.rfft(ex, axis=axis, norm=norm).to_numpy(), np.fft.rfft(x, axis=axis, norm=norm)) < 1e-13
        X = np.fft.rfft(x, axis=axis)
        eX = EmulatedComplex(pol.asarray(X.real), pol.asarray(X.imag))
        n = shape[axis]
        got = np.fft.irfft(eX, n=n, axis=axis, norm=norm)
        assert isinstance(got, emulate.EmulatedArray)
        assert _relerr(got.to_numpy(), np.fft.irfft(X, n=n, axis=axis, norm=norm)) < 1e-13


@pytest.mark.parametrize("n_arg", [5, 17, 64])
def test_near_binary64_n_argument_cuts_or_pads_like_numpy(n_arg):
    x = np.random.default_rng(2).standard_normal((3, 20))
    pol = emulate.Policy("e11m50")
    ex = pol.asarray(x)
    assert _relerr(np.fft.fft(ex, n=n_arg).to_numpy(), np.fft.fft(x, n=n_arg)) < 1e-13
    assert _relerr(np.fft.rfft(ex, n=n_arg).to_numpy(), np.fft.rfft(x, n=n_arg)) < 1e-13
    X = np.fft.rfft(x)
    eX = EmulatedComplex(pol.asarray(X.real), pol.asarray(X.imag))
    assert _relerr(np.fft.irfft(eX, n=n_arg).to_numpy(), np.fft.irfft(X, n=n_arg)) < 1e-13


@pytest.mark.parametrize("n", [96, 48, 15, 7, 1, 2])
def test_near_binary64_round_trip(n):
    x = np.random.default_rng(n).standard_normal((8, 6, n))
    pol = emulate.Policy("e11m50")
    back = np.fft.irfft(np.fft.rfft(pol.asarray(x)), n=n)
    assert _relerr(back.to_numpy(), x) < 1e-13


def test_spectral_round_trip_in_low_precision_stays_emulated():
    """rfft -> scale modes -> irfft, as a spectral model does it."""
    pol = emulate.Policy("e5m10", rounding="stochastic", seed=4)
    x = pol.asarray(np.sin(np.linspace(0, 2 * np.pi, 96, endpoint=False))[None, :] * np.ones((4, 1)))
    k = np.arange(49)
    X = np.fft.rfft(x)
    X = X * np.exp(-(k / 20.0) ** 2)                 # a real filter: 2 rounded products
    X[..., 40:] = 0.0
    y = np.fft.irfft(X, n=96)
    assert isinstance(y, emulate.EmulatedArray) and y.format == pol.compute
    np.testing.assert_array_equal(numprec.round(y.to_numpy(), "e5m10"), y.to_numpy())
    assert np.max(np.abs(y.to_numpy() - x.to_numpy())) < 2e-2


def test_emulated_complex_arithmetic_is_rounded_op_by_op():
    pol = emulate.Policy("e5m10")
    a, b, c, d = (numprec.round(v, "e5m10") for v in np.random.default_rng(0).standard_normal((4, 5)))
    z = EmulatedComplex(pol.constant(a), pol.constant(b)) * EmulatedComplex(pol.constant(c), pol.constant(d))
    r = lambda v: numprec.round(v, "e5m10")
    np.testing.assert_array_equal(z.real.to_numpy(), r(r(a * c) - r(b * d)))
    np.testing.assert_array_equal(z.imag.to_numpy(), r(r(a * d) + r(b * c)))
    s = EmulatedComplex(pol.constant(a), pol.constant(b)) + EmulatedComplex(pol.constant(c), pol.constant(d))
    np.testing.assert_array_equal(s.to_numpy(), r(a + c) + 1j * r(b + d))
    assert s.to_numpy().dtype == np.complex128


# ------------------------------------------------------- (d) bad input
@pytest.mark.parametrize("func", [np.fft.fft, np.fft.ifft, np.fft.rfft, np.fft.irfft])
def test_bad_arguments_raise_clear_errors(func):
    x = emulate.Policy("e5m10").asarray(np.ones((3, 4)))
    with pytest.raises(ValueError, match="n must be >= 1"):
        func(x, n=0)
    with pytest.raises(TypeError, match="n must be an integer"):
        func(x, n=2.5)
    with pytest.raises(np.exceptions.AxisError):
        func(x, axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        func(x, axis="x")
    with pytest.raises(ValueError, match="norm must be one of"):
        func(x, norm="unitary")
    with pytest.raises(TypeError, match="does not support out"):
        func(x, out=np.empty((3, 4), complex))


def test_rfft_refuses_complex_input_and_irfft_needs_a_length():
    pol = emulate.Policy("e5m10")
    z = EmulatedComplex(pol.asarray(np.ones(4)), pol.asarray(np.ones(4)))
    with pytest.raises(TypeError, match="rfft needs real input"):
        np.fft.rfft(z)
    with pytest.raises(ValueError, match="invalid number of data points"):
        np.fft.irfft(EmulatedComplex(pol.asarray(np.ones(1)), pol.asarray(np.ones(1))))


# ------------------------------------------------ (e) plain numpy untouched
def test_plain_arrays_still_use_numpy_fft():
    x = np.random.default_rng(0).standard_normal((4, 12))
    with emulate.Policy("e5m10"):
        got = np.fft.rfft(x)
        back = np.fft.irfft(got, n=12)
    assert isinstance(got, np.ndarray) and got.dtype == np.complex128
    np.testing.assert_array_equal(got, np.fft.rfft(x))
    np.testing.assert_array_equal(back, np.fft.irfft(np.fft.rfft(x), n=12))


def test_wider_input_is_converted_once_before_the_transform():
    pol = emulate.Policy("e8m23", components={"spectral": "e5m10"}, rounding="stochastic", seed=9)
    x = pol.store(np.random.default_rng(5).standard_normal((2, 12)))          # e8m23 values
    comp = pol.component("spectral")
    with comp:
        start = pol.streams_used
        X = np.fft.rfft(x)
        used = pol.streams_used - start
    # one conversion stream, then the documented transform on the converted values
    converted = numprec.round(x.to_numpy(), "e5m10", "stochastic", seed=9, stream=start)
    _, _, streams = reference("rfft", converted, "e5m10", "stochastic", 9, "float64")
    assert used == 1 + streams
    # the reference numbers its streams from 0: shift by the conversion's
    ref = Reference("e5m10", "stochastic", 9, "float64")
    ref.stream = start + 1
    got_r, got_i = reference_rfft_even(ref, converted, "backward")
    np.testing.assert_array_equal(X.real.to_numpy(), got_r)
    np.testing.assert_array_equal(X.imag.to_numpy(), got_i)


def test_emulated_complex_refuses_ufuncs_and_warns_when_converted_inside_a_policy():
    pol = emulate.Policy("e5m10")
    X = np.fft.rfft(pol.asarray(np.ones(8)))
    with pytest.raises(TypeError):
        np.abs(X)
    with pol:
        with pytest.warns(emulate.EmulationLeakWarning):
            np.asarray(X)
    out = np.ones(5) * X                          # ndarray operator defers: stays emulated
    assert isinstance(out, EmulatedComplex)


@pytest.mark.parametrize("func", [np.fft.fft, np.fft.ifft, np.fft.rfft])
def test_an_empty_transform_axis_is_an_error(func):
    x = emulate.Policy("e5m10").asarray(np.ones((3, 0)))
    with pytest.raises(ValueError, match="invalid number of data points"):
        func(x)
