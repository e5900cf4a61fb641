"""Declarative studies (TOML) run by the ensemble runner: members -> verdicts."""
from numprec.study.cli import run_study
from numprec.study.spec import (
    StaleMemberError, StudyError, StudyFileError, StudySpec, expand, load_study, parse_study,
)
from numprec.study.store import StudyBusyError

__all__ = ["run_study", "StudyError", "StudyFileError", "StaleMemberError", "StudyBusyError",
           "StudySpec", "load_study", "parse_study", "expand"]
