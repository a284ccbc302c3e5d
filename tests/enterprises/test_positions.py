"""The posting lifecycle: draft → submitted → published → closed or expired, returned with reasons; each step
a service with its refusals, on the pages and through the API."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from xiaoqitong.core.models import AuditLog
from xiaoqitong.enterprises import services
from xiaoqitong.enterprises.models import Position
from xiaoqitong.enterprises.views import PositionViews
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Region, Skill

from ..orgs.factories import user_with_role
from .factories import PositionFactory, PublishedPositionFactory, in_days


@pytest.fixture
def hr():
    return user_with_role(Role.ENTERPRISE_HR)


@pytest.fixture
def officer():
    return user_with_role(Role.GOV_OFFICER)


def audits(position, verb):
    return AuditLog.objects.filter(
        object_id=str(position.pk), verb=verb, content_type__model="position"
    ).count()


def draft_data(hr, **extra):
    return {
        "title": "电子装配工",
        "description": "负责电子元器件插件与焊接，男女不限，提供住宿。",
        "position_type": "full_time",
        "min_education": "secondary",
        "headcount": 5,
        "county": Region.objects.get(code="431002"),
        "valid_until": in_days(30),
        **extra,
    }


# --- services -----------------------------------------------------------------------------------------------
def test_a_draft_is_refused_a_valid_until_date_in_the_past_at_once(hr):
    with pytest.raises(ValidationError) as excinfo:
        services.position_create(actor=hr, data=draft_data(hr, valid_until=in_days(-1)))
    assert "早于今天" in excinfo.value.message_dict["valid_until"][0]
    position = services.position_create(actor=hr, data=draft_data(hr, valid_until=in_days(0)))  # today: fine
    with pytest.raises(ValidationError, match="早于今天"):
        services.position_update(actor=hr, instance=position, data={"valid_until": in_days(-3)})
    # a posting whose date has passed may still be edited otherwise (e.g. to fix its text before a new date)
    Position.objects.filter(pk=position.pk).update(valid_until=in_days(-2))
    position.refresh_from_db()
    services.position_update(actor=hr, instance=position, data={"headcount": 2})


def test_hr_creates_a_draft_for_its_own_enterprise(hr):
    skills = list(Skill.objects.order_by("pk")[:3])
    position = services.position_create(
        actor=hr,
        data=draft_data(hr, required_skills=skills[:2], bonus_skills=skills[2:]),
    )
    assert position.status == "draft"
    assert position.enterprise_id == hr.enterprise_id
    assert {r.skill_id for r in position.skill_requirements.filter(required=True)} == {
        s.pk for s in skills[:2]
    }
    assert audits(position, "position_create") == 1


def test_discriminatory_text_is_refused_on_create_with_the_field_named(hr):
    with pytest.raises(ValidationError) as excinfo:
        services.position_create(actor=hr, data=draft_data(hr, description="限男性，已婚已育优先"))
    errors = excinfo.value.message_dict
    assert "description" in errors and "title" not in errors
    assert "“限男性”" in errors["description"][0] and "“已婚已育”" in errors["description"][0]
    assert not Position.objects.exists()


def test_a_skill_cannot_be_required_and_a_bonus(hr):
    skill = Skill.objects.first()
    with pytest.raises(ValidationError) as excinfo:
        services.position_create(actor=hr, data=draft_data(hr, required_skills=[skill], bonus_skills=[skill]))
    assert "bonus_skills" in excinfo.value.message_dict


def test_the_whole_lifecycle_with_one_audit_record_per_step(hr, officer):
    position = services.position_create(actor=hr, data=draft_data(hr))
    position = services.position_submit(actor=hr, position=position)
    assert position.status == "submitted"
    position = services.position_return(actor=officer, position=position, reason="请写明工作时间和加班安排。")
    assert position.status == "returned" and position.review_note == "请写明工作时间和加班安排。"
    services.position_update(
        actor=hr, instance=position, data={"description": "电子元器件插件与焊接，做五休二，男女不限。"}
    )
    position = services.position_submit(actor=hr, position=position)
    position = services.position_publish(actor=officer, position=position)
    assert position.status == "published" and position.published_at is not None
    position = services.position_close(actor=hr, position=position)
    assert position.status == "closed"
    for verb, count in (
        ("position_create", 1),
        ("position_submit", 2),
        ("position_return", 1),
        ("position_update", 1),
        ("position_publish", 1),
        ("position_close", 1),
    ):
        assert audits(position, verb) == count, verb
    entry = AuditLog.objects.get(object_id=str(position.pk), verb="position_publish")
    assert entry.actor == officer and entry.changes["status"] == ["submitted", "published"]


def test_submit_refusals(hr, officer):
    other_hr = user_with_role(Role.ENTERPRISE_HR)
    position = PositionFactory(enterprise=hr.enterprise)
    with pytest.raises(PermissionDenied):
        services.position_submit(actor=other_hr, position=position)
    with pytest.raises(PermissionDenied):
        services.position_submit(actor=officer, position=position)
    expired = PositionFactory(enterprise=hr.enterprise, valid_until=in_days(-1))
    with pytest.raises(ValidationError) as excinfo:
        services.position_submit(actor=hr, position=expired)
    assert "有效期" in excinfo.value.message_dict["valid_until"][0]
    published = PublishedPositionFactory(enterprise=hr.enterprise)
    with pytest.raises(ValidationError, match="已发布"):
        services.position_submit(actor=hr, position=published)


def test_submit_refuses_text_that_became_discriminatory(hr):
    # Written before the check existed (or by a path that skipped it): submit checks again.
    position = PositionFactory(enterprise=hr.enterprise)
    Position.objects.filter(pk=position.pk).update(title="招聘女前台", description="五官端正，限本地户口")
    with pytest.raises(ValidationError) as excinfo:
        services.position_submit(actor=hr, position=position)
    errors = excinfo.value.message_dict
    assert "“女前台”" in errors["title"][0]
    assert "“五官端正”" in errors["description"][0] and "“限本地户口”" in errors["description"][0]
    position.refresh_from_db()
    assert position.status == "draft"


def test_publish_and_return_refusals(hr, officer):
    position = PositionFactory(enterprise=hr.enterprise, status="submitted")
    with pytest.raises(PermissionDenied):
        services.position_publish(actor=hr, position=position)
    with pytest.raises(PermissionDenied):
        services.position_return(actor=user_with_role(Role.RESEARCHER), position=position, reason="x")
    with pytest.raises(ValidationError) as excinfo:
        services.position_return(actor=officer, position=position, reason="  ")
    assert "review_note" in excinfo.value.message_dict
    draft = PositionFactory(enterprise=hr.enterprise)
    with pytest.raises(ValidationError, match="草稿"):
        services.position_publish(actor=officer, position=draft)


def test_a_published_posting_can_be_taken_down_and_is_then_hidden(hr, officer):
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    student = user_with_role(Role.STUDENT)
    assert Position.objects.restrict(student).filter(pk=position.pk).exists()
    services.position_return(actor=officer, position=position, reason="岗位描述与实际不符")
    assert not Position.objects.restrict(student).filter(pk=position.pk).exists()
    assert Position.objects.restrict(hr).filter(pk=position.pk).exists()


def test_close_refusals(hr):
    student = user_with_role(Role.STUDENT)
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    with pytest.raises(PermissionDenied):
        services.position_close(actor=student, position=position)
    draft = PositionFactory(enterprise=hr.enterprise)
    with pytest.raises(ValidationError):
        services.position_close(actor=hr, position=draft)


def test_published_postings_are_not_edited(hr):
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    with pytest.raises(ValidationError, match="只有草稿或已退回"):
        services.position_update(actor=hr, instance=position, data={"headcount": 9})
    with pytest.raises(ValidationError):
        services.position_delete(actor=hr, instance=position)


# --- expiry ------------------------------------------------------------------------------------------------
def test_positions_expire_after_their_valid_until_date():
    due = PublishedPositionFactory(valid_until=in_days(-1))
    waiting = PositionFactory(status="submitted", valid_until=in_days(-3))
    today = PublishedPositionFactory(valid_until=in_days(0))
    draft = PositionFactory(valid_until=in_days(-5))
    assert services.positions_expire() == 2
    statuses = dict(Position.objects.values_list("pk", "status"))
    assert statuses[due.pk] == statuses[waiting.pk] == "expired"
    assert statuses[today.pk] == "published"  # valid all of its last day
    assert statuses[draft.pk] == "draft"
    entry = AuditLog.objects.get(object_id=str(due.pk), verb="positions_expire")
    assert entry.actor is None and entry.actor_repr == "系统"
    assert services.positions_expire() == 0


def test_the_daily_task_and_the_command_expire_postings():
    from xiaoqitong.celery import app
    from xiaoqitong.enterprises import tasks

    PublishedPositionFactory(valid_until=in_days(-1))
    assert tasks.positions_expire.delay().get() == 1
    entry = app.conf.beat_schedule["enterprises.positions_expire"]
    assert entry["task"] == "enterprises.positions_expire"

    PublishedPositionFactory(valid_until=in_days(3))
    out = StringIO()
    call_command("expire_positions", today=(in_days(5)).isoformat(), stdout=out)
    assert "1" in out.getvalue()
    assert not Position.objects.filter(status="published").exists()


# --- pages --------------------------------------------------------------------------------------------------
def page(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_detail_page_shows_the_allowed_steps_as_post_forms(hr, officer):
    position = PositionFactory(enterprise=hr.enterprise)
    html = page(hr).get(PositionViews.url_for("detail", position)).content.decode()
    assert f"/enterprises/positions/{position.pk}/submit/" in html
    assert "/publish/" not in html

    response = page(hr).post(f"/enterprises/positions/{position.pk}/submit/")
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.status == "submitted"

    html = page(officer).get(PositionViews.url_for("detail", position)).content.decode()
    assert f"/enterprises/positions/{position.pk}/publish/" in html
    assert f"/enterprises/positions/{position.pk}/return/" in html
    assert page(officer).get(f"/enterprises/positions/{position.pk}/publish/").status_code == 405

    response = page(officer).post(f"/enterprises/positions/{position.pk}/return/", {"note": "请补充薪资构成"})
    assert response.status_code == 302
    html = page(hr).get(PositionViews.url_for("detail", position)).content.decode()
    assert "请补充薪资构成" in html  # the reasons are shown to the enterprise


def test_a_refused_step_is_explained_on_the_page(hr, officer):
    position = PositionFactory(enterprise=hr.enterprise)
    Position.objects.filter(pk=position.pk).update(description="仅限男性")
    response = page(hr).post(f"/enterprises/positions/{position.pk}/submit/", follow=True)
    html = response.content.decode()
    assert "“仅限男性”" in html
    assert page(officer).post(f"/enterprises/positions/{position.pk}/publish/").status_code in (302, 403)
    position.refresh_from_db()
    assert position.status == "draft"
    # Another enterprise cannot even find the draft.
    assert (
        page(user_with_role(Role.ENTERPRISE_HR))
        .post(f"/enterprises/positions/{position.pk}/submit/")
        .status_code
        == 404
    )


def test_the_create_page_refuses_discrimination_naming_the_words(hr):
    form = {
        "enterprise": hr.enterprise.credit_code,
        "title": "操作工",
        "position_type": "full_time",
        "description": "限男性，能吃苦耐劳",
        "min_education": "secondary",
        "headcount": 2,
        "county": Region.objects.get(code="431002").pk,
        "valid_until": in_days(20).isoformat(),
        "wanted_majors": "660103、6601",
    }
    response = page(hr).post(PositionViews.url_for("add"), form)
    assert response.status_code == 400
    assert response.context["form"].errors["description"]
    assert "“限男性”" in response.content.decode()
    form["description"] = "男女不限，能吃苦耐劳"
    # The enterprise is HR's own whatever the request says (the field is locked for HR).
    other = user_with_role(Role.ENTERPRISE_HR).enterprise
    response = page(hr).post(PositionViews.url_for("add"), form | {"enterprise": other.credit_code})
    assert response.status_code == 302
    position = Position.objects.get()
    assert position.enterprise == hr.enterprise
    assert [m.code for m in position.majors.all()] == ["660103"]
    assert [c.code for c in position.major_classes.all()] == ["6601"]
    # The same title and valid-until again: a plain Chinese message, not Django's default.
    response = page(hr).post(PositionViews.url_for("add"), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert DUPLICATE in html and "已经存在" not in html
    assert Position.objects.count() == 1


DUPLICATE = "本企业已有同名且有效期相同的岗位（含退回的草稿）：请修改原岗位，或更改岗位名称或有效期"


def test_a_duplicate_posting_is_refused_with_a_clear_message(hr):
    services.position_create(actor=hr, data=draft_data(hr))
    with pytest.raises(ValidationError) as excinfo:
        services.position_create(actor=hr, data=draft_data(hr))
    assert DUPLICATE in " ".join(excinfo.value.messages)
    assert "已经存在" not in " ".join(excinfo.value.messages)
    # A returned posting counts too; another date is another round of hiring.
    Position.objects.update(status="returned")
    with pytest.raises(ValidationError, match="含退回的草稿"):
        services.position_create(actor=hr, data=draft_data(hr))
    services.position_create(actor=hr, data=draft_data(hr, valid_until=in_days(31)))
    response = api(hr).post(
        "/api/v1/enterprises/positions/",
        {**draft_data(hr), "county": "431002", "valid_until": in_days(30).isoformat()},
        format="json",
    )
    assert response.status_code == 400 and DUPLICATE in str(response.data)


def test_hr_sees_its_enterprise_read_only_on_the_form(hr):
    response = page(hr).get(PositionViews.url_for("add"))
    field = response.context["form"]["enterprise"]
    assert field.field.disabled and field.value() == hr.enterprise.credit_code
    html = response.content.decode()
    tag = html[html.index('name="enterprise"') :]
    tag = tag[: tag.index(">")]
    assert "disabled" in tag
    position = PositionFactory(enterprise=hr.enterprise)
    form = page(hr).get(PositionViews.url_for("edit", position)).context["form"]
    assert form["enterprise"].field.disabled and form["enterprise"].value() == hr.enterprise.credit_code
    # A platform administrator picks the enterprise.
    admin = user_with_role(Role.PLATFORM_ADMIN)
    assert not page(admin).get(PositionViews.url_for("add")).context["form"]["enterprise"].field.disabled


def test_dates_read_year_month_day_on_the_list_and_the_detail(hr):
    position = PublishedPositionFactory(
        enterprise=hr.enterprise, valid_until=dt.date(2099, 3, 31), start_date=dt.date(2099, 3, 1)
    )
    for url in (PositionViews.url_for("list"), PositionViews.url_for("detail", position)):
        html = page(hr).get(url).content.decode()
        assert "2099-03-31" in html, url
        assert "2099年3月31日" not in html and "2099年3月1日" not in html, url
    assert "2099-03-01" in page(hr).get(PositionViews.url_for("detail", position)).content.decode()


def test_unknown_major_codes_are_named(hr):
    response = page(hr).post(PositionViews.url_for("add"), {"wanted_majors": "999999、66"})
    assert "999999" in str(response.context["form"].errors["wanted_majors"])


# --- API ----------------------------------------------------------------------------------------------------
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_lifecycle_through_the_api(hr, officer):
    payload = {
        "title": "工业机器人运维员",
        "description": "负责工业机器人日常点检与故障排除，男女不限。",
        "position_type": "full_time",
        "wanted_majors": ["660302", "4603"],
        "required_skills": [Skill.objects.order_by("pk").first().name],
        "min_education": "associate",
        "headcount": 2,
        "county": "431002",
        "valid_until": in_days(45).isoformat(),
    }
    response = api(hr).post("/api/v1/enterprises/positions/", payload, format="json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["status"] == "draft" and response.data["wanted_majors"] == ["660302", "4603"]

    assert api(officer).post(f"/api/v1/enterprises/positions/{pk}/publish/").status_code == 400  # a draft
    response = api(hr).post(f"/api/v1/enterprises/positions/{pk}/submit/")
    assert response.status_code == 200 and response.data["status"] == "submitted"
    assert api(hr).post(f"/api/v1/enterprises/positions/{pk}/publish/").status_code == 403
    response = api(officer).post(f"/api/v1/enterprises/positions/{pk}/return/", {}, format="json")
    # The error is keyed by the request's field (``note``), not the model's (``review_note``).
    assert response.status_code == 400 and set(response.data) == {"note"}
    response = api(officer).post(
        f"/api/v1/enterprises/positions/{pk}/return/", {"note": "请写明班次"}, format="json"
    )
    assert response.data["status"] == "returned" and response.data["review_note"] == "请写明班次"
    assert (
        api(hr).patch(f"/api/v1/enterprises/positions/{pk}/", {"headcount": 3}, format="json").status_code
        == 200
    )
    assert api(hr).post(f"/api/v1/enterprises/positions/{pk}/submit/").status_code == 200
    response = api(officer).post(
        f"/api/v1/enterprises/positions/{pk}/publish/", {"note": "同意"}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "published"
    # Published: HR may no longer edit it, only close it.
    assert (
        api(hr).patch(f"/api/v1/enterprises/positions/{pk}/", {"headcount": 9}, format="json").status_code
        == 403
    )
    response = api(hr).post(f"/api/v1/enterprises/positions/{pk}/close/")
    assert response.status_code == 200 and response.data["status"] == "closed"


def test_the_api_refuses_discrimination_naming_the_field(hr):
    payload = {
        "title": "限女性 客服专员",
        "description": "婚否不限，普通话标准。",
        "headcount": 1,
        "county": "431002",
        "valid_until": in_days(10).isoformat(),
    }
    response = api(hr).post("/api/v1/enterprises/positions/", payload, format="json")
    assert response.status_code == 400
    assert "“限女性 客服”" in response.data["title"][0]  # the words as written
    assert "description" not in response.data


def test_the_api_refuses_another_enterprise(hr):
    other = user_with_role(Role.ENTERPRISE_HR).enterprise
    payload = {
        "enterprise": other.credit_code,
        "title": "普工",
        "description": "男女不限",
        "headcount": 1,
        "county": "431002",
        "valid_until": in_days(10).isoformat(),
    }
    response = api(hr).post("/api/v1/enterprises/positions/", payload, format="json")
    assert response.status_code == 400 and "enterprise" in response.data
    assert not Position.objects.exists()


def test_warnings_are_for_the_enterprise_and_reviewers_and_quote_the_whole_phrase(hr, officer):
    position = PublishedPositionFactory(
        enterprise=hr.enterprise, description="保安员：身高170以上，男女不限，年龄18-45岁。"
    )
    url = f"/api/v1/enterprises/positions/{position.pk}/"
    for user in (hr, officer):
        warnings = api(user).get(url).data["warnings"]
        assert [(w["field"], w["words"], w["category"]) for w in warnings] == [
            ("description", "身高170以上", "appearance"),
            ("description", "年龄18-45岁", "age"),
        ]
        assert all(w["source"] and w["category_label"] for w in warnings)
        html = page(user).get(PositionViews.url_for("detail", position)).content.decode()
        assert "“身高170以上”" in html and "“身高1”" not in html
    student = user_with_role(Role.STUDENT)
    assert api(student).get(url).data["warnings"] == []
    assert "身高170以上”" not in page(student).get(PositionViews.url_for("detail", position)).content.decode()
    listed = api(user_with_role(Role.ENTERPRISE_HR)).get("/api/v1/enterprises/positions/").data["results"]
    assert [row["warnings"] for row in listed] == [[]]


def test_the_review_note_is_for_the_enterprise_and_reviewers(hr, officer):
    position = PublishedPositionFactory(enterprise=hr.enterprise, review_note="内部备注")
    student = user_with_role(Role.STUDENT)
    assert api(student).get(f"/api/v1/enterprises/positions/{position.pk}/").data["review_note"] == ""
    assert api(hr).get(f"/api/v1/enterprises/positions/{position.pk}/").data["review_note"] == "内部备注"
    assert api(officer).get(f"/api/v1/enterprises/positions/{position.pk}/").data["review_note"] == "内部备注"


def test_search_and_filters(hr):
    PublishedPositionFactory(title="数控车床操作工", valid_until=in_days(10))
    PublishedPositionFactory(
        title="护理员", description="负责老人日常照护，男女不限。", valid_until=in_days(-1)
    )
    student = user_with_role(Role.STUDENT)
    response = api(student).get("/api/v1/enterprises/positions/", {"q": "数控"})
    assert [p["title"] for p in response.data["results"]] == ["数控车床操作工"]
    response = api(student).get("/api/v1/enterprises/positions/", {"open": "true"})
    assert [p["title"] for p in response.data["results"]] == ["数控车床操作工"]
    html = page(student).get(PositionViews.url_for("list") + "?q=护理").content.decode()
    assert "护理员" in html and "数控车床操作工" not in html


def test_search_follows_edits(hr):
    position = services.position_create(actor=hr, data=draft_data(hr))
    services.position_update(actor=hr, instance=position, data={"title": "光伏组件检验员"})
    found = Position.objects.restrict(hr)
    from xiaoqitong.core import search

    assert list(search.search(found, "光伏")) == [position]
    assert not search.search(found, "电子装配").exists()


def test_dates_in_the_past_cannot_be_published(officer):
    position = PositionFactory(status="submitted", valid_until=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.position_publish(actor=officer, position=position)


def test_filter_by_publication_date(hr):
    old = PublishedPositionFactory(title="去年的岗位")
    Position.objects.filter(pk=old.pk).update(published_at=timezone.now() - dt.timedelta(days=400))
    PublishedPositionFactory(title="今年的岗位")
    officer = user_with_role(Role.GOV_OFFICER)
    since = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = api(officer).get("/api/v1/enterprises/positions/", {"published_from": since})
    assert [p["title"] for p in response.data["results"]] == ["今年的岗位"]
    response = api(officer).get("/api/v1/enterprises/positions/", {"published_before": since})
    assert [p["title"] for p in response.data["results"]] == ["去年的岗位"]
