"""Pages and API of intentions and the survey: who sees which page (scoping, 403/404), the steps posted from
the pages, the organizer's counts and conversion, exports, and lists without a query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.testing import login_clients
from xiaoqitong.enterprises.models import Application
from xiaoqitong.events.choices import IntentionStatus
from xiaoqitong.events.models import Intention, SurveyResponse
from xiaoqitong.events.services import outcomes as services
from xiaoqitong.events.templatetags.events_outcomes import outcome_links
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from .factories import (
    CooperationIntentionFactory,
    IntentionFactory,
    PastEventFactory,
    RegistrationFactory,
    SurveyResponseFactory,
    outcome_scene,
    student_with_user,
)

pytestmark = pytest.mark.django_db
INTENTIONS = "/api/v1/events/intentions/"
SURVEY = "/api/v1/events/survey-responses/"


@pytest.fixture
def scene():
    return outcome_scene()


def organizer_of(event):
    return user_with_role(Role.GOV_OFFICER, department=event.organizer)


def many_intentions(s, n):
    """``n`` job intentions of other students to the scene's position, half of them signed with an
    application, and ``n`` cooperation intentions."""
    for i in range(n):
        _user, student = student_with_user()
        status = IntentionStatus.SIGNED if i % 2 else IntentionStatus.PROPOSED
        IntentionFactory(
            event=s.event,
            enterprise=s.enterprise,
            position=s.position,
            student=student,
            status=status,
            proposed_by=s.hr,
        )
        CooperationIntentionFactory(
            event=s.event, enterprise=s.enterprise, school_major=s.major, proposed_by=s.hr
        )


# --- 我的意向 --------------------------------------------------------------------------------------------
def test_my_intentions_shows_what_waits_for_me_and_signs_it(scene):
    intention = services.intention_propose(
        actor=scene.hr, event=scene.event, kind="job", position=scene.position, student=scene.student
    )
    page, _api = login_clients(scene.student_user)
    body = page.get(reverse("events:intentions_mine")).content.decode()
    assert "data-to-sign" in body and f'data-intention="{intention.pk}"' in body
    assert scene.event.title in body  # the event where the student may propose
    response = page.post(
        reverse("events:intention_sign", args=[intention.pk]), {"next": "/events/intentions/mine/"}
    )
    assert response.status_code == 302 and response["Location"] == "/events/intentions/mine/"
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.SIGNED
    assert Application.objects.filter(student=scene.student, position=scene.position).exists()


def test_my_intentions_is_for_the_parties_and_runs_no_query_per_row(scene):
    for user in (user_with_role(Role.GOV_OFFICER), user_with_role(Role.RESEARCHER)):
        page, _api = login_clients(user)
        assert page.get(reverse("events:intentions_mine")).status_code == 403
    page, _api = login_clients(scene.hr)
    many_intentions(scene, 2)
    with CaptureQueriesContext(connection) as few:
        assert page.get(reverse("events:intentions_mine")).status_code == 200
    many_intentions(scene, 8)
    with CaptureQueriesContext(connection) as many:
        page.get(reverse("events:intentions_mine"))
    assert len(many) == len(few)
    export = page.get(reverse("events:intentions_mine") + "?export=csv&kind=cooperation")
    body = export.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("活动,意向类型,企业")
    assert len(body.strip().splitlines()) == 1 + 10


def test_an_intention_is_read_by_its_parties_and_the_organizer_only(scene):
    intention = IntentionFactory(
        event=scene.event,
        enterprise=scene.enterprise,
        position=scene.position,
        student=scene.student,
        proposed_by=scene.hr,
    )
    url = reverse("events:intention_detail", args=[intention.pk])
    teacher = user_with_role(Role.TEACHER, school=scene.student.school)
    for user in (scene.hr, scene.student_user, organizer_of(scene.event), teacher):
        page, _api = login_clients(user)
        assert page.get(url).status_code == 200, user.role
    for user in (
        user_with_role(Role.ENTERPRISE_HR),
        user_with_role(Role.GOV_OFFICER),
        user_with_role(Role.RESEARCHER),
    ):
        page, api = login_clients(user)
        assert page.get(url).status_code == 404, user.role
        assert api.get(f"{INTENTIONS}{intention.pk}/").status_code in (403, 404)
        assert page.post(reverse("events:intention_sign", args=[intention.pk])).status_code == 404


def test_a_refused_step_shows_its_reason(scene):
    intention = services.intention_propose(
        actor=scene.hr, event=scene.event, kind="job", position=scene.position, student=scene.student
    )
    page, _api = login_clients(scene.hr)
    response = page.post(reverse("events:intention_sign", args=[intention.pk]), follow=True)
    assert "须由对方签署" in response.content.decode()
    page.post(reverse("events:intention_withdraw", args=[intention.pk]))
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.WITHDRAWN


def test_decline_from_the_page_keeps_the_reason(scene):
    intention = services.intention_propose(
        actor=scene.school_admin,
        event=scene.event,
        kind="cooperation",
        school_major=scene.major,
        enterprise=scene.enterprise,
        agreement_kind="preparatory",
        planned_students=10,
    )
    page, _api = login_clients(scene.hr)
    assert (
        "data-decline" in page.get(reverse("events:intention_detail", args=[intention.pk])).content.decode()
    )
    page.post(reverse("events:intention_decline", args=[intention.pk]), {"reason": "本年度名额已满"})
    intention.refresh_from_db()
    assert intention.status == IntentionStatus.DECLINED


# --- proposing from the page -------------------------------------------------------------------------------
def test_the_propose_page_offers_each_side_its_forms(scene):
    url = reverse("events:intention_propose", args=[scene.event.pk])
    page, _api = login_clients(scene.hr)
    body = page.get(url).content.decode()
    assert 'data-form="job"' in body and 'data-form="cooperation"' in body
    assert scene.position.title in body and scene.student.name in body and scene.major.major.name in body
    page, _api = login_clients(scene.student_user)
    body = page.get(url).content.decode()
    assert 'data-form="job"' in body and 'data-form="cooperation"' not in body
    page, _api = login_clients(scene.school_admin)
    body = page.get(url).content.decode()
    assert 'data-form="job"' not in body and scene.enterprise.name in body
    page, _api = login_clients(user_with_role(Role.ENTERPRISE_HR))
    assert "data-cannot-propose" in page.get(url).content.decode()
    page, _api = login_clients(user_with_role(Role.RESEARCHER))
    assert page.get(url).status_code == 403


def test_proposing_from_the_page(scene):
    url = reverse("events:intention_propose", args=[scene.event.pk])
    page, _api = login_clients(scene.hr)
    response = page.post(
        url,
        {
            "kind": "job",
            "job-position": scene.position.pk,
            "job-student": scene.student.pk,
            "job-note": "欢迎",
        },
    )
    intention = Intention.objects.get()
    assert response.status_code == 302 and response["Location"] == intention.get_absolute_url()
    # the same again: the service's refusal on the form
    response = page.post(
        url, {"kind": "job", "job-position": scene.position.pk, "job-student": scene.student.pk}
    )
    assert response.status_code == 400 and "已有签约意向" in response.content.decode()
    response = page.post(url, {"kind": "job", "job-position": scene.position.pk})
    assert response.status_code == 400 and "签到码" in response.content.decode()
    response = page.post(
        url,
        {
            "kind": "cooperation",
            "coop-school_major": scene.major.pk,
            "coop-agreement_kind": "order_class",
            "coop-planned_students": 20,
        },
    )
    assert response.status_code == 302
    assert Intention.objects.filter(kind="cooperation", school_major=scene.major).exists()


# --- the organizer's page ----------------------------------------------------------------------------------
def test_the_organizer_sees_counts_and_conversion(scene):
    intention = services.intention_propose(
        actor=scene.hr, event=scene.event, kind="job", position=scene.position, student=scene.student
    )
    services.intention_sign(actor=scene.student_user, intention=intention)
    Application.objects.filter(pk=Intention.objects.get(pk=intention.pk).application_id).update(
        status="offered"
    )
    CooperationIntentionFactory(
        event=scene.event,
        enterprise=scene.enterprise,
        school_major=scene.major,
        proposed_by=scene.hr,
        status="declined",
    )
    url = reverse("events:event_intentions", args=[scene.event.pk])
    page, api = login_clients(organizer_of(scene.event))
    body = page.get(url).content.decode()
    assert 'data-kind="job"' in body and "录用" in body
    summary = {row["kind"]: row for row in api.get(f"{INTENTIONS}summary/?event={scene.event.pk}").data}
    assert summary["job"]["signed"] == 1 and summary["job"]["converted"] == 1 and summary["job"]["hired"] == 1
    assert summary["job"]["outcomes"] == {"offered": 1}
    assert summary["cooperation"]["by_status"] == {"declined": 1}
    assert summary["cooperation"]["sign_rate"] == "0.0"
    csv = page.get(url + "?export=csv").content.decode("utf-8-sig")
    assert "求职申请（录用）" in csv
    for user in (scene.hr, user_with_role(Role.GOV_OFFICER)):
        page, api = login_clients(user)
        assert page.get(url).status_code == 403
        assert api.get(f"{INTENTIONS}summary/?event={scene.event.pk}").status_code == 403


def test_the_organizers_page_runs_no_query_per_row(scene):
    page, _api = login_clients(organizer_of(scene.event))
    url = reverse("events:event_intentions", args=[scene.event.pk])
    many_intentions(scene, 2)
    with CaptureQueriesContext(connection) as few:
        assert page.get(url).status_code == 200
    many_intentions(scene, 8)
    with CaptureQueriesContext(connection) as many:
        page.get(url)
    assert len(many) == len(few)


# --- API ---------------------------------------------------------------------------------------------------
def test_api_proposes_signs_and_scopes(scene):
    _page, api = login_clients(scene.hr)
    response = api.post(
        INTENTIONS,
        {
            "event": scene.event.pk,
            "kind": "job",
            "position": scene.position.pk,
            "checkin_code": scene.student_reg.checkin_code,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["proposer"] == "enterprise" and response.data["student_name"] == scene.student.name
    again = api.post(
        INTENTIONS,
        {"event": scene.event.pk, "kind": "job", "position": scene.position.pk, "student": scene.student.pk},
        format="json",
    )
    assert again.status_code == 400 and "已有签约意向" in str(again.data)
    assert api.post(f"{INTENTIONS}{pk}/sign/").status_code == 400
    _page, student_api = login_clients(scene.student_user)
    signed = student_api.post(f"{INTENTIONS}{pk}/sign/")
    assert signed.status_code == 200 and signed.data["application_status"] == "submitted"
    _page, other = login_clients(user_with_role(Role.STUDENT))
    assert other.get(INTENTIONS).data["count"] == 0
    assert other.post(f"{INTENTIONS}{pk}/decline/").status_code == 404
    _page, officer = login_clients(user_with_role(Role.GOV_OFFICER))
    assert (
        officer.post(INTENTIONS, {"event": scene.event.pk, "kind": "job"}, format="json").status_code == 403
    )


def test_api_list_runs_no_query_per_row(scene):
    _page, api = login_clients(organizer_of(scene.event))
    many_intentions(scene, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(INTENTIONS).data["count"] == 4
    many_intentions(scene, 8)
    with CaptureQueriesContext(connection) as many:
        assert api.get(INTENTIONS).data["count"] == 20
    assert len(many) == len(few)


# --- the survey pages and API ------------------------------------------------------------------------------
@pytest.fixture
def held():
    return outcome_scene(PastEventFactory())


def test_the_survey_page_takes_one_answer(held, scene):
    url = reverse("events:event_survey", args=[held.event.pk])
    page, _api = login_clients(held.student_user)
    assert "data-survey-form" in page.get(url).content.decode()
    response = page.post(
        url, {"satisfaction": "5", "usefulness": "4", "would_return": "yes", "comment": "好"}
    )
    assert response.status_code == 302
    body = page.get(url).content.decode()
    assert "data-answered" in body
    response = page.post(url, {"satisfaction": "5", "usefulness": "4", "would_return": "yes"}, follow=True)
    assert "填写过" in response.content.decode()
    assert SurveyResponse.objects.count() == 1
    page, _api = login_clients(scene.student_user)
    assert (
        "data-not-ended" in page.get(reverse("events:event_survey", args=[scene.event.pk])).content.decode()
    )
    page, _api = login_clients(user_with_role(Role.RESEARCHER))
    assert "data-not-participant" in page.get(url).content.decode()


def test_the_survey_summary_is_the_organizers(held):
    SurveyResponseFactory(registration=held.student_reg, satisfaction=5, usefulness=5)
    SurveyResponseFactory(registration=held.booth, satisfaction=3, usefulness=2, would_return=False)
    for _n in range(3):
        RegistrationFactory(event=held.event)  # students who did not answer
    url = reverse("events:survey_summary", args=[held.event.pk])
    page, api = login_clients(organizer_of(held.event))
    body = page.get(url).content.decode()
    assert 'data-line="student"' in body and "25.0%" in body  # 1 of 4 students
    data = api.get(f"{SURVEY}summary/?event={held.event.pk}").data
    overall = data["overall"]
    assert (overall["registrations"], overall["responses"], overall["satisfaction"]) == (6, 2, "4.00")
    by_kind = {line["kind"]: line for line in data["lines"]}
    assert by_kind["enterprise"]["response_rate"] == "100.0" and by_kind["enterprise"]["would_return"] == 0
    assert by_kind["school"]["responses"] == 0
    csv = page.get(url + "?export=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("活动,参与方类别") and len(csv.strip().splitlines()) == 3
    assert api.get(SURVEY).data["count"] == 2
    page, api = login_clients(held.hr)
    assert page.get(url).status_code == 403
    assert api.get(f"{SURVEY}summary/?event={held.event.pk}").status_code == 403
    assert api.get(SURVEY).data["count"] == 1  # its own answer


def test_api_answers_the_survey(held):
    _page, api = login_clients(held.school_admin)
    data = {
        "event": held.event.pk,
        "satisfaction": 4,
        "usefulness": 5,
        "would_return": False,
        "comment": "希望多些岗位",
    }
    response = api.post(SURVEY, data, format="json")
    assert response.status_code == 201, response.data
    assert response.data["kind"] == "school"
    again = api.post(SURVEY, data, format="json")
    assert again.status_code == 400 and "填写过" in str(again.data)
    bad = api.post(SURVEY, data | {"satisfaction": 9}, format="json")
    assert bad.status_code == 400 and "satisfaction" in bad.data
    _page, officer = login_clients(user_with_role(Role.GOV_OFFICER))
    assert officer.post(SURVEY, data, format="json").status_code == 403


# --- the links on the event page ---------------------------------------------------------------------------
def test_outcome_links_follow_the_user(scene, held):
    assert [link["label"] for link in outcome_links(scene.hr, scene.event)] == ["发起签约意向"]
    assert [link["label"] for link in outcome_links(held.student_user, held.event)] == [
        "发起签约意向",
        "活动问卷",
    ]
    assert [link["label"] for link in outcome_links(organizer_of(scene.event), scene.event)] == [
        "签约意向",
        "问卷汇总",
    ]
    assert outcome_links(user_with_role(Role.RESEARCHER), scene.event) == []
