"""Behaviour that only PostgreSQL can show (row locks under real concurrency)."""

import threading

import pytest
from django.db import connection

from xiaoqitong.core import services
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.models import Enterprise

from ..concurrency import committed_catalogs
from ..orgs.factories import EnterpriseFactory, UserFactory, county, industry_leaf


@pytest.fixture
def seeded(django_db_blocker):
    """The catalogs and seeded rows, back after this test's flush (asked for before ``transactional_db``)."""
    with committed_catalogs(django_db_blocker):
        yield


@pytest.mark.postgres
def test_concurrent_updates_are_serialized_and_each_audited(seeded, transactional_db):
    county()
    industry_leaf()
    actor = UserFactory(is_superuser=True)
    enterprise = EnterpriseFactory(employees=0)
    errors = []

    def bump(n):
        try:
            for _ in range(5):
                current = Enterprise.objects.get(pk=enterprise.pk)
                services.object_update(actor=actor, instance=current, data={"name": f"并发企业{n}"})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bump, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert connection.vendor == "postgresql"
    assert AuditLog.objects.filter(object_id=str(enterprise.pk), action="update").count() == 20
