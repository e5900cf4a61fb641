"""The stack of active policies (``with policy:`` blocks), per thread and task.

A leaf module: it imports nothing of numprec, so every other module of
:mod:`numprec.emulate` may read the stack without an import cycle.
"""
from __future__ import annotations

import contextvars

#: The active policies of this thread/task, a tuple, innermost last (read
#: directly by the operators of EmulatedArray, whose per-call cost matters;
#: use :func:`active_policy` elsewhere).
ACTIVE_POLICIES = contextvars.ContextVar("numprec_emulate_policies", default=())


def active_policy():
    """The innermost active policy, or None outside every ``with`` block."""
    stack = ACTIVE_POLICIES.get()
    return stack[-1] if stack else None


def push(policy) -> None:
    """Enter ``policy`` (``Policy.__enter__``)."""
    ACTIVE_POLICIES.set(ACTIVE_POLICIES.get() + (policy,))


def pop(policy) -> None:
    """Leave ``policy``, which must be the innermost active one."""
    stack = ACTIVE_POLICIES.get()
    if not stack or stack[-1] is not policy:
        raise RuntimeError("numprec.emulate policy contexts must be exited in reverse order")
    ACTIVE_POLICIES.set(stack[:-1])
