import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _catalogs_types_and_rules(reference_data, db):
    """The real catalogs, and the event types and policy rules the migrations seed (re-seeded here should a
    transactional test elsewhere in the session have flushed them)."""
    from xiaoqitong.events.models import EventType

    if not EventType.objects.filter(code="fair").exists():
        importlib.import_module("xiaoqitong.cooperation.migrations.0002_seed_rules").seed(apps, None)
        importlib.import_module("xiaoqitong.events.migrations.0002_seed_types_and_rules").seed(apps, None)
