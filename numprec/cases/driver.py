"""The one time-integration driver of every case: :func:`integrate`.

It owns everything a model should not have to write: storing the prognostic
state after each step (``policy.store``, so the state is held in the
policy's storage format), stopping on NaN/inf and marking the run
unstable, sampling the model's output, a tqdm progress bar, and
checkpoints from which a run restarts bit for bit (stochastic rounding
included: the policy's random-stream position is saved with the state).

The model (see :mod:`numprec.cases.base`) provides ``prepare(policy,
state)``, ``step(state)`` and ``output(state)``; the state is a
``NamedTuple`` of arrays (fields may be None).

Order of operations, which fixes which random numbers each operation gets::

    state = policy.store(state0)            # each field, in field order
    model = model.prepare(policy, state)    # constants: no random numbers
    with policy:
        for each step:  state = store(model.step(state))
"""
from __future__ import annotations

import contextlib
import dataclasses
import pickle
from typing import Optional, Sequence

import numpy as np

from numprec import emulate

__all__ = ["integrate", "Trajectory", "sample_steps", "steps_in", "compensated_add",
           "load_checkpoint"]

#: Version of the checkpoint layout written by :func:`integrate`.
CHECKPOINT_VERSION = 1


@dataclasses.dataclass
class Trajectory:
    """What :func:`integrate` returns.

    Attributes
    ----------
    steps : ndarray of int
        Step number of each sample, counted from the end of the spin-up.
    samples : dict of str -> ndarray
        Each output variable, float64, shape ``(len(steps),) + shape of one
        sample``; NaN from the first non-finite sample on when unstable.
    unstable : bool
        True if the state became NaN or infinite (the run stopped there).
    state : NamedTuple
        The last state (as stored; emulated arrays under a policy).
    steps_done : int
        Steps integrated, spin-up included (fewer than planned when
        unstable).
    """

    steps: np.ndarray
    samples: dict
    unstable: bool
    state: object
    steps_done: int


def _check_count(value, what, minimum=0):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def sample_steps(steps: int, sample_every: int, *, include_initial: bool = False,
                 include_last: bool = False) -> np.ndarray:
    """The step numbers at which :func:`integrate` samples the output.

    Parameters
    ----------
    steps : int
        Number of steps of the run (non-negative).
    sample_every : int
        Sampling interval in steps (at least 1).
    include_initial : bool
        Also sample step 0 (the initial state).
    include_last : bool
        Also sample the last step when ``sample_every`` does not divide ``steps``.

    Returns
    -------
    numpy.ndarray
        The multiples of ``sample_every`` up to ``steps`` in increasing order,
        with 0 and ``steps`` added as asked.

    Examples
    --------
    >>> from numprec.cases.driver import sample_steps
    >>> sample_steps(10, 4, include_initial=True, include_last=True).tolist()
    [0, 4, 8, 10]
    """
    steps = _check_count(steps, "steps")
    sample_every = _check_count(sample_every, "sample_every", 1)
    at = list(range(0 if include_initial else sample_every, steps + 1, sample_every))
    if include_last and (not at or at[-1] != steps):
        at.append(steps)
    return np.array(at, dtype=np.int64)


def steps_in(duration, dt, what="duration") -> int:
    """``duration / dt`` as a whole number of steps.

    Parameters
    ----------
    duration, dt : float
        The length of time and the time step, in the same units.
    what : str
        The duration's name, for the message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``duration`` is negative or not a whole multiple of ``dt``
        (within a relative 1e-6); the message names ``what``.
    """
    n = duration / dt
    steps = int(round(n))
    if steps < 0 or abs(n - steps) > 1e-6 * max(1.0, abs(n)):
        raise ValueError(f"{what}={duration} must be a non-negative multiple of dt={dt}")
    return steps


def compensated_add(x, increment, compensation):
    """``x + increment`` with Kahan's compensated summation.

    Returns ``(t, c)`` with ``y = increment - compensation``,
    ``t = store(x + y)``, ``c = store((t - x) - y)``: ``c`` carries the part
    of the increment that the rounding of ``t`` lost, and the next step
    subtracts it again (Kahan 1965, "Further remarks on reducing truncation
    errors", Comm. ACM 8, 40; used for time stepping in low precision by
    Klöwer et al. 2022, JAMES 14, e2021MS002684).  ``store`` is the active
    policy's :meth:`~numprec.emulate.Policy.store` (the identity without
    one), so the compensation sees the state as it is held between steps.

    Parameters
    ----------
    x, increment : arrays
        State and increment (same shape).
    compensation : array
        Compensation term of the previous step (zero at the first step:
        time steppers start it as ``x - x`` before computing the first
        increment, so it is held in the state's format).
    """
    policy = emulate.current()
    store = (lambda a: a) if policy is None else policy.store
    y = increment - compensation
    t = store(x + y)
    return t, store((t - x) - y)


def _fields(state):
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return tuple(state)
    raise TypeError(f"a model state must be a NamedTuple of arrays, got "
                    f"{type(state).__name__}")


def _store(policy, state):
    """``policy.store`` of every field (None fields stay None)."""
    return type(state)(*(None if a is None else policy.store(a) for a in _fields(state)))


def _as_float64_state(state):
    return type(state)(*(None if a is None else np.array(a, dtype=np.float64)
                         for a in _fields(state)))


def _finite(state) -> bool:
    return all(a is None or bool(np.all(np.isfinite(emulate.to_numpy(a))))
               for a in _fields(state))


def _sample(model, state) -> dict:
    return {k: emulate.to_numpy(v) for k, v in model.output(state).items()}


class _Bar:
    """A tqdm bar owned by :func:`integrate` or a caller's bar (not closed)."""

    def __init__(self, progress, total):
        self.owned = progress is True
        if progress is True:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, unit="step", leave=False)
        elif progress in (None, False):
            self.bar = None
        elif hasattr(progress, "update"):
            self.bar = progress
        else:
            raise TypeError(f"progress must be a bool or have update(n), got {progress!r}")

    def update(self, n):
        if self.bar is not None and n > 0:
            self.bar.update(n)

    def close(self):
        if self.owned:
            self.bar.close()


def _write_checkpoint(path, content):
    from numprec.io import replacing

    with replacing(path) as tmp:
        with open(tmp, "wb") as fh:
            pickle.dump(content, fh, protocol=pickle.HIGHEST_PROTOCOL)


def load_checkpoint(path) -> dict:
    """The content of a checkpoint written by :func:`integrate` (a dict with
    ``state``, ``policy``, ``step``, ``plan``, ``samples``, ``unstable``).

    Parameters
    ----------
    path : path-like
        The checkpoint file.

    Returns
    -------
    dict

    Only load checkpoints you wrote: they are pickles.
    """
    with open(path, "rb") as fh:
        content = pickle.load(fh)
    if not isinstance(content, dict) or content.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"{path!r} is not a numprec checkpoint (version "
                         f"{CHECKPOINT_VERSION})")
    return content


def integrate(model, state, policy=None, *, steps: int, sample_every: int = 1,
              spinup: int = 0, sample_at: Optional[Sequence[int]] = None,
              check_every: int = 100, progress=False, checkpoint=None,
              checkpoint_every: Optional[int] = None, restart=None) -> Trajectory:
    """Integrate ``model`` from ``state`` and sample its output.

    Parameters
    ----------
    model : numprec.cases.base.Model
        Provides ``prepare(policy, state)``, ``step(state)`` and
        ``output(state)``.
    state : NamedTuple of arrays
        Initial state (float64 arrays; ignored with ``restart``).
    policy : numprec.emulate.Policy, optional
        Every operation runs under it; the state is converted with
        ``policy.store`` at the start and after every step; its configured
        components must be components of the model.  None runs plain numpy
        in double.
    steps : int
        Steps after the spin-up.
    sample_every : int
        Sample the output after steps ``sample_every, 2 sample_every, ...``
        (counted from the end of the spin-up).
    spinup : int
        Steps integrated first (in the same precision) and not sampled.
    sample_at : sequence of int, optional
        Sample after exactly these steps instead (0 is the state at the end
        of the spin-up), increasing, each in ``0..steps``.
    check_every : int
        Between samples the state is also checked for NaN/inf every
        ``check_every`` steps (a sample is always checked).
    progress : bool or tqdm-like
        True: a tqdm bar of this run; an object with ``update(n)``: that
        bar (not closed here).
    checkpoint : path-like, optional
        File to save the run to (atomically, a pickle) every
        ``checkpoint_every`` steps and at the end.
    checkpoint_every : int, optional
        Steps between checkpoints (needs ``checkpoint``).
    restart : path-like, optional
        Continue the run saved in this checkpoint: its state, policy (with
        its random-stream position) and samples.  ``steps``,
        ``sample_every``, ``spinup`` and ``sample_at`` must be those of the
        saved run; ``policy`` must be None or have the saved policy's
        config.  The result is bit for bit that of the uninterrupted run.

    Returns
    -------
    Trajectory
        When the state becomes NaN or infinite the run stops, the samples
        from there on are NaN and ``unstable`` is True (no exception).
    """
    steps = _check_count(steps, "steps")
    spinup = _check_count(spinup, "spinup")
    check_every = _check_count(check_every, "check_every", 1)
    if sample_at is None:
        at = sample_steps(steps, sample_every)
    else:
        at = np.array([_check_count(s, "sample_at entries") for s in sample_at], dtype=np.int64)
        if np.any(np.diff(at) <= 0) or (at.size and at[-1] > steps):
            raise ValueError(f"sample_at must increase and lie in 0..steps={steps}, got "
                             f"{list(at)}")
    if checkpoint_every is not None:
        checkpoint_every = _check_count(checkpoint_every, "checkpoint_every", 1)
        if checkpoint is None:
            raise ValueError("checkpoint_every needs checkpoint= (a file name)")
    total = spinup + (int(at[-1]) if at.size else 0)
    plan = {"steps": steps, "spinup": spinup, "sample_at": at.tolist()}

    if restart is not None:
        saved = load_checkpoint(restart)
        if saved["plan"] != plan:
            raise ValueError(f"restart {str(restart)!r} was saved by a run with {saved['plan']},"
                             f" not {plan}")
        if policy is not None and (saved["policy"] is None
                                   or saved["policy"].get_config() != policy.get_config()):
            raise ValueError(f"restart {str(restart)!r} was saved under policy "
                             f"{saved['policy']!r}, not {policy!r}")
        policy, state, done = saved["policy"], saved["state"], saved["step"]
        samples, unstable = saved["samples"], saved["unstable"]
    else:
        if policy is not None:
            policy.check_components(model.components())
            state = _store(policy, state)
        else:
            state = _as_float64_state(state)
        done, unstable = 0, False
        first = _sample(model, state)
        samples = {k: np.full((at.size,) + v.shape, np.nan) for k, v in first.items()}
    model = model.prepare(policy, state)
    position = {int(s) + spinup: k for k, s in enumerate(at)}
    if not unstable and done in position:       # a sample of the initial state
        unstable = not _record(model, state, samples, position[done])

    def save():
        _write_checkpoint(checkpoint, {"version": CHECKPOINT_VERSION, "plan": plan,
                                       "step": done, "state": state, "policy": policy,
                                       "samples": samples, "unstable": unstable})

    bar = _Bar(progress, total)
    bar.update(done)
    chunk = max(1, min(total // 100, 1000))
    reported = done
    try:
        with np.errstate(all="ignore"), (policy if policy is not None
                                         else contextlib.nullcontext()):
            store = (lambda s: s) if policy is None else (lambda s: _store(policy, s))
            while done < total and not unstable:
                state = store(model.step(state))
                done += 1
                if done in position:
                    unstable = not _record(model, state, samples, position[done])
                elif done % check_every == 0:
                    unstable = not _finite(state)
                if done - reported >= chunk:
                    bar.update(done - reported)
                    reported = done
                if checkpoint_every is not None and done % checkpoint_every == 0:
                    save()
        if checkpoint is not None:
            save()
        bar.update(done - reported if not unstable else total - reported)
    finally:
        bar.close()
    return Trajectory(at.copy(), samples, unstable, state, done)


def _record(model, state, samples, k) -> bool:
    """Store sample ``k``; False (nothing stored) if the state is not finite."""
    if not _finite(state):
        return False
    for name, values in _sample(model, state).items():
        samples[name][k] = values
    return True

