"""Shared pytest configuration: the opt-in slow tests."""
import pytest


def pytest_addoption(parser):
    try:
        parser.addoption("--runslow", action="store_true", default=False,
                         help="also run long integrations and exhaustive sweeps")
    except ValueError:      # already added by a plugin's conftest
        pass


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
