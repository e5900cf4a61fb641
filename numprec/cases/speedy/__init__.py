"""A SPEEDY-style spectral atmosphere (Molteni 2003, Clim. Dyn. 20, 175).

Modules: :mod:`.gaussian` (Gaussian grid), :mod:`.legendre` (normalised
Legendre functions), :mod:`.transform` (the ``spectral_transform``
component), :mod:`.vertical` (SPEEDY's sigma levels, Simmons & Burridge 1981
operators), :mod:`.primitive` (the dry core: ``grid_dynamics``,
``spectral_dynamics``, the model dataclass), :mod:`.diffusion`,
:mod:`.timestepping` (leapfrog + RAW), :mod:`.heldsuarez` (``forcing``),
:mod:`.barotropic` (the one-level vorticity mode, Rossby-Haurwitz test),
:mod:`.restart` (restart files, the shipped spun-up state),
:mod:`.jablonowski` (Jablonowski & Williamson 2006),
:mod:`.pressure_levels` (post-processing from sigma to pressure levels),
:mod:`.mass` (the optional global mass fixer),
:mod:`.demonstration` (the Paxton-style verdicts of the command line) and
:mod:`.case` (parameters, run, ``CASE``).  See docs/speedy.md.

    from numprec.cases.speedy import CASE
    ds = CASE.run({"days": 2}, policy, members=3, ic_seed=0)
"""
from numprec.cases.speedy.case import CASE, SpeedyParameters, build, simulate
from numprec.cases.speedy.primitive import PrimitiveEquationModel, SpeedyState

__all__ = ["CASE", "SpeedyParameters", "PrimitiveEquationModel", "SpeedyState", "build",
           "simulate"]
