"""Precision policies: which format and rounding each part of a model uses.

A :class:`Policy` says how emulated arithmetic is done: the *compute*
format every operation's result is rounded to, the *storage* format of the
prognostic state, the rounding scheme, the random seed, the summation order
of reductions and an optional arithmetic scheme (approximate multiply).
Named *components* of a model (e.g. ``"tendencies"``) may get their own
settings, which is how the mixed setups of Klöwer et al. (2020, "Number
formats, error mitigation, and scope for 16-bit arithmetics in weather and
climate modeling analyzed with a shallow water model", JAMES 12) are
written::

    Policy(compute="fp32", components={"tendencies": "fp16"})   # Float32 prognostic,
                                                                 # Float16 tendencies
    Policy(compute="fp32", storage="fp16")                       # 16-bit storage,
                                                                 # 32-bit compute

Which policy does an operation use?
-----------------------------------
The innermost active ``with policy:`` block (or ``with
policy.component(name):`` / ``with numprec.emulate.double():``) if there
is one; otherwise the policy of the first emulated operand (every
:class:`~numprec.emulate.EmulatedArray` remembers the policy that made it:
its *home*).  Results keep the home policy of their first emulated operand,
so a ``with`` block changes how operations are done, never what the
arrays are.

Random streams
--------------
Each policy tree (a policy and its components) owns one counter of random
streams.  Every rounding done with the policy's scheme takes the next
stream number ``s`` and rounds its flat C-order element ``i`` with counter
``i`` of stream ``s`` under the policy's seed, exactly as
``numprec.round(result, fmt, rounding, seed=seed, stream=s)`` does; a
reduction uses the counters described in :mod:`numprec.emulate.reductions`.
So a run repeated with a new policy of the same seed (or after
:meth:`Policy.reset`) is bit-identical, operations never share random
numbers, and the n-th operation of a run can be reproduced with
:func:`numprec.round`.  Deterministic schemes take stream numbers too (so
the numbering does not depend on the scheme); operations that cannot be
inexact (negation, ``abs``, ``max``/``min``, copies, structural functions)
and operations in a binary64 compute format (no rounding) take none.

The counter is safe to share between threads: each operation takes its
stream number in one indivisible step (:class:`numprec._kernels.fused.StreamCounter`),
so threads sharing a policy never reuse a stream and none is skipped; which
thread gets which stream depends on the threads' timing.

Pickling and copying
--------------------
A policy pickles (and deep-copies) through its settings (formats as their
configs, rounding and arithmetic schemes by registered name, or the objects
themselves where they are not registered), its seed and the position of its
stream counter: the copy continues from the same stream number and so
gives the same bits as the original would for the same operations.  From
then on the two counters are independent (a fork): operations in both
reuse the same streams.  Give each worker its own seed when their random
numbers must differ.  A component pickles as its root policy and its name.
"""
from __future__ import annotations

import secrets

import numpy as np

from numprec._kernels.fused import StreamCounter
from numprec.emulate.array import EmulatedArray
from numprec.emulate.accumulation import Accumulation
from numprec.emulate.arithmetic import resolve_arithmetic
from numprec.emulate.context import ACTIVE_POLICIES, active_policy, pop, push
from numprec.emulate.plan import Plan, contains
from numprec.emulate.reductions import METHODS
from numprec.formats.base import Format
from numprec.formats.float_format import FloatFormat
from numprec.rounding.api import resolve_format, resolve_rounding
from numprec.rounding.checks import check_random_bits
from numprec.rounding.random import check_uint64

__all__ = ["Policy", "ACTIVE_POLICIES", "active_policy", "contains", "container_misfit"]

_DTYPES = {"float64": np.dtype(np.float64), "float32": np.dtype(np.float32)}
_SETTINGS = ("compute", "storage", "rounding", "random_bits", "arithmetic", "summation",
             "accumulation")


def check_accumulation(accumulation):
    """``accumulation`` if it is None or an
    :class:`~numprec.emulate.accumulation.Accumulation`, else TypeError."""
    if accumulation is None or isinstance(accumulation, Accumulation):
        return accumulation
    raise TypeError("accumulation must be None or a numprec.emulate.accumulation.Accumulation, "
                    f"got {type(accumulation).__name__}")


def accumulation_from_config(config):
    """The accumulation model of a :meth:`Policy.get_config` entry (None stays None)."""
    return None if config is None else Accumulation.from_config(config)


#: float32's significand bits (incl. the implicit one), largest binade and
#: the exponent of its smallest subnormal.
_F32_PRECISION, _F32_EMAX, _F32_TINIEST = 24, 127, -149


def _float32_probe():
    """float64 values that test whether a format fits float32 (see
    :func:`container_misfit`): 1 + 2**-k at every precision, every power of
    two of float64, and 24-bit significands across float32's range."""
    k = np.arange(1.0, 53.0)
    ones = 1.0 + 2.0 ** -k
    powers = np.ldexp(1.0, np.arange(-1074, 1024))
    wide = np.ldexp(1.0 + 2.0 ** -23 + 2.0 ** -30, np.arange(-160, 160))
    probe = np.concatenate([ones, powers, wide, 1.0 - 2.0 ** -k])
    return np.concatenate([probe, -probe])


def container_misfit(fmt, dtype):
    """Why containers of ``dtype`` cannot hold every value of ``fmt``
    exactly (a one-line reason), or None if they can.

    Emulated operations are computed in the container dtype and then rounded
    to the format, which is only emulation when every value of the format is
    a value of the container.  float64 holds every format numprec builds.
    float32 holds a binary floating-point format exactly when its precision
    is at most 24 bits (incl. the implicit one), its largest binade is at
    most float32's (2**127) and its finest spacing, at the bottom of its
    range (subnormal or not), is at least float32's smallest subnormal
    2**-149.  Other formats must pass their own ``check_dtype`` and a probe:
    values across float64's range rounded (to nearest) to the format must
    survive the conversion to float32.
    """
    dtype = np.dtype(dtype)
    if dtype != np.float32:
        return None
    if isinstance(fmt, FloatFormat):
        if fmt.precision > _F32_PRECISION:
            return (f"its precision of {fmt.precision} bits exceeds float32's "
                    f"{_F32_PRECISION}")
        if fmt.emax > _F32_EMAX:
            return f"its values reach {fmt.max:g}, beyond float32's maximum"
        if fmt.emin - fmt.mantissa_bits < _F32_TINIEST:
            return (f"its values near {fmt.smallest_subnormal:g} are spaced "
                    f"2**{fmt.emin - fmt.mantissa_bits}, finer than float32's 2**-149")
        return None
    try:
        fmt.check_dtype(dtype)
    except ValueError as exc:
        return str(exc)
    from numprec.rounding.api import round as round_to
    try:
        with np.errstate(all="ignore"):
            vals = round_to(_float32_probe(), fmt, "nearest_even")
    except Exception:                       # noqa: BLE001 - the probe is only evidence
        return None
    vals = vals[np.isfinite(vals)]
    with np.errstate(all="ignore"):
        bad = vals[vals.astype(np.float32).astype(np.float64) != vals]
    if bad.size:
        return f"float32 cannot hold its value {float(bad[0])!r}"
    return None


class _Tree:
    """What a policy and its components share: seed, stream counter, dtype."""

    __slots__ = ("seed", "counter", "dtype", "components", "root", "reference")

    def __init__(self, seed, dtype, start=0, reference=False):
        self.seed = seed
        self.counter = StreamCounter(start)
        self.dtype = dtype
        self.components = {}
        self.root = None
        self.reference = bool(reference)


class Policy:
    """How emulated arithmetic rounds: formats, rounding, seed, components.

    Parameters
    ----------
    compute : numprec.Format or str
        Format every arithmetic result is rounded to (default binary64: no
        rounding).  Any registered name or "eXmY".
    storage : numprec.Format or str, optional
        Format of the prognostic state: what :meth:`store` rounds to (and
        in-place writes into stored arrays).  Default: ``compute``.
    rounding : str or numprec.RoundingScheme
        Rounding scheme of every operation (``nearest_even``, ``stochastic``,
        ...).  Constants are always converted with round-to-nearest-even.
    seed : int, optional
        Key of the random numbers (0 <= seed < 2**64).  None draws fresh
        entropy once; the value is kept in :attr:`seed` (and the config) so
        the run can be repeated.
    random_bits : int, optional
        Random bits stochastic rounding may use (1..64), as in
        :func:`numprec.round`.
    arithmetic : None, str or object
        Arithmetic scheme for products (see
        :mod:`numprec.emulate.arithmetic`): None/"exact", a name registered
        through the ``numprec_arithmetics`` hook, or an object with
        ``multiply(a, b, fmt)``.
    summation : {"sequential", "pairwise", "kahan"}
        Order of rounded reductions (sum, mean, dot, matmul; cumsum is
        sequential unless "kahan").
    dtype : {"float64", "float32"}
        Container dtype of emulated arrays.  float32 halves memory traffic;
        it must hold every value of every format the policy uses (precision
        at most 24 bits, range and finest spacing within float32's, see
        :func:`container_misfit`), else ValueError.  See docs/emulate.md for
        when float32 containers give bit-identical results.
    components : dict, optional
        ``{name: spec}`` for model components that use other settings.  A
        spec is a format (name or object: only the compute format changes),
        a dict of overrides of this policy's settings (``compute``,
        ``storage``, ``rounding``, ``random_bits``, ``arithmetic``,
        ``summation``, ``accumulation``), or a Policy whose settings are copied (not its seed
        or dtype: components share the root's seed and stream counter).
    accumulation : numprec.emulate.accumulation.Accumulation, optional
        How matrix products accumulate (product and accumulator formats,
        fused multiply-add, blocks; see :mod:`numprec.emulate.accumulation`).
        None: every product and every partial sum rounded to ``compute`` in
        the ``summation`` order.
    name : str, optional
        Label for tables and files; default from the settings.
    debug_reference : bool
        Debug option: compute every operation with numpy and round it with
        the generic rounding kernel instead of the fused kernels.  Same bits
        (tests/emulate/test_fused.py checks it), slower; for tests and for
        timing the kernels.

    Attributes
    ----------
    plan : numprec.emulate.plan.Plan
        The frozen execution plan the engine and kernels use.

    Examples
    --------
    >>> import numpy as np
    >>> from numprec.emulate import Policy
    >>> p = Policy("fp16", rounding="stochastic", seed=1)
    >>> x = p.asarray(np.linspace(0, 1, 5))
    >>> y = (x * 3 + 1) / 7            # each of the 3 operations rounded to fp16
    >>> with p.component("tendencies"):   # not configured: same settings
    ...     z = np.sqrt(y)
    """

    def __init__(self, compute="binary64", storage=None, rounding="nearest_even", *,
                 seed=None, random_bits=None, arithmetic=None, summation="sequential",
                 accumulation=None, dtype="float64", components=None, name=None,
                 debug_reference=False):
        self._build(compute, storage, rounding, seed, random_bits, arithmetic, summation,
                    accumulation, dtype, components, name, debug_reference, start=0)

    def _build(self, compute, storage, rounding, seed, random_bits, arithmetic, summation,
               accumulation, dtype, components, name, debug_reference, start):
        if dtype not in _DTYPES and not (isinstance(dtype, np.dtype) or isinstance(dtype, type)):
            raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
        dt = np.dtype(dtype)
        if dt not in _DTYPES.values():
            raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
        if not isinstance(debug_reference, (bool, np.bool_)):
            raise TypeError(f"debug_reference must be True or False, got {debug_reference!r}")
        seed = secrets.randbits(64) if seed is None else check_uint64(seed, "seed")
        tree = _Tree(seed, dt, start, debug_reference)
        tree.root = self
        self._setup(tree, compute, storage, rounding, random_bits, arithmetic, summation,
                    accumulation, name, component=None)
        if components is not None:
            if not isinstance(components, dict):
                raise TypeError(f"components must be a dict {{name: spec}}, got "
                                f"{type(components).__name__}")
            for cname, spec in components.items():
                if not isinstance(cname, str) or not cname:
                    raise ValueError(f"component names must be non-empty strings, got {cname!r}")
                tree.components[cname] = self._derive(cname, spec)

    # ------------------------------------------------------------ building
    def _setup(self, tree, compute, storage, rounding, random_bits, arithmetic, summation,
               accumulation, name, component):
        self._tree = tree
        self._component = component
        self.compute = resolve_format(compute, "compute")
        self.storage = self.compute if storage is None else resolve_format(storage, "storage")
        self.rounding = resolve_rounding(rounding)
        random_bits = check_random_bits(random_bits, self.rounding)
        self.random_bits = random_bits
        if summation not in METHODS:
            raise ValueError(f"summation must be one of {sorted(METHODS)}, got {summation!r}")
        self.summation = summation
        self.accumulation = check_accumulation(accumulation)
        arith, self.arithmetic = resolve_arithmetic(arithmetic, self.compute)
        self._arith_arg = arithmetic
        for fmt, what in ((self.compute, "compute"), (self.storage, "storage")):
            reason = container_misfit(fmt, tree.dtype)
            if reason is not None:
                where = f"component {component!r}: " if component is not None else ""
                raise ValueError(f"{where}{what} format {fmt.name!r} does not fit dtype "
                                 f"{tree.dtype.name!r} containers ({reason}); use "
                                 "dtype='float64'")
        self.plan = Plan(self.compute, self.storage, self.rounding, random_bits, summation,
                         arith, self.accumulation, tree.dtype, tree.seed, tree.counter,
                         EmulatedArray, tree.reference)
        self._name = name

    def _settings(self):
        return {"compute": self.compute, "storage": self.storage, "rounding": self.rounding,
                "random_bits": self.random_bits, "arithmetic": self._arith_arg,
                "summation": self.summation, "accumulation": self.accumulation}

    def _derive(self, cname, spec):
        settings = self._settings()
        if isinstance(spec, (str, Format)):
            settings["compute"] = spec
            if self.storage is self.compute:
                settings["storage"] = None
        elif isinstance(spec, Policy):
            settings = spec._settings()
        elif isinstance(spec, dict):
            unknown = set(spec) - set(_SETTINGS)
            if unknown:
                raise ValueError(f"component {cname!r}: unknown settings {sorted(unknown)}; "
                                 f"allowed: {list(_SETTINGS)}")
            if "compute" in spec and "storage" not in spec and self.storage is self.compute:
                settings["storage"] = None
            settings.update(spec)
            if "rounding" in spec and "random_bits" not in spec:
                settings["random_bits"] = None if not resolve_rounding(
                    spec["rounding"]).stochastic else settings["random_bits"]
        else:
            raise TypeError(f"component {cname!r}: spec must be a format, a dict of settings "
                            f"or a Policy, got {type(spec).__name__}")
        comp = object.__new__(Policy)
        comp._setup(self._tree, name=None, component=cname, **settings)
        return comp

    # ------------------------------------------------------------ describe
    @property
    def seed(self) -> int:
        """The root key of the policy's random streams (stochastic rounding)."""
        return self._tree.seed

    @property
    def dtype(self) -> np.dtype:
        """Container dtype of the policy's arrays."""
        return self._tree.dtype

    @property
    def root(self) -> "Policy":
        """The policy this component belongs to (itself for a root policy)."""
        return self._tree.root

    @property
    def component_name(self):
        """The component's name (None for a root policy)."""
        return self._component

    @property
    def components(self) -> tuple:
        """Names of the configured components."""
        return tuple(self._tree.components)

    @property
    def streams_used(self) -> int:
        """Random stream numbers taken so far (the next operation's stream)."""
        return self._tree.counter.value

    @property
    def name(self) -> str:
        """A short description: the ``name`` given, else the compute format,
        the storage format if it differs, the rounding scheme and the
        settings that differ from the defaults."""
        if self._name:
            return self._name
        parts = [self.compute.name]
        if self.storage != self.compute:
            parts.append(f"storage={self.storage.name}")
        parts.append(self.rounding.name)
        if self.random_bits is not None:
            parts.append(f"r{self.random_bits}")
        if self.arithmetic != "exact":
            parts.append(self.arithmetic)
        if self.summation != "sequential":
            parts.append(self.summation)
        for cname, comp in self._tree.components.items():
            if self._component is None:
                parts.append(f"{cname}={comp.compute.name}")
        return " ".join(parts)

    def get_config(self) -> dict:
        """A JSON-able description (formats as their configs), for provenance."""
        cfg = {
            "compute": self.compute.get_config(),
            "storage": self.storage.get_config(),
            "rounding": self.rounding.name,
            "random_bits": self.random_bits,
            "arithmetic": self.arithmetic,
            "summation": self.summation,
            "accumulation": None if self.accumulation is None else self.accumulation.get_config(),
        }
        if self._component is None:
            if self._tree.reference:
                cfg["debug_reference"] = True
            cfg.update(seed=self.seed, dtype=self.dtype.name, name=self.name,
                       components={k: c.get_config() for k, c in self._tree.components.items()})
        else:
            cfg["component"] = self._component
        return cfg

    @classmethod
    def from_config(cls, config) -> "Policy":
        """A fresh policy (stream counter at 0) from :meth:`get_config`.

        Arithmetic schemes are looked up by name in the registry.
        """
        from numprec.formats import from_config

        def settings(c):
            return {"compute": from_config(c["compute"]), "storage": from_config(c["storage"]),
                    "rounding": c["rounding"], "random_bits": c.get("random_bits"),
                    "arithmetic": c.get("arithmetic"),
                    "summation": c.get("summation", "sequential"),
                    "accumulation": accumulation_from_config(c.get("accumulation"))}

        comps = {k: settings(v) for k, v in config.get("components", {}).items()}
        return cls(**settings(config), seed=config["seed"], dtype=config.get("dtype", "float64"),
                   components=comps or None,
                   debug_reference=bool(config.get("debug_reference", False)))

    def __repr__(self):
        return f"<numprec.emulate.Policy {self.name} seed={self.seed}>"

    # ------------------------------------------------------------ pickling
    def _portable_settings(self):
        """This policy's settings as picklable values: formats as configs
        (storage None when it is the compute format), schemes by registered
        name where the name gives them back, else the objects."""
        from numprec.registry.manager import get_rounding
        try:
            rounding = self.rounding.name if get_rounding(self.rounding.name) == self.rounding \
                else self.rounding
        except Exception:                   # noqa: BLE001 - not registered: the object
            rounding = self.rounding
        return {"compute": self.compute.get_config(),
                "storage": None if self.storage is self.compute else self.storage.get_config(),
                "rounding": rounding, "random_bits": self.random_bits,
                "arithmetic": self._arith_arg, "summation": self.summation,
                "accumulation": self.accumulation}

    def __reduce__(self):
        """Pickle and deep-copy support (see the module notes): a root policy
        as its settings, seed, dtype, name, components and stream position;
        a component as its root and its name."""
        if self._component is not None:
            return (_component_of, (self._tree.root, self._component))
        tree = self._tree
        state = {"settings": self._portable_settings(), "seed": tree.seed,
                 "dtype": tree.dtype.name, "name": self._name, "reference": tree.reference,
                 "components": {k: c._portable_settings() for k, c in tree.components.items()},
                 "streams_used": tree.counter.value}
        return (_restore_policy, (state,))

    # ------------------------------------------------------------ contexts
    def __enter__(self):
        push(self)
        return self

    def __exit__(self, *exc):
        pop(self)
        return False

    def component(self, name: str) -> "Policy":
        """The policy of the component ``name``; this tree's root policy if
        ``name`` is not configured (so a model can ask for any component)."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a component name (str), got {type(name).__name__}")
        return self._tree.components.get(name, self._tree.root)

    def check_components(self, known) -> None:
        """Raise ValueError if a configured component is not in ``known``
        (the names a model asks for), so typos do not pass silently."""
        unknown = [c for c in self._tree.components if c not in set(known)]
        if unknown:
            raise ValueError(f"components {unknown} are not used by this model; its components "
                             f"are {sorted(known)}")

    def reset(self) -> None:
        """Rewind the stream counter (of the whole tree) to 0 for a rerun."""
        self._tree.counter.reset()

    # ------------------------------------------------------------ arrays in
    def asarray(self, x):
        """``x`` as an emulated array in the compute format, rounded with the
        policy's scheme (one stream).  Emulated input is converted, never
        shared."""
        return self._make(x, self.plan.round_compute, self.compute)

    def store(self, x):
        """``x`` rounded to the storage format (one stream), as an emulated
        array: the prognostic state between time steps.

        An emulated array of this policy's dtype whose values are already
        values of the storage format is returned as it is (no rounding, no
        stream), so storing every step costs nothing when storage and
        compute formats agree.
        """
        plan = self.plan
        if isinstance(x, EmulatedArray) and x.dtype == plan.dtype and plan.storage_holds(x.format):
            return x
        return self._make(x, self.plan.round_storage, self.storage)

    def constant(self, x):
        """``x`` as an emulated array in the compute format, converted with
        round-to-nearest-even and no random numbers (as constants in
        operations are).  Use it to convert constant arrays once."""
        plan = self.plan
        data = plan.round_constant(_float64_copy(x), 0, 0)
        return plan.wrap(data.astype(plan.dtype, copy=False), self.compute, self)

    def _make(self, x, rounder, fmt):
        plan = self.plan
        data = _float64_copy(x)
        data = rounder(data, plan.seed, plan.take_stream(rounder, data.dtype))
        return plan.wrap(data.astype(plan.dtype, copy=False), fmt, self)


def _float64_copy(x):
    """A float64 copy of ``x`` (array, scalar or emulated array)."""
    if isinstance(x, EmulatedArray):
        x = x.to_numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"x must hold real numbers, got dtype {arr.dtype}")
    return np.array(arr, dtype=np.float64, copy=True)


# ------------------------------------------------------------------ pickling
def _settings_from(portable):
    """Policy keyword arguments from :meth:`Policy._portable_settings`."""
    from numprec.formats import from_config
    return {"compute": from_config(portable["compute"]),
            "storage": None if portable["storage"] is None else from_config(portable["storage"]),
            "rounding": portable["rounding"], "random_bits": portable["random_bits"],
            "arithmetic": portable["arithmetic"], "summation": portable["summation"],
            "accumulation": portable.get("accumulation")}


def _restore_policy(state):
    """The policy :meth:`Policy.__reduce__` describes, its stream counter at
    the pickled position."""
    comps = {}
    for cname, portable in state["components"].items():
        settings = _settings_from(portable)
        if settings["storage"] is None:
            settings["storage"] = settings["compute"]
        comps[cname] = settings
    policy = object.__new__(Policy)
    settings = _settings_from(state["settings"])
    policy._build(settings["compute"], settings["storage"], settings["rounding"], state["seed"],
                  settings["random_bits"], settings["arithmetic"], settings["summation"],
                  settings["accumulation"], state["dtype"], comps or None, state["name"],
                  state.get("reference", False), start=state["streams_used"])
    return policy


def _component_of(root, name):
    return root.component(name)
