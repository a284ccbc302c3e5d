"""``reference_data``: the shipped catalogs, loaded once per test session with the loader of
``xiaoqitong load_reference``. Other apps' tests use it to get real regions, majors and industries fast:

    # tests/conftest.py (or an app's conftest.py)
    from tests.reference.fixtures import reference_data  # noqa: F401

    def test_something(reference_data, db): ...

The rows are committed to the test database outside the tests' transactions, so every test sees them and
none can lose them — except a ``transactional_db`` test, whose flush empties the tables for the rest of
the session.
"""

import pytest


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    """Load every catalog once; returns the loader's per-catalog results (created/updated/unchanged)."""
    from xiaoqitong.reference.loader import load_all

    with django_db_blocker.unblock():
        return load_all()
