"""Certificates, exam centres and competitions: the generic pages, API, export and import of the five
models (natural keys 证书代码 + 证书编号, 考点编号, 考点编号 + 证书代码 + 考试日期, 赛事名称 + 级别 + 年度),
the services with their refusals, and who may read and write which rows."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import CompetitionLevel, Prize
from xiaoqitong.quality.models import CertificateAward, CompetitionAward, ExamCentre
from xiaoqitong.quality.services import certificates as services
from xiaoqitong.quality.views.certificates import (
    CertificateAwardViews,
    CompetitionAwardViews,
    CompetitionViews,
    ExamCentreViews,
    ExamSessionViews,
)
from xiaoqitong.schools.choices import Consent

from ..orgs.factories import SchoolFactory, user_with_role
from ..schools.factories import StudentFactory, TeacherFactory, student_account
from .factories_certificates import (
    ONE_X,
    ONE_X_OTHER,
    SKILL_LEVEL,
    CertificateAwardFactory,
    CompetitionAwardFactory,
    CompetitionFactory,
    ExamCentreFactory,
    ExamSessionFactory,
    certificate,
)

AWARDS = "/api/v1/quality/certificate-awards/"
CENTRES = "/api/v1/quality/exam-centres/"
SESSIONS = "/api/v1/quality/exam-sessions/"
COMPETITIONS = "/api/v1/quality/competitions/"
PRIZES = "/api/v1/quality/competition-awards/"


# --- the generic pages, API, import and export ------------------------------------------------------
class TestCertificateAward(ImportTests, ModelTests):
    views = CertificateAwardViews
    api_url = AWARDS
    factory = CertificateAwardFactory
    update_data = {"issuer": "工业和信息化部教育与考试中心"}

    def form_data(self):
        student = StudentFactory()
        return {
            "school": student.school.pk,
            "student": student.student_no,
            "certificate": certificate().pk,
            "number": "ZS-F-0001",
            "awarded_on": "2025-06-30",
            "issuer": "某评价组织",
        }

    def api_data(self):
        student = StudentFactory()
        return {
            "school": student.school.code,
            "student_no": student.student_no,
            "certificate": ONE_X,
            "number": "ZS-A-0001",
            "awarded_on": "2025-06-30",
        }

    def import_rows(self):
        a, b = StudentFactory(), StudentFactory()
        return [
            {
                "证书代码": code,
                "学校代码": student.school.code,
                "学号": student.student_no,
                "证书编号": f"ZS-I-{n}",
                "发证日期": "2025/6/30",
                "发证机构": "某评价组织",
            }
            for n, (student, code) in enumerate(((a, ONE_X), (b, SKILL_LEVEL)))
        ]

    def test_the_api_shows_the_student_and_the_certificate(self, api_admin):
        award = CertificateAwardFactory()
        row = api_admin.get(f"{AWARDS}{award.pk}/").data
        assert row["school"] == award.student.school.code and row["student_no"] == award.student.student_no
        assert row["certificate"] == ONE_X and row["kind"] == "1+x" and row["name"] == award.student.name

    def test_the_api_names_an_unknown_student(self, api_admin):
        data = self.api_data() | {"student_no": "NOPE"}
        response = api_admin.post(AWARDS, data, format="json")
        assert response.status_code == 400 and "NOPE" in str(response.data["student_no"])


class TestExamCentre(ImportTests, ModelTests):
    views = ExamCentreViews
    api_url = CENTRES
    factory = ExamCentreFactory
    update_data = {"name": "郴州技师学院考点"}

    def form_data(self):
        return {
            "code": "KD-F-01",
            "name": "郴州职院考点",
            "school": SchoolFactory().pk,
            "certificate_codes": f"{ONE_X}、{ONE_X_OTHER}",
            "approved_by": "湖南省教育厅",
            "approved_on": "2024-03-01",
            "capacity": 60,
            "active": "on",
        }

    def api_data(self):
        return {
            "code": "KD-A-01",
            "name": "郴州技师学院考点",
            "school": SchoolFactory().code,
            "certificates": [ONE_X],
        }

    def import_rows(self):
        school = SchoolFactory()
        return [
            {
                "考点编号": f"KD-I-{n}",
                "考点名称": f"导入考点{n}",
                "承办学校代码": school.code,
                "可考证书代码": ONE_X if n else f"{ONE_X}、{ONE_X_OTHER}",
                "批准机构": "湖南省教育厅",
                "批准日期": "2024-03-01",
                "单场容量": "60",
                "在用": "是",
            }
            for n in (0, 1)
        ]

    def test_the_centre_page_lists_its_sessions_with_pass_rates(self, client_admin):
        centre = ExamCentreFactory()
        ExamSessionFactory(centre=centre, candidates=40, passed=30)
        ExamSessionFactory(centre=centre, candidates=0, passed=0)
        body = client_admin.get(centre.get_absolute_url()).content.decode()
        assert "75.0%" in body and "—" in body
        assert "报考 40 人次，通过 30 人次" in body
        row = next(
            r
            for r in client_admin.get(ExamCentreViews.url_for("list")).content.decode().split("<tr")
            if centre.code in r
        )
        assert "75.0%" in row

    def test_the_api_shows_the_pass_rate(self, api_admin):
        centre = ExamCentreFactory()
        ExamSessionFactory(centre=centre, candidates=50, passed=20)
        row = api_admin.get(f"{CENTRES}{centre.pk}/").data
        assert (row["session_count"], row["candidates_total"], row["passed_total"], row["pass_rate"]) == (
            1,
            50,
            20,
            40.0,
        )


class TestExamSession(ImportTests, ModelTests):
    views = ExamSessionViews
    api_url = SESSIONS
    factory = ExamSessionFactory
    update_data = {"passed": 12}

    def form_data(self):
        return {
            "centre": ExamCentreFactory().pk,
            "certificate": certificate().pk,
            "date": "2025-05-20",
            "candidates": 40,
            "passed": 30,
        }

    def api_data(self):
        return {
            "centre": ExamCentreFactory().code,
            "certificate": ONE_X,
            "date": "2025-05-21",
            "candidates": 30,
        }

    def import_rows(self):
        centre = ExamCentreFactory()
        return [
            {
                "考点编号": centre.code,
                "证书代码": ONE_X,
                "考试日期": f"2025-0{n}-15",
                "报考人数": "30",
                "通过人数": "20",
            }
            for n in (4, 5)
        ]


class TestCompetition(ImportTests, ModelTests):
    views = CompetitionViews
    api_url = COMPETITIONS
    factory = CompetitionFactory
    update_data = {"organizer": "湖南省教育厅"}

    def form_data(self):
        return {"name": "郴州市职业院校技能大赛", "level": "city", "year": 2025, "major_codes": "660103"}

    def api_data(self):
        return {"name": "湖南省职业院校技能大赛", "level": "province", "year": 2025, "majors": ["660103"]}

    def import_rows(self):
        return [
            {
                "赛事名称": "全国职业院校技能大赛",
                "级别": label,
                "年度": "2025",
                "主办单位": "教育部",
                "比赛日期": "2025-06-01",
                "相关专业代码": "660103",
            }
            for label in ("国家级", "省级")
        ]

    def test_the_competition_page_counts_awards_per_school(self, client_admin):
        competition = CompetitionFactory()
        a = CompetitionAwardFactory(competition=competition, prize=Prize.FIRST)
        CompetitionAwardFactory(
            competition=competition, prize=Prize.THIRD, student__school_major__school=a.school
        )
        b = CompetitionAwardFactory(competition=competition, prize=Prize.SECOND)
        body = client_admin.get(competition.get_absolute_url()).content.decode()
        assert f'data-school="{a.school.code}"' in body and f'data-school="{b.school.code}"' in body
        row = body.split(f'data-school="{a.school.code}"')[1].split("</tr>")[0]
        assert row.count('class="text-end">1<') == 2 and ">2</td>" in row


class TestCompetitionAward(ImportTests, ModelTests):
    views = CompetitionAwardViews
    api_url = PRIZES
    factory = CompetitionAwardFactory
    update_data = {"event": "工业机器人技术应用"}

    def form_data(self):
        student = StudentFactory()
        teacher = TeacherFactory(school=student.school)
        return {
            "competition": CompetitionFactory().pk,
            "school": student.school.pk,
            "event": "数控车加工技术",
            "prize": "second",
            "student": student.student_no,
            "team": "",
            "teacher": teacher.staff_no,
        }

    def api_data(self):
        student = StudentFactory()
        return {
            "competition": CompetitionFactory().pk,
            "school": student.school.code,
            "event": "电子产品设计",
            "prize": "first",
            "student_no": student.student_no,
        }

    def import_rows(self):
        competition = CompetitionFactory(
            name="郴州市职业院校技能大赛", level=CompetitionLevel.CITY, year=2025
        )
        student = StudentFactory()
        teacher = TeacherFactory(school=student.school)
        base = {"赛事名称": competition.name, "级别": "市级", "年度": "2025", "学校代码": student.school.code}
        return [
            base
            | {
                "赛项": "数控车",
                "奖项": "一等奖",
                "学号": student.student_no,
                "获奖团队": "",
                "指导教师工号": teacher.staff_no,
            },
            base
            | {
                "赛项": "电子装配",
                "奖项": "二等奖",
                "学号": "",
                "获奖团队": "张三、李四",
                "指导教师工号": "",
            },
        ]

    def test_an_award_without_student_or_team_is_refused(self, api_admin):
        data = self.api_data() | {"student_no": ""}
        response = api_admin.post(PRIZES, data, format="json")
        assert response.status_code == 400 and "获奖学生或获奖团队" in str(response.data)

    def test_an_unknown_competition_is_named_in_the_import(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        rows = self.import_rows()
        rows[1]["赛事名称"] = "不存在的大赛"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        assert any(e["row"] == 3 and "不存在的大赛" in e["message"] for e in job.errors), job.errors


# --- services ----------------------------------------------------------------------------------------------
def award_data(student, **extra):
    return {
        "student": student,
        "certificate": certificate(),
        "number": "ZS-S-1",
        "awarded_on": dt.date(2025, 6, 1),
        **extra,
    }


def test_a_school_admin_records_certificates_of_its_own_students_only():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = StudentFactory(school_major__school=admin.school)
    award = services.certificate_award_create(actor=admin, data=award_data(own))
    assert AuditLog.objects.filter(verb="certificate_award_create", object_id=str(award.pk)).count() == 1
    with pytest.raises(PermissionDenied, match="本校学生"):
        services.certificate_award_create(actor=admin, data=award_data(StudentFactory(), number="ZS-S-2"))
    with pytest.raises(PermissionDenied, match="本校学生"):
        services.certificate_award_update(actor=admin, instance=award, data={"student": StudentFactory()})
    with pytest.raises(PermissionDenied):
        services.certificate_award_update(
            actor=admin, instance=CertificateAwardFactory(), data={"issuer": "x"}
        )
    services.certificate_award_update(actor=admin, instance=award, data={"issuer": "人社部门"})
    award.refresh_from_db()
    assert award.issuer == "人社部门"
    for role in (Role.TEACHER, Role.STUDENT, Role.RESEARCHER, Role.ENTERPRISE_HR):
        with pytest.raises(PermissionDenied):
            services.certificate_award_create(
                actor=user_with_role(role), data=award_data(own, number="ZS-S-3")
            )


def test_award_dates_numbers_and_sessions_are_checked():
    officer = user_with_role(Role.GOV_OFFICER)
    student = StudentFactory()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.certificate_award_create(actor=officer, data=award_data(student, awarded_on=tomorrow))
    services.certificate_award_create(actor=officer, data=award_data(student))
    with pytest.raises(ValidationError):  # the same certificate number twice
        services.certificate_award_create(actor=officer, data=award_data(StudentFactory()))
    other = ExamSessionFactory(certificate=certificate(ONE_X_OTHER), date=dt.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="不一致"):
        services.certificate_award_create(
            actor=officer, data=award_data(student, number="ZS-S-4", session=other)
        )
    session = ExamSessionFactory(date=dt.date(2025, 7, 1))
    with pytest.raises(ValidationError, match="不能早于考试日期"):
        services.certificate_award_create(
            actor=officer, data=award_data(student, number="ZS-S-5", session=session)
        )
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = StudentFactory(school_major__school=admin.school)
    foreign_session = ExamSessionFactory(date=dt.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="找不到这个考试场次"):
        services.certificate_award_create(
            actor=admin, data=award_data(own, number="ZS-S-6", session=foreign_session)
        )
    assert CertificateAward.objects.count() == 1


def test_exam_centres_belong_to_the_admins_school_and_keep_their_sessions():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    centre = services.exam_centre_create(actor=admin, data={"code": "KD-S-1", "name": "本校考点"})
    assert centre.school == admin.school
    with pytest.raises(PermissionDenied, match="本校的考点"):
        services.exam_centre_create(
            actor=admin, data={"code": "KD-S-2", "name": "他校考点", "school": SchoolFactory()}
        )
    with pytest.raises(PermissionDenied, match="本校的考点"):
        services.exam_centre_update(actor=admin, instance=centre, data={"school": SchoolFactory()})
    ExamSessionFactory(centre=centre)
    with pytest.raises(ValidationError, match="请先删除场次"):
        services.exam_centre_delete(actor=admin, instance=centre)
    with pytest.raises(PermissionDenied):
        services.exam_centre_create(actor=user_with_role(Role.TEACHER), data={"code": "KD-S-3", "name": "x"})


def test_exam_sessions_are_checked_against_the_centre():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    centre = ExamCentreFactory(school=admin.school, capacity=50)
    centre.certificates.set([certificate(ONE_X)])
    data = {
        "centre": centre,
        "certificate": certificate(ONE_X),
        "date": dt.date(2025, 5, 1),
        "candidates": 40,
    }
    session = services.exam_session_create(actor=admin, data=data | {"passed": 35})
    assert AuditLog.objects.filter(verb="exam_session_create", object_id=str(session.pk)).count() == 1
    with pytest.raises(ValidationError, match="未获批考试"):
        services.exam_session_create(actor=admin, data=data | {"certificate": certificate(ONE_X_OTHER)})
    with pytest.raises(ValidationError, match="超过考点单场容量（50）"):
        services.exam_session_create(actor=admin, data=data | {"date": dt.date(2025, 6, 1), "candidates": 51})
    with pytest.raises(ValidationError, match="通过人数不能多于报考人数"):
        services.exam_session_update(actor=admin, instance=session, data={"passed": 41})
    with pytest.raises(PermissionDenied, match="本校的考点"):
        services.exam_session_create(actor=admin, data=data | {"centre": ExamCentreFactory()})
    with pytest.raises(PermissionDenied, match="本校的考点"):
        services.exam_session_update(actor=admin, instance=session, data={"centre": ExamCentreFactory()})


def test_competitions_are_the_officers_and_keep_their_awards():
    officer = user_with_role(Role.GOV_OFFICER)
    competition = services.competition_create(
        actor=officer, data={"name": "郴州市技能大赛", "level": "city", "year": 2025}
    )
    assert AuditLog.objects.filter(verb="competition_create").count() == 1
    for role in (Role.SCHOOL_ADMIN, Role.TEACHER, Role.RESEARCHER):
        with pytest.raises(PermissionDenied):
            services.competition_create(
                actor=user_with_role(role), data={"name": "x", "level": "city", "year": 2025}
            )
        with pytest.raises(PermissionDenied):
            services.competition_update(actor=user_with_role(role), instance=competition, data={"name": "y"})
    with pytest.raises(ValidationError):  # name + level + year is unique
        services.competition_create(
            actor=officer, data={"name": "郴州市技能大赛", "level": "city", "year": 2025}
        )
    CompetitionAwardFactory(competition=competition)
    with pytest.raises(ValidationError, match="已有 1 条获奖记录"):
        services.competition_delete(actor=officer, instance=competition)


def test_a_school_admin_records_its_own_schools_competition_awards():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = StudentFactory(school_major__school=admin.school)
    competition = CompetitionFactory()
    data = {"competition": competition, "event": "数控车", "prize": Prize.FIRST, "student": own}
    award = services.competition_award_create(actor=admin, data=data)
    assert award.school == admin.school
    with pytest.raises(PermissionDenied, match="本校的竞赛获奖"):
        services.competition_award_create(actor=admin, data=data | {"school": SchoolFactory()})
    with pytest.raises(ValidationError, match="须为该校学生"):
        services.competition_award_create(actor=admin, data=data | {"student": StudentFactory()})
    with pytest.raises(ValidationError, match="须为该校教师"):
        services.competition_award_create(actor=admin, data=data | {"teacher": TeacherFactory()})
    with pytest.raises(ValidationError, match="获奖学生或获奖团队"):
        services.competition_award_create(actor=admin, data=data | {"student": None})
    with pytest.raises(PermissionDenied):
        services.competition_award_update(
            actor=admin, instance=CompetitionAwardFactory(), data={"event": "x"}
        )


# --- imports: refusals ---------------------------------------------------------------------------------
def _import(client, url, rows, capture):
    with capture(execute=True):
        response = client.post(url, {"file": csv_upload(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def test_a_school_admin_cannot_import_certificates_of_another_schools_students(
    django_capture_on_commit_callbacks,
):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = StudentFactory(school_major__school=admin.school)
    foreign = StudentFactory()
    page, _api = login_clients(admin)
    rows = [
        {
            "学校代码": s.school.code,
            "学号": s.student_no,
            "证书代码": ONE_X,
            "证书编号": f"ZS-R-{n}",
            "发证日期": "2025-06-01",
            "发证机构": "",
        }
        for n, s in enumerate((own, foreign))
    ]
    job = _import(page, CertificateAwardViews.url_for("import"), rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert any(e["row"] == 3 and "只能导入本校学生的证书" in e["message"] for e in job.errors), job.errors
    assert not CertificateAward.objects.exists()
    job = _import(page, CertificateAwardViews.url_for("import"), rows[:1], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.VALID, job.errors


def test_bad_award_rows_are_each_reported_in_chinese(client, django_capture_on_commit_callbacks):
    officer = user_with_role(Role.GOV_OFFICER)
    client.force_login(officer)
    student = StudentFactory()
    good = {
        "学校代码": student.school.code,
        "学号": student.student_no,
        "证书代码": ONE_X,
        "证书编号": "ZS-B-1",
        "发证日期": "2025-06-01",
        "发证机构": "",
    }
    rows = [
        good,
        good | {"证书代码": "NOPE", "证书编号": "ZS-B-2"},
        good | {"学号": "S-NONE", "证书编号": "ZS-B-3"},
        good | {"发证日期": "明天", "证书编号": "ZS-B-4"},
        good | {"发证日期": "2999-01-01", "证书编号": "ZS-B-5"},
    ]
    job = _import(client, CertificateAwardViews.url_for("import"), rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    by_row = {e["row"]: e for e in job.errors}
    assert "找不到代码为“NOPE”的证书" in by_row[3]["message"] and by_row[3]["column"] == "证书代码"
    assert "S-NONE" in by_row[4]["message"] and by_row[4]["column"] == "学号"
    assert "不是日期" in by_row[5]["message"] and by_row[5]["column"] == "发证日期"
    assert "不能晚于今天" in by_row[6]["message"]
    assert 2 not in by_row and not CertificateAward.objects.exists()


def test_a_reimport_with_a_corrected_date_updates_in_place(client, django_capture_on_commit_callbacks):
    officer = user_with_role(Role.GOV_OFFICER)
    client.force_login(officer)
    student = StudentFactory()
    row = {
        "学校代码": student.school.code,
        "学号": student.student_no,
        "证书代码": ONE_X.lower(),
        "证书编号": "ZS-U-1",
        "发证日期": "2025-06-01",
        "发证机构": "",
    }
    url = CertificateAwardViews.url_for("import")
    job = _import(client, url, [row], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/core/imports/{job.pk}/confirm/")
    job = _import(client, url, [row | {"发证日期": "2025-07-01"}], django_capture_on_commit_callbacks)
    assert job.summary == {"new": 0, "update": 1, "skip": 0}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/core/imports/{job.pk}/confirm/")
    assert CertificateAward.objects.get().awarded_on == dt.date(2025, 7, 1)


def test_a_school_admin_imports_its_competition_awards_only(django_capture_on_commit_callbacks):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    competition = CompetitionFactory(level=CompetitionLevel.PROVINCE)
    page, _api = login_clients(admin)
    own, foreign = StudentFactory(school_major__school=admin.school), StudentFactory()
    base = {
        "赛事名称": competition.name,
        "级别": "省级",
        "年度": "2025",
        "赛项": "数控车",
        "奖项": "一等奖",
        "获奖团队": "",
        "指导教师工号": "",
    }
    rows = [
        base | {"学校代码": own.school.code, "学号": own.student_no},
        base | {"学校代码": foreign.school.code, "学号": foreign.student_no},
    ]
    job = _import(page, CompetitionAwardViews.url_for("import"), rows, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert any(e["row"] == 3 and "本校" in e["message"] for e in job.errors), job.errors
    assert not CompetitionAward.objects.exists()


# --- scoping -----------------------------------------------------------------------------------------------
WRITE = {"add", "change", "delete", "import", "export"}
ROLES = [
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.ENTERPRISE_HR,
    Role.ENTERPRISE_MENTOR,
    Role.STUDENT,
    Role.RESEARCHER,
    Role.GOV_OFFICER,
]


def _school_may(role, student_reads=False, hr_reads=False):
    def may(action, is_own):
        if role == Role.GOV_OFFICER:
            return True
        if action == "view":
            readers = {Role.SCHOOL_ADMIN, Role.TEACHER} | ({Role.STUDENT} if student_reads else set())
            # An HR reads the certificates of the students it sees by name (``other`` consents to nothing).
            readers |= {Role.ENTERPRISE_HR} if hr_reads else set()
            return is_own and role in readers
        if action in WRITE:
            return is_own and role == Role.SCHOOL_ADMIN
        return False

    return may


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_award_access_by_role(role):
    user = user_with_role(role)
    own = None
    if role == Role.STUDENT:
        own = CertificateAwardFactory(student=StudentFactory(school_major__school=user.school, user=user))
    elif role in {Role.SCHOOL_ADMIN, Role.TEACHER}:
        own = CertificateAwardFactory(student__school_major__school=user.school)
    other = CertificateAwardFactory()
    may = _school_may(role, student_reads=True, hr_reads=True)
    check_access(user, CertificateAwardViews, AWARDS, may, own, other, label=role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_centre_access_by_role(role):
    user = user_with_role(role)
    own = ExamCentreFactory(school=user.school) if role in {Role.SCHOOL_ADMIN, Role.TEACHER} else None
    check_access(user, ExamCentreViews, CENTRES, _school_may(role), own, ExamCentreFactory(), label=role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_session_access_by_role(role):
    user = user_with_role(role)
    own = (
        ExamSessionFactory(centre__school=user.school) if role in {Role.SCHOOL_ADMIN, Role.TEACHER} else None
    )
    check_access(user, ExamSessionViews, SESSIONS, _school_may(role), own, ExamSessionFactory(), label=role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_competition_access_by_role(role):
    def may(action, is_own):
        if role == Role.GOV_OFFICER:
            return True
        return action == "view" and role in {Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT}

    user = user_with_role(role)
    check_access(user, CompetitionViews, COMPETITIONS, may, None, CompetitionFactory(), label=role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_competition_award_access_by_role(role):
    user = user_with_role(role)
    own = None
    if role in {Role.SCHOOL_ADMIN, Role.TEACHER}:
        own = CompetitionAwardFactory(student__school_major__school=user.school)
    elif role == Role.STUDENT:
        student = StudentFactory(school_major__school=user.school, user=user)
        own = CompetitionAwardFactory(student=student)
    other = CompetitionAwardFactory()
    check_access(
        user, CompetitionAwardViews, PRIZES, _school_may(role, student_reads=True), own, other, label=role
    )


def test_an_hr_sees_certificates_of_students_it_sees_by_name_only():
    hr = user_with_role(Role.ENTERPRISE_HR)
    full = CertificateAwardFactory(student__consent=Consent.FULL)
    CertificateAwardFactory(student__consent=Consent.DEIDENTIFIED)
    CertificateAwardFactory(student__consent=Consent.NONE)
    page, api = login_clients(hr)
    assert {row["id"] for row in api.get(AWARDS).data["results"]} == {full.pk}
    assert page.get(full.get_absolute_url()).status_code == 200
    assert api.post(AWARDS, {}, format="json").status_code == 403
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)
    assert login_clients(mentor)[1].get(AWARDS).status_code == 403


def test_a_student_sees_their_own_certificates_on_my_certificates(client):
    student = StudentFactory()
    user = student_account(student)
    mine = CertificateAwardFactory(student=student, number="ZS-MINE-1")
    CertificateAwardFactory(student=student, certificate=certificate(SKILL_LEVEL), number="ZS-MINE-2")
    CertificateAwardFactory(student__school_major=student.school_major, number="ZS-OTHER")
    prize = CompetitionAwardFactory(student=student, event="网络布线")
    client.force_login(user)
    body = client.get("/quality/certificates/mine/").content.decode()
    assert "ZS-MINE-1" in body and "ZS-MINE-2" in body and "ZS-OTHER" not in body
    assert "共 2 本证书，其中 1+X 证书 1 本" in body and prize.event in body
    assert client.get(mine.get_absolute_url()).status_code == 200
    client.force_login(user_with_role(Role.TEACHER))
    assert client.get("/quality/certificates/mine/").status_code == 403


def test_a_school_admins_form_fixes_its_school(client):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = StudentFactory(school_major__school=admin.school)
    foreign = StudentFactory()
    client.force_login(admin)
    data = {
        "school": foreign.school.pk,
        "certificate": certificate().pk,
        "number": "ZS-P-1",
        "awarded_on": "2025-06-01",
    }
    response = client.post(CertificateAwardViews.url_for("add"), data | {"student": foreign.student_no})
    assert response.status_code == 400 and "没有学号为" in response.content.decode()
    response = client.post(CertificateAwardViews.url_for("add"), data | {"student": own.student_no})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CertificateAward.objects.get().student == own
    response = client.post(
        ExamCentreViews.url_for("add"),
        {"code": "KD-P-1", "name": "本校考点", "capacity": 0, "certificate_codes": ONE_X},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ExamCentre.objects.get().school == admin.school
