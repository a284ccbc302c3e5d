import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    has_broker = bool(os.environ.get("XQT_BROKER_SMOKE"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgresql://…"))
        if "broker" in item.keywords and not has_broker:
            item.add_marker(pytest.mark.skip(reason="needs a Redis broker and a running worker (.ci/run)"))


def pytest_sessionfinish(session, exitstatus):
    # With XQT_NO_SKIPS=1 (CI on PostgreSQL) a skipped test fails the run: nothing may hide there.
    if os.environ.get("XQT_NO_SKIPS") and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = reporter.stats.get("skipped", []) if reporter else []
        if skipped:
            reporter.write_line(f"XQT_NO_SKIPS: {len(skipped)} test(s) skipped", red=True)
            session.exitstatus = 1


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


from tests.reference.fixtures import reference_data  # noqa: E402,F401  (the loaded catalogs, once per session)
