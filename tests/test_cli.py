"""``python -m numprec`` as a user runs it: real subprocesses."""
import os
import subprocess
import sys

import pytest


def run_python(args, env_extra=None, **kwargs):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def test_formats_into_a_closed_pipe_prints_no_traceback():
    # like `python -m numprec formats | head`, with the reader gone before the
    # first write so that the write certainly fails (EPIPE)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "numprec", "formats"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr
    assert "BrokenPipeError" not in proc.stderr
    assert proc.returncode == 141         # 128 + SIGPIPE, as a shell tool killed by it


def test_formats_through_head_prints_its_first_lines():
    proc = subprocess.run(f"{sys.executable} -m numprec formats | head -n 3", shell=True,
                          capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    assert len(lines) == 3 and lines[0].startswith("numprec ")
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", " "])
def test_bad_num_threads_variable_is_a_clear_warning_not_a_crash(value):
    proc = run_python(["-c", "import numprec; print(numprec.get_num_threads())"],
                      {"NUMPREC_NUM_THREADS": value})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    message = [line for line in proc.stderr.splitlines() if "NUMPREC_NUM_THREADS" in line]
    assert len(message) == 1 and repr(value) in message[0] and "positive integer" in message[0]
    # falls back to the default: every CPU this process may run on
    assert int(proc.stdout) == len(os.sched_getaffinity(0))


def test_bad_num_threads_variable_does_not_break_the_command_line():
    proc = run_python(["-m", "numprec", "formats"], {"NUMPREC_NUM_THREADS": "abc"})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "NUMPREC_NUM_THREADS" in proc.stderr and "binary16" in proc.stdout


@pytest.mark.parametrize("value,threads", [("3", 3), (" 2 ", 2), ("", None)])
def test_valid_num_threads_variable_is_used(value, threads):
    proc = run_python(["-c", "import numprec; print(numprec.get_num_threads())"],
                      {"NUMPREC_NUM_THREADS": value})
    assert proc.returncode == 0 and proc.stderr == ""
    assert int(proc.stdout) == (threads or len(os.sched_getaffinity(0)))


def test_cases_lists_every_registered_case_with_components_and_parameters(capsys):
    from numprec.__main__ import main

    assert main(["cases"]) == 0
    out = capsys.readouterr().out
    import numprec
    for name in numprec.list_cases():
        assert f"\n{name}  [" in out
    lorenz = out[out.index("\nlorenz  ["):]
    assert "components: tendencies, time_stepping" in lorenz
    assert "system = 'l63'" in lorenz and "compensated = False" in lorenz
    assert "python -m numprec.cases.lorenz --help" in lorenz


def test_cases_with_a_name_shows_that_case_only(capsys):
    from numprec.__main__ import main

    assert main(["cases", "heat"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("heat  [builtin]")
    assert "components: boundaries, diffusion, time_stepping" in out and "lorenz" not in out
    assert main(["cases", "nosuchcase"]) == 2
    assert "no case 'nosuchcase'; registered cases:" in capsys.readouterr().err
