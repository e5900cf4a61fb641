"""Hypothesis profiles for every test folder (tests/ and plugins/).

"ci" (the default) is derandomised: the same examples on every run, so a
property test cannot make CI flaky.  "explore" draws many more random
examples; run it before submitting a change to the rounding core::

    HYPOTHESIS_PROFILE=explore python -m pytest tests/rounding/test_properties.py
"""
import os

from hypothesis import settings

settings.register_profile("ci", max_examples=150, derandomize=True, deadline=None,
                          print_blob=True)
settings.register_profile("explore", max_examples=3000, derandomize=False, deadline=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
