"""The matching API: recommendations for each role (allowed and refused), what an enterprise sees of a
student (consent), and invitations through the services."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from xiaoqitong.core.testing import login_clients
from xiaoqitong.enterprises.models import Application
from xiaoqitong.enterprises.services import NO_STUDENT_RECORD
from xiaoqitong.matching import selectors
from xiaoqitong.matching.models import Invitation
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import ApplicationFactory, PositionFactory, PublishedPositionFactory
from ..orgs.factories import user_with_role
from ..schools.factories import SchoolMajorFactory, student_account
from .factories import cnc_posting, cnc_student, hotel_posting

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

BASE = "/api/v1/matching/"
CHINESE = range(0x4E00, 0xA000)


def api(user) -> APIClient:
    return login_clients(user)[1]


def chinese(response) -> str:
    """The refusal's text, which must be Chinese."""
    text = response.content.decode()
    assert any(ord(ch) in CHINESE for ch in text), text
    return text


@pytest.fixture
def city():
    """One school (数控 major) with three looking students of each consent, the enterprise of a 数控 posting
    (HR, mentor), a hotel with its own HR, and the other roles."""
    school_major = SchoolMajorFactory()
    school = school_major.school
    position = cnc_posting(title="数控车床操作工")
    enterprise = position.enterprise
    hotel = hotel_posting()
    full = cnc_student(school_major=school_major, consent="full", name="张完全")
    deid = cnc_student(school_major=school_major, consent="deidentified", name="李匿名")
    none = cnc_student(school_major=school_major, consent="none", name="王不公开")
    return SimpleNamespace(
        school_major=school_major,
        school=school,
        position=position,
        enterprise=enterprise,
        hotel=hotel,
        full=full,
        deid=deid,
        none=none,
        deid_user=student_account(deid),
        full_user=student_account(full),
        hr=user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise),
        mentor=user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise),
        hotel_hr=user_with_role(Role.ENTERPRISE_HR, enterprise=hotel.enterprise),
        school_admin=user_with_role(Role.SCHOOL_ADMIN, school=school),
        teacher=user_with_role(Role.TEACHER, school=school),
        other_school_admin=user_with_role(Role.SCHOOL_ADMIN),
        gov=user_with_role(Role.GOV_OFFICER),
        researcher=user_with_role(Role.RESEARCHER),
        admin=user_with_role(Role.PLATFORM_ADMIN),
    )


def candidates_url(position) -> str:
    return f"{BASE}positions/{position.pk}/candidates/"


def partners_url(school_major) -> str:
    return f"{BASE}school-majors/{school_major.pk}/partners/"


def suppliers_url(enterprise) -> str:
    return f"{BASE}enterprises/{enterprise.pk}/suppliers/"


def explain_url(student, position) -> str:
    return f"{BASE}explain/?student={student.pk}&position={position.pk}"


def invite(city, student=None, **extra):
    student = student or city.deid
    return api(city.hr).post(
        f"{BASE}invitations/",
        {"position": city.position.pk, "student": student.pk, "message": "欢迎投递", **extra},
        format="json",
    )


# --- for-me ---------------------------------------------------------------------------------------------
def test_for_me_lists_the_students_positions_with_reasons(city):
    response = api(city.deid_user).get(f"{BASE}for-me/")
    assert response.status_code == 200, response.data
    assert response.data["k"] == 20
    results = response.data["results"]
    assert results[0]["position"]["id"] == city.position.pk
    first = results[0]
    assert first["position"]["title"] == "数控车床操作工"
    assert first["position"]["enterprise"] == {"id": city.enterprise.pk, "name": city.enterprise.name}
    assert first["position"]["county"]["code"] == city.position.county.code
    assert first["position"]["url"].endswith(city.position.get_absolute_url())
    assert first["application"] is None and first["invitation"] is None
    expected = selectors.recommend_positions(city.deid)[0].match.as_dict()
    assert first["match"] == expected
    assert first["match"]["percent"] > 0 and first["match"]["reasons"]


def test_for_me_shows_the_application_and_the_invitation(city):
    assert invite(city).status_code == 201
    applied = cnc_posting(title="数控编程员")
    application = ApplicationFactory(student=city.deid, position=applied)
    results = api(city.deid_user).get(f"{BASE}for-me/").data["results"]
    by_id = {r["position"]["id"]: r for r in results}
    invitation = Invitation.objects.get()
    assert by_id[city.position.pk]["invitation"] == {
        "id": invitation.pk,
        "status": "sent",
        "status_display": "待回复",
    }
    assert by_id[city.position.pk]["application"] is None
    assert by_id[applied.pk]["application"] == {
        "id": application.pk,
        "status": "submitted",
        "status_display": "已投递",
    }
    assert by_id[applied.pk]["invitation"] is None


@pytest.mark.parametrize("role", ["hr", "school_admin", "gov", "admin", "researcher"])
def test_for_me_refuses_other_roles(city, role):
    response = api(getattr(city, role)).get(f"{BASE}for-me/")
    assert response.status_code == 403
    assert "只有学生" in chinese(response)


def test_for_me_without_a_student_record(city):
    response = api(user_with_role(Role.STUDENT)).get(f"{BASE}for-me/")
    assert response.status_code == 404
    assert str(NO_STUDENT_RECORD) in chinese(response)


def test_anonymous_is_refused_everywhere(city):
    client = APIClient()
    for url in (
        f"{BASE}for-me/",
        candidates_url(city.position),
        partners_url(city.school_major),
        suppliers_url(city.enterprise),
        explain_url(city.full, city.position),
        f"{BASE}invitations/",
    ):
        assert client.get(url).status_code in (401, 403), url


# --- k ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", ["0", "101", "abc", "1.5", "-3"])
def test_bad_k_is_refused_in_chinese(city, k):
    for user, url in (
        (city.deid_user, f"{BASE}for-me/"),
        (city.hr, candidates_url(city.position)),
        (city.school_admin, partners_url(city.school_major)),
        (city.hr, suppliers_url(city.enterprise)),
    ):
        response = api(user).get(f"{url}?k={k}")
        assert response.status_code == 400, (url, k)
        assert "k 应为 1 到 100 之间的整数" in chinese(response)


def test_k_limits_the_results(city):
    cnc_posting(title="数控编程员")
    assert len(api(city.deid_user).get(f"{BASE}for-me/?k=1").data["results"]) == 1
    assert len(api(city.deid_user).get(f"{BASE}for-me/?k=3").data["results"]) >= 2
    assert len(api(city.hr).get(candidates_url(city.position) + "?k=1").data["results"]) == 1
    response = api(city.gov).get(partners_url(city.school_major))
    assert response.data["k"] == 10


def test_recommendation_lists_run_no_query_per_row(city):
    """Each list answers in as many queries with more rows (measured once the index and the student arrays
    have taken the new rows in: that reading is the index's business, not the list's)."""
    calls = (
        (city.deid_user, lambda: f"{BASE}for-me/"),
        (city.hr, lambda: candidates_url(city.position)),
        (city.school_admin, lambda: partners_url(city.school_major)),
        (city.hr, lambda: suppliers_url(city.enterprise)),
    )

    def counts() -> list[tuple[int, int]]:
        out = []
        for user, url in calls:
            client = api(user)
            client.get(url())
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url())
            assert response.status_code == 200
            out.append((len(queries.captured_queries), len(response.data["results"])))
        return out

    few = counts()
    for n in range(4):
        cnc_posting(title=f"数控操作工{n}", **({"enterprise": city.enterprise} if n % 2 else {}))
        cnc_student(school_major=city.school_major, consent="deidentified")
        cnc_student(school_major=SchoolMajorFactory(), consent="full")
    many = counts()
    assert all(m[1] > f[1] for m, f in zip(many, few, strict=True)), (few, many)
    assert [q for q, _rows in many] == [q for q, _rows in few]


# --- candidates --------------------------------------------------------------------------------------------
def test_candidates_show_each_student_as_consent_allows(city):
    response = api(city.hr).get(candidates_url(city.position))
    assert response.status_code == 200, response.data
    assert response.data["open"] is True
    assert response.data["position"]["id"] == city.position.pk
    by_id = {r["student"]["id"]: r for r in response.data["results"]}
    assert set(by_id) == {city.full.pk, city.deid.pk}  # consent "none": never listed

    full = by_id[city.full.pk]
    assert full["access"] == "full"
    assert full["student"]["name"] == "张完全"
    assert full["student"]["student_no"] == city.full.student_no
    assert full["student"]["school"]["id"] == city.school.pk
    assert full["student"]["major"]["code"] == "660103"
    assert full["student"]["skills"][0]["skill"] == "PLC编程"
    assert full["match"]["percent"] > 0

    deid = by_id[city.deid.pk]
    assert deid["access"] == "deidentified"
    assert set(deid["student"]) == {"id", "access", "label", "school", "major", "grade", "skills"}
    assert deid["student"]["label"] == f"匿名学生 #{city.deid.pk}"
    body = response.content.decode()
    for hidden in ("李匿名", city.deid.student_no, city.deid.phone, "王不公开", city.none.student_no):
        assert hidden not in body
    assert city.full.phone not in body  # no phone in this API, even masked


def test_applicants_are_listed_in_full_whatever_their_consent(city):
    application = ApplicationFactory(student=city.none, position=city.position)
    response = api(city.hr).get(candidates_url(city.position))
    by_id = {r["student"]["id"]: r for r in response.data["results"]}
    assert by_id[city.none.pk]["access"] == "full"
    assert by_id[city.none.pk]["student"]["name"] == "王不公开"
    assert by_id[city.none.pk]["application"] == {
        "id": application.pk,
        "status": "submitted",
        "status_display": "已投递",
    }


def test_candidates_for_mentors_and_platform_administrators(city):
    assert api(city.mentor).get(candidates_url(city.position)).status_code == 200
    response = api(city.admin).get(candidates_url(city.position))
    assert response.status_code == 200
    by_id = {r["student"]["id"]: r for r in response.data["results"]}
    assert "name" not in by_id[city.deid.pk]["student"]  # what the enterprise would see


@pytest.mark.parametrize("role", ["hotel_hr", "school_admin", "teacher", "gov", "researcher", "deid_user"])
def test_candidates_refused_to_others(city, role):
    response = api(getattr(city, role)).get(candidates_url(city.position))
    assert response.status_code == 403
    assert "只有发布该岗位的企业" in chinese(response)


def test_candidates_of_an_unknown_or_hidden_posting_answer_404(city):
    draft = PositionFactory(enterprise=city.hotel.enterprise)  # a draft: only its enterprise sees it
    assert api(city.hr).get(candidates_url(draft)).status_code == 404
    assert api(city.hr).get(f"{BASE}positions/99999999/candidates/").status_code == 404
    assert api(city.hr).get(f"{BASE}positions/abc/candidates/").status_code == 404
    assert api(city.hotel_hr).get(candidates_url(draft)).status_code == 200  # its own draft: not open
    assert api(city.hotel_hr).get(candidates_url(draft)).data["open"] is False


def test_candidates_of_a_closed_posting(city):
    closed = PublishedPositionFactory(enterprise=city.enterprise, status="closed")
    response = api(city.hr).get(candidates_url(closed))
    assert response.status_code == 200
    assert response.data["open"] is False and response.data["results"] == []


# --- partners and suppliers ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["school_admin", "teacher", "gov", "admin"])
def test_partners_of_a_school_major(city, role):
    response = api(getattr(city, role)).get(partners_url(city.school_major))
    assert response.status_code == 200, response.data
    assert response.data["school_major"]["school"]["id"] == city.school.pk
    assert response.data["school_major"]["major"]["code"] == "660103"
    results = response.data["results"]
    assert results[0]["enterprise"] == {"id": city.enterprise.pk, "name": city.enterprise.name}
    assert results[0]["positions"][0]["position"]["id"] == city.position.pk
    assert results[0]["positions"][0]["percent"] == results[0]["match"]["percent"]
    assert results[0]["headcount"] == city.position.headcount
    expected = selectors.major_partners(city.school_major)
    assert [r["enterprise"]["id"] for r in results] == [e.enterprise.pk for e in expected]


@pytest.mark.parametrize("role", ["other_school_admin", "hr", "deid_user", "researcher"])
def test_partners_refused_to_others(city, role):
    response = api(getattr(city, role)).get(partners_url(city.school_major))
    assert response.status_code == 403
    assert "只有该专业所在学校" in chinese(response)


def test_partners_of_an_unknown_school_major(city):
    assert api(city.gov).get(f"{BASE}school-majors/99999999/partners/").status_code == 404


@pytest.mark.parametrize("role", ["hr", "mentor", "gov", "admin"])
def test_suppliers_of_an_enterprise(city, role):
    response = api(getattr(city, role)).get(suppliers_url(city.enterprise))
    assert response.status_code == 200, response.data
    assert response.data["enterprise"]["id"] == city.enterprise.pk
    first = response.data["results"][0]
    assert first["school_major"]["id"] == city.school_major.pk
    assert first["position"]["id"] == city.position.pk
    assert first["students"] == 3  # looking, whatever their consent: a count, not a list
    assert first["match"] == selectors.enterprise_suppliers(city.enterprise)[0].match.as_dict()


@pytest.mark.parametrize("role", ["hotel_hr", "school_admin", "deid_user", "researcher"])
def test_suppliers_refused_to_others(city, role):
    response = api(getattr(city, role)).get(suppliers_url(city.enterprise))
    assert response.status_code == 403
    assert "只有该企业和政府部门" in chinese(response)


def test_suppliers_of_an_unknown_enterprise(city):
    assert api(city.gov).get(f"{BASE}enterprises/99999999/suppliers/").status_code == 404


# --- explain -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["deid_user", "school_admin", "teacher", "admin"])
def test_explain_for_the_student_and_their_school(city, role):
    response = api(getattr(city, role)).get(explain_url(city.deid, city.position))
    assert response.status_code == 200, response.data
    assert response.data["open"] is True
    assert response.data["student"]["name"] == "李匿名"
    assert response.data["match"] == selectors.explain_pair(city.deid, city.position).as_dict()


def test_explain_refusals(city):
    # an enterprise sees the consenting student, but not as its owner or school
    response = api(city.hr).get(explain_url(city.full, city.position))
    assert response.status_code == 403
    assert "只有学生本人和所在学校" in chinese(response)
    # a student or school that does not see the student at all: as if it did not exist
    assert api(city.full_user).get(explain_url(city.deid, city.position)).status_code == 404
    assert api(city.other_school_admin).get(explain_url(city.deid, city.position)).status_code == 404
    assert api(city.deid_user).get(f"{BASE}explain/?student={city.deid.pk}").status_code == 400
    draft = PositionFactory(enterprise=city.enterprise)
    assert api(city.deid_user).get(explain_url(city.deid, draft)).status_code == 404


def test_explain_a_closed_posting(city):
    closed = PublishedPositionFactory(enterprise=city.enterprise, status="closed")
    response = api(city.deid_user).get(explain_url(city.deid, closed))
    assert response.status_code == 200
    assert response.data["open"] is False and response.data["match"] is None


# --- invitations -------------------------------------------------------------------------------------------
def test_invite_then_accept_applies(city):
    response = invite(city)
    assert response.status_code == 201, response.data
    invitation = Invitation.objects.get()
    assert response.data["id"] == invitation.pk
    assert response.data["status"] == "sent" and response.data["message"] == "欢迎投递"
    assert response.data["student"]["access"] == "deidentified"
    assert "name" not in response.data["student"] and "student_no" not in response.data["student"]

    response = api(city.deid_user).post(
        f"{BASE}invitations/{invitation.pk}/respond/", {"accept": True, "note": "我愿意"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "accepted"
    application = Application.objects.get(student=city.deid, position=city.position)
    assert application.note == "我愿意"
    assert response.data["application"]["id"] == application.pk
    # an applicant: the enterprise now sees them in full
    seen = api(city.hr).get(f"{BASE}invitations/{invitation.pk}/").data["student"]
    assert seen["access"] == "full" and seen["name"] == "李匿名"


def test_the_inviter_is_shown_to_the_enterprise_only(city):
    invitation_id = invite(city).data["id"]
    url = f"{BASE}invitations/{invitation_id}/"
    assert api(city.hr).get(url).data["invited_by"] == str(city.hr)
    assert api(city.mentor).get(url).data["invited_by"] == str(city.hr)
    for user in (city.deid_user, city.school_admin, city.teacher):
        response = api(user).get(url)
        assert response.status_code == 200 and response.data["invited_by"] is None


def test_decline(city):
    invitation_id = invite(city).data["id"]
    response = api(city.deid_user).post(
        f"{BASE}invitations/{invitation_id}/respond/", {"accept": False}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "declined"
    assert not Application.objects.exists()
    again = api(city.deid_user).post(
        f"{BASE}invitations/{invitation_id}/respond/", {"accept": True}, format="json"
    )
    assert again.status_code == 400
    assert "不能再回复" in chinese(again)


def test_invite_refusals(city):
    assert invite(city).status_code == 201
    twice = invite(city)
    assert twice.status_code == 400 and "只能邀请一次" in chinese(twice)

    hidden = invite(city, student=city.none)  # consent "none": not to be found
    assert hidden.status_code == 400 and "student" in hidden.data
    assert "王不公开" not in chinese(hidden)

    closed = PublishedPositionFactory(enterprise=city.enterprise, status="closed")
    response = invite(city, position=closed.pk)
    assert response.status_code == 400 and "不在招聘中" in chinese(response)

    missing = invite(city, position=99999999)
    assert missing.status_code == 400 and "找不到编号为 99999999 的岗位" in chinese(missing)
    assert api(city.hr).post(f"{BASE}invitations/", {}, format="json").status_code == 400
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("role", ["mentor", "deid_user", "school_admin", "gov"])
def test_only_hr_invites(city, role):
    response = api(getattr(city, role)).post(
        f"{BASE}invitations/", {"position": city.position.pk, "student": city.full.pk}, format="json"
    )
    assert response.status_code == 403
    chinese(response)
    assert not Invitation.objects.exists()


def test_hr_of_another_enterprise_may_not_invite_to_this_posting(city):
    response = api(city.hotel_hr).post(
        f"{BASE}invitations/", {"position": city.position.pk, "student": city.full.pk}, format="json"
    )
    assert response.status_code == 403
    chinese(response)
    assert not Invitation.objects.exists()


def test_respond_refusals(city):
    invitation_id = invite(city).data["id"]
    url = f"{BASE}invitations/{invitation_id}/respond/"
    # another student: not theirs to see
    assert api(city.full_user).post(url, {"accept": True}, format="json").status_code == 404
    for role in ("hr", "mentor", "school_admin"):  # they see it, but only the student answers
        response = api(getattr(city, role)).post(url, {"accept": True}, format="json")
        assert response.status_code == 403, role
        chinese(response)
    response = api(city.deid_user).post(url, {}, format="json")
    assert response.status_code == 400 and "accept" in response.data
    assert Invitation.objects.get().status == "sent"
    assert not Application.objects.exists()


def test_withdraw(city):
    invitation_id = invite(city).data["id"]
    url = f"{BASE}invitations/{invitation_id}/withdraw/"
    for role in ("mentor", "deid_user", "school_admin"):
        response = api(getattr(city, role)).post(url)
        assert response.status_code == 403, role
        chinese(response)
    assert api(city.hotel_hr).post(url).status_code == 404
    response = api(city.hr).post(url)
    assert response.status_code == 200 and response.data["status"] == "withdrawn"
    again = api(city.hr).post(url)
    assert again.status_code == 400 and "不能撤回" in chinese(again)
    late = api(city.deid_user).post(f"{BASE}invitations/{invitation_id}/respond/", {"accept": True})
    assert late.status_code == 400


def test_invitation_list_scoped_and_filtered(city):
    first = invite(city).data["id"]
    second = invite(city, student=city.full).data["id"]
    other_school = cnc_student(consent="full")
    third = invite(city, student=other_school).data["id"]
    api(city.hr).post(f"{BASE}invitations/{second}/withdraw/")

    def ids(user, query=""):
        response = api(user).get(f"{BASE}invitations/{query}")
        assert response.status_code == 200, response.data
        return {r["id"] for r in response.data["results"]}

    assert ids(city.hr) == ids(city.mentor) == {first, second, third}
    assert ids(city.hr, "?status=sent") == {first, third}
    assert ids(city.hr, "?status=sent&status=withdrawn") == {first, second, third}
    assert api(city.hr).get(f"{BASE}invitations/?position={city.hotel.pk}").status_code == 400
    assert ids(city.hr, f"?position={city.position.pk}") == {first, second, third}
    assert ids(city.hotel_hr) == set()
    assert ids(city.deid_user) == {first}
    assert ids(city.full_user) == {second}
    assert ids(city.school_admin) == ids(city.teacher) == {first, second}
    assert ids(city.other_school_admin) == set()
    assert api(city.gov).get(f"{BASE}invitations/").status_code == 403
    assert api(city.hotel_hr).get(f"{BASE}invitations/{first}/").status_code == 404
    bad = api(city.hr).get(f"{BASE}invitations/?status=nonsense")
    assert bad.status_code == 400

    rows = {r["id"]: r for r in api(city.hr).get(f"{BASE}invitations/").data["results"]}
    assert "name" not in rows[first]["student"]
    assert rows[second]["student"]["name"] == "张完全"
    school_rows = {r["id"]: r for r in api(city.school_admin).get(f"{BASE}invitations/").data["results"]}
    assert school_rows[first]["student"]["name"] == "李匿名"  # the school sees its own students


def test_invitation_list_runs_no_query_per_row(city):
    client = api(city.hr)
    invite(city)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BASE}invitations/").status_code == 200
    for _ in range(4):
        invite(city, student=cnc_student(consent="deidentified"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{BASE}invitations/")
    assert len(response.data["results"]) == 5
    assert len(many) == len(few)


def test_invitations_cannot_be_changed_or_deleted(city):
    invitation_id = invite(city).data["id"]
    client = api(city.admin)
    assert client.patch(f"{BASE}invitations/{invitation_id}/", {"message": "x"}).status_code == 405
    assert client.delete(f"{BASE}invitations/{invitation_id}/").status_code == 405


def test_schema_documents_the_endpoints(city):
    response = api(city.admin).get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in (
        "/api/v1/matching/for-me/",
        "/api/v1/matching/positions/{id}/candidates/",
        "/api/v1/matching/school-majors/{id}/partners/",
        "/api/v1/matching/enterprises/{id}/suppliers/",
        "/api/v1/matching/explain/",
        "/api/v1/matching/invitations/{id}/respond/",
        "/api/v1/matching/invitations/{id}/withdraw/",
    ):
        assert path in body, path
