"""Shallow-water flow over a ridge (Klöwer, Düben & Palmer 2020, JAMES 12).

The wind-driven, zonally periodic channel on a 45°N β-plane with a Gaussian
ridge, on an Arakawa C-grid with Arakawa & Hsu (1990) advection and RK4; see
docs/shallow_water.md.  ``CASE`` is the case contract's entry
(:class:`numprec.cases.base.Case`)::

    from numprec.cases.shallow_water import CASE
    ds = CASE.run({"nx": 50}, None, members=4, ic_seed=1, days=30, spinup=450)

Modules: :mod:`.params` (documented parameters), :mod:`.grid`,
:mod:`.dynamics`, :mod:`.forcing`, :mod:`.dissipation`,
:mod:`.time_stepping` (the components), :mod:`.model` (the dataclass of
components), :mod:`.run` (``CASE.run``), :mod:`.diagnostics`,
:mod:`.experiments` (the Klöwer et al. 2020/2022 experiments) and
``python -m numprec.cases.shallow_water`` (:mod:`.__main__`).
"""
from numprec.cases.base import Case
from numprec.cases.shallow_water.model import ShallowWaterModel, build_model
from numprec.cases.shallow_water.params import COMPENSATIONS, SECONDS_PER_DAY, ShallowWaterParams
from numprec.cases.shallow_water.run import PERTURBATION, VARIABLES, run_members
from numprec.cases.shallow_water.time_stepping import SWState

__all__ = ["CASE", "COMPENSATIONS", "PERTURBATION", "SECONDS_PER_DAY", "ShallowWaterModel",
           "ShallowWaterParams", "SWState", "VARIABLES", "build_model", "run_members"]

CASE = Case(
    "shallow_water",
    "wind-driven shallow-water channel over a ridge (Klöwer et al. 2020)",
    ShallowWaterParams, ShallowWaterModel, build_model, run_members, VARIABLES)
