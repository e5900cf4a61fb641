"""Policies shared by threads, and policies/arrays pickled or deep-copied
(numprec issue 8).

Oracles: op-by-op references built with :func:`numprec.round` (stream ``s``
of the policy's seed), and the original policy running the same
operations.
"""
import copy
import multiprocessing
import operator
import pickle
import threading

import numpy as np
import pytest

import numprec
from numprec.emulate import EmulatedArray, Policy

SEED = 5


def R(x, fmt, stream, rounding="stochastic", random_bits=None):
    return numprec.round(x, fmt, rounding, seed=SEED, stream=stream, random_bits=random_bits)


def same_bits(a, b):
    a = a.to_numpy(a.dtype) if isinstance(a, EmulatedArray) else np.asarray(a)
    b = b.to_numpy(b.dtype) if isinstance(b, EmulatedArray) else np.asarray(b)
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.array_equal(a.view(np.uint64 if a.itemsize == 8 else np.uint32),
                               b.view(np.uint64 if b.itemsize == 8 else np.uint32)))


# ------------------------------------------------------------------ threads
@pytest.mark.parametrize("fused", [True, False])
def test_threads_sharing_a_policy_take_distinct_streams(fused):
    nthreads, k, n = 4, 40, 20000
    a = numprec.round(np.random.default_rng(0).uniform(1, 2, n), "fp16")
    p = Policy("fp16", rounding="stochastic", seed=SEED, debug_reference=not fused)
    x = p.constant(a)
    # the operations and their unrounded results (float64: exact for fp16 operands)
    ops = [(lambda: x * 1.1, a * numprec.round(np.array(1.1), "fp16")),
           (lambda: np.exp(x), np.exp(a)),
           (lambda: x + x[::-1], a + a[::-1])]
    results = [[] for _ in range(nthreads)]
    barrier = threading.Barrier(nthreads)

    def work(t):
        barrier.wait()
        for j in range(k):
            op = j % len(ops)
            results[t].append((op, ops[op][0]()))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = nthreads * k
    assert p.streams_used == total
    # each result is the op-by-op reference of exactly one stream, all distinct
    refs = [{R(exact, "fp16", s).tobytes(): s for s in range(total)} for _, exact in ops]
    taken = []
    for per_thread in results:
        for op, res in per_thread:
            s = refs[op].get(res.to_numpy().tobytes())
            assert s is not None, "a result matches no stream's reference"
            taken.append(s)
    assert sorted(taken) == list(range(total))


def test_threads_sharing_a_policy_in_reductions_and_conversions():
    nthreads, k, n = 3, 30, 4000
    a = np.random.default_rng(1).uniform(1, 2, n)
    p = Policy("bf16", rounding="stochastic", seed=SEED)
    out = [[] for _ in range(nthreads)]
    barrier = threading.Barrier(nthreads)

    def work(t):
        barrier.wait()
        for _ in range(k):
            out[t].append(p.asarray(a))        # one conversion, one stream

    threads = [threading.Thread(target=work, args=(t,)) for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = nthreads * k
    assert p.streams_used == total
    refs = {R(a, "bf16", s).tobytes(): s for s in range(total)}
    taken = sorted(refs[x.to_numpy().tobytes()] for per in out for x in per)
    assert taken == list(range(total))


def test_stream_counter_takes_gives_back_and_pickles():
    from numprec._kernels.fused import StreamCounter
    c = StreamCounter(7)
    assert [c.take(), c.take()] == [7, 8] and c.value == 9
    assert c.give_back(8) and c.value == 8          # the last one, nothing taken since
    c.take()
    assert not c.give_back(7) and c.value == 9      # another was taken since: kept unused
    assert pickle.loads(pickle.dumps(c)).value == 9
    c.reset()
    assert c.value == 0
    last = StreamCounter(2 ** 64 - 2)
    assert last.take() == 2 ** 64 - 2
    with pytest.raises(OverflowError, match="exhausted"):
        last.take()
    with pytest.raises(OverflowError):
        StreamCounter(2 ** 64 - 1)
    with pytest.raises(OverflowError):
        StreamCounter(-1)


def test_failed_fused_operation_gives_its_stream_back():
    p = Policy("bf16", rounding="stochastic", seed=SEED)
    x = p.constant(np.array([1.0, 0.0] * 300))
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            x / x[::-1].copy()          # fused path: the stream is given back
    assert p.streams_used == 0


# ----------------------------------------------------------------- pickling
def _policy():
    return Policy("fp32", storage="fp16", rounding="stochastic", seed=SEED, random_bits=12,
                  summation="kahan", name="mixed",
                  components={"tendencies": "bf16",
                              "slow": {"compute": "e5m7", "rounding": "nearest_even"}})


def _run(p, a):
    """A few operations of every kind, under the policy and its components."""
    x = p.store(a)
    with p:
        y = x * 1.3 + 0.25
        with p.component("tendencies"):
            z = np.sqrt(y) - x
        with p.component("slow"):
            w = z / 3.0
        s = np.sum(w)
    return [x, y, z, w, s]


def test_pickled_policy_repeats_the_run_bit_for_bit():
    a = np.random.default_rng(2).normal(size=50)
    p = _policy()
    _run(p, a)                                  # advance the stream counter
    q = pickle.loads(pickle.dumps(p))
    assert q is not p and q.get_config() == p.get_config() and q.name == "mixed"
    assert q.streams_used == p.streams_used > 0
    assert q.components == p.components
    for got, want in zip(_run(q, a), _run(p, a)):
        assert same_bits(got, want)
        assert got.format == want.format and got.policy.root is q
    assert q.streams_used == p.streams_used
    # the counters are independent after the copy
    q.asarray(a)
    assert q.streams_used == p.streams_used + 1


def test_pickled_policy_against_numprec_round():
    a = numprec.round(np.linspace(0.1, 2, 40), "fp16")
    p = Policy("fp16", rounding="stochastic", seed=SEED)
    for _ in range(3):
        p.asarray(a)
    q = pickle.loads(pickle.dumps(p))
    got = q.constant(a) * 0.3
    assert same_bits(got, R(a * numprec.round(np.array(0.3), "fp16"), "fp16", 3))


def test_pickled_arrays_keep_values_format_and_a_shared_policy():
    p = _policy()
    a = np.random.default_rng(3).normal(size=(3, 4))
    x, y, z, w, s = _run(p, a)
    comp = p.component("tendencies").asarray(a)
    xs, ys, ws, ss, cs = pickle.loads(pickle.dumps([x, y, w, s, comp]))
    for got, want in ((xs, x), (ys, y), (ws, w), (ss, s), (cs, comp)):
        assert isinstance(got, EmulatedArray) and same_bits(got, want)
        assert got.format == want.format and got.shape == want.shape
    assert xs.policy is ys.policy                          # one policy, as before
    assert cs.policy.component_name == "tendencies" and cs.policy.root is xs.policy
    # formats are the policy's own objects again (the engine's fast checks)
    assert ys.format is ys.policy.compute and xs.format is xs.policy.storage
    # the next operation on the copy gives what it gives on the original
    assert same_bits(ys * 2.1, y * 2.1)


def test_deepcopy_of_policy_and_arrays():
    p = _policy()
    a = np.linspace(-1, 1, 7)
    x = _run(p, a)[1]
    q = copy.deepcopy(p)
    assert q is not p and q.get_config() == p.get_config()
    assert q.streams_used == p.streams_used
    pair = copy.deepcopy({"policy": p, "x": x})
    xc = pair["x"]
    assert xc.policy is pair["policy"] and xc.policy is not p
    assert same_bits(xc, x) and not np.shares_memory(xc.to_numpy(), x.to_numpy())
    assert same_bits(xc * 3.3, x * 3.3)
    assert copy.copy(x).policy is p            # a shallow copy shares the policy


def test_pickled_policy_with_a_custom_arithmetic_object():
    p = Policy("bf16", rounding="stochastic", seed=SEED, arithmetic=TRUNCATING)
    q = pickle.loads(pickle.dumps(p))
    a = np.linspace(1, 2, 9)
    assert same_bits(q.asarray(a) * q.asarray(a), p.asarray(a) * p.asarray(a))


class _Truncating:
    name = "truncating"

    def multiply(self, a, b):
        return np.trunc(a * b * 64) / 64


TRUNCATING = _Truncating()


def test_multiprocessing_spawn_round_trip():
    p = Policy("fp16", rounding="stochastic", seed=SEED)
    a = np.linspace(0.1, 1.0, 64)
    x = p.asarray(a)
    p.asarray(a)                       # counter at 2
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        remote = pool.apply(operator.mul, (x, 1.7))     # x and its policy (counter 2) sent
        local = x * 1.7                                 # stream 2 here
        remote_policy = pool.apply(copy.deepcopy, (p,))
    assert same_bits(remote, local)
    assert remote.policy.streams_used == 3 and remote.policy.get_config() == p.get_config()
    assert remote_policy.streams_used == 3 and p.streams_used == 3
    assert same_bits(remote_policy.asarray(a), p.asarray(a))


def test_pickling_a_policy_does_not_change_it():
    p = Policy("fp16", rounding="stochastic", seed=SEED)
    p.asarray(np.ones(3))
    pickle.dumps(p)
    copy.deepcopy(p)
    assert p.streams_used == 1
