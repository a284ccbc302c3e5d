"""The certification pages: the walk-through posted from the pages by each role, who sees which page and
which form (403/404), the document download's scope, lists without a query per row, the targets page and
its export, the public list without login, the setup and the criteria pages."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.orgs.factories import EnterpriseFactory, user_with_role
from xiaoqitong.certification.choices import ApplicationStatus, CertificationStatus
from xiaoqitong.certification.models import Application, Certification, Criterion, Setup
from xiaoqitong.certification.services import applications as services
from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role

from .factories import claimed_values, departments, hr, lead_officer, meet_municipal, officer, pdf, prove

pytestmark = pytest.mark.django_db


def page(user) -> Client:
    return login_clients(user)[0]


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def scene():
    depts = departments()
    applicant = hr()
    meet_municipal(applicant.enterprise)
    return {
        "hr": applicant,
        "lead": lead_officer(),
        "gov": officer(depts["市教育局"]),
        "hrss": officer(depts["市人社局"]),
        "other": user_with_role(Role.GOV_OFFICER),
    }


def draft(s) -> Application:
    return services.application_create(
        actor=s["hr"],
        data={
            "level": "municipal",
            "statement": "共建基地",
            "contact_person": "王",
            "contact_phone": "0735-1",
        },
    )


def submitted(s) -> Application:
    application = draft(s)
    services.claims_save(actor=s["hr"], parent=application, values=claimed_values())
    prove(application, s["hr"])
    return services.application_submit(actor=s["hr"], application=application)


def test_walk_through_from_the_pages(scene):
    s = scene
    client = page(s["hr"])
    response = client.get(reverse("certification:application_add"))
    assert response.status_code == 200
    assert response.context["form"].fields["year"].initial == dt.date.today().year
    response = client.post(
        reverse("certification:application_add"),
        {
            "level": "municipal",
            "year": 2026,
            "statement": "共建基地",
            "contact_person": "王",
            "contact_phone": "0735",
        },
    )
    application = Application.objects.get(enterprise=s["hr"].enterprise)
    assert response.status_code == 302
    detail = client.get(application.get_absolute_url())
    assert detail.context["claims_form"] is not None and detail.context["can_submit"]
    # submitting without the claimed figures and documents is refused with the list of what is missing
    response = client.post(reverse("certification:application_submit", args=[application.pk]), follow=True)
    assert "申请材料不完整" in messages_of(response)
    form = {}
    for criterion in Criterion.objects.filter(active=True):
        value = {"investment": "120", "credit": "1"}.get(criterion.code, "")
        form[f"claim_{criterion.pk}"] = value
        form[f"note_{criterion.pk}"] = ""
    client.post(reverse("certification:application_claims", args=[application.pk]), form)
    for criterion in Criterion.objects.filter(needs_document=True):
        response = client.post(
            reverse("certification:application_documents", args=[application.pk]),
            {"title": "", "criterion": criterion.pk, "file": pdf()},
        )
        assert response.status_code == 302
    assert application.documents.count() == 2
    assert application.documents.filter(title="信用记录良好证明材料").exists()
    client.post(reverse("certification:application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    lead = page(s["lead"])
    response = lead.get(application.get_absolute_url())
    assert response.context["can_accept"] and not response.context["can_submit"]
    assert "data-checklist" in response.content.decode()
    lead.post(reverse("certification:application_accept", args=[application.pk]), {"departments": []})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    # the opinion departments were not picked: the lead department asks 市教育局 and 市人社局 one by one
    for key in ("gov", "hrss"):
        lead.post(
            reverse("certification:opinion_request", args=[application.pk]),
            {"department": s[key].department_id},
        )
    response = lead.post(
        reverse("certification:application_decide", args=[application.pk]),
        {"decision": "certify"},
        follow=True,
    )
    assert "尚有部门未出具意见" in messages_of(response)
    for key in ("gov", "hrss"):
        client_ = page(s[key])
        response = client_.get(application.get_absolute_url())
        opinion = response.context["my_opinion"]
        assert opinion is not None and response.context["opinion_form"] is not None
        response = client_.post(
            reverse("certification:opinion_give", args=[opinion.pk]),
            {"stance": "disagree", "text": ""},
            follow=True,
        )
        assert "请写明理由" in messages_of(response)
        client_.post(
            reverse("certification:opinion_give", args=[opinion.pk]), {"stance": "agree", "text": "同意"}
        )
    # the enterprise sees how many opinions are in, not what they say
    response = client.get(application.get_absolute_url())
    assert response.context["opinions"] == [] and response.context["opinion_counts"] == (2, 2)
    response = lead.post(
        reverse("certification:application_decide", args=[application.pk]),
        {"decision": "certify", "note": "", "document_ref": "郴发改〔2026〕1号"},
        follow=True,
    )
    certification = Certification.objects.get(enterprise=s["hr"].enterprise)
    assert certification.document_ref == "郴发改〔2026〕1号"
    assert certification.number in messages_of(response)
    response = page(user_with_role(Role.STUDENT)).get(certification.get_absolute_url())
    assert response.status_code == 200 and not response.context["can_revoke"]
    response = lead.get(certification.get_absolute_url())
    assert response.context["can_revoke"] and len(response.context["plaques"]) == 1


def test_who_sees_an_application(scene):
    s = scene
    application = submitted(s)
    assert page(s["other"]).get(application.get_absolute_url()).status_code == 404
    assert page(hr()).get(application.get_absolute_url()).status_code == 404
    assert page(user_with_role(Role.RESEARCHER)).get(application.get_absolute_url()).status_code == 404
    assert page(s["lead"]).get(application.get_absolute_url()).status_code == 200
    assert page(s["gov"]).get(application.get_absolute_url()).status_code == 404  # not asked yet
    services.application_accept(actor=s["lead"], application=application)
    response = page(s["gov"]).get(application.get_absolute_url())
    assert response.status_code == 200 and not response.context["can_decide"]
    # a draft is the enterprise's own until it is submitted
    other_hr = hr()
    other = services.application_create(
        actor=other_hr,
        data={"level": "municipal", "statement": "x", "contact_person": "李", "contact_phone": "1"},
    )
    assert page(s["lead"]).get(other.get_absolute_url()).status_code == 404
    # another enterprise cannot post steps on it either
    response = page(s["hr"]).post(reverse("certification:application_submit", args=[other.pk]))
    assert response.status_code == 404


def test_document_download_is_scoped(scene):
    s = scene
    application = submitted(s)
    document = application.documents.first()
    url = reverse("certification:document_download", args=[document.pk])
    response = page(s["hr"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert page(s["lead"]).get(url).status_code == 200
    assert page(hr()).get(url).status_code == 404
    assert page(s["other"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_bad_upload_is_refused_with_a_message(scene):
    s = scene
    application = draft(s)
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = page(s["hr"]).post(
        reverse("certification:application_documents", args=[application.pk]),
        {"title": "x", "file": exe},
        follow=True,
    )
    assert "可执行程序" in messages_of(response)
    assert application.documents.count() == 0


def test_lists_do_not_query_per_row(scene, django_assert_max_num_queries):
    s = scene
    for _ in range(6):
        applicant = hr()
        services.application_submit(
            actor=applicant,
            application=_with_claims(
                services.application_create(
                    actor=applicant,
                    data={
                        "level": "municipal",
                        "statement": "x",
                        "contact_person": "李",
                        "contact_phone": "1",
                    },
                ),
                applicant,
            ),
        )
    client = page(s["lead"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("certification:application_list"))
    assert response.status_code == 200 and len(response.context["table"].rows) == 6
    for name in ("certification_list", "review_list", "incentive_list", "criterion_list"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"certification:{name}")).status_code == 200


def _with_claims(application, actor):
    services.claims_save(actor=actor, parent=application, values=claimed_values())
    prove(application, actor)
    return application


def test_targets_page_and_export(scene):
    s = scene
    response = page(s["other"]).get(reverse("certification:targets"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.certified_target == 30 and report.target_year == 2025
    assert report.city.total >= 1  # the scene's enterprise is local and medium-sized
    body = response.content.decode()
    assert "data-t12" in body and "data-t2" in body and "深度参与" in body
    # past the target year the page says whether the target was met in time
    assert report.t12_at_deadline == 0 and "未按期达标" in body
    response = page(s["other"]).get(reverse("certification:targets") + "?year=2025")
    assert response.context["report"].t12_at_deadline is None
    response = page(s["other"]).get(reverse("certification:targets") + "?export=csv")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "T12" in text and "T2" in text
    assert page(hr()).get(reverse("certification:targets")).status_code == 403
    assert page(user_with_role(Role.RESEARCHER)).get(reverse("certification:targets")).status_code == 200


def test_public_list_without_login(scene):
    enterprise = EnterpriseFactory(name="郴州公开名单测试有限公司")
    Certification.objects.create(
        enterprise=enterprise,
        level="municipal",
        number="CJRH-S-2025-001",
        certified_on=dt.date(2025, 3, 1),
        valid_until=dt.date(2028, 2, 28),
    )
    Certification.objects.create(
        enterprise=EnterpriseFactory(name="郴州已撤销测试有限公司"),
        level="municipal",
        number="CJRH-S-2025-002",
        certified_on=dt.date(2025, 3, 1),
        valid_until=dt.date(2028, 2, 28),
        status=CertificationStatus.REVOKED,
    )
    response = Client().get(reverse("public_certified:index"))
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "郴州公开名单测试有限公司" in body
        and "郴州已撤销测试有限公司" not in body
    )
    response = Client().get(reverse("public_certified:index") + "?level=provincial")
    assert "郴州公开名单测试有限公司" not in response.content.decode()
    response = Client().get(reverse("public_certified:index") + "?export=csv")
    assert "CJRH-S-2025-001" in response.content.decode("utf-8-sig")
    assert "产教融合型企业名单" in Client().get(reverse("login")).content.decode()


def test_setup_page(scene):
    s = scene
    url = reverse("certification:setup")
    assert page(s["gov"]).get(url).status_code == 200
    assert not page(s["gov"]).get(url).context["can_change"]
    assert page(s["gov"]).post(url, {"opinion_days": 20}).status_code == 403
    assert page(hr()).get(url).status_code == 403
    row = Setup.objects.get()
    response = page(s["lead"]).post(
        url,
        {
            "lead_department": row.lead_department_id,
            "opinion_departments": [s["gov"].department_id],
            "opinion_days": 20,
            "review_open_days": 45,
            "rectification_days": 60,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.opinion_days, row.review_open_days) == (20, 45)
    assert list(row.opinion_departments.values_list("pk", flat=True)) == [s["gov"].department_id]


def test_criteria_are_edited_by_the_lead_department(scene):
    s = scene
    criterion = Criterion.objects.get(code="interns")
    url = reverse("certification:criterion_edit", args=[criterion.pk])
    assert page(s["gov"]).get(url).status_code == 403
    assert page(s["hr"]).get(reverse("certification:criterion_list")).status_code == 200
    data = {
        "code": "interns",
        "name": criterion.name,
        "description": criterion.description,
        "measure": criterion.measure,
        "min_municipal": "30",
        "min_provincial": "60",
        "unit": "人",
        "required": "on",
        "source": criterion.source,
        "active": "on",
        "sort_order": 20,
    }
    assert page(s["lead"]).post(url, data).status_code == 302
    criterion.refresh_from_db()
    assert criterion.min_municipal == 30


def test_incentive_pages(scene):
    s = scene
    client = page(s["hrss"])
    response = client.post(
        reverse("certification:incentive_add"),
        {
            "enterprise": s["hr"].enterprise.credit_code,
            "year": 2026,
            "kind": "fiscal",
            "title": "学徒培训补贴",
            "amount": "12.5",
            "granted_on": "2026-05-10",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    incentive = s["hr"].enterprise.incentives.get()
    assert incentive.department_id == s["hrss"].department_id
    assert page(s["gov"]).get(reverse("certification:incentive_edit", args=[incentive.pk])).status_code == 403
    response = page(s["hr"]).get(reverse("certification:incentive_list"))
    assert response.status_code == 200 and len(response.context["table"].rows) == 1
    assert page(hr()).get(incentive.get_absolute_url()).status_code == 404


def test_setup_api(scene):
    s = scene
    url = "/api/v1/certification/setup/"
    response = login_clients(s["gov"])[1].get(url)
    assert response.status_code == 200 and response.json()["lead_department"] == "T-FGW"
    assert sorted(response.json()["opinion_departments"]) == ["T-JYJ", "T-RSJ"]
    assert login_clients(hr())[1].get(url).status_code == 403
    assert (
        login_clients(s["gov"])[1].patch(url + "change/", {"opinion_days": 20}, format="json").status_code
        == 403
    )
    response = login_clients(s["lead"])[1].patch(
        url + "change/", {"opinion_days": 20, "opinion_departments": ["T-JYJ"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    row = Setup.objects.get()
    assert row.opinion_days == 20 and list(row.opinion_departments.values_list("code", flat=True)) == [
        "T-JYJ"
    ]
    response = login_clients(s["lead"])[1].patch(url + "change/", {"opinion_days": 0}, format="json")
    assert response.status_code == 400
