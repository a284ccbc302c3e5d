"""The quality targets machinery (``quality.targets``) and its overview page and API: figures without data
stay ``None`` (shown as 暂无数据, never 0), comparisons both ways, the rule's value and source used as they
are edited, and who sees which school's lines."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from xiaoqitong.cooperation.models import Rule
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality import targets
from xiaoqitong.quality.targets import GE, LE, Figure, Measure

from ..orgs.factories import SchoolFactory, user_with_role

API = "/api/v1/quality/targets/"


def test_figure_value_is_none_without_data():
    assert Figure(3, 10).value == Decimal("0.3")
    assert Figure(3, 0).value is None  # no denominator: no data, not 0 and not a division error
    assert Figure(None, 10).value is None
    assert Figure.count(0).value == 0  # a count of none is a real zero
    assert Figure.count(None).value is None


@pytest.fixture
def fake_measures(monkeypatch):
    """Two measures on real rules with figures set by the test: a share per school (T20, >=) and a share
    with a ceiling (T18, <=); the areas' own measures are left out."""
    a, b = SchoolFactory(name="甲职校"), SchoolFactory(name="乙职校")
    figures = {
        "dual_qualified_share_min": {None: Figure(150, 200), a.pk: Figure(80, 100), b.pk: Figure(0, 0)},
        "part_time_teacher_share_max": {None: Figure(50, 200), a.pk: Figure(40, 100), b.pk: Figure(10, 100)},
    }
    registry = {
        key: Measure(
            rule=key,
            label=key,
            unit=targets.SHARE,
            comparison=GE if key.endswith("_min") else LE,
            compute=lambda year, key=key: figures[key],
        )
        for key in figures
    }
    targets.measures()  # the areas register on import: import them now, so that they cannot add to the fake
    monkeypatch.setattr(targets, "_MEASURES", registry)
    return a, b


def _rows(year=2026, **kwargs):
    return {(r.measure.rule, r.school_id): r for r in targets.evaluate(year, **kwargs)}


def test_evaluate_compares_each_way_and_keeps_no_data(fake_measures):
    a, b = fake_measures
    rows = _rows()
    assert rows[("dual_qualified_share_min", None)].met is True  # 75% >= 75%
    assert rows[("dual_qualified_share_min", a.pk)].met is True
    assert rows[("dual_qualified_share_min", b.pk)].met is None  # no teachers: no figure
    assert rows[("part_time_teacher_share_max", a.pk)].met is False  # 40% > 30%
    assert rows[("part_time_teacher_share_max", b.pk)].met is True
    assert rows[("dual_qualified_share_min", None)].target_id == "T20"
    assert "五（十三）" in rows[("dual_qualified_share_min", None)].source


def test_evaluate_uses_the_rule_as_edited(fake_measures):
    Rule.objects.filter(key="dual_qualified_share_min").update(value=Decimal("0.8"))
    assert _rows()[("dual_qualified_share_min", None)].met is False  # 75% < 80%


def test_evaluate_limits_schools(fake_measures):
    a, _b = fake_measures
    rows = _rows(school_ids=[a.pk])
    assert {sid for _key, sid in rows} == {None, a.pk}
    assert {sid for _key, sid in _rows(school_ids=[])} == {None}


def test_value_texts():
    share = Measure("x", "x", targets.SHARE, GE, lambda y: {})
    assert targets.value_text(share, Decimal("0.2345")) == "23.4%"
    assert targets.value_text(share, None) == "暂无数据"
    multiple = Measure("x", "x", targets.MULTIPLE, GE, lambda y: {})
    assert targets.value_text(multiple, Decimal("2.314")) == "2.31 倍"
    money = Measure("x", "x", targets.MONEY, GE, lambda y: {})
    assert targets.value_text(money, Decimal("70000")) == "70,000 元"
    count = Measure("x", "x", targets.COUNT, LE, lambda y: {})
    assert targets.target_text(count, Decimal("100000")) == "≤ 100,000"


def test_page_shows_city_and_every_school_to_officers(client, fake_measures):
    _a, _b = fake_measures
    client.force_login(user_with_role(Role.GOV_OFFICER))
    response = client.get(reverse("quality:targets"), {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲职校" in html and "乙职校" in html
    assert "暂无数据" in html  # 乙职校's T20
    assert "75.0%" in html and "≥ 75.0%" in html


def test_school_staff_see_only_their_school(client, fake_measures):
    a, _b = fake_measures
    client.force_login(user_with_role(Role.SCHOOL_ADMIN, school=a))
    html = client.get(reverse("quality:targets")).content.decode()
    assert "甲职校" in html and "乙职校" not in html


def test_enterprise_staff_are_refused(client, fake_measures):
    user = user_with_role(Role.ENTERPRISE_HR)
    client.force_login(user)
    assert client.get(reverse("quality:targets")).status_code == 403
    client.logout()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    response = api.get(API)
    assert response.status_code == 403
    assert "政府部门" in str(response.data)


def test_export_has_every_row(client, fake_measures):
    client.force_login(user_with_role(Role.GOV_OFFICER))
    response = client.get(reverse("quality:targets"), {"year": 2026, "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["指标编号", "指标", "范围"]
    assert len(rows) == 1 + 6  # two measures × (city + two schools)
    assert any(r[0] == "T20" and r[2] == "乙职校" and r[7] == "暂无数据" for r in rows)


def test_api_rows(fake_measures):
    from rest_framework.test import APIClient

    a, _b = fake_measures
    api = APIClient()
    api.force_authenticate(user_with_role(Role.RESEARCHER))
    response = api.get(API, {"year": 2026})
    assert response.status_code == 200
    row = next(r for r in response.data if r["rule"] == "dual_qualified_share_min" and r["school"] == a.pk)
    assert row["target_id"] == "T20"
    assert Decimal(row["value"]) == Decimal("0.8")
    assert row["met"] is True and row["text"] == "80.0%"
