"""What a study writes: member files, verdicts, report and plots.

Every file is written atomically -- to a temporary sibling
``.<name>.<random>.tmp`` that is renamed onto the final name once complete --
so a file that exists is complete.  A run killed mid-write (SIGKILL) leaves
the temporary behind; :meth:`MemberStore.remove_temporaries` deletes those
when the study resumes.

Permissions follow the umask, as for any file a program creates: the
temporary is created with mode 0o666 (directories 0o777) and the kernel
takes the umask (and a directory's default ACL) off; that mode is restored
after the writer library is done, in case it re-created the file.  So with
umask 022 outputs are 0644 (directories 0755), with 077 0600, with 002 0664.
The umask itself is never read or changed (changing it, even briefly, would
race with the other threads of the process).
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
from pathlib import Path

import xarray as xr

from numprec.study.spec import StudyError

SUFFIX = {"netcdf": ".nc", "zarr": ".zarr"}
#: The lock file of a study's output directory (see :func:`study_lock`).
LOCK_NAME = ".numprec-study.lock"
#: Temporaries this module (and earlier versions of it) leave when killed.
_TEMPORARY = re.compile(r"^\.(member_\d+\.(nc|zarr)|verdicts\.nc|report\.md|w1_vs_bits\.png)"
                        r"\.[A-Za-z0-9_]+\.tmp$|^report\.md\.tmp$")


class StudyBusyError(StudyError):
    """Another run of a study holds the lock of its output directory."""


def _temporary_name(path: Path) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"


def _create_temporary(path: Path, directory: bool):
    """Create a unique temporary sibling of ``path``; returns (tmp, mode)."""
    while True:
        tmp = _temporary_name(path)
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


@contextlib.contextmanager
def replacing(path, *, directory=False):
    """Write ``path`` atomically: yields a temporary path to write to.

    On success the temporary gets the mode the umask gives a new file (or
    directory), is synced and renamed onto ``path`` (replacing an existing
    one); on any exception, KeyboardInterrupt included, it is removed.

    Parameters
    ----------
    path : path-like
        The final name; its parent directory is created if needed.
    directory : bool
        Yield an empty directory instead of an empty file (zarr stores).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, mode = _create_temporary(path, directory)
    try:
        yield tmp
        os.chmod(tmp, mode)
        if directory:
            if path.exists():
                shutil.rmtree(path)
        else:
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


def write_atomic(ds: xr.Dataset, path, store: str = "netcdf") -> Path:
    """Write ``ds`` to ``path`` (NetCDF file or zarr directory) atomically.

    A reader (or a resumed run) therefore never sees a half-written file.
    """
    if store not in SUFFIX:
        raise ValueError(f"store must be one of {sorted(SUFFIX)}, got {store!r}")
    import dask

    # the data are in memory: write in this thread, without the distributed
    # lock that xarray would otherwise take from the scheduler inside a worker
    with dask.config.set(scheduler="synchronous"):
        with replacing(path, directory=store == "zarr") as tmp:
            if store == "netcdf":
                ds.to_netcdf(tmp)
            else:
                ds.to_zarr(tmp, mode="w", consolidated=True)
    return Path(path)


def write_text_atomic(text: str, path) -> Path:
    """Write a text file (UTF-8) atomically."""
    with replacing(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def save_figure_atomic(fig, path, format="png") -> Path:
    """Save a matplotlib figure atomically (``format`` as for ``savefig``)."""
    with replacing(path) as tmp:
        fig.savefig(tmp, format=format)
    return Path(path)


@contextlib.contextmanager
def study_lock(root):
    """Hold the lock of a study's output directory for one run.

    Raises
    ------
    StudyBusyError
        If another process holds it (two runs into one directory would
        delete each other's temporaries).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StudyBusyError(f"{root}: another study run is writing into this output "
                                 f"directory (it holds {LOCK_NAME}); wait for it or use "
                                 f"another --output") from None
        yield
    finally:
        os.close(fd)                      # releases the lock


class MemberStore:
    """Where the members of one study live: ``<root>/members/<label>/member_NNNN.nc``."""

    def __init__(self, root, store="netcdf"):
        if store not in SUFFIX:
            raise ValueError(f"store must be one of {sorted(SUFFIX)}, got {store!r}")
        self.root = Path(root)
        self.store = store

    def path(self, task) -> Path:
        """The member file (or zarr directory) of ``task``."""
        return self.root / "members" / (task.key + SUFFIX[self.store])

    def exists(self, task) -> bool:
        return self.path(task).exists()

    def write(self, task, ds: xr.Dataset) -> Path:
        return write_atomic(ds, self.path(task), self.store)

    def open(self, task) -> xr.Dataset:
        path = self.path(task)
        if self.store == "zarr":
            return xr.open_zarr(path, consolidated=True).load()
        with xr.open_dataset(path) as ds:
            return ds.load()

    def attrs(self, task) -> dict:
        """The global attributes of a member file (without loading its data).

        Raises
        ------
        OSError
            If the file cannot be opened as the store's format.
        """
        path = self.path(task)
        try:
            if self.store == "zarr":
                return dict(xr.open_zarr(path, consolidated=True).attrs)
            with xr.open_dataset(path, decode_cf=False) as ds:
                return dict(ds.attrs)
        except OSError:
            raise
        except Exception as exc:          # the backends raise many kinds
            raise OSError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from exc

    def remove_temporaries(self) -> list:
        """Delete the temporaries a killed run left in the output directory
        and its members; returns their paths.  Call it only while holding
        :func:`study_lock` (a running writer's temporary looks the same)."""
        removed = []
        if not self.root.is_dir():
            return removed
        places = [self.root]
        members = self.root / "members"
        if members.is_dir():
            places += [members, *(p for p in members.iterdir() if p.is_dir()
                                  and not _TEMPORARY.match(p.name))]
        for place in places:
            for entry in place.iterdir():
                if not _TEMPORARY.match(entry.name):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed.append(entry)
        return removed
