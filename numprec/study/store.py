"""Member outputs on disk: one file (NetCDF) or directory (zarr) per member,
written atomically so that a file that exists is complete."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import xarray as xr

SUFFIX = {"netcdf": ".nc", "zarr": ".zarr"}


def write_atomic(ds: xr.Dataset, path: Path, store: str = "netcdf") -> Path:
    """Write ``ds`` to ``path`` via a temporary sibling and ``os.replace``.

    A reader (or a resumed run) therefore never sees a half-written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if store == "netcdf":
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            ds.to_netcdf(tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    elif store == "zarr":
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        try:
            ds.to_zarr(tmp, mode="w", consolidated=True)
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    else:
        raise ValueError(f"store must be one of {sorted(SUFFIX)}, got {store!r}")
    return path


class MemberStore:
    """Where the members of one study live: ``<root>/members/<label>/member_NNNN.nc``."""

    def __init__(self, root, store="netcdf"):
        if store not in SUFFIX:
            raise ValueError(f"store must be one of {sorted(SUFFIX)}, got {store!r}")
        self.root = Path(root)
        self.store = store

    def path(self, task) -> Path:
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
