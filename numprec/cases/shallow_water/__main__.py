"""``python -m numprec.cases.shallow_water``: see :mod:`numprec.cases.shallow_water.cli`."""
import sys

from numprec.cases.cli import sigterm_as_interrupt
from numprec.cases.memory import tune_malloc
from numprec.cases.shallow_water.cli import main

if __name__ == "__main__":
    sigterm_as_interrupt()
    tune_malloc()                 # keeps freed memory: fewer page faults, same results
    sys.exit(main())
