"""End to end with the test client (issue 7, “Done when”: ``demo-gov`` sees the 双师型 ratio per school): two
school administrators keep their teachers on the schools app's pages and record their 特岗 funding on the
quality pages; an officer registers a training base, opens “师资队伍” from the menu and reads each school's
双师型 ratio against T20, the city's figures with their sources, and exports the same lines."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiaoqitong.orgs.choices import Role

from ..orgs.factories import SchoolFactory, user_with_role

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_teacher(page: Client, school, number: int, *, dual: bool, employment: str = "full_time") -> None:
    data = {
        "school": school.pk,
        "staff_no": f"E2E{number:03d}",
        "name": f"教师{number}",
        "employment": employment,
        "title": "intermediate",
        "master_level": "",
        "phone": "",
    }
    if dual:
        data |= {
            "is_dual_qualified": "on",
            "dual_qualified_date": "2024-09-01",
            "dual_qualified_evidence": "技师证",
        }
    response = page.post(reverse("schools:teacher_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_officer_sees_the_dual_qualified_ratio_of_each_school():
    year = timezone.localdate().year
    north, south = SchoolFactory(name="北湖职业学校"), SchoolFactory(name="苏仙职业学校")

    # The schools keep their teachers: 北湖 3 of 4 full-time teachers 双师型 (and 1 part-time), 苏仙 1 of 2.
    north_admin = client_for(user_with_role(Role.SCHOOL_ADMIN, school=north))
    for n, dual in enumerate([True, True, True, False]):
        add_teacher(north_admin, north, n, dual=dual)
    add_teacher(north_admin, north, 9, dual=False, employment="part_time")
    south_admin = client_for(user_with_role(Role.SCHOOL_ADMIN, school=south))
    add_teacher(south_admin, south, 20, dual=True)
    add_teacher(south_admin, south, 21, dual=False)
    response = north_admin.post(
        reverse("quality:specialpostfunding_add"),
        {"year": year, "posts": 2, "amount": "150000", "source": "市财政"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    officer = client_for(user_with_role(Role.GOV_OFFICER))
    response = officer.post(
        reverse("quality:teachertrainingbase_add"),
        {
            "name": "北湖“双师型”教师培训基地",
            "level": "province",
            "host_school": north.pk,
            "recognized_year": year,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    home = officer.get(reverse("home")).content.decode()
    overview_url = reverse("quality:teachers_overview")
    assert overview_url in home  # in the officer's menu
    response = officer.get(overview_url)
    assert response.status_code == 200
    html = response.content.decode()
    rows = {line.school.name: line for line in response.context["lines"]}
    assert (
        rows["北湖职业学校"].cells["dual"].text == "75.0%" and rows["北湖职业学校"].cells["dual"].met is True
    )
    assert (
        rows["苏仙职业学校"].cells["dual"].text == "50.0%" and rows["苏仙职业学校"].cells["dual"].met is False
    )
    assert "北湖职业学校" in html and "苏仙职业学校" in html and "75.0%" in html and "50.0%" in html
    assert "T20 ≥ 75.0%" in html  # the target beside the column, from the rule
    assert "五（十三）" in html  # the source of the city's rows
    city = {row.measure.rule: row for row in response.context["city"]}
    assert city["dual_qualified_share_min"].text == "66.7%"  # 4 of 6 full-time teachers
    assert city["provincial_training_bases_min"].value == 1
    assert rows["北湖职业学校"].cells["funding"].text == "75,000 元"
    assert reverse("schools:teacher_list") in html  # the teachers themselves live on the schools pages

    export = officer.get(overview_url, {"export": "csv"})
    lines = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {r["学校"]: r["“双师型”教师比例"] for r in lines if r["学校代码"]} == {
        "北湖职业学校": "75.0%",
        "苏仙职业学校": "50.0%",
    }
