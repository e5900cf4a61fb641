"""Climate case studies: models in plain numpy, run in double and under
precision policies, and judged by the Wasserstein verifier.

Each case is a module runnable as ``python -m numprec.cases.NAME``:

- :mod:`numprec.cases.lorenz` — Lorenz 63 / Lorenz 96 ensembles;
- shallow-water flow over a ridge and soil-column heat diffusion (model
  code in ``shallow_water_model`` and ``heat_model``).

:mod:`numprec.cases.output` writes results to NetCDF with provenance.
Submodules are imported on demand (``from numprec.cases import lorenz``).
"""
