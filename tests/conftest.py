"""Shared fixtures: the CP2015 data (read from ../shared/data) and small synthetic economies."""

import pytest

from tradewar.api import default_data_path
from tradewar.data.cp2015 import load_cp2015
from tradewar.data.synthetic import synthetic_raw
from tradewar.models.caliendo_parro import calibrate


@pytest.fixture(scope="session")
def cp2015_path():
    return default_data_path("cp2015")


@pytest.fixture(scope="session")
def cp2015(cp2015_path):
    return load_cp2015(cp2015_path)


@pytest.fixture(scope="session")
def small_economy():
    """A 4-region, 3-sector economy with deficits, calibrated to an exact equilibrium."""
    return calibrate(synthetic_raw(4, 3, seed=7), tol=1e-13)
