"""``python -m numprec.cases.shallow_water``: see :mod:`numprec.cases.shallow_water.cli`."""
import sys

from numprec.cases.cli import sigterm_as_interrupt
from numprec.cases.shallow_water.cli import main

if __name__ == "__main__":
    sigterm_as_interrupt()
    sys.exit(main())
