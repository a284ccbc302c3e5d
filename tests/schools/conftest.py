import pytest


@pytest.fixture(autouse=True)
def _catalogs(reference_data, db):
    """The real catalogs (majors, regions, chains, skills), loaded once per session."""
