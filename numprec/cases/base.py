"""The case contract: a model is a dataclass of named, swappable components.

The design follows SpeedyWeather.jl (Klöwer et al. 2024, "SpeedyWeather.jl:
Reinventing atmospheric general circulation models towards interactivity
and extensibility", JOSS 9, 6323): a model is a record of components (grid,
dynamics, each physics scheme, time stepping, ...), each swappable by
keyword, built from documented parameters with defaults, and the number
format is a parameter of the whole run, not of the model code.

Three pieces:

:class:`Model`
    Base class of a model dataclass.  **Every field is a component** (except
    fields declared with :func:`setting`, e.g. a grid size); the names of
    the fields are the component names a precision policy may
    configure (``Policy(components={"tendencies": "fp16"})``), so there is
    no hand-kept list.  :meth:`Model.step` lists the call order explicitly
    and runs each component through :meth:`Model.call`, which enters
    ``policy.component(<field name>)`` around it.
:class:`Component`
    Optional base class of a component.  A component is any object; one
    that holds constant arrays gets them converted once, when a simulation
    is set up (:meth:`Model.prepare`, with ``policy.component(name).constant``).
:class:`Case`
    What a case package exposes as ``CASE``: name, one-line description,
    its parameters dataclass, its model type, the component and output
    variable names, ``build(**params)`` and ``run(params, policy, members=,
    ic_seed=)``; the ensemble runner, the study runner and ``python -m
    numprec cases`` use nothing else.

A model's state is a :class:`typing.NamedTuple` of arrays (a field may be
None, e.g. a compensation term not in use); the members of an ensemble are
batched in one array dimension of every field, so emulation's per-call cost
is paid once per step for the whole ensemble.  The driver
(:func:`numprec.cases.driver.integrate`) stores the state with
``policy.store`` after every step, stops on NaN/inf and samples
:meth:`Model.output`.

See docs/cases.md for a walk-through and a complete small case.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Mapping, Optional

import numpy as np

from numprec import emulate

__all__ = ["Model", "Component", "Case", "component_names", "setting", "parameter_defaults",
           "check_parameters"]

#: field metadata key marking a model field that is not a component
_NOT_A_COMPONENT = "numprec_setting"


def setting(default=dataclasses.MISSING, **kwargs):
    """A model field that is not a component (a grid size, an initial value):
    ``nz: int = setting(60)``.  Keyword arguments go to
    :func:`dataclasses.field`.

    Parameters
    ----------
    default : object, optional
        The field's default.
    **kwargs
        Passed to :func:`dataclasses.field`.

    Returns
    -------
    dataclasses.Field
        A field marked as a setting, so :func:`component_names` leaves it out."""
    metadata = {**kwargs.pop("metadata", {}), _NOT_A_COMPONENT: True}
    return dataclasses.field(default=default, metadata=metadata, **kwargs)


def component_names(model) -> tuple:
    """The component names of a model dataclass (or its type): its field
    names, less those declared with :func:`setting`.

    Parameters
    ----------
    model : Model or type
        A model instance or a model dataclass type.

    Returns
    -------
    tuple of str
        The field names, in declaration order.
    """
    if not dataclasses.is_dataclass(model):
        raise TypeError(f"a model must be a dataclass (of components), got "
                        f"{model!r}")
    return _field_components(model if isinstance(model, type) else type(model))


@functools.lru_cache(maxsize=None)
def _field_components(cls) -> tuple:
    # cached per class: Model.call looks the names up on every component call
    return tuple(f.name for f in dataclasses.fields(cls)
                 if not f.metadata.get(_NOT_A_COMPONENT, False))


def _as_float64(x):
    """Constant conversion of a run without a policy: a float64 copy."""
    return np.array(x, dtype=np.float64)


class Component:
    """Base class of model components that hold constant arrays.

    A component does one job (compute tendencies, apply a boundary
    condition, advance the state in time, ...).  Subclass it (as a frozen
    dataclass) when the component holds arrays that must be converted to the
    run's number format once, before the first step: the default
    :meth:`with_constants` converts every field that is a numpy array.
    Components without constant arrays need not subclass it.
    """

    def with_constants(self, convert: Callable, state) -> "Component":
        """A copy whose constant arrays went through ``convert``.

        Parameters
        ----------
        convert : callable
            ``convert(array) -> array``: the component policy's
            :meth:`numprec.emulate.Policy.constant` (round-to-nearest, no
            random numbers), or a float64 copy in a run without a policy.
        state : NamedTuple
            The stored initial state, for constants whose shape follows the
            state's (batch dimensions).

        Returns
        -------
        Component
            ``self`` if nothing changed, else a :func:`dataclasses.replace`
            copy.
        """
        if not dataclasses.is_dataclass(self):
            return self
        changes = {f.name: convert(getattr(self, f.name)) for f in dataclasses.fields(self)
                   if isinstance(getattr(self, f.name), np.ndarray)}
        return dataclasses.replace(self, **changes) if changes else self


class Model:
    """Base class of a model: a dataclass whose fields are its components
    (fields made with :func:`setting` are plain settings).

    Subclasses are ``@dataclasses.dataclass(frozen=True)`` classes and
    define:

    ``step(state) -> state``
        One time step, calling the components in an explicit order through
        :meth:`call`.
    ``initial_state(members, seed) -> state``
        A float64 state of ``members`` ensemble members (batched in one
        array dimension), drawn with ``numpy.random.default_rng(seed)``.
    ``output(state) -> dict``
        ``{variable name: array}`` of one sample (views of the state are
        fine; the driver copies them to float64 numpy arrays).

    Everything else (storing the state, NaN checks, sampling, progress,
    checkpoints) is the driver's job.
    """

    @classmethod
    def components(cls) -> tuple:
        """The component names: the dataclass field names (see
        :func:`component_names`)."""
        return component_names(cls)

    def call(self, name: str, *args, **kwargs):
        """Run component ``name`` (``getattr(self, name)(*args, **kwargs)``)
        inside ``policy.component(name)`` of the active policy.

        Without an active policy the component runs in plain numpy
        (double), unless its first argument is an emulated array, whose home
        policy is used.  ``name`` must be a component of this model.

        Parameters
        ----------
        name : str
            A name of :meth:`components`.
        *args, **kwargs
            Passed to the component.

        Returns
        -------
        object
            What the component returns.
        """
        if name not in self.components():
            raise ValueError(f"{name!r} is not a component of {type(self).__name__}; its "
                             f"components are {', '.join(self.components())}")
        like = args[0] if args else None
        with emulate.component(name, like=like):
            return getattr(self, name)(*args, **kwargs)

    def prepare(self, policy, state) -> "Model":
        """The model with every component's constants converted for a run.

        Called once by the driver, after the initial state was stored.  Each
        component with a ``with_constants(convert, state)`` method (see
        :class:`Component`) gets ``policy.component(name).constant`` (a
        float64 copy when ``policy`` is None).

        Parameters
        ----------
        policy : numprec.emulate.Policy or None
        state : NamedTuple
            The stored initial state.

        Returns
        -------
        Model
            A copy (``self`` if no component changed).
        """
        changes = {}
        for name in self.components():
            comp = getattr(self, name)
            if not hasattr(comp, "with_constants"):
                continue
            convert = _as_float64 if policy is None else policy.component(name).constant
            new = comp.with_constants(convert, state)
            if new is not comp:
                changes[name] = new
        return dataclasses.replace(self, **changes) if changes else self

    def step(self, state):  # pragma: no cover - documented interface
        """One time step: the new state from ``state``.

        Subclasses list the call order here, calling each component through
        :meth:`call`.

        Parameters
        ----------
        state : NamedTuple
            The state (arrays with the members batched in one dimension).

        Returns
        -------
        NamedTuple
            The state one step later, of the same type.
        """
        raise NotImplementedError(f"{type(self).__name__} must define step(state)")

    def initial_state(self, members: int, seed):  # pragma: no cover - interface
        """The float64 initial state of an ensemble.

        Parameters
        ----------
        members : int
            Number of ensemble members, batched in one array dimension.
        seed : int or None
            Seed of :func:`numpy.random.default_rng` for the perturbations.

        Returns
        -------
        NamedTuple
        """
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  "initial_state(members, seed)")

    def output(self, state) -> dict:  # pragma: no cover - documented interface
        """One output sample of ``state``.

        Parameters
        ----------
        state : NamedTuple

        Returns
        -------
        dict
            ``{variable name: array}``; views of the state are fine (the
            driver copies them to float64 numpy arrays).
        """
        raise NotImplementedError(f"{type(self).__name__} must define output(state)")


def parameter_defaults(parameters: type) -> dict:
    """``{name: default}`` of a parameters dataclass (fields without a
    default are left out).

    Parameters
    ----------
    parameters : type
        A dataclass type.

    Returns
    -------
    dict

    Examples
    --------
    >>> from numprec.cases.base import parameter_defaults
    >>> from numprec.cases.lorenz import LorenzParameters
    >>> parameter_defaults(LorenzParameters)["dt"]
    0.01"""
    out = {}
    for f in dataclasses.fields(parameters):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def check_parameters(parameters: type, params: Optional[Mapping[str, Any]], *,
                     case: str = "this case"):
    """``parameters(**params)``, with a clear error for unknown keys.

    Parameters
    ----------
    parameters : type
        A frozen dataclass of a case's parameters.
    params : mapping or None
        Overrides of the defaults.
    case : str
        The case's name, for the message.

    Raises
    ------
    TypeError
        If ``params`` is not a mapping with string keys.
    ValueError
        If a key is not a parameter (the message lists the allowed ones), or
        the parameters dataclass rejects a value.
    """
    params = {} if params is None else params
    if isinstance(params, parameters):
        return params
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of {case} parameters, got "
                        f"{type(params).__name__}")
    allowed = [f.name for f in dataclasses.fields(parameters)]
    unknown = sorted(str(k) for k in params if k not in allowed)
    if unknown:
        raise ValueError(f"{unknown} are not {case} parameters (allowed: "
                         f"{', '.join(allowed)})")
    return parameters(**params)


class Case:
    """A registered case: what ``numprec.cases.<name>.CASE`` is.

    Parameters
    ----------
    name : str
        Registry name (``"lorenz"``).
    description : str
        One line, for ``python -m numprec cases``.
    parameters : type
        Frozen dataclass of the documented parameters, with defaults.
    model : type
        The model dataclass type (a :class:`Model`); :attr:`components` are
        its field names.
    builder : callable
        ``builder(parameters_instance) -> model``.
    runner : callable
        ``runner(parameters_instance, policy, *, members, ic_seed,
        **run_options) -> xarray.Dataset``: integrate a batch of ``members``
        members with :func:`numprec.cases.driver.integrate` and return the
        sampled output, dims ``("member", "time", ...)``, with units.
    variables : tuple of str
        Names of the output variables.
    cli : str, optional
        The module of the case's command line (``python -m <cli>``), if it
        has one.

    Attributes
    ----------
    components : tuple of str
        The model's component names (from its fields).
    """

    def __init__(self, name: str, description: str, parameters: type, model: type,
                 builder: Callable, runner: Callable, variables, *, cli: Optional[str] = None):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"name must be an identifier, got {name!r}")
        if not (dataclasses.is_dataclass(parameters) and isinstance(parameters, type)):
            raise TypeError(f"parameters must be a dataclass type, got {parameters!r}")
        if not (dataclasses.is_dataclass(model) and isinstance(model, type)):
            raise TypeError(f"model must be a dataclass type (of components), got {model!r}")
        self.name = name
        self.description = str(description)
        self.parameters = parameters
        self.model = model
        self._builder = builder
        self._runner = runner
        self.variables = tuple(variables)
        self.cli = cli or None

    @property
    def components(self) -> tuple:
        """The model's component names (its dataclass field names)."""
        return component_names(self.model)

    @property
    def defaults(self) -> dict:
        """``{parameter: default}``."""
        return parameter_defaults(self.parameters)

    def build(self, **params):
        """The model of these parameters (defaults for the others).

        Raises
        ------
        ValueError
            For an unknown parameter name or a bad value.
        """
        return self._builder(check_parameters(self.parameters, params, case=self.name))

    def run(self, params, policy=None, *, members: int, ic_seed=0, **run_options):
        """Integrate ``members`` members from initial conditions drawn with
        ``ic_seed`` under ``policy`` (None: double precision) and return the
        sampled output as an :class:`xarray.Dataset` (dims ``"member"``,
        ``"time"``, ...; CF attributes and units).

        Parameters
        ----------
        params : dict or None
            Parameter overrides (see :attr:`parameters`).
        policy : numprec.emulate.Policy, optional
            Its configured components must be components of this case.
        members : int
            Ensemble members, batched in one array dimension.
        ic_seed : int or sequence of int
            Seed of the initial conditions (``numpy.random.default_rng``).
        **run_options
            Passed to the case's runner (e.g. ``progress=True``).
        """
        p = check_parameters(self.parameters, params, case=self.name)
        if isinstance(members, bool) or not isinstance(members, (int, np.integer)) \
                or members < 1:
            raise ValueError(f"members must be a positive integer, got {members!r}")
        if policy is not None:
            policy.check_components(self.components)
        return self._runner(p, policy, members=int(members), ic_seed=ic_seed, **run_options)

    def __repr__(self):
        return (f"Case({self.name!r}, components={self.components}, "
                f"variables={self.variables})")

