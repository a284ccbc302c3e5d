import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _catalogs_and_rules(reference_data, db):
    """The real catalogs, and the policy rules the migrations seed (re-seeded here should a transactional
    test elsewhere in the session have flushed them)."""
    from xiaoqitong.cooperation.models import Rule

    if not Rule.objects.filter(key="cert_1x_coverage_min").exists():
        importlib.import_module("xiaoqitong.cooperation.migrations.0002_seed_rules").seed(apps, None)
        importlib.import_module("xiaoqitong.quality.migrations.0002_seed_rules").seed(apps, None)
