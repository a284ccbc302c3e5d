"""Practice bases: the generic pages, API, export and import (natural key 基地编号), who may write which
base, and the rule that bases of the shared kinds are always shared."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoqitong.cooperation.choices import BaseKind
from xiaoqitong.cooperation.models import PracticeBase
from xiaoqitong.cooperation.services import bases as services
from xiaoqitong.cooperation.views.bases import PracticeBaseViews
from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major, Region

from ..orgs.factories import EnterpriseFactory, SchoolFactory, county, user_with_role
from .factories import PracticeBaseFactory
from .factories_bases import BookingFactory, SharedBaseFactory

API = "/api/v1/cooperation/practice-bases/"


class TestPracticeBase(ImportTests, ModelTests):
    views = PracticeBaseViews
    api_url = API
    factory = PracticeBaseFactory
    update_data = {"capacity": 60}

    def form_data(self):
        return {
            "code": "JD-T-001",
            "name": "数控加工产教融合实习基地",
            "kind": BaseKind.INTEGRATION,
            "owner_school": SchoolFactory().pk,
            "owner_enterprise": "",
            "county": county().pk,
            "address": "北湖区高新区",
            "capacity": 30,
            "major_codes": "660103",
            "established": "2024-09-01",
            "active": "on",
        }

    def api_data(self):
        return {
            "code": "JD-T-002",
            "name": "智能制造实训中心",
            "kind": BaseKind.TRAINING,
            "owner_school": SchoolFactory().code,
            "county": "431002",
            "capacity": 50,
            "majors": ["660103"],
        }

    def import_rows(self):
        school = SchoolFactory()
        enterprise = EnterpriseFactory()
        county()
        return [
            {
                "基地编号": f"JD-I-{n}",
                "基地名称": f"导入基地{n}",
                "基地类型": label,
                "所属学校代码": school.code,
                "共建企业统一社会信用代码": enterprise.credit_code if n == 2 else "",
                "所在县市区代码": "431002",
                "地址": "",
                "容纳人数": "40",
                "服务专业代码": "660103、660301" if n == 1 else "",
                "对外共享": "否",
                "建成日期": "2023-09-01",
                "在用": "是",
            }
            for n, label in ((1, "产教融合实习基地"), (2, "县域共享性实训基地"))
        ]

    def test_import_sets_majors_owners_and_shared_kinds(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        from xiaoqitong.core.models import ImportJob
        from xiaoqitong.core.testing import csv_upload

        rows = self.import_rows()
        rows[0]["服务专业代码"] = "660103；660301"
        for confirm in (False, True):
            with django_capture_on_commit_callbacks(execute=True):
                if not confirm:
                    client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
                else:
                    client_admin.post(f"/core/imports/{ImportJob.objects.latest('pk').pk}/confirm/")
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.DONE, job.errors
        first, second = PracticeBase.objects.get(code="JD-I-1"), PracticeBase.objects.get(code="JD-I-2")
        assert sorted(m.code for m in first.majors.all()) == ["660103", "660301"]
        assert second.shared is True and second.owner_enterprise is not None  # a shared kind is always shared
        assert first.shared is False

    def test_import_refuses_unknown_codes_by_column(self, client_admin, django_capture_on_commit_callbacks):
        from xiaoqitong.core.models import ImportJob
        from xiaoqitong.core.testing import csv_upload

        rows = self.import_rows()
        rows[0]["服务专业代码"] = "999999"
        rows[1]["所属学校代码"] = "00000"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        columns = {e["column"] for e in job.errors}
        assert {"服务专业代码", "所属学校代码"} <= columns, job.errors
        assert not PracticeBase.objects.exists()

    def test_export_writes_codes_that_import_again(self, client_admin):
        base = PracticeBaseFactory(owner_enterprise=EnterpriseFactory())
        base.majors.set([Major.objects.get(code="660103")])
        body = client_admin.get(self.views.url_for("list") + "?export=csv").content.decode("utf-8-sig")
        header, row = body.splitlines()[:2]
        assert "所属学校" in header and "服务专业代码" in header
        assert base.code in row and base.owner_school.code in row and "431002" in row and "660103" in row


# --- services -----------------------------------------------------------------------------------------------
def base_data(**extra):
    return {
        "code": "JD-S-1",
        "name": "县域共享实训基地",
        "kind": BaseKind.COUNTY_SHARED,
        "county": county(),
        "capacity": 40,
        "shared": False,
        **extra,
    }


def test_shared_kinds_are_always_shared_and_the_school_admin_owns_what_they_create():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    base = services.practice_base_create(actor=admin, data=base_data())
    assert base.shared is True and base.owner_school == admin.school
    base = services.practice_base_update(actor=admin, instance=base, data={"shared": False, "capacity": 50})
    assert base.shared is True and base.capacity == 50
    other = services.practice_base_create(
        actor=admin, data=base_data(code="JD-S-2", kind=BaseKind.INTEGRATION, shared=False)
    )
    assert other.shared is False
    assert AuditLog.objects.filter(verb="practice_base_create").count() == 2


def test_hr_creates_for_its_enterprise_and_a_co_owned_base_is_writable_by_both():
    hr = user_with_role(Role.ENTERPRISE_HR)
    admin = user_with_role(Role.SCHOOL_ADMIN)
    base = services.practice_base_create(
        actor=hr, data=base_data(kind=BaseKind.FACTORY, owner_school=admin.school)
    )
    assert base.owner_enterprise == hr.enterprise and base.owner_school == admin.school
    services.practice_base_update(actor=admin, instance=base, data={"name": "学校改名"})
    services.practice_base_update(actor=hr, instance=base, data={"capacity": 10})
    base.refresh_from_db()
    assert (base.name, base.capacity) == ("学校改名", 10)


def test_owners_cannot_write_other_organizations_bases():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    hr = user_with_role(Role.ENTERPRISE_HR)
    with pytest.raises(PermissionDenied):
        services.practice_base_create(actor=admin, data=base_data(owner_school=SchoolFactory()))
    with pytest.raises(PermissionDenied):
        services.practice_base_create(actor=hr, data=base_data(owner_enterprise=EnterpriseFactory()))
    foreign = PracticeBaseFactory()
    for actor in (admin, hr, user_with_role(Role.TEACHER), user_with_role(Role.STUDENT)):
        with pytest.raises(PermissionDenied):
            services.practice_base_update(actor=actor, instance=foreign, data={"capacity": 1})
        with pytest.raises(PermissionDenied):
            services.practice_base_delete(actor=actor, instance=foreign)
    with pytest.raises(PermissionDenied):
        services.practice_base_create(actor=user_with_role(Role.TEACHER), data=base_data())
    # the school administrator may not move its own base to another school (locked field)
    own = PracticeBaseFactory(owner_school=admin.school)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.practice_base_update(actor=admin, instance=own, data={"owner_school": SchoolFactory()})


def test_officer_writes_every_base():
    officer = user_with_role(Role.GOV_OFFICER)
    base = services.practice_base_create(actor=officer, data=base_data(owner_school=SchoolFactory()))
    services.practice_base_update(actor=officer, instance=base, data={"active": False})
    base.refresh_from_db()
    assert base.active is False
    with pytest.raises(ValidationError, match="所属学校或共建企业"):
        services.practice_base_create(actor=officer, data=base_data(code="JD-S-9"))


def test_a_base_with_bookings_to_come_is_not_deleted():
    officer = user_with_role(Role.GOV_OFFICER)
    booking = BookingFactory()
    with pytest.raises(ValidationError, match="未结束的预约"):
        services.practice_base_delete(actor=officer, instance=booking.base)
    booking.status = "cancelled"
    booking.save()
    services.practice_base_delete(actor=officer, instance=booking.base)
    assert not PracticeBase.objects.filter(pk=booking.base_id).exists()


# --- scoping ------------------------------------------------------------------------------------------------
WRITE = {"add", "change", "delete", "import"}


@pytest.mark.parametrize(
    "role,writes,exports",
    [
        (Role.SCHOOL_ADMIN, True, True),
        (Role.TEACHER, False, True),
        (Role.ENTERPRISE_HR, True, True),
        (Role.ENTERPRISE_MENTOR, False, True),
        (Role.STUDENT, False, False),
        (Role.RESEARCHER, False, True),
        (Role.GOV_OFFICER, True, True),
    ],
)
def test_access_by_role(role, writes, exports, db):
    user = user_with_role(role)
    if user.enterprise_id:
        own = PracticeBaseFactory(owner_school=None, owner_enterprise=user.enterprise)
    elif user.school_id:
        own = PracticeBaseFactory(owner_school=user.school)
    else:
        own = None
    other = PracticeBaseFactory()
    officer = role == Role.GOV_OFFICER

    def may(action, is_own):
        if action == "view":
            return True  # active bases are public
        if action == "export":
            return exports
        if action in WRITE:
            return writes and (is_own or officer)
        return False

    check_access(user, PracticeBaseViews, API, may, own, other, label=role)


def test_inactive_bases_are_seen_only_by_their_owners_and_officers():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    own = PracticeBaseFactory(owner_school=admin.school, active=False)
    foreign = PracticeBaseFactory(active=False)
    page, api = login_clients(admin)
    assert page.get(PracticeBaseViews.url_for("detail", own)).status_code == 200
    assert page.get(PracticeBaseViews.url_for("detail", foreign)).status_code == 404
    assert api.get(f"{API}{foreign.pk}/").status_code == 404
    page, _api = login_clients(user_with_role(Role.GOV_OFFICER))
    assert page.get(PracticeBaseViews.url_for("detail", foreign)).status_code == 200


def test_filters_by_kind_county_major_shared_and_owner(db):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    shared = SharedBaseFactory(owner_school=admin.school)
    shared.majors.set([Major.objects.get(code="660103")])
    other = PracticeBaseFactory(county=county("431003", "苏仙区"))
    _page, api = login_clients(admin)

    def codes(query):
        return {row["code"] for row in api.get(f"{API}?{query}").data["results"]}

    assert codes("kind=county_shared") == {shared.code}
    assert codes("county=431003") == {other.code}
    assert codes("major=6601") == {shared.code}
    assert codes("shared=true") == {shared.code}
    assert codes(f"owner={admin.school.code}") == {shared.code}
    assert codes(f"owner={other.owner_school.name[:6]}") >= {other.code}


def test_the_form_says_shared_kinds_are_always_shared(client):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    client.force_login(admin)
    body = client.get(PracticeBaseViews.url_for("add")).content.decode()
    assert "县域共享性实训基地、市级共享性智能实训基地总是对外共享" in body
    assert Region.objects.filter(code="431002").exists()
