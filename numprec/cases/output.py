"""Write case-study results to NetCDF, atomically, with provenance.

Every case writes its xarray Dataset through :func:`write_netcdf`, which

* adds CF-style global attributes (``Conventions``, ``title``, ``source``,
  ``history``, ``date_created``) and the
  provenance attributes of :func:`provenance_attrs` — the number formats as
  their JSON configs (which ``numprec.formats.from_config`` turns back into
  formats), the rounding schemes, the seed, the precision policy, the
  numprec version and the command line;
* checks that every data variable and coordinate has a ``units`` attribute
  (CF: dimensionless quantities use ``"1"``);
* writes to a temporary file in the target's directory and moves it into
  place with :func:`os.replace`, so a reader never sees a half-written file
  and an interrupted run leaves the previous file intact;
* gives the file the mode a plain ``open(path, "w")`` would (``0666`` less
  the process umask), not the private ``0600`` of a temporary file.

:func:`save_figure` writes matplotlib figures the same way.

Reproducible output: ``date_created`` and the date in ``history`` come from
the ``SOURCE_DATE_EPOCH`` environment variable when it is set (the
reproducible-builds convention); everything else in the file depends only
on the data and the provenance given, so two runs with the same seed write
the same contents.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shlex
import sys
import tempfile

import numpy as np

#: Attribute names written by :func:`provenance_attrs`.
PROVENANCE_KEYS = ("numprec_version", "numprec_formats", "numprec_rounding", "numprec_seed",
                   "numprec_policy", "command_line")


def _umask() -> int:
    """The process umask (read from /proc where possible: setting it to read
    it back is not thread-safe)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _replace_atomically(path, write, suffix):
    """``write(tmp)`` to a temporary file next to ``path``, give it the mode of
    a newly created file (0666 less the umask), move it onto ``path``."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ValueError(f"path {path!r}: directory {directory!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=suffix)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def save_figure(fig, path, **kwargs):
    """Save a matplotlib figure atomically, with the mode of a new file.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike
        Target; the format comes from its extension.
    **kwargs
        Passed to ``fig.savefig`` (e.g. ``dpi``).

    Returns
    -------
    str
        The path written.
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1]
    fmt = ext[1:].lower() or None
    return _replace_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, **kwargs),
                               suffix=f"{ext}.tmp")


def _now():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH must be an integer (seconds since 1970), "
                             f"got {epoch!r}") from None
    return _dt.datetime.now(tz=_dt.timezone.utc).replace(microsecond=0)


def command_line(argv=None) -> str:
    """The command that is running, shell-quoted (``python -m ...`` style)."""
    argv = sys.argv if argv is None else argv
    prog = argv[0] if argv else "python"
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and argv is sys.argv:
        prog = f"python -m {spec.name.removesuffix('.__main__')}"
    return " ".join([prog] + [shlex.quote(a) for a in argv[1:]])


def _jsonable(value):
    if hasattr(value, "get_config"):
        return value.get_config()
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    return value


def provenance_attrs(*, formats=None, rounding=None, seed=None, policy=None, argv=None,
                     extra=None) -> dict:
    """Global attributes that say what produced a result.

    Parameters
    ----------
    formats : sequence of numprec.Format or str, optional
        The number formats of the run; stored as a JSON list of their
        configs (names are resolved through the registry).
    rounding : str or sequence of str, optional
        Rounding scheme name(s); stored as JSON.
    seed : int, optional
        The random seed (stored as a decimal string: seeds may exceed the
        netCDF integer range).
    policy : numprec.emulate.Policy or sequence of them, optional
        Stored as the JSON of ``Policy.get_config()``.
    argv : list of str, optional
        Command line (default ``sys.argv``).
    extra : dict, optional
        More attributes (values must be str, numbers or JSON-able).

    Returns
    -------
    dict of str to str or number
    """
    import numprec

    attrs = {"numprec_version": numprec.__version__,
             "command_line": command_line(argv)}
    if formats is not None:
        fmts = [numprec.get_format(f) if isinstance(f, str) else f for f in formats]
        attrs["numprec_formats"] = json.dumps([f.get_config() for f in fmts], sort_keys=True)
    if rounding is not None:
        names = [rounding] if isinstance(rounding, str) else [_jsonable(r) for r in rounding]
        attrs["numprec_rounding"] = json.dumps(names)
    if seed is not None:
        attrs["numprec_seed"] = str(int(seed))
    if policy is not None:
        pols = policy if isinstance(policy, (list, tuple)) else [policy]
        attrs["numprec_policy"] = json.dumps([p.get_config() for p in pols], sort_keys=True)
    for key, value in (extra or {}).items():
        if isinstance(value, (str, int, float, np.integer, np.floating)):
            attrs[key] = value
        else:
            attrs[key] = json.dumps(value, sort_keys=True, default=_jsonable)
    return attrs


def verdict_dataset(result, settings, case):
    """A verifier result ready for NetCDF: dimensionless units on numeric
    variables that have none, the study settings and the case as attrs."""
    ds = result.copy()
    for var in list(ds.data_vars.values()) + list(ds.coords.values()):
        if var.dtype.kind in "fiu" and "units" not in var.attrs:
            var.attrs["units"] = "1"
    ds.attrs.update({k: (v if isinstance(v, (str, int, float)) else str(v))
                     for k, v in settings.items()})
    ds.attrs["case"] = case
    return ds


def check_units(ds) -> None:
    """Raise ValueError naming the data variables/coordinates without units."""
    missing = [str(name) for name, var in list(ds.data_vars.items()) + list(ds.coords.items())
               if var.dtype.kind in "fiuc" and "units" not in var.attrs]
    if missing:
        raise ValueError(f"variables without a 'units' attribute: {missing} "
                         "(use units='1' for dimensionless quantities)")


def write_netcdf(ds, path, *, title=None, provenance=None, engine=None):
    """Write ``ds`` to NetCDF at ``path`` atomically, with CF/provenance attrs.

    Parameters
    ----------
    ds : xarray.Dataset
        Every numeric variable and coordinate must have ``units``.
    path : str or os.PathLike
        Target file; its directory must exist.
    title : str, optional
        CF ``title`` attribute.
    provenance : dict, optional
        From :func:`provenance_attrs` (computed with defaults if None).
    engine : str, optional
        xarray engine (default: netcdf4 if installed, else h5netcdf).

    Returns
    -------
    str
        The path written.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ValueError(f"path {path!r}: directory {directory!r} does not exist")
    check_units(ds)
    prov = provenance_attrs() if provenance is None else dict(provenance)
    now = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
    out = ds.copy()
    out.attrs = dict(ds.attrs)
    out.attrs.setdefault("Conventions", "CF-1.8")
    if title is not None:
        out.attrs["title"] = title
    out.attrs["source"] = f"numprec {prov.get('numprec_version', '')}".strip()
    out.attrs["date_created"] = now
    history = f"{now} {prov.get('command_line', command_line())}"
    out.attrs["history"] = (f"{ds.attrs['history']}\n{history}" if "history" in ds.attrs
                            else history)
    out.attrs.update(prov)
    if engine is None:
        try:
            import netCDF4  # noqa: F401
            engine = "netcdf4"
        except ImportError:  # pragma: no cover - netCDF4 is a dependency
            engine = "h5netcdf"
    _replace_atomically(path, lambda tmp: out.to_netcdf(tmp, engine=engine), ".nc.tmp")
    return path
