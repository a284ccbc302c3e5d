import pytest

from xiaoqitong.matching import services


@pytest.fixture(autouse=True)
def _fresh_matching_index(settings, tmp_path):
    """Each test its own snapshot folder and a fresh per-process index (the rebuild task runs eagerly in
    tests and saves snapshots)."""
    settings.VAR_DIR = tmp_path
    services.forget_index()
    yield
    services.forget_index()
