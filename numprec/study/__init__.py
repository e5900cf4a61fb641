"""Declarative studies (TOML) run on dask.distributed: members -> verdicts."""
from numprec.study.cli import run_study
from numprec.study.provenance import StaleMemberError
from numprec.study.spec import StudyError, StudyFileError, StudySpec, load_study, parse_study
from numprec.study.store import StudyBusyError
from numprec.study.tasks import MemberTask, expand

__all__ = ["run_study", "StudyError", "StudyFileError", "StaleMemberError", "StudyBusyError",
           "StudySpec", "load_study", "parse_study", "MemberTask", "expand"]
