"""Climate case studies: models in plain numpy, run in double and under
precision policies, and judged by the Wasserstein verifier.

- :mod:`numprec.cases.base` — the case contract: a model is a dataclass of
  named components, ``step`` lists the call order, ``Case`` is what a case
  package exposes as ``CASE``;
- :mod:`numprec.cases.driver` — ``integrate``: the one time loop (store,
  NaN stop, sampling, progress, checkpoint/restart);
- :mod:`numprec.cases.ensemble` — the one ensemble runner;
- one subpackage per case, each runnable as ``python -m numprec.cases.NAME``:
  :mod:`~numprec.cases.lorenz`, :mod:`~numprec.cases.heat`,
  :mod:`~numprec.cases.shallow_water`;
- :mod:`numprec.cases.cli` — checks and options shared by the command lines.

Cases are registered through the ``numprec_cases`` hook
(``numprec.get_case(name)``, ``python -m numprec cases``).  Submodules are
imported on demand.  See docs/cases.md.
"""
