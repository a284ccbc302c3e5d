import importlib
import pkgutil

import pytest
from django.apps import apps


def seed_governance() -> None:
    """Every seed of the governance migrations (targets, tasks, indicators …), each idempotent."""
    from xiaoqitong.governance import migrations

    for module in sorted(pkgutil.iter_modules(migrations.__path__), key=lambda m: m.name):
        seed = getattr(importlib.import_module(f"{migrations.__name__}.{module.name}"), "seed", None)
        if seed is not None:
            seed(apps, None)


@pytest.fixture(autouse=True)
def _catalogs_rules_and_targets(reference_data, db):
    """The real catalogs, the policy rules of every app and the governance seeds (re-seeded should a
    transactional test elsewhere in the session have flushed them)."""
    from xiaoqitong.cooperation.models import Rule
    from xiaoqitong.governance.models import Target

    if not Rule.objects.filter(key="cert_plaque_cycle_years").exists():
        for name in (
            "xiaoqitong.cooperation.migrations.0002_seed_rules",
            "xiaoqitong.quality.migrations.0002_seed_rules",
            "xiaoqitong.events.migrations.0002_seed_types_and_rules",
            "xiaoqitong.certification.migrations.0002_seed_criteria_and_rules",
        ):
            importlib.import_module(name).seed(apps, None)
    if not Target.objects.exists():
        seed_governance()
