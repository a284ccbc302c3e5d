"""The generator on the real catalogs that ``load_reference`` ships (not the stand-in of conftest.py)."""

import pytest
from django.core.management import call_command

from xiaoqitong.demo.generator import generate
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.orgs.validators import validate_credit_code
from xiaoqitong.reference.models import IndustryChain

from .conftest import ORG_STEPS

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogs():
    call_command("load_reference", verbosity=0)


def test_small_scale_on_the_shipped_catalogs(catalogs):
    generate("small", 2021, steps=ORG_STEPS)  # supply and demand on these catalogs: test_supply_demand.py
    assert School.objects.count() == 12 and Enterprise.objects.count() == 300
    chains = list(IndustryChain.objects.prefetch_related("industries"))
    assert len(chains) == 10
    used = set()
    for e in Enterprise.objects.select_related("industry", "county"):
        validate_credit_code(e.credit_code)
        assert e.industry.level == 4
        under = [
            c.name for c in chains if e.industry.code.startswith(tuple(i.code for i in c.industries.all()))
        ]
        assert under, f"{e.name}: {e.industry} is under no chain"
        used.update(under)
        assert e.county.level in ("county", "park")
    assert len(used) == 10  # every chain has enterprises
    assert Enterprise.objects.filter(county__level="park").count() > 20
