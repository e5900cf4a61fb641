"""``python -m numprec.cases.speedy``: see :mod:`numprec.cases.speedy.cli`."""
import sys

from numprec.cases.cli import sigterm_as_interrupt
from numprec.cases.speedy.cli import main

if __name__ == "__main__":
    sigterm_as_interrupt()
    sys.exit(main())
