"""Applications: a student applies once to an open posting; the pipeline with its timeline; hires never exceed
the headcount; onboarding a graduate records the outcome."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.enterprises import services
from xiaoqitong.enterprises.models import Application, GraduateOutcome, Position
from xiaoqitong.enterprises.views import ApplicationViews, PositionViews
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major
from xiaoqitong.schools.models import Student

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import ApplicationFactory, PositionFactory, PublishedPositionFactory, in_days


@pytest.fixture
def hr():
    return user_with_role(Role.ENTERPRISE_HR)


@pytest.fixture
def position(hr):
    return PublishedPositionFactory(enterprise=hr.enterprise, headcount=2)


def new_student(**kwargs):
    student = StudentFactory(**kwargs)
    return student, student_account(student)


def advance(actor, application, *statuses):
    for status in statuses:
        application = services.application_advance(actor=actor, application=application, to_status=status)
    return application


# --- applying ----------------------------------------------------------------------------------------------
def test_a_student_applies_once(position):
    student, user = new_student()
    application = services.application_create(actor=user, position=position, note="我学过数控编程")
    assert application.student == student and application.status == "submitted"
    assert list(application.events.values_list("from_status", "to_status")) == [("", "submitted")]
    assert AuditLog.objects.filter(verb="application_create", object_id=str(application.pk)).count() == 1
    with pytest.raises(ValidationError, match="只能投递一次"):
        services.application_create(actor=user, position=position)
    services.application_advance(actor=user, application=application, to_status="withdrawn")
    with pytest.raises(ValidationError, match="只能投递一次"):
        services.application_create(actor=user, position=position)


@pytest.mark.parametrize(
    "make",
    [
        lambda hr: PositionFactory(enterprise=hr.enterprise),
        lambda hr: PositionFactory(enterprise=hr.enterprise, status="submitted"),
        lambda hr: PositionFactory(enterprise=hr.enterprise, status="closed"),
        lambda hr: PublishedPositionFactory(enterprise=hr.enterprise, valid_until=in_days(-1)),
    ],
    ids=["draft", "submitted", "closed", "past-valid-until"],
)
def test_only_open_postings_take_applications(hr, make):
    _student, user = new_student()
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(actor=user, position=make(hr))
    assert "不在招聘中" in excinfo.value.message_dict["position"][0]


def test_who_may_apply(position):
    with pytest.raises(ValidationError, match="尚未关联学生档案"):
        services.application_create(actor=user_with_role(Role.STUDENT), position=position)
    student, _user = new_student()
    with pytest.raises(PermissionDenied):
        services.application_create(
            actor=user_with_role(Role.SCHOOL_ADMIN), position=position, student=student
        )
    _dropped, dropped_user = new_student(status="dropped")
    with pytest.raises(ValidationError, match="退学"):
        services.application_create(actor=dropped_user, position=position)


def fill(hr, position):
    """Offers up to the position's headcount."""
    for _ in range(position.headcount):
        _student, user = new_student()
        advance(hr, services.application_create(actor=user, position=position), "offered")


def test_a_full_posting_takes_no_more_applications(hr, position):
    fill(hr, position)
    _student, user = new_student()
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(actor=user, position=position)
    assert "名额已满" in excinfo.value.message_dict["position"][0]
    # The page says so in place of the apply form; the list marks it.
    html = client_for(user).get(PositionViews.url_for("detail", position)).content.decode()
    assert "名额已满" in html
    assert f"/enterprises/positions/{position.pk}/apply/" not in html and "投递简历" not in html
    html = client_for(user).get(PositionViews.url_for("list")).content.decode()
    assert html.count("data-full") == 1 and "名额已满" in html
    response = client_for(user).post(f"/enterprises/positions/{position.pk}/apply/", follow=True)
    assert "名额已满" in response.content.decode()
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(f"/api/v1/enterprises/positions/{position.pk}/apply/", {})
    assert response.status_code == 400 and "名额已满" in str(response.data["position"])
    assert Application.objects.filter(position=position).count() == position.headcount


def test_an_unlinked_student_is_told_why_there_is_no_apply_form(position):
    user = user_with_role(Role.STUDENT)  # a student account with no student record
    html = client_for(user).get(PositionViews.url_for("detail", position)).content.decode()
    assert "您的账号尚未关联学生档案" in html
    assert "投递简历" not in html and f"/enterprises/positions/{position.pk}/apply/" not in html
    # A linked student gets the form; other roles get neither.
    _student, linked = new_student()
    html = client_for(linked).get(PositionViews.url_for("detail", position)).content.decode()
    assert "投递简历" in html and "尚未关联学生档案" not in html
    html = client_for(user_with_role(Role.TEACHER)).get(PositionViews.url_for("detail", position))
    assert "尚未关联学生档案" not in html.content.decode()


# --- the pipeline -------------------------------------------------------------------------------------------
def test_the_pipeline_and_its_timeline(hr, position):
    _student, user = new_student()
    application = services.application_create(actor=user, position=position)
    application = advance(hr, application, "screening", "interview", "offered", "onboarded")
    assert application.status == "onboarded"
    timeline = list(application.events.values_list("from_status", "to_status"))
    assert timeline == [
        ("", "submitted"),
        ("submitted", "screening"),
        ("screening", "interview"),
        ("interview", "offered"),
        ("offered", "onboarded"),
    ]
    assert AuditLog.objects.filter(verb="application_advance", object_id=str(application.pk)).count() == 4


def test_pipeline_refusals(hr, position):
    _student, user = new_student()
    application = services.application_create(actor=user, position=position)
    with pytest.raises(ValidationError, match="不能变为"):
        services.application_advance(actor=hr, application=application, to_status="onboarded")
    with pytest.raises(PermissionDenied):  # the enterprise does not withdraw for the student
        services.application_advance(actor=hr, application=application, to_status="withdrawn")
    with pytest.raises(PermissionDenied):  # the student does not screen themself
        services.application_advance(actor=user, application=application, to_status="screening")
    with pytest.raises(PermissionDenied):  # another enterprise
        services.application_advance(
            actor=user_with_role(Role.ENTERPRISE_HR), application=application, to_status="screening"
        )
    with pytest.raises(PermissionDenied):  # a mentor reads, HR acts
        services.application_advance(
            actor=user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise),
            application=application,
            to_status="screening",
        )
    advance(hr, application, "rejected")
    with pytest.raises(ValidationError):
        services.application_advance(actor=hr, application=application, to_status="interview")
    with pytest.raises(ValidationError, match="200"):
        services.application_advance(actor=hr, application=application, to_status="offered", note="长" * 201)


def test_hires_never_exceed_the_headcount_and_a_withdrawal_frees_the_place(hr, position):
    applications = []
    for _ in range(4):
        _student, user = new_student()
        applications.append((services.application_create(actor=user, position=position), user))
    (a, ua), (b, _ub), (c, _uc), (d, _ud) = applications
    advance(hr, a, "offered")
    advance(hr, b, "interview", "offered")
    with pytest.raises(ValidationError) as excinfo:
        advance(hr, c, "offered")
    assert "名额已满" in excinfo.value.message_dict["status"][0]
    assert Application.objects.get(pk=c.pk).status == "submitted"
    # The first offer is declined: its place is free again.
    advance(ua, a, "withdrawn")
    advance(hr, c, "offered")
    with pytest.raises(ValidationError):
        advance(hr, d, "offered")
    # Rejecting after an offer also frees the place; onboarding keeps it.
    advance(hr, b, "onboarded")
    advance(hr, c, "rejected")
    advance(hr, d, "offered")
    assert Application.objects.filter(position=position, status__in=["offered", "onboarded"]).count() == 2


# --- outcomes from hires ------------------------------------------------------------------------------------
def test_onboarding_a_graduate_records_the_outcome(hr):
    major = Major.objects.get(code="660103")
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    position.major_classes.set([major.major_class])
    student, user = new_student(status="graduated", expected_graduation=dt.date(2025, 6, 30))
    application = services.application_create(actor=user, position=position)
    advance(hr, application, "offered", "onboarded")
    outcome = GraduateOutcome.objects.get(student=student)
    assert outcome.year == 2025
    assert outcome.outcome == "employed" and outcome.source == "hire_record"
    assert outcome.enterprise == hr.enterprise and outcome.employer_name == hr.enterprise.name
    assert outcome.in_city is True  # 北湖区 lies in the city (XQT_CITY_CODE 431000)
    assert outcome.related_to_major is True  # the posting wants the student's 专业类


def test_onboarding_updates_a_school_report_and_skips_non_graduates_and_interns(hr):
    student, user = new_student(status="graduated", expected_graduation=dt.date(2025, 6, 30))
    GraduateOutcome.objects.create(student=student, year=2025, outcome="unemployed")
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    advance(hr, services.application_create(actor=user, position=position), "offered", "onboarded")
    outcome = GraduateOutcome.objects.get(student=student)
    assert outcome.outcome == "employed" and outcome.source == "hire_record"
    assert outcome.related_to_major is None  # the posting names no majors

    studying, studying_user = new_student()
    advance(hr, services.application_create(actor=studying_user, position=position), "offered", "onboarded")
    intern, intern_user = new_student(status="graduated")
    internship = PublishedPositionFactory(enterprise=hr.enterprise, position_type="internship")
    advance(hr, services.application_create(actor=intern_user, position=internship), "offered", "onboarded")
    assert not GraduateOutcome.objects.filter(student__in=[studying, intern]).exists()


# --- pages and API ------------------------------------------------------------------------------------------
def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_apply_and_advance_on_the_pages(hr, position):
    _student, user = new_student()
    html = client_for(user).get(PositionViews.url_for("detail", position)).content.decode()
    assert f"/enterprises/positions/{position.pk}/apply/" in html
    response = client_for(user).post(f"/enterprises/positions/{position.pk}/apply/", {"note": "盼复"})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert "已投递" in client_for(user).get(PositionViews.url_for("detail", position)).content.decode()

    html = client_for(hr).get(ApplicationViews.url_for("detail", application)).content.decode()
    assert f"/enterprises/applications/{application.pk}/advance/" in html
    assert 'value="screening"' in html and 'value="withdrawn"' not in html
    response = client_for(hr).post(
        f"/enterprises/applications/{application.pk}/advance/", {"to_status": "interview", "note": "周三面试"}
    )
    assert response.status_code == 302
    html = client_for(user).get(ApplicationViews.url_for("detail", application)).content.decode()
    assert "周三面试" in html and "面试" in html  # the student sees the timeline
    assert 'value="withdrawn"' in html and 'value="offered"' not in html
    # The student withdraws with one confirmed button, not the status list.
    assert "撤回申请" in html and "data-xqt-confirm=" in html
    assert 'name="to_status" class="form-select"' not in html
    # A refusal is explained, nothing changes.
    response = client_for(hr).post(
        f"/enterprises/applications/{application.pk}/advance/", {"to_status": "onboarded"}, follow=True
    )
    assert "不能变为" in response.content.decode()
    assert Application.objects.get().status == "interview"


def test_the_add_page_applies_as_the_student(position):
    student, user = new_student()
    response = client_for(user).post(
        ApplicationViews.url_for("add"), {"position": position.pk, "note": "你好"}
    )
    assert response.status_code == 302
    assert Application.objects.get().student == student
    # Another student's record cannot be slipped in.
    _other, other_user = new_student()
    position2 = PublishedPositionFactory()
    response = client_for(other_user).post(
        ApplicationViews.url_for("add"), {"position": position2.pk, "student": student.pk}
    )
    assert response.status_code == 400
    assert not Application.objects.filter(position=position2).exists()


def test_apply_and_advance_through_the_api(hr, position):
    _student, user = new_student()
    student_api, hr_api = APIClient(), APIClient()
    student_api.force_authenticate(user)
    hr_api.force_authenticate(hr)
    response = student_api.post(f"/api/v1/enterprises/positions/{position.pk}/apply/", {"note": "你好"})
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    response = student_api.post("/api/v1/enterprises/applications/", {"position": position.pk}, format="json")
    assert response.status_code == 400 and "position" in response.data
    response = hr_api.post(f"/api/v1/enterprises/applications/{pk}/advance/", {"to_status": "offered"})
    assert response.status_code == 200 and response.data["status"] == "offered"
    assert [e["to_status"] for e in response.data["events"]] == ["submitted", "offered"]
    response = hr_api.post(f"/api/v1/enterprises/applications/{pk}/advance/", {"to_status": "withdrawn"})
    assert response.status_code == 403
    response = student_api.post(f"/api/v1/enterprises/applications/{pk}/advance/", {"to_status": "withdrawn"})
    assert response.status_code == 200 and response.data["status"] == "withdrawn"
    assert (
        hr_api.post(f"/api/v1/enterprises/applications/{pk}/advance/", {"to_status": "bogus"}).status_code
        == 400
    )


def test_hiring_up_to_headcount_through_the_api(hr):
    position = PublishedPositionFactory(enterprise=hr.enterprise, headcount=1)
    hr_api = APIClient()
    hr_api.force_authenticate(hr)
    ids = []
    for _ in range(2):
        _student, user = new_student()
        ids.append(services.application_create(actor=user, position=position).pk)
    assert (
        hr_api.post(
            f"/api/v1/enterprises/applications/{ids[0]}/advance/", {"to_status": "offered"}
        ).status_code
        == 200
    )
    response = hr_api.post(f"/api/v1/enterprises/applications/{ids[1]}/advance/", {"to_status": "offered"})
    # The error is keyed by the request's field (``to_status``).
    assert response.status_code == 400 and set(response.data) == {"to_status"}
    assert "名额已满" in response.data["to_status"][0]
    response = hr_api.post(f"/api/v1/enterprises/applications/{ids[1]}/advance/", {"to_status": "onboarded"})
    assert response.status_code == 400 and "不能变为" in response.data["to_status"][0]
    assert hr_api.get(f"/api/v1/enterprises/positions/{position.pk}/").data["taken"] == 1


def test_an_enterprise_sees_its_applicants_in_full(hr, position):
    student, user = new_student(consent="none")
    assert not Student.objects.restrict(hr).filter(pk=student.pk).exists()
    services.application_create(actor=user, position=position)
    assert Student.objects.restrict(hr).filter(pk=student.pk).exists()
    assert not Student.objects.restrict(user_with_role(Role.ENTERPRISE_HR)).filter(pk=student.pk).exists()


def test_factory_applications_count_for_the_student(position):
    application = ApplicationFactory(position=position)
    assert Position.objects.filter(applications=application).exists()


def test_the_student_withdraws_with_one_confirmed_button(hr, position):
    _student, user = new_student()
    application = services.application_create(actor=user, position=position)
    html = client_for(user).get(ApplicationViews.url_for("detail", application)).content.decode()
    form = html[html.index("撤回申请") - 1200 : html.index("撤回申请")]
    form = form[form.rindex("<form") :]
    assert "data-xqt-confirm=" in form and "确定撤回这份申请吗" in form
    assert '<input type="hidden" name="to_status" value="withdrawn">' in form
    assert "<select" not in html and "变更为" not in html
    response = client_for(user).post(
        f"/enterprises/applications/{application.pk}/advance/", {"to_status": "withdrawn"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    html = client_for(user).get(ApplicationViews.url_for("detail", application)).content.decode()
    assert "撤回申请" not in html and "不能对这份申请做进一步操作" in html
    # HR keeps the status list, without the student's withdrawal.
    _student, other = new_student()
    application = services.application_create(actor=other, position=position)
    html = client_for(hr).get(ApplicationViews.url_for("detail", application)).content.decode()
    assert "<select" in html and "撤回申请" not in html


def test_hr_is_not_offered_to_hire_beyond_the_headcount(hr, position):
    _student, user = new_student()
    waiting = services.application_create(actor=user, position=position)
    html = client_for(hr).get(ApplicationViews.url_for("detail", waiting)).content.decode()
    assert 'value="offered"' in html
    fill(hr, position)
    html = client_for(hr).get(ApplicationViews.url_for("detail", waiting)).content.decode()
    assert 'value="offered"' not in html and "名额已满" in html
    assert 'value="interview"' in html and 'value="rejected"' in html
    # An offered application still offers onboarding.
    offered = Application.objects.filter(position=position, status="offered").first()
    html = client_for(hr).get(ApplicationViews.url_for("detail", offered)).content.decode()
    assert 'value="onboarded"' in html


def test_the_list_reads_one_date_format(hr, position):
    _student, user = new_student()
    application = services.application_create(actor=user, position=position)
    when = dt.datetime(2027, 3, 31, 9, 30, tzinfo=dt.UTC)
    Application.objects.filter(pk=application.pk).update(created_at=when, updated_at=when)
    html = client_for(hr).get(ApplicationViews.url_for("list")).content.decode()
    assert html.count("2027-03-31 17:30") == 2  # 投递时间 and 更新时间, Asia/Shanghai
    assert "2027年3月31日" not in html
