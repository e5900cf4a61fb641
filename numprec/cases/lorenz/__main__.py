"""``python -m numprec.cases.lorenz``: see :mod:`numprec.cases.lorenz.cli`."""
import sys

from numprec.cases.cli import sigterm_as_interrupt
from numprec.cases.memory import tune_malloc
from numprec.cases.lorenz.cli import main

if __name__ == "__main__":
    sigterm_as_interrupt()
    tune_malloc()                 # keeps freed memory: fewer page faults, same results
    sys.exit(main())
