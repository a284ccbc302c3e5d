"""Social training programmes and sessions: the generic pages, API, export and import (natural keys 项目编号,
项目编号 + 期次), who may read and write which programme, and the services with their refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import TrainingKind
from xiaoqitong.quality.models import TrainingParticipant, TrainingProgramme, TrainingSession
from xiaoqitong.quality.services import training as services
from xiaoqitong.quality.views.training import TrainingProgrammeViews, TrainingSessionViews

from ..orgs.factories import DepartmentFactory, EnterpriseFactory, SchoolFactory, user_with_role
from .factories_training import (
    TrainingParticipantFactory,
    TrainingProgrammeFactory,
    TrainingSessionFactory,
)

PROGRAMMES = "/api/v1/quality/training-programmes/"
SESSIONS = "/api/v1/quality/training-sessions/"


class TestTrainingProgramme(ImportTests, ModelTests):
    views = TrainingProgrammeViews
    api_url = PROGRAMMES
    factory = TrainingProgrammeFactory
    update_data = {"title": "焊工技能提升培训"}

    def form_data(self):
        return {
            "code": "PX-F-001",
            "title": "电工职业技能等级认定培训",
            "kind": TrainingKind.SUBSIDISED,
            "year": 2025,
            "provider_school": SchoolFactory().pk,
            "provider_enterprise": "",
            "provider_centre": "",
            "funding_department": DepartmentFactory().pk,
            "fucheng_brand": "on",
            "major_codes": "660103",
        }

    def api_data(self):
        return {
            "code": "PX-A-001",
            "title": "企业新型学徒制培训",
            "kind": TrainingKind.EMPLOYEES,
            "year": 2025,
            "provider_enterprise": EnterpriseFactory().credit_code,
            "funding_department": DepartmentFactory().code,
            "fucheng_brand": True,
            "majors": ["660103"],
        }

    def import_rows(self):
        school = SchoolFactory()
        department = DepartmentFactory()
        return [
            {
                "项目编号": f"PX-I-{n}",
                "项目名称": f"导入培训项目{n}",
                "培训类型": label,
                "年度": "2025",
                "承办学校代码": school.code if n == 1 else "",
                "承办企业统一社会信用代码": "",
                "承办培训机构": "" if n == 1 else "郴州市职业技能培训中心",
                "经费来源部门代码": department.code,
                "福城培训": "是" if n == 1 else "否",
                "相关专业代码": "660103" if n == 1 else "",
            }
            for n, label in ((1, "补贴性职业技能培训"), (2, "老年教育"))
        ]

    def test_the_list_filters_by_funding_department_and_brand(self, api_admin):
        department = DepartmentFactory(code="CZ-RSJ", name="郴州市人力资源和社会保障局")
        branded = TrainingProgrammeFactory(funding_department=department, fucheng_brand=True)
        TrainingProgrammeFactory(provider_school=None, provider_centre="郴州市老年大学")

        def codes(query):
            return {row["code"] for row in api_admin.get(f"{PROGRAMMES}?{query}").data["results"]}

        assert codes("funding_department=CZ-RSJ") == {branded.code}
        assert codes("funding_department=人力资源") == {branded.code}
        assert codes("fucheng_brand=true") == {branded.code}
        assert len(codes("provider_type=centre")) == 1
        assert codes(f"provider={branded.provider_school.code}") == {branded.code}

    def test_the_list_page_shows_department_and_brand(self, client_admin):
        TrainingProgrammeFactory(
            funding_department=DepartmentFactory(name="郴州市民政局"), fucheng_brand=True
        )
        body = client_admin.get(self.views.url_for("list") + "?fucheng_brand=true").content.decode()
        assert "郴州市民政局" in body and "福城培训" in body


class TestTrainingSession(ImportTests, ModelTests):
    views = TrainingSessionViews
    api_url = SESSIONS
    factory = TrainingSessionFactory
    update_data = {"hours": 80}

    def form_data(self):
        return {
            "programme": TrainingProgrammeFactory().pk,
            "number": 1,
            "start_date": "2025-03-01",
            "end_date": "2025-03-05",
            "place": "实训楼",
            "hours": 24,
            "reported_person_times": 30,
        }

    def api_data(self):
        return {
            "programme": TrainingProgrammeFactory().code,
            "number": 2,
            "start_date": "2025-04-01",
            "end_date": "2025-04-03",
            "hours": 16,
            "reported_person_times": 45,
        }

    def import_rows(self):
        programme = TrainingProgrammeFactory()
        return [
            {
                "项目编号": programme.code,
                "期次": str(n),
                "开始日期": f"2025-0{n}-01",
                "结束日期": f"2025-0{n}-05",
                "培训地点": "实训楼",
                "学时": "24",
                "填报人次": str(20 * n),
            }
            for n in (1, 2)
        ]

    def test_the_api_shows_roster_size_and_person_times(self, api_admin):
        reported = TrainingSessionFactory(reported_person_times=30)
        rostered = TrainingSessionFactory(reported_person_times=99)
        TrainingParticipantFactory.create_batch(2, session=rostered)
        rows = {row["id"]: row for row in api_admin.get(SESSIONS).data["results"]}
        assert (rows[reported.pk]["roster_size"], rows[reported.pk]["person_times"]) == (0, 30)
        assert (rows[rostered.pk]["roster_size"], rows[rostered.pk]["person_times"]) == (2, 2)


# --- services ----------------------------------------------------------------------------------------------
def programme_data(**extra):
    return {"code": "PX-S-1", "title": "电工培训", "kind": TrainingKind.SUBSIDISED, "year": 2025, **extra}


def test_a_school_admin_registers_programmes_of_its_school_only():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    programme = services.training_programme_create(actor=admin, data=programme_data())
    assert programme.provider_school == admin.school
    assert AuditLog.objects.filter(verb="training_programme_create", object_id=str(programme.pk)).count() == 1
    with pytest.raises(PermissionDenied, match="本校承办"):
        services.training_programme_create(
            actor=admin, data=programme_data(code="PX-S-2", provider_school=SchoolFactory())
        )
    with pytest.raises(PermissionDenied, match="本校承办"):
        services.training_programme_create(
            actor=admin, data=programme_data(code="PX-S-3", provider_centre="某培训中心")
        )
    with pytest.raises(PermissionDenied):
        services.training_programme_update(
            actor=admin, instance=programme, data={"provider_school": SchoolFactory()}
        )
    services.training_programme_update(actor=admin, instance=programme, data={"title": "高级电工培训"})
    programme.refresh_from_db()
    assert programme.title == "高级电工培训"


def test_an_hr_registers_programmes_of_its_enterprise_and_officers_any():
    hr = user_with_role(Role.ENTERPRISE_HR)
    programme = services.training_programme_create(actor=hr, data=programme_data(kind=TrainingKind.EMPLOYEES))
    assert programme.provider_enterprise == hr.enterprise and programme.provider_school is None
    with pytest.raises(PermissionDenied, match="本企业承办"):
        services.training_programme_create(
            actor=hr, data=programme_data(code="PX-S-4", provider_enterprise=EnterpriseFactory())
        )
    officer = user_with_role(Role.GOV_OFFICER)
    centre = services.training_programme_create(
        actor=officer, data=programme_data(code="PX-S-5", provider_centre="郴州市职业技能培训中心")
    )
    assert centre.provider_centre and centre.provider_school is None
    with pytest.raises(ValidationError, match="三者选一"):
        services.training_programme_create(actor=officer, data=programme_data(code="PX-S-6"))
    with pytest.raises(ValidationError, match="三者选一"):
        services.training_programme_create(
            actor=officer,
            data=programme_data(code="PX-S-7", provider_school=SchoolFactory(), provider_centre="某中心"),
        )


def test_others_may_not_write_programmes():
    foreign = TrainingProgrammeFactory()
    for role in (Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR, Role.TEACHER, Role.STUDENT, Role.RESEARCHER):
        actor = user_with_role(role)
        with pytest.raises(PermissionDenied):
            services.training_programme_update(actor=actor, instance=foreign, data={"title": "改名"})
        with pytest.raises(PermissionDenied):
            services.training_programme_delete(actor=actor, instance=foreign)
    for role in (Role.TEACHER, Role.ENTERPRISE_MENTOR, Role.STUDENT, Role.RESEARCHER):
        with pytest.raises(PermissionDenied):
            services.training_programme_create(actor=user_with_role(role), data=programme_data())
    assert TrainingProgramme.objects.count() == 1


def test_a_programme_with_sessions_is_not_deleted():
    officer = user_with_role(Role.GOV_OFFICER)
    session = TrainingSessionFactory()
    with pytest.raises(ValidationError, match="请先删除班次"):
        services.training_programme_delete(actor=officer, instance=session.programme)
    services.training_session_delete(actor=officer, instance=session)
    services.training_programme_delete(actor=officer, instance=session.programme)
    assert not TrainingProgramme.objects.exists()
    assert AuditLog.objects.filter(verb="training_programme_delete").count() == 1


def test_sessions_belong_to_programmes_the_actor_writes():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = TrainingProgrammeFactory(provider_school=admin.school)
    data = {"number": 1, "start_date": dt.date(2025, 3, 1), "end_date": dt.date(2025, 3, 5)}
    session = services.training_session_create(actor=admin, data={"programme": own, **data})
    assert AuditLog.objects.filter(verb="training_session_create", object_id=str(session.pk)).count() == 1
    foreign = TrainingProgrammeFactory()
    with pytest.raises(PermissionDenied, match="本单位承办"):
        services.training_session_create(actor=admin, data={"programme": foreign, **data})
    with pytest.raises(PermissionDenied, match="本单位承办"):
        services.training_session_update(actor=admin, instance=session, data={"programme": foreign})
    with pytest.raises(PermissionDenied):
        services.training_session_update(
            actor=admin, instance=TrainingSessionFactory(programme=foreign), data={"hours": 1}
        )
    with pytest.raises(PermissionDenied):
        services.training_session_create(actor=user_with_role(Role.TEACHER), data={"programme": own, **data})


def test_session_dates_and_numbers_are_checked():
    officer = user_with_role(Role.GOV_OFFICER)
    programme = TrainingProgrammeFactory()
    data = {"programme": programme, "number": 1, "start_date": dt.date(2025, 3, 5)}
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.training_session_create(actor=officer, data=data | {"end_date": dt.date(2025, 3, 1)})
    services.training_session_create(actor=officer, data=data | {"end_date": dt.date(2025, 3, 6)})
    with pytest.raises(ValidationError):
        services.training_session_create(actor=officer, data=data | {"end_date": dt.date(2025, 3, 6)})
    assert TrainingSession.objects.count() == 1


def test_a_session_with_a_roster_takes_no_reported_number_and_is_not_deleted():
    officer = user_with_role(Role.GOV_OFFICER)
    session = TrainingSessionFactory(reported_person_times=0)
    TrainingParticipantFactory.create_batch(3, session=session)
    with pytest.raises(ValidationError, match="已有花名册（3 人）"):
        services.training_session_update(actor=officer, instance=session, data={"reported_person_times": 50})
    with pytest.raises(ValidationError, match="请先清空花名册"):
        services.training_session_delete(actor=officer, instance=session)
    services.training_session_update(actor=officer, instance=session, data={"hours": 60})


def test_the_roster_is_cleared_by_its_writers_only():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    session = TrainingSessionFactory(programme__provider_school=admin.school)
    TrainingParticipantFactory.create_batch(4, session=session)
    for role in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.RESEARCHER):
        with pytest.raises(PermissionDenied):
            services.session_roster_clear(actor=user_with_role(role), session=session)
    with pytest.raises(PermissionDenied):  # the admin's teacher reads the roster but does not clear it
        services.session_roster_clear(
            actor=user_with_role(Role.TEACHER, school=admin.school), session=session
        )
    assert services.session_roster_clear(actor=admin, session=session) == 4
    assert not TrainingParticipant.objects.filter(session=session).exists()
    entry = AuditLog.objects.get(verb="session_roster_clear")
    assert entry.changes == {"participants": [4, 0]}  # no names, no hashes in the log
    with pytest.raises(ValidationError, match="没有花名册"):
        services.session_roster_clear(actor=admin, session=session)


def test_the_clear_roster_button_posts_to_the_service(client):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    session = TrainingSessionFactory(programme__provider_school=admin.school)
    TrainingParticipantFactory.create_batch(2, session=session)
    client.force_login(admin)
    url = f"/quality/training/sessions/{session.pk}/roster/clear/"
    assert url in client.get(session.get_absolute_url()).content.decode()
    response = client.post(url, follow=True)
    assert "已清空花名册（2 人）" in response.content.decode()
    client.force_login(user_with_role(Role.SCHOOL_ADMIN))
    assert client.post(url).status_code == 404  # another school's session reads like none


# --- scoping -----------------------------------------------------------------------------------------------
WRITE = {"add", "change", "delete", "import", "export"}
OWNERS = {Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR}


def _own_programme(user):
    if user.enterprise_id:
        return TrainingProgrammeFactory(provider_school=None, provider_enterprise=user.enterprise)
    if user.school_id and user.role != Role.STUDENT:
        return TrainingProgrammeFactory(provider_school=user.school)
    return None


def _may(role):
    def may(action, is_own):
        if role == Role.GOV_OFFICER:
            return True
        if action == "view":
            return is_own and role in {*OWNERS, Role.TEACHER, Role.ENTERPRISE_MENTOR}
        if action in WRITE:
            return is_own and role in OWNERS
        return False

    return may


ROLES = [
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.ENTERPRISE_HR,
    Role.ENTERPRISE_MENTOR,
    Role.STUDENT,
    Role.RESEARCHER,
    Role.GOV_OFFICER,
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_programme_access_by_role(role):
    user = user_with_role(role)
    own = _own_programme(user)
    other = TrainingProgrammeFactory(provider_school=None, provider_centre="郴州市职业技能培训中心")
    check_access(user, TrainingProgrammeViews, PROGRAMMES, _may(role), own, other, label=role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_session_access_by_role(role):
    user = user_with_role(role)
    programme = _own_programme(user)
    own = TrainingSessionFactory(programme=programme) if programme else None
    other = TrainingSessionFactory()
    check_access(user, TrainingSessionViews, SESSIONS, _may(role), own, other, label=role)


def test_a_school_admin_sees_its_programmes_and_the_form_fixes_its_school(client):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = TrainingProgrammeFactory(provider_school=admin.school)
    foreign = TrainingProgrammeFactory()
    page, api = login_clients(admin)
    codes = {row["code"] for row in api.get(PROGRAMMES).data["results"]}
    assert codes == {own.code}
    body = page.get(TrainingProgrammeViews.url_for("add")).content.decode()
    assert "承办培训机构" not in body and admin.school.name in body
    response = page.post(
        TrainingProgrammeViews.url_for("add"),
        {"code": "PX-P-1", "title": "数控培训", "kind": TrainingKind.SUBSIDISED, "year": 2025},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TrainingProgramme.objects.get(code="PX-P-1").provider_school == admin.school
    assert page.get(TrainingProgrammeViews.url_for("detail", foreign)).status_code == 404
