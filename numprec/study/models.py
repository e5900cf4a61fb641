"""Models a study can run: a name, or "package.module:function".

A model function is ``run_member(params: dict, task: MemberTask) ->
xarray.Dataset``; it runs one ensemble member (double precision when
``task.format`` is None) and returns its output with a "time" dimension.
It must depend only on its arguments, so results are the same on any worker.

What a model accepts is declared by three optional attributes of the
function, read when a study file is read (:func:`declarations`):

``run_member.parameters``
    dict of the ``[model]`` keys it accepts and their defaults; any other key
    in ``[model]`` is refused, and a member file records the parameters with
    these defaults filled in.
``run_member.policies``
    tuple of the policy names it implements (including ``"all"``); a
    ``grid.policies`` entry outside it is refused.
``run_member.variables``
    tuple of its output variable names; ``verify.variables`` and
    ``verify.joint`` outside it are refused.

The built-in models declare all three.  A user model
("package.module:function") without an attribute is not checked for that
part: its ``[model]`` table is passed on unchecked, every policy name is
passed to it as ``task.policy`` (it must refuse those it does not
implement), and a verified variable it does not return is reported by the
runner when the first member comes back, before the rest are written.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Optional

MODELS = {
    "lorenz63": "numprec.cases.lorenz:study_member_l63",
    "lorenz96": "numprec.cases.lorenz:study_member_l96",
    "heat": "numprec.cases.heat:study_member",
    "shallow_water": "numprec.cases.shallow_water:study_member",
}


def resolve_model(name: str):
    """The model function for a study's ``study.model``.

    Raises
    ------
    ValueError
        If the name is neither a built-in model nor an importable
        ``package.module:function``; the message starts with ``study.model:``.
    """
    target = MODELS.get(name, name)
    if ":" not in target:
        raise ValueError(f"study.model: unknown model {name!r}; expected one of "
                         f"{sorted(MODELS)} or 'package.module:function'")
    module_name, func_name = target.split(":", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"study.model: cannot import {module_name!r} for model {name!r}: "
                         f"{exc}") from exc
    func = getattr(module, func_name, None)
    if not callable(func):
        raise ValueError(f"study.model: {module_name!r} has no function {func_name!r}")
    return func


@dataclass(frozen=True)
class Declarations:
    """What a model function declares it accepts (None: not declared)."""

    parameters: Optional[dict]
    policies: Optional[tuple]
    variables: Optional[tuple]


def _names(func, attribute, name):
    value = getattr(func, attribute, None)
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"study.model: model {name!r} declares {attribute} = {value!r}; "
                         f"expected a tuple of strings")
    return tuple(value)


def declarations(func, name: str) -> Declarations:
    """The ``parameters``, ``policies`` and ``variables`` a model declares.

    Parameters
    ----------
    func : callable
        The model function (from :func:`resolve_model`).
    name : str
        The study's model name, for messages.

    Returns
    -------
    Declarations
        Each field None where the function has no such attribute.
    """
    parameters = getattr(func, "parameters", None)
    if parameters is not None:
        if not isinstance(parameters, dict) or not all(isinstance(k, str) for k in parameters):
            raise ValueError(f"study.model: model {name!r} declares parameters = "
                             f"{parameters!r}; expected a dict of key -> default")
        parameters = dict(parameters)
    return Declarations(parameters, _names(func, "policies", name),
                        _names(func, "variables", name))
