"""A SPEEDY-style spectral atmosphere (Molteni 2003, Clim. Dyn. 20, 175).

Components so far: the spectral transform (:mod:`.transform`, with the Gaussian
grid in :mod:`.gaussian` and the Legendre functions in :mod:`.legendre`) and the
barotropic vorticity mode (:mod:`.barotropic`).  The dry primitive-equation core
follows.  See docs/speedy.md.
"""
