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
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

STORES = ("netcdf", "zarr")


class StudyFileError(ValueError):
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
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        raise StudyFileError(f"study file {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{path}: not valid TOML: {exc}") from None
    return parse_study(doc, path)


def parse_study(doc: dict, path=Path("<study>")) -> StudySpec:
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
    model_params = _table(doc, "model", path, required=False)

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
    spec = StudySpec(name, model, Path(output), store, seed, model_params, reference_members,
                     baseline_members, members, formats, roundings, policies, variables,
                     sample_dims, spinup, dict(tolerance), joint, path)
    return spec
