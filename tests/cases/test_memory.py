"""The case command lines keep freed memory in the process (glibc only)."""
import os
import platform
import subprocess
import sys

import pytest

from numprec.cases.memory import ENVIRONMENT, tune_malloc

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_glibc_takes_the_settings(monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    assert tune_malloc() is True


@pytest.mark.parametrize("name", ENVIRONMENT)
def test_a_users_malloc_environment_is_left_alone(monkeypatch, name):
    monkeypatch.setenv(name, "131072")
    assert tune_malloc() is False


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_fewer_page_faults_for_fresh_large_arrays():
    """Arrays of growing sizes (each above glibc's dynamic mmap threshold
    when first made), freed and made again: with the settings they come from
    the kept heap and do not fault again."""
    code = ("import resource, sys, numpy as np\n"
            "from numprec.cases.memory import tune_malloc\n"
            "if sys.argv[1] == 'tuned': tune_malloc()\n"
            "start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(20):\n"
            "    for k in range(17, 22):\n"
            "        a = np.ones(2 ** k); b = np.ones(2 ** k + 1); del a, b\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start)\n")
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    faults = {mode: int(subprocess.run([sys.executable, "-c", code, mode], env=env,
                                       capture_output=True, text=True, check=True).stdout)
              for mode in ("default", "tuned")}
    assert faults["tuned"] < faults["default"] / 2, faults
