"""numprec.round on PyTorch and JAX arrays: bit-identical to the Cython
kernel on the same values (numpy arrays rounded by numprec.round are the
oracle here: the array-API path is a separate implementation in integer
tensor operations), dtype, shape and device kept."""
import numpy as np
import pytest

import numprec

from numprec import array_api

FORMATS = ["binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
           "float8_e8m0fnu", "float6_e3m2fn", "float4_e2m1fn", "e11m30", "e8m23",
           numprec.FloatFormat(5, 10, subnormals=False),
           numprec.FloatFormat(11, 0, bias=1024),           # reaches below float64 normals
           numprec.FloatFormat(6, 3, overflow="saturate", infinities=True)]
ROUNDINGS = ["nearest_even", "nearest_away", "toward_zero", "up", "down", "odd",
             "stochastic", "stochastic_uniform"]


def inputs(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 2**63, n, dtype=np.int64) * rng.choice([1, -1], n)
    scaled = rng.standard_normal(n) * 2.0 ** rng.integers(-140, 140, n)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 5e-324, 2.0**-1023, 65504.0,
               65520.0, 448.0, 464.0, 2.0**127, 3.0 * 2.0**-150]
    return np.concatenate([words.view(np.float64), scaled, special])


def same_bits(a, b):
    return np.array_equal(np.asarray(a).view(np.int64), np.asarray(b).view(np.int64))


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_torch_float64_equals_the_kernel_bit_for_bit(fmt, rounding):
    torch = pytest.importorskip("torch")
    x = inputs()
    for random_bits in ([None, 4] if rounding == "stochastic" else [None]):
        expected = numprec.round(x, fmt, rounding, seed=9, random_bits=random_bits, stream=3,
                                 offset=2**40)
        got = array_api.round(torch.from_numpy(x.copy()), fmt, rounding, seed=9,
                              random_bits=random_bits, stream=3, offset=2**40)
        assert got.dtype == torch.float64 and got.device.type == "cpu"
        assert same_bits(got.numpy(), expected)


@pytest.mark.parametrize("fmt", ["binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2"])
@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
def test_torch_float32_and_shape_are_kept(fmt, rounding):
    torch = pytest.importorskip("torch")
    with np.errstate(over="ignore"):
        x = inputs(2000).astype(np.float32)[:4000].reshape(40, -1)
    expected = numprec.round(x, fmt, rounding, seed=1)
    got = array_api.round(torch.from_numpy(x.copy()), fmt, rounding, seed=1)
    assert got.dtype == torch.float32 and tuple(got.shape) == x.shape
    assert np.array_equal(got.numpy().view(np.int32), expected.view(np.int32))


def test_float32_tensors_are_refused_where_numpy_arrays_are():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="float32"):
        numprec.round(np.ones(3, np.float32), "e9m5")
    with pytest.raises(ValueError, match="float32"):
        array_api.round(torch.ones(3, dtype=torch.float32), "e9m5")


def test_straight_through_passes_the_identity_gradient():
    torch = pytest.importorskip("torch")
    x = torch.linspace(-3, 3, 101, dtype=torch.float64, requires_grad=True)
    y = array_api.round(x, "float8_e4m3fn", straight_through=True)
    assert same_bits(y.detach().numpy(), numprec.round(x.detach().numpy(), "float8_e4m3fn"))
    (y * torch.arange(101.0, dtype=torch.float64)).sum().backward()
    assert torch.equal(x.grad, torch.arange(101.0, dtype=torch.float64))


def test_jax_equals_the_kernel_bit_for_bit():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    x = inputs(3000, seed=4)
    for fmt in ["float8_e5m2", numprec.FloatFormat(11, 0, bias=1024)]:
        for rounding in ["down", "stochastic"]:
            got = array_api.round(jnp.asarray(x), fmt, rounding, seed=2, random_bits=None)
            assert got.dtype == jnp.float64
            assert same_bits(np.asarray(got), numprec.round(x, fmt, rounding, seed=2))
    g = jax.grad(lambda v: jnp.sum(array_api.round(v, "fp16", straight_through=True) * 2.0))
    assert np.array_equal(np.asarray(g(jnp.linspace(0.0, 1.0, 7))), np.full(7, 2.0))


def test_bad_input_is_refused_clearly():
    torch = pytest.importorskip("torch")
    t = torch.ones(3, dtype=torch.float64)
    with pytest.raises(TypeError, match="FloatFormat"):
        array_api.round(t, "sq3.4")
    with pytest.raises(TypeError, match="float64 or float32"):
        array_api.round(torch.ones(3, dtype=torch.int64), "fp16")
    with pytest.raises(ValueError, match="random_bits"):
        array_api.round(t, "fp16", "stochastic", seed=1, random_bits=0)
