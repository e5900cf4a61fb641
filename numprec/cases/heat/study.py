"""The study-runner entry point of the heat case (``model = "heat"`` in a study file)."""
from __future__ import annotations

import dataclasses

from numprec.cases.heat import simulate
from numprec.cases.heat.parameters import HeatParameters

__all__ = ["POLICIES", "study_member"]

#: Policy names a study (``grid.policies``) may use: ``"all"`` rounds every
#: operation; ``"kahan"`` also sets the model option ``compensated=True``.
POLICIES = ("all", "kahan")


def study_member(params: dict, task):
    """Study-runner entry point (``model = "heat"``): one column.

    ``params`` keys and defaults: ``study_member.parameters`` (the
    :class:`HeatParameters` but ``compensated``: that is the policy
    ``"kahan"`` in ``grid.policies``).
    """
    from numprec.emulate import Policy

    unknown = sorted(set(params) - set(study_member.parameters))
    if unknown:
        hint = (" (compensation is the policy 'kahan' in grid.policies)"
                if "compensated" in unknown else "")
        raise ValueError(f"[model] keys {unknown} are not heat parameters (allowed: "
                         f"{', '.join(study_member.parameters)}){hint}")
    policy_name = task.policy or "all"
    if policy_name not in POLICIES:
        raise ValueError(f"policy {policy_name!r} is not a heat policy; expected one of "
                         f"{', '.join(POLICIES)}")
    if task.format is None and policy_name != "all":
        raise ValueError(f"policy {policy_name!r} needs a format (double precision runs no "
                         "policy)")
    policy = None if task.format is None else Policy(
        task.format, rounding=task.rounding or "nearest_even", seed=task.seed)
    ds = simulate({**params, "compensated": policy_name == "kahan"}, policy, members=1)
    ds = ds.isel(member=0, drop=True)
    ds.attrs["policy"] = policy_name
    return ds


study_member.parameters = {f.name: f.default for f in dataclasses.fields(HeatParameters)
                           if f.name != "compensated"}
study_member.policies = POLICIES
study_member.variables = ("T",)
