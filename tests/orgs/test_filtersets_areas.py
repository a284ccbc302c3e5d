"""The county filter offers the city's own areas and still accepts any area's code."""

import pytest

from xiaoqitong.orgs.filtersets import SchoolFilterSet
from xiaoqitong.orgs.models import School

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db


def options(filterset) -> list[str]:
    return [str(value) for value, _label in filterset.form.fields["county"].widget.choices if value]


def test_the_select_offers_the_citys_areas_only_and_a_chosen_one_elsewhere(reference_data):
    from xiaoqitong.reference.models import Region, city_prefix

    prefix = city_prefix()
    offered = options(SchoolFilterSet(queryset=School.objects.all()))
    assert offered and all(code.startswith(prefix) for code in offered), offered
    elsewhere = Region.objects.filter(level="county").exclude(code__startswith=prefix).first()
    school = SchoolFactory(county=elsewhere)
    bound = SchoolFilterSet({"county": elsewhere.code}, queryset=School.objects.all())
    assert list(bound.qs) == [school]  # any area's code is accepted
    html = str(bound.form["county"])
    assert f'value="{elsewhere.code}" selected' in html
