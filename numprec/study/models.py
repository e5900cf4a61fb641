"""Models a study can run: a name, or "package.module:function".

A model function is ``run_member(params: dict, task: MemberTask) ->
xarray.Dataset``; it runs one ensemble member (double precision when
``task.format`` is None) and returns its output with a "time" dimension.
It must depend only on its arguments, so results are the same on any worker.
"""
from __future__ import annotations

import importlib

MODELS = {
    "lorenz63": "numprec.cases.lorenz:study_member_l63",
    "lorenz96": "numprec.cases.lorenz:study_member_l96",
    "heat": "numprec.cases.heat:study_member",
    "shallow_water": "numprec.cases.shallow_water:study_member",
}


def resolve_model(name: str):
    """The model function for a study's ``study.model``."""
    target = MODELS.get(name, name)
    if ":" not in target:
        raise ValueError(f"study.model: unknown model {name!r}; expected one of "
                         f"{sorted(MODELS)} or 'package.module:function'")
    module_name, func_name = target.split(":", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"study.model: cannot import {module_name!r} for model {name!r}: {exc}") from exc
    func = getattr(module, func_name, None)
    if not callable(func):
        raise ValueError(f"study.model: {module_name!r} has no function {func_name!r}")
    return func
