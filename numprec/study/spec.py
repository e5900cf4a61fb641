"""Study files: TOML -> a validated :class:`StudySpec`.

A study file names a model, its parameters, the ensembles and the grid of
formats x rounding schemes x policies, and how to verify the results::

    [study]
    name = "soil_heat"
    model = "heat"                 # numprec.study.models name or "module:function"
    output = "out/soil_heat"       # relative to the working directory
    store = "netcdf"               # or "zarr"
    seed = 1

    [model]                        # passed to the model unchanged
    years = 60

    [ensemble]
    reference_members = 1          # double precision
    baseline_members = 1           # double, other initial conditions
    members = 1                    # per experiment

    [grid]
    formats = ["e11m23", "e11m16"]
    roundings = ["nearest_even", "stochastic"]
    policies = ["all"]             # model-defined policy names

    [verify]
    variables = ["T"]
    sample_dims = ["time", "member"]
    spinup = 0                     # samples along "time" dropped
    tolerance = { T = 0.1 }

Everything is checked when the file is read, before any member runs: the
keys of every table, the formats and rounding schemes, that the model
resolves, and -- where the model declares them (see
:mod:`numprec.study.models`) -- the ``[model]`` keys, the policy names and
the verified variables.  ``verify.tolerance`` may name only verified
variables or ``verify.joint``'s row (``"joint(x,y,z)"``).  Every error is
one line naming the key and what was expected.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from numprec.study.models import declarations, resolve_model
from numprec.verify.wasserstein import joint_label

STORES = ("netcdf", "zarr")


class StudyError(ValueError):
    """A study that cannot run as asked; the message is one line for the user."""


class StudyFileError(StudyError):
    """A study file with a missing, unknown or invalid key."""


def _table(doc, key, path, required=True):
    value = doc.get(key)
    if value is None:
        if required:
            raise StudyFileError(f"{path}: missing table [{key}]")
        return {}
    if not isinstance(value, dict):
        raise StudyFileError(f"{path}: [{key}] must be a table, got {type(value).__name__}")
    return value


def _get(table, section, key, path, kind, default=..., check=None, expected=""):
    if key not in table:
        if default is ...:
            raise StudyFileError(f"{path}: missing key {section}.{key} ({expected or kind.__name__})")
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise StudyFileError(f"{path}: {section}.{key} must be {expected or kinds[0].__name__}, "
                             f"got {value!r}")
    if check is not None and not check(value):
        raise StudyFileError(f"{path}: {section}.{key} must be {expected}, got {value!r}")
    return value


def _unknown(table, section, allowed, path):
    extra = sorted(set(table) - set(allowed))
    if extra:
        raise StudyFileError(f"{path}: unknown key(s) in [{section}]: {', '.join(extra)} "
                             f"(allowed: {', '.join(sorted(allowed))})")


def _declared(names, allowed, key, what, attribute, model, path):
    """Refuse a name the model does not declare (no check if it declares nothing)."""
    if allowed is None:
        return
    for name in names:
        if name not in allowed:
            raise StudyFileError(f"{path}: {key}: {name!r} is not {what} of model {model!r} "
                                 f"(its {attribute}: {', '.join(allowed)})")


def _str_list(table, section, key, path, default=...):
    value = _get(table, section, key, path, list, default, expected="a list of strings")
    if not all(isinstance(v, str) and v for v in value):
        raise StudyFileError(f"{path}: {section}.{key} must be a list of non-empty strings, "
                             f"got {value!r}")
    return list(value)


@dataclass
class StudySpec:
    """A validated study."""

    name: str
    model: str
    output: Path
    store: str
    seed: int
    model_params: dict
    reference_members: int
    baseline_members: int
    members: int
    formats: list
    roundings: list
    policies: list
    variables: list
    sample_dims: list
    spinup: int
    tolerance: dict
    joint: list = field(default_factory=list)
    source: Path | None = None


def load_study(path) -> StudySpec:
    """Read and validate a study file; errors name the key and what was expected."""
    path = Path(path)
    if path.is_dir():
        raise StudyFileError(f"study file {str(path)!r} is a directory, expected a TOML "
                             f"study file such as cases/soil_heat.toml")
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        raise StudyFileError(f"study file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise StudyFileError(f"study file {str(path)!r} cannot be read: "
                             f"{exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise StudyFileError(f"{path}: not valid TOML: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{path}: not valid TOML: {exc}") from None
    return parse_study(doc, path)


def parse_study(doc: dict, path=Path("<study>")) -> StudySpec:
    """Validate a study document (the parsed TOML); see :func:`load_study`.

    Parameters
    ----------
    doc : dict
        The tables of the study file.
    path : path-like
        Where the document came from, for messages.

    Returns
    -------
    StudySpec

    Raises
    ------
    StudyFileError
        For a missing, unknown or invalid key; the one-line message names it.
    """
    path = Path(path)
    _unknown(doc, "top level", ["study", "model", "ensemble", "grid", "verify"], path)
    study = _table(doc, "study", path)
    _unknown(study, "study", ["name", "model", "output", "store", "seed"], path)
    positive = lambda v: v >= 1  # noqa: E731
    name = _get(study, "study", "name", path, str, check=bool, expected="a non-empty string")
    model = _get(study, "study", "model", path, str, check=bool, expected="a model name")
    output = _get(study, "study", "output", path, str, f"out/{name}", expected="a directory path")
    store = _get(study, "study", "store", path, str, "netcdf", check=lambda v: v in STORES,
                 expected=f"one of {STORES}")
    seed = _get(study, "study", "seed", path, int, 0, check=lambda v: 0 <= v < 2 ** 32,
                expected="an integer in [0, 2**32)")
    try:
        declared = declarations(resolve_model(model), model)
    except ValueError as exc:
        raise StudyFileError(f"{path}: {exc}") from None
    model_params = _table(doc, "model", path, required=False)
    if declared.parameters is not None:
        _unknown(model_params, "model", declared.parameters, path)

    ens = _table(doc, "ensemble", path)
    _unknown(ens, "ensemble", ["reference_members", "baseline_members", "members"], path)
    count = dict(check=positive, expected="a positive integer")
    reference_members = _get(ens, "ensemble", "reference_members", path, int, **count)
    baseline_members = _get(ens, "ensemble", "baseline_members", path, int, **count)
    members = _get(ens, "ensemble", "members", path, int, **count)

    grid = _table(doc, "grid", path)
    _unknown(grid, "grid", ["formats", "roundings", "policies"], path)
    formats = _str_list(grid, "grid", "formats", path)
    roundings = _str_list(grid, "grid", "roundings", path, ["nearest_even"])
    policies = _str_list(grid, "grid", "policies", path, ["all"])
    _declared(policies, declared.policies, "grid.policies", "a policy", "policies", model, path)
    import numprec
    for fmt in formats:
        try:
            numprec.get_format(fmt)
        except (ValueError, TypeError) as exc:
            raise StudyFileError(f"{path}: grid.formats: {exc}") from None
    for rounding in roundings:
        if rounding not in numprec.list_roundings():
            raise StudyFileError(f"{path}: grid.roundings: unknown rounding {rounding!r} "
                                 f"(expected one of {numprec.list_roundings()})")

    ver = _table(doc, "verify", path)
    _unknown(ver, "verify", ["variables", "sample_dims", "spinup", "tolerance", "joint"], path)
    variables = _str_list(ver, "verify", "variables", path)
    sample_dims = _str_list(ver, "verify", "sample_dims", path, ["time", "member"])
    spinup = _get(ver, "verify", "spinup", path, int, 0, check=lambda v: v >= 0,
                  expected="a non-negative integer")
    tolerance = _get(ver, "verify", "tolerance", path, dict, {},
                     expected="a table of variable = number")
    for var, tol in tolerance.items():
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
            raise StudyFileError(f"{path}: verify.tolerance.{var} must be a non-negative "
                                 f"number, got {tol!r}")
    joint = _str_list(ver, "verify", "joint", path, [])
    for key, names in (("verify.variables", variables), ("verify.joint", joint)):
        _declared(names, declared.variables, key, "an output variable", "variables", model,
                  path)
    rows = list(variables) + ([joint_label(joint)] if joint else [])
    for name in tolerance:
        if name not in rows:
            raise StudyFileError(f"{path}: verify.tolerance: {name!r} names no verified "
                                 f"variable (expected one of: {', '.join(rows)})")
    spec = StudySpec(name, model, Path(output), store, seed, model_params, reference_members,
                     baseline_members, members, formats, roundings, policies, variables,
                     sample_dims, spinup, dict(tolerance), joint, path)
    return spec
