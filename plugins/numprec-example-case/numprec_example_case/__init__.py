"""numprec-example-case: registers the case ``logistic`` through the ``numprec_cases`` hook.

Only the entry is built here; the model module is imported when the case is
asked for (``numprec.get_case("logistic")``), so listing cases stays cheap.
"""
from numprec import CaseEntry, hookimpl


@hookimpl
def numprec_cases():
    return [CaseEntry("logistic", "numprec_example_case.case:CASE",
                      "an ensemble of logistic maps x <- r x (1 - x)")]
