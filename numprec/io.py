"""The one writer of numprec results, and the one provenance schema.

Notes
-----
**Writing.** :func:`write_dataset` writes an :class:`xarray.Dataset` to NetCDF (``.nc``) or
zarr (``.zarr``), the store chosen by the path's suffix or ``store=``.  Every
file numprec writes -- a case's output, a study's members and verdicts, a
report, a figure -- goes through :func:`replacing`, so

* the data go to a temporary sibling ``.<name>.<random>.tmp`` in the
  target's directory, which is renamed onto the final name with
  :func:`os.replace` once complete: a reader (or a resumed run) never sees a
  half-written file, and a failed write leaves the previous file as it was;
* the result has the mode a plain ``open(path, "w")`` (``mkdir`` for a zarr
  directory) would give: ``0666`` (``0777``) less the umask and whatever a
  default ACL takes off.  The temporary is created with that request and its
  mode is restored after the writer library is done; the umask itself is
  never read or changed (changing it, even briefly, would race with other
  threads);
* an interrupt (Ctrl-C) or error removes the temporary.  A process killed
  outright (SIGKILL) leaves it behind; :func:`remove_temporaries` deletes
  such leftovers.

A written dataset gets the CF global attributes ``Conventions``, ``source``,
``history``, ``date_created`` (and ``title`` if given), and every numeric
data variable and coordinate must carry ``units`` (CF: ``"1"`` for
dimensionless quantities).  ``date_created`` and the date in ``history``
come from ``SOURCE_DATE_EPOCH`` when it is set (the reproducible-builds
convention), so two runs with the same inputs write the same contents.

**Provenance.** :class:`Provenance` says what produced a result: the case and its parameters
(with defaults filled in), which ensemble the data belong to (kind, label,
first member, member count, initial-condition seed), the number format (as
its config, which :func:`numprec.from_config` turns back into the format),
the rounding scheme, rounding seed and random bits, the precision policy
(``Policy.get_config()``), the numprec version and the command line.  It is
stored as global attributes ``numprec_<field>`` (:data:`PROVENANCE_FIELDS`):
text as it is, everything else as JSON (seeds can exceed netCDF's integer
range).  :func:`read_provenance` parses the attributes back, and
:func:`first_difference` / :func:`check_provenance` compare two records
field by field -- how a resumed study refuses results computed under other
parameters.

Cases, studies and the verifier's result files all use this schema.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import errno
import json
import os
import re
import secrets
import shlex
import shutil
import stat
import sys
from pathlib import Path
from typing import Optional

import numpy as np

__all__ = [
    "PROVENANCE_FIELDS", "COMPARED_FIELDS", "attr_name", "SCHEMA_VERSION", "STORES", "Provenance",
    "ProvenanceError", "check_provenance", "check_units", "command_line",
    "first_difference", "open_attrs", "open_dataset", "read_attrs", "read_provenance", "remove_temporaries",
    "replacing", "save_figure", "store_of", "verdict_dataset", "write_dataset", "write_text",
]

#: Version of the provenance schema (``numprec_schema``).
SCHEMA_VERSION = 1
#: Stores :func:`write_dataset` writes, and their file suffixes.
STORES = {"netcdf": ".nc", "zarr": ".zarr"}
#: Prefix of the provenance attributes.
PREFIX = "numprec_"
#: Temporaries written by :func:`replacing`: ``.<name>.<token>.tmp``.
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp$")


# ---------------------------------------------------------------- provenance
class ProvenanceError(ValueError):
    """A result on disk was produced under other settings than asked for."""


def command_line(argv=None) -> str:
    """The running command, shell-quoted (``python -m pkg ...`` for ``-m``).

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: :data:`sys.argv`).

    Returns
    -------
    str"""
    argv = sys.argv if argv is None else argv
    prog = argv[0] if argv else "python"
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and argv is sys.argv:
        prog = f"python -m {spec.name.removesuffix('.__main__')}"
    return " ".join([prog] + [shlex.quote(str(a)) for a in argv[1:]])


def _version() -> str:
    import numprec
    return numprec.__version__


@dataclasses.dataclass(frozen=True)
class Provenance:
    """What produced a result (one schema for cases, studies and verdicts).

    Parameters
    ----------
    case : str, optional
        The case's registered name (or ``"package.module:attr"``).
    params : dict
        The case's parameters, defaults filled in (JSON-able values).
    kind : str, optional
        ``"reference"``, ``"baseline"`` or ``"experiment"`` for ensemble
        data; ``"result"`` for a file of verdicts or summaries.
    label : str, optional
        The experiment's label (e.g. ``"e11m10 stochastic"``).
    member : int, optional
        Index of the first member the file holds.
    members : int, optional
        Number of members the file holds.
    ic_seed : int, optional
        Seed the members' initial conditions were drawn with.
    format : dict, optional
        The number format's config (``Format.get_config()``); None is double
        precision.  A format object or a registered name is converted.
    rounding : str, optional
        Rounding scheme name.
    seed : int, optional
        Key of stochastic rounding.
    random_bits : int, optional
        Random bits of stochastic rounding.
    policy : dict, optional
        ``Policy.get_config()`` (a Policy object is converted).
    experiments : list of dict, optional
        For a result file covering several experiments: one record each
        (label, format, rounding, seed, policy, ...).
    numprec_version : str
        Default: the running numprec's version.
    command : str
        The command line; default: this process's.
    """

    case: Optional[str] = None
    params: dict = dataclasses.field(default_factory=dict)
    kind: Optional[str] = None
    label: Optional[str] = None
    member: Optional[int] = None
    members: Optional[int] = None
    ic_seed: Optional[int] = None
    format: Optional[dict] = None
    rounding: Optional[str] = None
    seed: Optional[int] = None
    random_bits: Optional[int] = None
    policy: Optional[dict] = None
    experiments: Optional[list] = None
    numprec_version: str = dataclasses.field(default_factory=_version)
    command: str = dataclasses.field(default_factory=command_line)

    def __post_init__(self):
        if self.format is not None and not isinstance(self.format, dict):
            object.__setattr__(self, "format", _format_config(self.format))
        if self.policy is not None and not isinstance(self.policy, dict):
            if not hasattr(self.policy, "get_config"):
                raise TypeError(f"policy must be a numprec Policy or its get_config() dict, "
                                f"got {type(self.policy).__name__}")
            object.__setattr__(self, "policy", self.policy.get_config())
        if not isinstance(self.params, dict):
            raise TypeError(f"params must be a dict of parameter -> value, got "
                            f"{type(self.params).__name__}")
        object.__setattr__(self, "params", _plain(self.params))
        for name in ("member", "members", "ic_seed", "seed", "random_bits"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                    raise TypeError(f"{name} must be an integer or None, got {value!r}")
                object.__setattr__(self, name, int(value))

    def replace(self, **changes) -> "Provenance":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_attrs(self) -> dict:
        """The global attributes: ``numprec_<field>`` -> text."""
        attrs = {PREFIX + "schema": str(SCHEMA_VERSION)}
        for name in PROVENANCE_FIELDS:
            attrs[attr_name(name)] = encode(getattr(self, name))
        return attrs

    @classmethod
    def from_attrs(cls, attrs) -> "Provenance":
        """Parse :meth:`to_attrs` back (missing fields read as None/empty).

        Parameters
        ----------
        attrs : dict
            Global attributes of a file (other keys are ignored).

        Returns
        -------
        Provenance

        Raises
        ------
        ProvenanceError
            If a field cannot be parsed, or the attributes hold no
            provenance at all.
        """
        values = read_attrs(attrs)
        if not values:
            raise ProvenanceError("the attributes hold no numprec provenance (numprec_* "
                                  "attributes)")
        kwargs = {}
        for name in PROVENANCE_FIELDS:
            if name in values:
                kwargs[name] = values[name]
        if kwargs.get("params") is None:
            kwargs["params"] = {}
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ProvenanceError(f"unreadable numprec provenance: {exc}") from None


#: Fields of :class:`Provenance`, in the order they are stored and compared.
PROVENANCE_FIELDS = ("numprec_version", "case", "params", "kind", "label", "member", "members",
                     "ic_seed", "format", "rounding", "seed", "random_bits", "policy",
                     "experiments", "command")
#: Fields that determine the data (the command line does not).
COMPARED_FIELDS = tuple(f for f in PROVENANCE_FIELDS if f != "command")
#: Fields stored as text as they are (the others are JSON).
_TEXT_FIELDS = ("numprec_version", "case", "kind", "label", "rounding", "command")


def attr_name(field: str) -> str:
    """The attribute of a provenance field: ``numprec_<field>``
    (``numprec_version`` for the version).

    Parameters
    ----------
    field : str
        A name of :data:`PROVENANCE_FIELDS`.

    Returns
    -------
    str

    Examples
    --------
    >>> from numprec.io import attr_name
    >>> attr_name("ic_seed"), attr_name("numprec_version")
    ('numprec_ic_seed', 'numprec_version')"""
    return field if field.startswith(PREFIX) else PREFIX + field


def _format_config(fmt) -> dict:
    import numprec
    if isinstance(fmt, str):
        fmt = numprec.get_format(fmt)
    if not hasattr(fmt, "get_config"):
        raise TypeError(f"format must be a numprec format, a registered name or a config "
                        f"dict, got {type(fmt).__name__}")
    return fmt.get_config()


def _jsonable(value):
    if hasattr(value, "get_config"):
        return value.get_config()
    if hasattr(value, "item"):              # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):            # numpy arrays
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)                       # TOML dates and times


def _plain(value):
    """JSON-able copy of ``value`` (numpy scalars, tuples, formats converted)."""
    return json.loads(json.dumps(value, sort_keys=True, default=_jsonable))


def encode(value) -> str:
    """The attribute text of a provenance value (text as is, else JSON)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=_jsonable)


def read_attrs(attrs) -> dict:
    """The provenance fields present in ``attrs`` (parsed), by field name.

    Parameters
    ----------
    attrs : dict
        Global attributes of a file.

    Returns
    -------
    dict
        ``{field: value}`` for the ``numprec_<field>`` attributes found."""
    out = {}
    for name in PROVENANCE_FIELDS:
        key = attr_name(name)
        if key not in attrs:
            continue
        text = attrs[key]
        if not isinstance(text, str):       # a backend gave a number back
            text = encode(text.tolist() if hasattr(text, "tolist") else text)
        if name in _TEXT_FIELDS:
            out[name] = None if text == "null" else text
        else:
            try:
                out[name] = json.loads(text)
            except ValueError:
                raise ProvenanceError(f"attribute {key} = {text!r} is not JSON") from None
    return out


def read_provenance(source) -> Provenance:
    """The :class:`Provenance` of a file (path) or of an attribute dict.

    Parameters
    ----------
    source : path-like or dict
        A file :func:`write_dataset` wrote, or its global attributes.

    Returns
    -------
    Provenance

    Raises
    ------
    ProvenanceError
        If there is no provenance or it cannot be parsed.
    OSError
        If the file cannot be read.
    """
    attrs = source if isinstance(source, dict) else open_attrs(source)
    return Provenance.from_attrs(attrs)


def first_difference(stored, expected, fields=COMPARED_FIELDS):
    """The first field whose value differs between two provenance records.

    Parameters
    ----------
    stored, expected : Provenance or dict of attributes
        What a file records, and what the run would record now.
    fields : sequence of str
        Fields compared, in order (default: all but the command line).

    Returns
    -------
    tuple (name, stored_text, expected_text) or None
        ``name`` is the field, or ``field.entry`` (``params.steps``,
        ``format.mantissa_bits``, ``policy.compute.mantissa_bits``) inside a
        JSON object; a value missing from ``stored`` reads ``<missing>``.
    """
    old = stored.to_attrs() if isinstance(stored, Provenance) else dict(stored)
    new = expected.to_attrs() if isinstance(expected, Provenance) else dict(expected)
    old_values, new_values = read_attrs(old), read_attrs(new)
    for name in fields:
        if name not in new_values:
            continue
        want = new_values[name]
        if name not in old_values:
            return name, "<missing>", encode(want)
        have = old_values[name]
        if encode(have) != encode(want):
            return _inner_difference(name, have, want)
    return None


def _inner_difference(name, have, want):
    if isinstance(have, dict) and isinstance(want, dict):
        for entry in sorted(set(have) | set(want)):
            a, b = have.get(entry, ...), want.get(entry, ...)
            if a is ... or b is ...:
                return (f"{name}.{entry}", "<missing>" if a is ... else encode(a),
                        "<missing>" if b is ... else encode(b))
            if encode(a) != encode(b):
                return _inner_difference(f"{name}.{entry}", a, b)
    return name, encode(have), encode(want)


def check_provenance(path, stored, expected, *, error=ProvenanceError, hint=""):
    """Raise ``error`` if ``stored`` differs from ``expected``.

    The one-line message names ``path``, the first differing field and both
    values (see :func:`first_difference`), followed by ``hint``.

    Parameters
    ----------
    path : path-like
        The file ``stored`` was read from, for the message.
    stored, expected : Provenance
        The record found and the one the caller would write now.
    error : type
        The exception class raised.
    hint : str
        Appended to the message (what to do about it).
    """
    difference = first_difference(stored, expected)
    if difference is None:
        return
    key, old, new = difference
    raise error(f"{path} was written with {key} = {old}, but this run has {key} = {new}"
                + (f"; {hint}" if hint else ""))


# ------------------------------------------------------------- atomic files
def _create_temporary(path: Path, directory: bool):
    """Create a unique temporary sibling of ``path``; returns (tmp, mode)."""
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            if directory:
                os.mkdir(tmp, 0o777)
                return tmp, stat.S_IMODE(os.stat(tmp).st_mode)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            return tmp, stat.S_IMODE(os.fstat(fd).st_mode)
        finally:
            os.close(fd)


def _fsync(path: Path, directory=False):
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    except OSError as exc:          # some file systems cannot sync a directory
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _chmod_tree(root: Path, file_mode: int, dir_mode: int):
    os.chmod(root, dir_mode)
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(folder, d), dir_mode)
        for f in files:
            os.chmod(os.path.join(folder, f), file_mode)


@contextlib.contextmanager
def replacing(path, *, directory=False, mkdir=False):
    """Write ``path`` atomically: yields a temporary path to write to.

    On success the temporary gets the mode the umask gives a new file (or
    directory, and everything in it), is synced and renamed onto ``path``
    (replacing an existing one); on any exception, KeyboardInterrupt
    included, it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        The final name.
    directory : bool
        Yield an empty directory instead of an empty file (zarr stores).
    mkdir : bool
        Create the parent directory if needed (else it must exist).

    Raises
    ------
    ValueError
        If the parent directory does not exist and ``mkdir`` is False.
    """
    path = Path(path)
    if mkdir:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        raise ValueError(f"path {str(path)!r}: directory {str(path.parent)!r} does not exist")
    tmp, mode = _create_temporary(path, directory)
    try:
        yield tmp
        if directory:
            file_mode = _new_file_mode(tmp)
            _chmod_tree(tmp, file_mode, mode)
            old = None
            if path.exists():
                old = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
                os.replace(path, old)
            os.replace(tmp, path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.chmod(tmp, mode)
            _fsync(tmp)
            os.replace(tmp, path)
        _fsync(path.parent, directory=True)
    except BaseException:
        if directory:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


def _new_file_mode(directory: Path) -> int:
    """The mode a plain new file gets in ``directory`` (umask and ACL applied)."""
    probe, mode = _create_temporary(directory / "probe", directory=False)
    os.unlink(probe)
    return mode


def remove_temporaries(directory, *, recursive=True) -> list:
    """Delete the temporaries :func:`replacing` leaves when killed outright.

    Only names of the form ``.<name>.<token>.tmp`` are touched.  Call it only
    when no other process writes there (a running writer's temporary looks
    the same).

    Parameters
    ----------
    directory : path-like
        Where to look.
    recursive : bool
        Also look in subdirectories.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    root = Path(directory)
    removed = []
    if not root.is_dir():
        return removed
    places = [root]
    while places:
        place = places.pop()
        for entry in sorted(place.iterdir()):
            if TEMPORARY.match(entry.name):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed.append(entry)
            elif recursive and entry.is_dir() and not entry.is_symlink() \
                    and not entry.name.endswith(STORES["zarr"]):
                places.append(entry)
    return removed


def write_text(text: str, path, *, mkdir=False) -> Path:
    """Write a text file (UTF-8) atomically, with the mode of a new file.

    Parameters
    ----------
    text : str
    path : path-like
    mkdir : bool
        Create missing parent directories.

    Returns
    -------
    pathlib.Path
        ``path``."""
    with replacing(path, mkdir=mkdir) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def save_figure(fig, path, *, mkdir=False, **kwargs) -> Path:
    """Save a matplotlib figure atomically, with the mode of a new file.

    The image format comes from the path's extension; ``kwargs`` go to
    ``fig.savefig`` (e.g. ``dpi``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : path-like
        The image file.
    mkdir : bool
        Create missing parent directories.
    **kwargs
        Passed to ``fig.savefig``.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    fmt = path.suffix[1:].lower() or None
    with replacing(path, mkdir=mkdir) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
    return path


# ------------------------------------------------------------------ datasets
def store_of(path, store=None) -> str:
    """The store of ``path``: ``store`` if given, else from the suffix.

    Parameters
    ----------
    path : path-like
    store : {"netcdf", "zarr"}, optional

    Returns
    -------
    str
        A key of :data:`STORES`.

    Examples
    --------
    >>> from numprec.io import store_of
    >>> store_of("run/members.zarr"), store_of("out.nc")
    ('zarr', 'netcdf')"""
    if store is not None:
        if store not in STORES:
            raise ValueError(f"store must be one of {sorted(STORES)}, got {store!r}")
        return store
    suffix = Path(path).suffix
    for name, ext in STORES.items():
        if suffix == ext:
            return name
    raise ValueError(f"path {str(path)!r}: cannot tell the store from the suffix "
                     f"{suffix!r}; use .nc (NetCDF) or .zarr, or pass store=")


def check_units(ds) -> None:
    """Raise ValueError naming the numeric variables/coordinates without units.

    Parameters
    ----------
    ds : xarray.Dataset
        Every numeric data variable and coordinate needs a ``units``
        attribute (CF: ``"1"`` for dimensionless)."""
    missing = [str(name) for name, var in list(ds.data_vars.items()) + list(ds.coords.items())
               if var.dtype.kind in "fiuc" and "units" not in var.attrs
               and "units" not in var.encoding]
    if missing:
        raise ValueError(f"variables without a 'units' attribute: {missing} "
                         "(use units='1' for dimensionless quantities)")


def _now():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH must be an integer (seconds since 1970), "
                             f"got {epoch!r}") from None
    return _dt.datetime.now(tz=_dt.timezone.utc).replace(microsecond=0)


def _netcdf_engine():
    try:
        import netCDF4  # noqa: F401
        return "netcdf4"
    except ImportError:  # pragma: no cover - netCDF4 is a dependency
        return "h5netcdf"


def write_dataset(ds, path, *, provenance: Optional[Provenance] = None, title=None,
                  store=None, mkdir=False, extra_attrs: Optional[dict] = None) -> Path:
    """Write ``ds`` to NetCDF or zarr atomically, with CF and provenance attrs.

    Parameters
    ----------
    ds : xarray.Dataset
        Every numeric data variable and coordinate must have ``units``.
    path : str or os.PathLike
        A ``.nc`` file or ``.zarr`` directory (or any name with ``store=``).
    provenance : Provenance, optional
        Stored as ``numprec_*`` attributes (default: a record with only the
        version and the command line).
    title : str, optional
        CF ``title``.
    store : {"netcdf", "zarr"}, optional
        Default from the suffix.
    mkdir : bool
        Create the parent directory if needed (else it must exist).
    extra_attrs : dict, optional
        More global attributes (str and numbers as they are, other values as
        JSON).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        A variable without units, an unknown store, a missing directory.
    """
    import dask
    import xarray as xr

    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds must be an xarray.Dataset, got {type(ds).__name__}")
    store = store_of(path, store)
    check_units(ds)
    prov = Provenance() if provenance is None else provenance
    if not isinstance(prov, Provenance):
        raise TypeError(f"provenance must be a numprec.io.Provenance, got "
                        f"{type(prov).__name__}")
    now = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
    out = ds.copy()
    attrs = {k: v for k, v in ds.attrs.items() if not k.startswith(PREFIX)}
    attrs.setdefault("Conventions", "CF-1.8")
    if title is not None:
        attrs["title"] = title
    attrs["source"] = f"numprec {prov.numprec_version}"
    attrs["date_created"] = now
    entry = f"{now} {prov.command}"
    attrs["history"] = f"{ds.attrs['history']}\n{entry}" if "history" in ds.attrs else entry
    for key, value in (extra_attrs or {}).items():
        attrs[key] = value if isinstance(value, (str, int, float, np.integer, np.floating)) \
            else encode(value)
    attrs.update(prov.to_attrs())
    out.attrs = attrs
    # the data are in memory: write in this thread, without the distributed
    # lock xarray would otherwise take from the scheduler inside a dask worker
    with dask.config.set(scheduler="synchronous"):
        with replacing(path, directory=store == "zarr", mkdir=mkdir) as tmp:
            if store == "netcdf":
                out.to_netcdf(tmp, engine=_netcdf_engine())
            else:
                out.to_zarr(tmp, mode="w", consolidated=False)
    return Path(path)


def open_dataset(path, store=None):
    """Read a file :func:`write_dataset` wrote, fully loaded into memory.

    Parameters
    ----------
    path : path-like
        A NetCDF file or zarr directory.
    store : {"netcdf", "zarr"}, optional
        Default: from the path's suffix (:func:`store_of`).

    Returns
    -------
    xarray.Dataset
        Its data in memory."""
    import xarray as xr

    store = store_of(path, store)
    if store == "zarr":
        return xr.open_zarr(path, consolidated=False).load()
    with xr.open_dataset(path) as ds:
        return ds.load()


def open_attrs(path, store=None) -> dict:
    """The global attributes of a file, without loading its data.

    Parameters
    ----------
    path : path-like
        A NetCDF file or zarr directory.
    store : {"netcdf", "zarr"}, optional
        Default: from the path's suffix (:func:`store_of`).

    Returns
    -------
    dict

    Raises
    ------
    OSError
        If the file cannot be opened as its store.
    """
    import xarray as xr

    store = store_of(path, store)
    try:
        if store == "zarr":
            return dict(xr.open_zarr(path, consolidated=False).attrs)
        with xr.open_dataset(path, decode_cf=False) as ds:
            return dict(ds.attrs)
    except OSError:
        raise
    except Exception as exc:          # the backends raise many kinds
        raise OSError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from exc


def verdict_dataset(result, **attrs):
    """A verifier result ready for :func:`write_dataset`: units ``"1"`` on
    numeric variables that have none (the physical unit of each row is the
    result's ``units`` coordinate), ``attrs`` added (non-text as JSON).

    Parameters
    ----------
    result : xarray.Dataset
        What :func:`numprec.verify.verify` or :func:`numprec.verify.judge`
        returned.
    **attrs
        Global attributes to add.

    Returns
    -------
    xarray.Dataset"""
    ds = result.copy()
    for var in list(ds.data_vars.values()) + list(ds.coords.values()):
        if var.dtype.kind in "fiu" and "units" not in var.attrs:
            var.attrs["units"] = "1"
    ds.attrs.update({k: v if isinstance(v, (str, int, float)) else encode(v)
                     for k, v in attrs.items()})
    return ds

