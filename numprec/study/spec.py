"""Study files: TOML -> a validated :class:`StudySpec` -> the ensemble runner.

A study file names a case, its parameters, the ensembles, the grid of
formats x rounding schemes x policy variants, and how to verify the results::

    [study]
    name = "soil_heat"
    case = "heat"                  # a registered case (numprec.list_cases())
                                   # or "package.module:attr" (a Case object)
    output = "out/soil_heat"       # relative to the working directory
    store = "netcdf"               # or "zarr"
    seed = 1

    [model]                        # the case's parameters (CASE.parameters)
    years = 60

    [run]                          # optional: extra options of CASE.run
    progress = false

    [ensemble]
    reference_members = 1          # double precision
    baseline_members = 1           # double, other initial conditions
    members = 1                    # per experiment
    batch = 1                      # members per task (one file each)

    [grid]
    formats = ["e11m23", "e11m16"]
    roundings = ["nearest_even", "stochastic"]
    policies = ["all", "kahan"]    # "all", or names of [policies.NAME] tables

    [policies.kahan]               # a policy variant (numprec.cases.ensemble.PolicyVariant)
    params = { compensated = true }        # case parameters it sets
    # compute = "binary32"                 # Policy formats ("{format}": the
    # components = { tendencies = "{format}" }   experiment's format)
    # storage = "{format}"
    # summation = "kahan"

    [verify]
    variables = ["T"]
    sample_dims = ["time", "member"]
    spinup = 0                     # samples along "time" dropped
    tolerance = { T = 0.1 }
    joint = []                     # e.g. ["x", "y", "z"]: W1 of the joint distribution

Everything is checked when the file is read, before any member runs: the
keys of every table, that the case resolves, the ``[model]`` keys against
the case's parameters (and of every variant's ``params``), the formats and
rounding schemes, the policy names, the verified variables against the
case's ``variables``.  ``verify.tolerance`` may name only verified variables
or ``verify.joint``'s row (``"joint(x,y,z)"``).  Every error is one line
naming the key and what was expected.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from numprec.cases.ensemble import (
    ALL, EnsembleSpec, Experiment, PolicyVariant, StaleResultError, case_parameters,
    resolve_case,
)
from numprec.verify.wasserstein import joint_label

STORES = ("netcdf", "zarr")
#: Keys of a ``[policies.NAME]`` table.
VARIANT_KEYS = ("compute", "storage", "components", "summation", "params")


class StudyError(ValueError):
    """A study that cannot run as asked; the message is one line for the user."""


class StudyFileError(StudyError):
    """A study file with a missing, unknown or invalid key."""


class StaleMemberError(StudyError, StaleResultError):
    """A member file on disk was produced by a different study setup."""


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


def _declared(names, allowed, key, what, case, path):
    for name in names:
        if name not in allowed:
            raise StudyFileError(f"{path}: {key}: {name!r} is not {what} of case {case!r} "
                                 f"(its variables: {', '.join(allowed)})")


@dataclass
class StudySpec:
    """A validated study."""

    name: str
    case: str
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
    batch: int = 1
    run_options: dict = field(default_factory=dict)
    variants: dict = field(default_factory=dict)

    def experiments(self) -> tuple:
        """The grid: every format x rounding x policy variant."""
        return tuple(Experiment(fmt, rounding, self.variants.get(policy, ALL))
                     for fmt in self.formats for rounding in self.roundings
                     for policy in self.policies)

    def ensemble(self) -> EnsembleSpec:
        """What the ensemble runner runs (:mod:`numprec.cases.ensemble`)."""
        return EnsembleSpec(
            self.case, dict(self.model_params), self.reference_members, self.baseline_members,
            self.members, self.experiments(), seed=self.seed, batch=self.batch,
            run_options=dict(self.run_options), variables=tuple(self.variables),
            sample_dims=tuple(self.sample_dims), spinup=self.spinup,
            tolerance=dict(self.tolerance) or None, joint=tuple(self.joint))


def expand(spec: StudySpec) -> list:
    """Every task of the study (:class:`numprec.cases.ensemble.Task`), in order.

    Parameters
    ----------
    spec : StudySpec

    Returns
    -------
    list of numprec.cases.ensemble.Task"""
    return spec.ensemble().tasks()


def load_study(path) -> StudySpec:
    """Read and validate a study file; errors name the key and what was expected.

    Parameters
    ----------
    path : path-like
        A study file (TOML), e.g. one of the repository's ``cases/*.toml``.

    Returns
    -------
    StudySpec

    Raises
    ------
    StudyFileError
        For a file that cannot be read or a key that is missing, unknown or
        of the wrong kind."""
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




def _variant(name, table, path, case):
    key = f"policies.{name}"
    if not isinstance(table, dict):
        raise StudyFileError(f"{path}: [{key}] must be a table, got {type(table).__name__}")
    _unknown(table, key, VARIANT_KEYS, path)
    for k in ("compute", "storage", "summation"):
        if k in table and not (isinstance(table[k], str) and table[k]):
            raise StudyFileError(f"{path}: {key}.{k} must be a non-empty string, got "
                                 f"{table[k]!r}")
    for k in ("components", "params"):
        if k in table and not isinstance(table[k], dict):
            raise StudyFileError(f"{path}: {key}.{k} must be a table, got {table[k]!r}")
    try:
        case_parameters(case, table.get("params", {}))
        variant = PolicyVariant(name, **table)
        variant.policy("binary64")          # formats, components, summation: checked now
        return variant
    except (ValueError, TypeError, KeyError) as exc:
        raise StudyFileError(f"{path}: [{key}]: {exc}") from None


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
    import numprec

    path = Path(path)
    _unknown(doc, "top level", ["study", "model", "run", "ensemble", "grid", "policies",
                                "verify"], path)
    study = _table(doc, "study", path)
    if "model" in study:
        raise StudyFileError(f"{path}: study.model is now study.case (a registered case "
                             f"name, see python -m numprec cases)")
    _unknown(study, "study", ["name", "case", "output", "store", "seed"], path)
    positive = lambda v: v >= 1  # noqa: E731
    name = _get(study, "study", "name", path, str, check=bool, expected="a non-empty string")
    case_ref = _get(study, "study", "case", path, str, check=bool, expected="a case name")
    output = _get(study, "study", "output", path, str, f"out/{name}", expected="a directory path")
    store = _get(study, "study", "store", path, str, "netcdf", check=lambda v: v in STORES,
                 expected=f"one of {STORES}")
    seed = _get(study, "study", "seed", path, int, 0, check=lambda v: 0 <= v < 2 ** 32,
                expected="an integer in [0, 2**32)")
    try:
        case = resolve_case(case_ref)
    except (ValueError, TypeError) as exc:
        raise StudyFileError(f"{path}: study.case: {exc}") from None
    model_params = _table(doc, "model", path, required=False)
    try:
        case_parameters(case, model_params)
    except (ValueError, TypeError) as exc:
        raise StudyFileError(f"{path}: [model]: {exc}") from None
    run_options = _table(doc, "run", path, required=False)

    ens = _table(doc, "ensemble", path)
    _unknown(ens, "ensemble", ["reference_members", "baseline_members", "members", "batch"],
             path)
    count = dict(check=positive, expected="a positive integer")
    reference_members = _get(ens, "ensemble", "reference_members", path, int, **count)
    baseline_members = _get(ens, "ensemble", "baseline_members", path, int, **count)
    members = _get(ens, "ensemble", "members", path, int, **count)
    batch = _get(ens, "ensemble", "batch", path, int, 1, **count)

    grid = _table(doc, "grid", path)
    _unknown(grid, "grid", ["formats", "roundings", "policies"], path)
    formats = _str_list(grid, "grid", "formats", path)
    roundings = _str_list(grid, "grid", "roundings", path, ["nearest_even"])
    policies = _str_list(grid, "grid", "policies", path, ["all"])
    tables = _table(doc, "policies", path, required=False)
    if "all" in tables:
        raise StudyFileError(f"{path}: [policies.all]: 'all' is the built-in variant (every "
                             f"operation in the experiment's format); name yours otherwise")
    variants = {n: _variant(n, t, path, case) for n, t in tables.items()}
    for policy in policies:
        if policy != "all" and policy not in variants:
            raise StudyFileError(f"{path}: grid.policies: {policy!r} is neither 'all' nor a "
                                 f"[policies.{policy}] table (defined: "
                                 f"{', '.join(['all', *variants])})")
    for fmt in formats:
        try:
            numprec.get_format(fmt)
        except (ValueError, TypeError, KeyError) as exc:
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
    declared = getattr(case, "variables", None)
    if declared is not None:
        for key, names in (("verify.variables", variables), ("verify.joint", joint)):
            _declared(names, tuple(declared), key, "an output variable", case_ref, path)
    rows = list(variables) + ([joint_label(joint)] if joint else [])
    for var in tolerance:
        if var not in rows:
            raise StudyFileError(f"{path}: verify.tolerance: {var!r} names no verified "
                                 f"variable (expected one of: {', '.join(rows)})")
    spec = StudySpec(name, case_ref, Path(output), store, seed, dict(model_params),
                     reference_members, baseline_members, members, formats, roundings,
                     policies, variables, sample_dims, spinup, dict(tolerance), joint, path,
                     batch=batch, run_options=dict(run_options), variants=variants)
    try:
        spec.ensemble()
    except (ValueError, TypeError) as exc:
        raise StudyFileError(f"{path}: {exc}") from None
    return spec
