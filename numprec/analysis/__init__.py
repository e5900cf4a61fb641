"""Which precision does a model need: analysis tools.

- :func:`bitinformation` — the real information content of each bit of an
  array (Klöwer et al. 2021) and the mantissa bits that hold 99 % of it;
- :func:`mca_samples` / :func:`mca_run` — Monte Carlo arithmetic: a
  computation repeated with every operation stochastically rounded at a
  virtual precision (Parker 1997);
- :func:`significant_bits` — significant bits of such samples with a
  confidence level (Sohier et al. 2021);
- :func:`precision_search` — the fewest mantissa bits per model component
  that keep a case's answer (bisection, combined check, delta debugging);
- :func:`logbook` / :func:`scaling_advice` — number statistics of every
  arithmetic result per component (Sherlogs.jl, Klöwer et al. 2022) and the
  power-of-two scaling that centres a variable in a target format.

See docs/analysis.md.
"""
from numprec.analysis.bitinformation import BitInformation, bitinformation, free_entropy
from numprec.analysis.logbook import Logbook, logbook, scaling_advice
from numprec.analysis.mca import mca_format, mca_run, mca_samples
from numprec.analysis.search import (SearchResult, SignificantBitsRule, VerdictRule, ddmin,
                                     parse_bits, precision_search)
from numprec.analysis.significance import significant_bits

__all__ = ["BitInformation", "bitinformation", "free_entropy", "mca_format", "mca_run",
           "mca_samples", "significant_bits", "SearchResult", "SignificantBitsRule",
           "VerdictRule", "ddmin", "parse_bits", "precision_search", "Logbook", "logbook",
           "scaling_advice"]
