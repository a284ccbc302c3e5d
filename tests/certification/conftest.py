import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _catalogs_rules_and_criteria(reference_data, db):
    """The real catalogs, and the rules and criteria the migrations seed (re-seeded should a transactional
    test elsewhere in the session have flushed them)."""
    from xiaoqitong.certification.models import Criterion
    from xiaoqitong.cooperation.models import Rule

    if not Rule.objects.filter(key="internship_min_months").exists():
        importlib.import_module("xiaoqitong.cooperation.migrations.0002_seed_rules").seed(apps, None)
    if not Criterion.objects.exists() or not Rule.objects.filter(key="cert_plaque_cycle_years").exists():
        importlib.import_module("xiaoqitong.certification.migrations.0002_seed_criteria_and_rules").seed(
            apps, None
        )
