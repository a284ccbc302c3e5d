"""Running calls at the same moment, for the PostgreSQL concurrency tests (no lost update or over-booking)."""

import contextlib
import importlib
import threading

from django.db import connection


def parallel(calls) -> list:
    """Run the calls at the same moment, one thread (and one connection) each; returns their results, an
    exception standing for a call that raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # reported by the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


SEEDS = (
    "xiaoqitong.cooperation.migrations.0002_seed_rules",
    "xiaoqitong.quality.migrations.0002_seed_rules",
    "xiaoqitong.events.migrations.0002_seed_types_and_rules",
    "xiaoqitong.certification.migrations.0002_seed_criteria_and_rules",
    "xiaoqitong.governance.migrations.0002_seed_targets",
    "xiaoqitong.governance.migrations.0003_tasks",
    "xiaoqitong.governance.migrations.0004_assessment",
)


@contextlib.contextmanager
def committed_catalogs(django_db_blocker, seeds=SEEDS):
    """For a test outside a test transaction, which asks for its fixture using this and then for
    ``transactional_db`` (so the reload comes after the flush): the catalogs and the rows the migrations seed
    (``seeds``: modules with a ``seed(apps, schema_editor)``), loaded before the test where an earlier
    transactional test left them missing, and again after it, since its flush empties every table."""
    from django.apps import apps

    from xiaoqitong.reference.loader import load_all
    from xiaoqitong.reference.models import Major

    def seed():
        with django_db_blocker.unblock():
            if not Major.objects.exists():
                load_all()
            for module in seeds:
                importlib.import_module(module).seed(apps, None)

    seed()
    yield
    with django_db_blocker.unblock():
        load_all()
        # the flush emptied every table: every app's seeded rows come back, not only this module's
        for module in dict.fromkeys((*seeds, *SEEDS)):
            importlib.import_module(module).seed(apps, None)
