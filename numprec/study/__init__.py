"""Declarative studies (TOML) run on dask.distributed: members -> verdicts."""
from numprec.study.cli import run_study
from numprec.study.spec import StudyFileError, StudySpec, load_study, parse_study
from numprec.study.tasks import MemberTask, expand

__all__ = ["run_study", "StudyFileError", "StudySpec", "load_study", "parse_study",
           "MemberTask", "expand"]
