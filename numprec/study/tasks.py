"""A study as a list of member tasks, each a pure function of its parameters."""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Optional

from numprec.study.spec import StudySpec

REFERENCE, BASELINE, EXPERIMENT = "reference", "baseline", "experiment"
#: Initial conditions of the baseline ensemble are drawn from seeds this far away.
BASELINE_SEED_SHIFT = 1_000_003


@dataclass(frozen=True)
class MemberTask:
    """One ensemble member: what the model function receives.

    ``ic_seed`` selects initial conditions: the reference and every
    experiment share them member by member (so they differ only by
    precision); the baseline uses others.  ``seed`` keys stochastic
    rounding.  ``format``/``rounding``/``policy`` are None for double
    precision.
    """

    kind: str
    label: str
    member: int
    ic_seed: int
    seed: int
    format: Optional[str] = None
    rounding: Optional[str] = None
    policy: Optional[str] = None

    @property
    def key(self) -> str:
        """File-system-safe unique name of the member."""
        return f"{_safe(self.label)}/member_{self.member:04d}"

    def to_dict(self):
        return asdict(self)


def _safe(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def _seed(*parts) -> int:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def experiment_label(fmt, rounding, policy):
    return f"{fmt} {rounding}" + ("" if policy == "all" else f" {policy}")


def expand(spec: StudySpec) -> list[MemberTask]:
    """Every member task of the study, in a fixed order."""
    tasks = [MemberTask(REFERENCE, REFERENCE, i, spec.seed * 1000 + i, 0)
             for i in range(spec.reference_members)]
    tasks += [MemberTask(BASELINE, BASELINE, i, spec.seed * 1000 + BASELINE_SEED_SHIFT + i, 0)
              for i in range(spec.baseline_members)]
    for fmt in spec.formats:
        for rounding in spec.roundings:
            for policy in spec.policies:
                label = experiment_label(fmt, rounding, policy)
                tasks += [MemberTask(EXPERIMENT, label, i, spec.seed * 1000 + i,
                                     _seed(spec.seed, label, i), fmt, rounding, policy)
                          for i in range(spec.members)]
    return tasks
