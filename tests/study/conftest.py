"""The toy case of the study tests and their shared helpers are importable
as ``study_toy_model`` (also by the worker processes of the studies run)."""
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def toy_for_workers(monkeypatch):
    """Worker processes a test starts (dask spawns them) find the toy case."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p))
