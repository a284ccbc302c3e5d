"""Graduate outcomes: kept by the student's school and the government, imported from GBK csv, read
de-identified by researchers, and the T1 feed (中职 graduates going on to 高职/本科)."""

import csv
import datetime as dt
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.imports import resource_for, run_import
from xiaoqitong.core.models import ImportJob
from xiaoqitong.enterprises.models import GraduateOutcome
from xiaoqitong.enterprises.selectors import further_study_rate
from xiaoqitong.enterprises.views import GraduateOutcomeViews
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import ASSOCIATE_MAJOR, SchoolMajorFactory, StudentFactory, major
from .factories import GraduateOutcomeFactory

HEADERS = [
    "学校代码",
    "学号",
    "姓名",
    "毕业年度",
    "毕业去向",
    "就业单位统一社会信用代码",
    "就业单位名称",
    "在本市就业",
    "专业对口",
    "升学层次",
]


def gbk_csv(rows: list[list[str]], name="毕业去向.csv"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buf.getvalue().encode("gbk"), content_type="text/csv")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- T1 -----------------------------------------------------------------------------------------------------
def test_further_study_rate_of_secondary_graduates():
    school = SchoolFactory()
    other = SchoolFactory()
    secondary = SchoolMajorFactory(school=school)
    outcomes = [
        ("further_study", "associate"),
        ("further_study", "vocational_bachelor"),
        ("further_study", "bachelor"),
        ("employed", ""),
        ("military", ""),
    ]
    for outcome, level in outcomes:
        GraduateOutcomeFactory(
            student=StudentFactory(school_major=secondary, status="graduated"),
            year=2025,
            outcome=outcome,
            further_level=level,
            employer_name="郴州某公司" if outcome == "employed" else "",
        )
    GraduateOutcomeFactory(
        student=StudentFactory(school_major=SchoolMajorFactory(school=other), status="graduated"),
        year=2025,
        outcome="unemployed",
        employer_name="",
    )
    # Not counted: another year, and graduates of a 高职 major.
    GraduateOutcomeFactory(
        student=StudentFactory(school_major=secondary),
        year=2024,
        outcome="further_study",
        further_level="bachelor",
        employer_name="",
    )
    associate_school = SchoolFactory(school_type="associate")
    GraduateOutcomeFactory(
        student=StudentFactory(
            school_major=SchoolMajorFactory(school=associate_school, major=major(ASSOCIATE_MAJOR))
        ),
        year=2025,
        outcome="further_study",
        further_level="bachelor",
        employer_name="",
    )
    city = further_study_rate(year=2025)
    assert city == {"graduates": 6, "further_study": 3, "rate": 0.5}
    own = further_study_rate(year=2025, school=school)
    assert own["graduates"] == 5 and own["rate"] == pytest.approx(0.6)
    assert further_study_rate(year=2025, school=other)["rate"] == 0
    assert further_study_rate(year=2030) == {"graduates": 0, "further_study": 0, "rate": None}


def test_outcome_rules():
    from django.core.exceptions import ValidationError

    outcome = GraduateOutcomeFactory.build(
        student=StudentFactory(), outcome="further_study", further_level="", employer_name=""
    )
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert "further_level" in excinfo.value.message_dict
    outcome = GraduateOutcomeFactory.build(
        student=StudentFactory(), outcome="military", employer_name="某公司"
    )
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert "employer_name" in excinfo.value.message_dict


NOT_BEFORE_2029 = "该学生预计 2029 年毕业，不能登记 2026 年的毕业去向"


@pytest.mark.parametrize(
    ("student", "year", "refused"),
    [
        # (the student's expected graduation and status, the outcome's year, the words of the refusal or None)
        ({"expected_graduation": dt.date(2029, 6, 30)}, 2026, NOT_BEFORE_2029),
        ({"expected_graduation": dt.date(2029, 6, 30), "status": "interning"}, 2028, "预计 2029 年毕业"),
        ({"expected_graduation": dt.date(2029, 6, 30)}, 2029, None),
        ({"expected_graduation": dt.date(2025, 6, 30), "status": "graduated"}, 2025, None),
        ({"expected_graduation": dt.date(2025, 6, 30), "status": "graduated"}, 2026, None),
        # A graduate whose expected graduation was never corrected is told what to fix.
        ({"expected_graduation": dt.date(2027, 6, 30), "status": "graduated"}, 2026, "请先更正"),
        # No expected graduation: still in school (在读/实习) in the 2024 school year, so not before 2025.
        ({"status": "studying"}, 2024, "2024 学年仍在校，最早 2025 年毕业"),
        ({"status": "interning"}, 2023, "最早 2025 年毕业"),
        ({"status": "studying"}, 2025, None),
        ({"status": "graduated"}, 2024, None),
    ],
)
def test_no_outcome_before_the_student_graduates(student, year, refused):
    from django.core.exceptions import ValidationError

    student = StudentFactory(school_major=SchoolMajorFactory(year=2024), grade=2022, **student)
    outcome = GraduateOutcomeFactory.build(student=student, year=year)
    if refused is None:
        outcome.full_clean()
        return
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert refused in excinfo.value.message_dict["year"][0]


def test_the_api_refuses_an_outcome_before_graduation():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    student = StudentFactory(
        school_major=SchoolMajorFactory(school=admin.school), expected_graduation=dt.date(2029, 6, 30)
    )
    payload = {
        "student": {"school": admin.school.code, "student_no": student.student_no},
        "year": 2026,
        "outcome": "military",
    }
    response = api_for(admin).post("/api/v1/enterprises/graduate-outcomes/", payload, format="json")
    assert response.status_code == 400
    assert NOT_BEFORE_2029 in response.data["year"][0]
    assert not GraduateOutcome.objects.exists()


def test_an_import_names_the_rows_of_students_who_have_not_graduated():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    school = admin.school
    early = StudentFactory(
        school_major=SchoolMajorFactory(school=school), expected_graduation=dt.date(2029, 6, 30)
    )
    done = StudentFactory(
        school_major=SchoolMajorFactory(school=school),
        status="graduated",
        expected_graduation=dt.date(2025, 6, 30),
    )
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerow([school.code, done.student_no, "", "2025", "参军", "", "", "", "", ""])
    writer.writerow([school.code, early.student_no, "", "2026", "参军", "", "", "", "", ""])
    data = tablib.Dataset().load(buf.getvalue(), format="csv")
    resource = resource_for(GraduateOutcome)()
    resource.actor = admin
    errors, _totals = run_import(resource, data, dry_run=True)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "毕业年度")]
    assert NOT_BEFORE_2029 in errors[0]["message"]
    assert not GraduateOutcome.objects.exists()


# --- import -------------------------------------------------------------------------------------------------
def test_a_school_imports_outcomes_from_gbk_csv(django_capture_on_commit_callbacks):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    school = admin.school
    platform_enterprise = EnterpriseFactory(name="郴州湘南精密机械有限公司")
    a = StudentFactory(school_major=SchoolMajorFactory(school=school), name="李晓雨", status="graduated")
    b = StudentFactory(school_major=SchoolMajorFactory(school=school), name="王子豪", status="graduated")
    c = StudentFactory(school_major=SchoolMajorFactory(school=school), name="陈思远", status="graduated")
    rows = [
        [
            school.code,
            a.student_no,
            "李晓雨",
            "2025",
            "就业",
            platform_enterprise.credit_code,
            "",
            "是",
            "是",
            "",
        ],
        [school.code, b.student_no, "", "2025", "升学", "", "", "", "", "高职专科"],
        [school.code, c.student_no, "陈思远", "2025", "就业", "", "郴州湘南精密机械有限公司", "是", "否", ""],
    ]
    page = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        page.post(GraduateOutcomeViews.url_for("import"), {"file": gbk_csv(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == "valid", job.errors
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done", job.errors
    by_student = {o.student_id: o for o in GraduateOutcome.objects.all()}
    assert by_student[a.pk].enterprise == platform_enterprise
    assert by_student[a.pk].employer_name == platform_enterprise.name
    assert by_student[b.pk].further_level == "associate"
    assert by_student[c.pk].enterprise == platform_enterprise  # linked by its exact name
    assert by_student[c.pk].related_to_major is False
    assert {o.source for o in by_student.values()} == {"school_report"}

    # The same file again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        page.post(GraduateOutcomeViews.url_for("import"), {"file": gbk_csv(rows)})
    again = ImportJob.objects.latest("pk")
    assert again.summary == {"new": 0, "update": 0, "skip": 3}, again.errors


def test_import_errors_are_named_by_row_and_column(django_capture_on_commit_callbacks):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    school = admin.school
    ours = StudentFactory(school_major=SchoolMajorFactory(school=school), name="李晓雨")
    elsewhere = StudentFactory()  # another school's student: reads like one that does not exist
    rows = [
        [school.code, ours.student_no, "张三", "2025", "就业", "", "某公司", "", "", ""],
        [elsewhere.school.code, elsewhere.student_no, "", "2025", "参军", "", "", "", "", ""],
        [school.code, "NOPE", "", "2025", "参军", "", "", "", "", ""],
        [school.code, ours.student_no, "", "2023", "出国", "", "", "", "", ""],
        [school.code, ours.student_no, "", "2024", "升学", "", "", "", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(GraduateOutcomeViews.url_for("import"), {"file": gbk_csv(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == "invalid"
    errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "李晓雨" in errors[(2, "学号")]  # the name does not match
    assert "找不到" in errors[(3, "学号")] and "找不到" in errors[(4, "学号")]
    assert "不是可选值" in errors[(5, "毕业去向")]
    assert "升学层次" in errors[(6, "升学层次")]
    assert not GraduateOutcome.objects.exists()


# --- CRUD by role -------------------------------------------------------------------------------------------
def test_a_school_administrator_records_outcomes_of_its_own_students():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    ours = StudentFactory(school_major=SchoolMajorFactory(school=admin.school), status="graduated")
    theirs = StudentFactory(status="graduated")
    form = {"year": 2025, "outcome": "military", "in_city": "unknown", "related_to_major": "unknown"}
    page = client_for(admin)
    response = page.post(
        GraduateOutcomeViews.url_for("add"), form | {"school": admin.school_id, "student_no": ours.student_no}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = page.post(
        GraduateOutcomeViews.url_for("add"),
        form | {"school": theirs.school_id, "student_no": theirs.student_no},
    )
    assert response.status_code == 400 and "school" in response.context["form"].errors
    api = api_for(admin)
    payload = {
        "student": {"school": theirs.school.code, "student_no": theirs.student_no},
        "year": 2025,
        "outcome": "military",
    }
    response = api.post("/api/v1/enterprises/graduate-outcomes/", payload, format="json")
    assert response.status_code == 400 and "student" in response.data
    assert GraduateOutcome.objects.filter(student=theirs).count() == 0
    assert GraduateOutcome.objects.filter(student=ours).count() == 1


def test_researchers_read_no_outcome_rows():
    """A row of a small major is one person: researchers get analytics' suppressed aggregates instead."""
    outcome = GraduateOutcomeFactory(student=StudentFactory(name="赵一鸣"))
    researcher = user_with_role(Role.RESEARCHER)
    assert api_for(researcher).get("/api/v1/enterprises/graduate-outcomes/").status_code == 403
    assert api_for(researcher).get(f"/api/v1/enterprises/graduate-outcomes/{outcome.pk}/").status_code in (
        403,
        404,
    )
    page = client_for(researcher)
    assert page.get(GraduateOutcomeViews.url_for("list")).status_code == 403
    # The government reads the names.
    officer = user_with_role(Role.GOV_OFFICER)
    assert "赵一鸣" in str(api_for(officer).get("/api/v1/enterprises/graduate-outcomes/").data)


@pytest.mark.django_db
def test_outcomes_filter_by_major_and_county():
    from xiaoqitong.reference.models import Major, Region

    from ..schools.factories import SchoolMajorFactory, StudentFactory
    from .factories import GraduateOutcomeFactory

    cnc = SchoolMajorFactory(major=Major.objects.get(code="660103"))
    away = SchoolMajorFactory(
        school=SchoolFactory(county=Region.objects.get(code="431021")), major=Major.objects.get(code="740101")
    )
    one = GraduateOutcomeFactory(student=StudentFactory(school_major=cnc, status="graduated"))
    two = GraduateOutcomeFactory(student=StudentFactory(school_major=away, status="graduated"))
    officer = user_with_role(Role.GOV_OFFICER)
    url = "/api/v1/enterprises/graduate-outcomes/"
    assert [r["id"] for r in api_for(officer).get(url, {"major": "6601"}).data["results"]] == [one.pk]
    assert [r["id"] for r in api_for(officer).get(url, {"major": "740101"}).data["results"]] == [two.pk]
    assert [r["id"] for r in api_for(officer).get(url, {"county": "431021"}).data["results"]] == [two.pk]
