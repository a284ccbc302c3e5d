"""The certification API, endpoint by endpoint and role by role (enterprise HR, the lead department's officer,
an officer of a department asked for an opinion, an officer of another department, a researcher, a student,
anonymous): the walk-through of an application (claims, documents, submit, accept, opinions, decide), every
refusal answered 400 or 403 with the service's reason in Chinese, what each role sees, the titles and their
revocation, the annual reviews, the incentives ledger, the targets, the public list without login, and the
lists' query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.orgs.factories import EnterpriseFactory, user_with_role
from xiaoqitong.certification.choices import ApplicationStatus, CertificationStatus, ReviewStatus
from xiaoqitong.certification.models import Application, Certification, Criterion, Document, Incentive, Review
from xiaoqitong.certification.services import reviews as review_services
from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role

from .factories import (
    certified,
    claimed_values,
    complete,
    departments,
    draft,
    exe_as_pdf,
    give_opinions,
    hr,
    lead_officer,
    make_certification,
    media_root,  # noqa: F401  (a temporary MEDIA_ROOT)
    meet_municipal,
    officer,
    pdf,
    report,
    set_today,
    submitted,
    under_review,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
BASE = "/api/v1/certification/"
APPLICATIONS = f"{BASE}applications/"
OPINIONS = f"{BASE}opinions/"
DOCUMENTS = f"{BASE}documents/"
CERTIFICATIONS = f"{BASE}certifications/"
REVIEWS = f"{BASE}reviews/"
CRITERIA = f"{BASE}criteria/"
INCENTIVES = f"{BASE}incentives/"
TARGETS = f"{BASE}targets/"
PUBLIC = f"{BASE}public/"


def api(user) -> APIClient:
    return login_clients(user)[1]


def refusal(response) -> str:
    """The Chinese words of a 400 or 403 answer, whatever its keys."""
    data = response.data
    if isinstance(data, dict):
        return " ".join(str(m) for v in data.values() for m in (v if isinstance(v, list) else [v]))
    return " ".join(str(m) for m in data)


class Scene:
    """市发改委 (lead), 市教育局 and 市人社局 each with an officer; an enterprise whose HR applies and whose
    platform records meet the municipal criteria; an officer of an unrelated department, a researcher, a
    student and another enterprise's HR."""

    def __init__(self):
        self.depts = departments()
        self.hr = hr()
        self.enterprise = self.hr.enterprise
        meet_municipal(self.enterprise)
        self.lead = lead_officer()
        self.edu = officer(self.depts["市教育局"])
        self.hrss = officer(self.depts["市人社局"])
        self.other = user_with_role(Role.GOV_OFFICER)
        self.researcher = user_with_role(Role.RESEARCHER)
        self.student = user_with_role(Role.STUDENT)
        self.stranger = hr()


@pytest.fixture
def s():
    return Scene()


# --- criteria -----------------------------------------------------------------------------------------------
def test_criteria_are_read_by_everybody_and_written_by_the_lead_department(s):
    for user in (s.hr, s.student, s.researcher, s.other):
        response = api(user).get(CRITERIA)
        assert response.status_code == 200
        assert response.data["count"] == Criterion.objects.count() == 8
    assert APIClient().get(CRITERIA).status_code == 401
    codes = [row["code"] for row in api(s.hr).get(CRITERIA, {"measure": "claimed"}).data["results"]]
    assert set(codes) == {"investment", "credit"}

    new = {
        "code": "patents",
        "name": "专利授权",
        "measure": "claimed",
        "min_municipal": "1",
        "source": "试行",
    }
    for user in (s.edu, s.other, s.hr, s.student):
        response = api(user).post(CRITERIA, new, format="json")
        assert response.status_code == 403, user.role
        assert "权限" in refusal(response)
    assert not Criterion.objects.filter(code="patents").exists()
    response = api(s.lead).post(CRITERIA, new, format="json")
    assert response.status_code == 201, response.data
    assert response.data["measure_display"] == "企业申报（附证明材料）"
    created = Criterion.objects.get(code="patents")
    assert AuditLog.objects.filter(verb="criterion_create", object_id=str(created.pk)).count() == 1

    response = api(s.edu).patch(f"{CRITERIA}{created.pk}/", {"min_municipal": "3"}, format="json")
    assert response.status_code == 403
    response = api(s.lead).patch(f"{CRITERIA}{created.pk}/", {"min_municipal": "3"}, format="json")
    assert response.status_code == 200 and response.data["min_municipal"] == "3.00"
    # a criterion claims refer to is deactivated, not deleted
    interns = Criterion.objects.get(code="interns")
    application = draft(s.hr)
    from xiaoqitong.certification.services import applications as services

    services.claims_save(actor=s.hr, parent=application, values={interns.pk: (Decimal("5"), "")})
    response = api(s.lead).delete(f"{CRITERIA}{interns.pk}/")
    assert response.status_code == 400 and "请停用而不是删除" in refusal(response)
    assert api(s.lead).delete(f"{CRITERIA}{created.pk}/").status_code == 204
    assert not Criterion.objects.filter(code="patents").exists()


# --- applications: drafts -----------------------------------------------------------------------------------
def test_enterprise_hr_drafts_changes_and_deletes_its_application(s):
    data = {"level": "municipal", "statement": "共建基地", "contact_person": "王", "contact_phone": "0735-1"}
    for user in (s.lead, s.edu, s.researcher, s.student):
        response = api(user).post(APPLICATIONS, data, format="json")
        assert response.status_code == 403, user.role
    assert APIClient().post(APPLICATIONS, data, format="json").status_code == 401
    assert not Application.objects.exists()

    other = EnterpriseFactory()
    client = api(s.hr)
    response = client.post(APPLICATIONS, data | {"enterprise": other.credit_code}, format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["enterprise"] == s.enterprise.credit_code  # HR applies for its own enterprise only
    assert body["year"] == dt.date.today().year and body["status"] == "draft"
    assert body["status_display"] == "草稿" and body["opinions_asked"] == 0 and body["certification"] is None
    pk = body["id"]
    response = client.post(APPLICATIONS, data, format="json")
    assert response.status_code == 400 and "本企业已有一份“草稿”的申请" in refusal(response)

    response = client.patch(f"{APPLICATIONS}{pk}/", {"statement": "共建基地，开设订单班"}, format="json")
    assert response.status_code == 200 and response.data["statement"] == "共建基地，开设订单班"
    # a draft is the enterprise's own: nobody else sees it
    for user in (s.lead, s.edu, s.stranger, s.researcher, s.student):
        assert api(user).get(f"{APPLICATIONS}{pk}/").status_code == 404, user.role
        assert api(user).get(APPLICATIONS).data["count"] == 0, user.role
    assert api(s.stranger).patch(f"{APPLICATIONS}{pk}/", {"statement": "x"}, format="json").status_code == 404
    assert api(s.lead).delete(f"{APPLICATIONS}{pk}/").status_code == 403
    assert client.delete(f"{APPLICATIONS}{pk}/").status_code == 204
    assert not Application.objects.filter(pk=pk).exists()
    assert AuditLog.objects.filter(verb="application_delete", object_id=str(pk)).count() == 1


def test_a_submitted_application_is_no_longer_edited_or_deleted(s):
    application = submitted(s.hr)
    url = f"{APPLICATIONS}{application.pk}/"
    response = api(s.hr).patch(url, {"statement": "改"}, format="json")
    assert response.status_code == 400 and "不能再修改" in refusal(response)
    response = api(s.hr).delete(url)
    assert response.status_code == 400 and "不能再修改" in refusal(response)
    application.refresh_from_db()
    assert application.statement != "改"
    # the lead department reads it, but does not write it
    assert api(s.lead).get(url).status_code == 200
    assert api(s.lead).patch(url, {"statement": "改"}, format="json").status_code == 403


# --- applications: the walk-through -------------------------------------------------------------------------
def test_claims_documents_and_submission(s):
    application = draft(s.hr)
    client = api(s.hr)
    claims = f"{APPLICATIONS}{application.pk}/claims/"
    lines = {line["criterion"]: line for line in client.get(claims).data}
    assert len(lines) == 8
    assert lines["interns"]["computed"] == "20" and lines["interns"]["met"] is True
    assert lines["investment"]["computed"] is None and lines["investment"]["claimed"] is None
    assert lines["investment"]["met"] is False and lines["investment"]["threshold"] == "50"

    response = client.post(f"{APPLICATIONS}{application.pk}/submit/")
    assert response.status_code == 400 and "申请材料不完整" in refusal(response)

    response = client.put(claims, {"claims": [{"criterion": "nope", "value": "1"}]}, format="json")
    assert response.status_code == 400 and "找不到代码为“nope”的认定条件" in refusal(response)
    response = client.put(claims, {"claims": [{"criterion": "investment", "value": "-1"}]}, format="json")
    assert response.status_code == 400 and "不能为负数" in refusal(response)
    body = {
        "claims": [
            {"criterion": "investment", "value": "120", "note": "近三年投入"},
            {"criterion": "credit", "value": "1"},
            {"criterion": "interns", "value": "22"},
        ]
    }
    response = client.put(claims, body, format="json")
    assert response.status_code == 200, response.data
    lines = {line["criterion"]: line for line in response.data}
    assert lines["investment"]["claimed"] == "120" and lines["investment"]["note"] == "近三年投入"
    assert lines["interns"]["differs"] is True  # 22 claimed, 20 on the platform
    # the lead department may read the evidence of a submitted application, never write it
    assert api(s.lead).get(claims).status_code == 404  # a draft: not yet theirs to see
    assert api(s.stranger).put(claims, body, format="json").status_code == 404

    documents = f"{APPLICATIONS}{application.pk}/documents/"
    response = client.post(documents, {"file": exe_as_pdf(), "title": "信用报告"}, format="multipart")
    assert response.status_code == 400 and "可执行程序" in refusal(response)
    response = client.post(documents, {"file": pdf(), "criterion": "nope"}, format="multipart")
    assert response.status_code == 400 and "找不到代码为“nope”的认定条件" in refusal(response)
    for code in ("investment", "credit"):
        response = client.post(documents, {"file": pdf(), "criterion": code}, format="multipart")
        assert response.status_code == 201, response.data
    assert response.data["criterion"] == "credit" and response.data["title"] == "信用记录良好证明材料"
    assert response.data["download"] == f"{DOCUMENTS}{response.data['id']}/download/"
    listed = client.get(documents).data
    assert [d["criterion"] for d in listed] == ["investment", "credit"]

    response = client.post(f"{APPLICATIONS}{application.pk}/submit/")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "submitted" and response.data["checklist"]["interns"]["met"] is True
    response = client.put(claims, body, format="json")
    assert response.status_code == 400 and "不能再修改" in refusal(response)
    response = api(s.lead).put(claims, body, format="json")
    assert response.status_code == 403 and "人事账号" in refusal(response)
    assert api(s.lead).get(claims).status_code == 200


def test_accept_opinions_and_certify(s, django_capture_on_commit_callbacks):
    application = submitted(s.hr)
    url = f"{APPLICATIONS}{application.pk}/"
    accept = {
        "departments": [s.depts["市教育局"].code],
        "opinions_due": str(dt.date.today() + dt.timedelta(7)),
    }
    for user in (s.hr, s.other, s.edu):
        response = api(user).post(f"{url}accept/", accept, format="json")
        assert response.status_code in (403, 404), user.role
    response = api(s.hr).post(f"{url}accept/", accept, format="json")
    assert response.status_code == 403 and "认定申请由牵头部门" in refusal(response)
    response = api(s.lead).post(f"{url}accept/", {"departments": ["NOPE"]}, format="json")
    assert response.status_code == 400 and "找不到代码为“NOPE”的政府部门" in refusal(response)
    response = api(s.lead).post(f"{url}accept/", {"opinions_due": "2000-01-01"}, format="json")
    assert response.status_code == 400 and "不能早于今天" in refusal(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(s.lead).post(f"{url}accept/", accept, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "under_review" and response.data["opinions_asked"] == 1
    response = api(s.lead).post(f"{url}accept/", accept, format="json")
    assert response.status_code == 400 and "不能受理" in refusal(response)

    # the asked department reads it now; 市人社局 not yet, another department never
    assert api(s.edu).get(url).status_code == 200
    assert api(s.hrss).get(url).status_code == 404
    assert api(s.other).get(url).status_code == 404
    hrss = {"department": s.depts["市人社局"].code}
    response = api(s.edu).post(f"{url}request-opinion/", hrss, format="json")
    assert response.status_code == 403 and "牵头部门" in refusal(response)
    response = api(s.lead).post(f"{url}request-opinion/", hrss, format="json")
    assert response.status_code == 200 and response.data["opinions_asked"] == 2
    response = api(s.lead).post(f"{url}request-opinion/", hrss, format="json")
    assert response.status_code == 400 and "已向" in refusal(response)
    assert api(s.hrss).get(url).status_code == 200

    # opinions: officers of the asked departments their own, the lead department all, nobody else
    assert api(s.lead).get(OPINIONS).data["count"] == 2
    mine = api(s.edu).get(OPINIONS).data
    assert mine["count"] == 1 and mine["results"][0]["department"] == s.depts["市教育局"].code
    assert (
        mine["results"][0]["pending"] is True and mine["results"][0]["enterprise"] == s.enterprise.credit_code
    )
    assert api(s.other).get(OPINIONS).data["count"] == 0
    for user in (s.hr, s.researcher, s.student):
        assert api(user).get(OPINIONS).status_code == 403, user.role
    assert APIClient().get(OPINIONS).status_code == 401
    edu_opinion = mine["results"][0]["id"]
    give = f"{OPINIONS}{edu_opinion}/give/"
    response = api(s.lead).post(give, {"stance": "agree"}, format="json")
    assert response.status_code == 403 and "意见由测试市教育局的工作人员出具" in refusal(response)
    assert api(s.hrss).post(give, {"stance": "agree"}, format="json").status_code == 404
    response = api(s.edu).post(give, {"stance": "disagree", "text": ""}, format="json")
    assert response.status_code == 400 and "请写明理由" in refusal(response)
    response = api(s.edu).post(give, {"stance": "maybe"}, format="json")
    assert response.status_code == 400 and "stance" in response.data

    response = api(s.lead).post(f"{url}decide/", {"decision": "certify"}, format="json")
    assert response.status_code == 400 and "尚有部门未出具意见" in refusal(response)
    response = api(s.edu).post(give, {"stance": "agree", "text": "同意"}, format="json")
    assert response.status_code == 200 and response.data["stance_display"] == "同意认定"
    assert api(s.lead).get(OPINIONS, {"pending": "true"}).data["count"] == 1
    hrss_opinion = api(s.hrss).get(OPINIONS).data["results"][0]["id"]
    api(s.hrss).post(f"{OPINIONS}{hrss_opinion}/give/", {"stance": "agree"}, format="json")
    # the enterprise sees how many opinions are in, not what they say
    seen = api(s.hr).get(url).data
    assert (seen["opinions_given"], seen["opinions_asked"]) == (2, 2)

    decision = {"decision": "certify", "document_ref": "郴发改〔2026〕9号"}
    for user in (s.hr, s.edu):
        response = api(user).post(f"{url}decide/", decision, format="json")
        assert response.status_code == 403 and "牵头部门" in refusal(response)
    response = api(s.lead).post(f"{url}decide/", {"decision": "promote"}, format="json")
    assert response.status_code == 400 and "decision" in response.data
    with django_capture_on_commit_callbacks(execute=True):
        response = api(s.lead).post(f"{url}decide/", decision, format="json")
    assert response.status_code == 200, response.data
    certification = Certification.objects.get(enterprise=s.enterprise)
    assert response.data["status"] == "certified" and response.data["certification"] == certification.number
    assert certification.document_ref == "郴发改〔2026〕9号"
    response = api(s.hr).post(f"{url}withdraw/")
    assert response.status_code == 400 and "不能撤回" in refusal(response)


def test_return_reject_and_withdraw(s):
    application = under_review(s.hr, s.lead)
    url = f"{APPLICATIONS}{application.pk}/"
    response = api(s.lead).post(f"{url}decide/", {"decision": "return", "note": ""}, format="json")
    assert response.status_code == 400 and "请填写审核意见" in refusal(response)
    response = api(s.lead).post(
        f"{url}decide/", {"decision": "return", "note": "补充审计报告"}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "returned"
    assert response.data["decision_note"] == "补充审计报告"
    # returned: the enterprise edits and withdraws it
    assert api(s.hr).patch(url, {"statement": "补充后"}, format="json").status_code == 200
    assert api(s.stranger).post(f"{url}withdraw/").status_code == 404
    response = api(s.lead).post(f"{url}withdraw/")
    assert response.status_code == 403 and "只有申报企业可以撤回申请" in refusal(response)
    response = api(s.hr).post(f"{url}withdraw/")
    assert response.status_code == 200 and response.data["status"] == "withdrawn"

    other = hr()
    meet_municipal(other.enterprise)
    application = submitted(other)
    url = f"{APPLICATIONS}{application.pk}/"
    response = api(s.lead).post(f"{url}decide/", {"decision": "reject", "note": "不符合条件"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "rejected"
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.REJECTED


def test_applications_are_filtered_and_listed_without_a_query_per_row(s):
    lead = api(s.lead)
    submitted(s.hr)
    with CaptureQueriesContext(connection) as few:
        assert lead.get(APPLICATIONS).data["count"] == 1
    for _ in range(4):
        applicant = hr()
        under_review(applicant, s.lead)
    with CaptureQueriesContext(connection) as many:
        response = lead.get(APPLICATIONS)
    assert response.data["count"] == 5
    assert len(many) == len(few), "the application list runs a query per row"
    assert lead.get(APPLICATIONS, {"status": "submitted"}).data["count"] == 1
    assert lead.get(APPLICATIONS, {"q": s.enterprise.credit_code}).data["count"] == 1
    edu = api(s.edu)
    assert edu.get(APPLICATIONS).data["count"] == 4
    assert edu.get(APPLICATIONS, {"opinion": "pending"}).data["count"] == 4
    row = edu.get(APPLICATIONS).data["results"][0]
    assert (row["opinions_asked"], row["opinions_given"]) == (2, 0)  # not narrowed to the caller's own
    assert api(s.hr).get(APPLICATIONS).data["count"] == 1
    for user in (s.other, s.researcher, s.student, s.stranger):
        assert api(user).get(APPLICATIONS).data["count"] == 0, user.role
    with CaptureQueriesContext(connection) as opinions:
        assert lead.get(OPINIONS).data["count"] == 8
    give_opinions(Application.objects.filter(status="under_review").first())
    with CaptureQueriesContext(connection) as more:
        assert lead.get(OPINIONS).data["count"] == 8
    assert len(more) == len(opinions)


# --- documents ----------------------------------------------------------------------------------------------
def test_documents_are_downloaded_and_deleted_within_their_scope(s):
    application = submitted(s.hr)
    document = application.documents.first()
    url = f"{DOCUMENTS}{document.pk}/"
    for user in (s.hr, s.lead):
        response = api(user).get(f"{url}download/")
        assert response.status_code == 200, user.role
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
    for user in (s.stranger, s.other, s.edu, s.researcher, s.student):
        assert api(user).get(f"{url}download/").status_code == 404, user.role
        assert api(user).get(DOCUMENTS).data["count"] == 0, user.role
    assert APIClient().get(f"{url}download/").status_code == 401
    listed = api(s.lead).get(DOCUMENTS, {"application": application.pk}).data
    assert listed["count"] == 2
    assert api(s.lead).get(DOCUMENTS, {"application": "x"}).status_code == 400

    response = api(s.lead).delete(url)
    assert response.status_code == 403 and "人事账号" in refusal(response)
    response = api(s.hr).delete(url)
    assert response.status_code == 400 and "不能再修改" in refusal(response)
    other = hr()
    drafted = draft(other)
    upload = api(other).post(f"{APPLICATIONS}{drafted.pk}/documents/", {"file": pdf()}, format="multipart")
    assert upload.status_code == 201
    assert api(other).delete(f"{DOCUMENTS}{upload.data['id']}/").status_code == 204
    assert not Document.objects.filter(pk=upload.data["id"]).exists()
    assert Document.objects.filter(pk=document.pk).exists()


# --- titles -------------------------------------------------------------------------------------------------
def test_certifications_are_read_by_everybody_and_revoked_by_the_lead_department(s):
    held = make_certification(s.enterprise)
    make_certification(EnterpriseFactory(), status=CertificationStatus.REVOKED, ended_on=dt.date(2026, 6, 1))
    for user in (s.hr, s.student, s.researcher, s.other):
        response = api(user).get(CERTIFICATIONS)
        assert response.status_code == 200 and response.data["count"] == 2, user.role
    assert APIClient().get(CERTIFICATIONS).status_code == 401
    response = api(s.student).get(CERTIFICATIONS, {"held": "true"})
    assert [row["number"] for row in response.data["results"]] == [held.number]
    row = response.data["results"][0]
    assert (
        row["enterprise"] == s.enterprise.credit_code
        and row["held"] is True
        and row["level_display"] == "市级"
    )
    assert api(s.student).get(CERTIFICATIONS, {"status": "revoked"}).data["count"] == 1
    assert api(s.student).post(CERTIFICATIONS, {}, format="json").status_code in (403, 405)

    revoke = f"{CERTIFICATIONS}{held.pk}/revoke/"
    for user in (s.hr, s.edu, s.other, s.student):
        response = api(user).post(revoke, {"note": "严重失信"}, format="json")
        assert response.status_code == 403 and "称号由牵头部门" in refusal(response), user.role
    response = api(s.lead).post(revoke, {"note": ""}, format="json")
    assert response.status_code == 400 and "请写明撤销理由" in refusal(response)
    response = api(s.lead).post(revoke, {"note": "严重失信"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "revoked"
    assert response.data["status_note"] == "严重失信"
    response = api(s.lead).post(revoke, {"note": "再撤"}, format="json")
    assert response.status_code == 400 and "已撤销" in refusal(response)


def test_certification_list_has_no_query_per_row(s):
    client = api(s.student)
    make_certification(s.enterprise)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CERTIFICATIONS).data["count"] == 1
    for _ in range(5):
        make_certification(EnterpriseFactory())
    with CaptureQueriesContext(connection) as many:
        assert client.get(CERTIFICATIONS).data["count"] == 6
    assert len(many) == len(few)


# --- annual reviews -----------------------------------------------------------------------------------------
@pytest.fixture
def review(monkeypatch):
    """A title certified on 2026-03-02 and its first annual review, open on 2027-01-05 (the clock left
    there)."""
    applicant, lead, _certification = certified(monkeypatch)
    set_today(monkeypatch, dt.date(2027, 1, 5))
    (opened,) = review_services.reviews_open()
    return applicant, lead, opened


def test_reviews_are_read_in_scope_reported_and_decided(s, review):
    applicant, lead, row = review
    url = f"{REVIEWS}{row.pk}/"
    assert api(applicant).get(REVIEWS).data["count"] == 1
    assert api(s.hr).get(REVIEWS).data["count"] == 0  # another enterprise
    for user in (lead, s.other, s.researcher):
        assert api(user).get(REVIEWS).data["count"] == 1, user.role
    assert api(s.student).get(REVIEWS).status_code == 403
    assert APIClient().get(REVIEWS).status_code == 401
    assert api(s.hr).get(url).status_code == 404
    data = api(applicant).get(url).data
    assert data["status"] == "open" and data["deadline"] == "2027-03-02" and data["kind"] == "annual"

    response = api(applicant).post(f"{url}report/", {"self_report": "年度自评"}, format="json")
    assert response.status_code == 400 and "考核材料不完整" in refusal(response)
    claims = [{"criterion": code, "value": v} for code, v in (("investment", "150"), ("credit", "1"))]
    response = api(lead).put(f"{url}claims/", {"claims": claims}, format="json")
    assert response.status_code == 403 and "年度考核材料由企业的人事账号报送" in refusal(response)
    response = api(applicant).post(f"{url}claims/", {"claims": claims}, format="json")
    assert response.status_code == 200
    assert {x["criterion"]: x["claimed"] for x in response.data}["investment"] == "150"
    for code in ("investment", "credit"):
        response = api(applicant).post(
            f"{url}documents/",
            {"file": pdf(), "criterion": code, "title": f"{code} 证明"},
            format="multipart",
        )
        assert response.status_code == 201
    assert len(api(lead).get(f"{url}documents/").data) == 2
    response = api(lead).post(f"{url}report/", {"self_report": "年度自评"}, format="json")
    assert response.status_code == 403
    response = api(applicant).post(f"{url}report/", {"self_report": ""}, format="json")
    assert response.status_code == 400 and "请填写年度自评报告" in refusal(response)
    response = api(applicant).post(f"{url}report/", {"self_report": "接收实习学生 20 人"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "submitted"

    decide = f"{url}decide/"
    for user in (applicant, s.edu, s.researcher):
        response = api(user).post(decide, {"outcome": "passed"}, format="json")
        assert response.status_code == 403 and "牵头部门" in refusal(response), user.role
    response = api(lead).post(decide, {"outcome": "rectification", "note": ""}, format="json")
    assert response.status_code == 400 and "请写明考核意见" in refusal(response)
    response = api(lead).post(decide, {"outcome": "excellent"}, format="json")
    assert response.status_code == 400 and "outcome" in response.data
    response = api(lead).post(
        decide,
        {"outcome": "rectification", "note": "实习管理不规范", "rectification_deadline": "2027-04-30"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "rectification" and response.data["deadline"] == "2027-04-30"
    assert Certification.objects.get(pk=row.certification_id).status == CertificationStatus.RECTIFICATION
    response = api(lead).post(decide, {"outcome": "passed"}, format="json")
    assert response.status_code == 400 and "只有企业已报送的考核" in refusal(response)

    report(Review.objects.get(pk=row.pk), applicant, "已整改")
    response = api(lead).post(decide, {"outcome": "passed", "note": "整改到位"}, format="json")
    assert response.status_code == 200 and response.data["status"] == ReviewStatus.PASSED
    assert Certification.objects.get(pk=row.certification_id).status == CertificationStatus.ACTIVE


def test_review_list_has_no_query_per_row(s, review):
    client = api(s.researcher)
    with CaptureQueriesContext(connection) as few:
        assert client.get(REVIEWS).data["count"] == 1
    for _ in range(4):
        certification = make_certification(EnterpriseFactory(), on=dt.date(2026, 2, 1))
        Review.objects.create(
            certification=certification, sequence=1, year=2027, due_date=dt.date(2027, 2, 1)
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(REVIEWS).data["count"] == 5
    assert len(many) == len(few)


# --- incentives ---------------------------------------------------------------------------------------------
def _incentive(s, **extra):
    return {
        "enterprise": s.enterprise.credit_code,
        "year": 2026,
        "kind": "fiscal",
        "title": "学徒培训补贴",
        "amount": "12.5",
        "granted_on": "2026-05-10",
    } | extra


def test_incentives_are_recorded_by_the_granting_department(s):
    for user in (s.hr, s.researcher, s.student):
        response = api(user).post(INCENTIVES, _incentive(s), format="json")
        assert response.status_code == 403, user.role
    assert APIClient().post(INCENTIVES, _incentive(s), format="json").status_code == 401
    # an officer records for their own department, whatever is sent
    response = api(s.hrss).post(INCENTIVES, _incentive(s, department=s.depts["市教育局"].code), format="json")
    assert response.status_code == 201, response.data
    assert response.data["department"] == s.depts["市人社局"].code and response.data["kind_display"] == "财政"
    pk = response.data["id"]
    # the lead department records any department's
    response = api(s.lead).post(
        INCENTIVES,
        _incentive(s, title="贷款贴息", kind="finance", department=s.depts["市教育局"].code),
        format="json",
    )
    assert response.status_code == 201 and response.data["department"] == s.depts["市教育局"].code
    response = api(s.hrss).post(INCENTIVES, _incentive(s), format="json")
    assert response.status_code == 400 and "已经存在" in refusal(response)
    response = api(s.hrss).post(INCENTIVES, _incentive(s, title="x", granted_on="2025-12-31"), format="json")
    assert response.status_code == 400 and "落实日期须在所填年度内" in refusal(response)
    response = api(s.hrss).post(INCENTIVES, _incentive(s, title="x", enterprise="NOPE"), format="json")
    assert response.status_code == 400 and "找不到代码为“NOPE”的企业" in refusal(response)
    other = make_certification(EnterpriseFactory())
    response = api(s.hrss).post(
        INCENTIVES, _incentive(s, title="x", certification=other.number), format="json"
    )
    assert response.status_code == 400 and "所选认定不属于该企业" in refusal(response)

    url = f"{INCENTIVES}{pk}/"
    response = api(s.edu).patch(url, {"amount": "1"}, format="json")
    assert response.status_code == 403
    assert api(s.edu).delete(url).status_code == 403
    assert api(s.hrss).patch(url, {"amount": "15"}, format="json").data["amount"] == "15.00"
    # a change by the lead department that does not name the department keeps it
    response = api(s.lead).patch(url, {"note": "已拨付"}, format="json")
    assert response.status_code == 200 and response.data["department"] == s.depts["市人社局"].code

    # readers: officers and researchers all; the enterprise its own; students nothing
    for user in (s.other, s.researcher, s.lead):
        assert api(user).get(INCENTIVES).data["count"] == 2, user.role
    assert api(s.hr).get(INCENTIVES).data["count"] == 2
    assert api(s.stranger).get(INCENTIVES).data["count"] == 0
    assert api(s.stranger).get(url).status_code == 404
    assert api(s.student).get(INCENTIVES).status_code == 403
    assert api(s.other).get(INCENTIVES, {"department": s.depts["市教育局"].code}).data["count"] == 1
    assert api(s.other).get(INCENTIVES, {"kind": "finance"}).data["count"] == 1
    assert api(s.hrss).delete(url).status_code == 204
    assert not Incentive.objects.filter(pk=pk).exists()


def test_incentive_list_has_no_query_per_row(s):
    client = api(s.researcher)
    held = make_certification(s.enterprise)

    def grant(i):
        return Incentive.objects.create(
            enterprise=s.enterprise,
            certification=held,
            year=2026,
            kind="tax",
            title=f"减免 {i}",
            department=s.depts["市教育局"],
            granted_on=dt.date(2026, 4, 1),
        )

    grant(0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INCENTIVES).data["count"] == 1
    for i in range(1, 6):
        grant(i)
    with CaptureQueriesContext(connection) as many:
        assert client.get(INCENTIVES).data["count"] == 6
    assert len(many) == len(few)


# --- targets ------------------------------------------------------------------------------------------------
def test_targets_for_officers_and_researchers(s):
    make_certification(s.enterprise, on=dt.date(2026, 1, 10))
    for user in (s.other, s.researcher, s.lead):
        response = api(user).get(TARGETS, {"year": 2026})
        assert response.status_code == 200, user.role
    data = response.data
    assert data["year"] == 2026
    assert data["t12"]["total"] == 1 and data["t12"]["municipal"] == 1
    assert data["t12"]["target"] == 30 and data["t12"]["target_year"] == 2025 and data["t12"]["met"] is False
    assert data["t12"]["short"] == 29
    assert {"year": 2026, "count": 1} in [dict(x) for x in data["t12"]["trajectory"]]
    city = data["t2"]["city"]
    assert city["region"] is None and city["region_name"] == "全市"
    assert city["total"] >= 1 and city["deep"] >= 1 and city["certified"] == 1
    assert data["t2"]["target"] == "0.4000" and data["t2"]["min_ways"] == 2
    assert "深度参与" in data["t2"]["definition"] and set(data["t2"]["ways"]) == set(city["by_way"])
    county = next(c for c in data["t2"]["counties"] if c["region"] == s.enterprise.county.code)
    assert county["region_name"] == s.enterprise.county.name and county["certified"] == 1
    for user in (s.hr, s.student):
        response = api(user).get(TARGETS)
        assert response.status_code == 403 and "产教融合指标面向政府部门和研究人员" in refusal(response)
    assert APIClient().get(TARGETS).status_code == 401


# --- the public list ----------------------------------------------------------------------------------------
def test_public_list_without_login(s):
    held = make_certification(s.enterprise)
    make_certification(EnterpriseFactory(), status=CertificationStatus.REVOKED, ended_on=dt.date(2026, 6, 1))
    make_certification(EnterpriseFactory(), level="provincial")
    client = APIClient()
    with CaptureQueriesContext(connection) as few:
        response = client.get(PUBLIC)
    assert response.status_code == 200 and response.data["count"] == 2
    row = next(r for r in response.data["results"] if r["number"] == held.number)
    assert row == {
        "enterprise_name": s.enterprise.name,
        "credit_code": s.enterprise.credit_code,
        "level": "municipal",
        "level_display": "市级",
        "county": s.enterprise.county.code,
        "county_name": s.enterprise.county.name,
        "industry": s.enterprise.industry.name,
        "number": held.number,
        "certified_on": str(held.certified_on),
        "valid_until": str(held.valid_until),
        "status": "active",
        "status_display": "有效",
    }
    # the same rows as the public page
    page = client.get("/public/certified/?export=csv").content.decode("utf-8-sig")
    assert page.count("\n") - 1 == response.data["count"] and held.number in page
    assert client.get(PUBLIC, {"level": "provincial"}).data["count"] == 1
    assert client.get(PUBLIC, {"county": s.enterprise.county.code}).data["count"] == 2
    assert client.get(PUBLIC, {"county": "000000"}).data["count"] == 0
    for _ in range(4):
        make_certification(EnterpriseFactory())
    with CaptureQueriesContext(connection) as many:
        assert client.get(PUBLIC).data["count"] == 6
    assert len(many) == len(few)
    assert client.post(PUBLIC, {}, format="json").status_code == 405


# --- schema -------------------------------------------------------------------------------------------------
def test_schema_describes_the_certification_api(client):
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    schema = client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/certification/applications/{id}/claims/",
        "/api/v1/certification/applications/{id}/request-opinion/",
        "/api/v1/certification/opinions/{id}/give/",
        "/api/v1/certification/documents/{id}/download/",
        "/api/v1/certification/reviews/{id}/decide/",
        "/api/v1/certification/public/",
        "/api/v1/certification/targets/",
    ):
        assert path in schema, path
    assert "CertificationApplication:" in schema  # not merged with enterprises' job applications


def test_claims_body_refuses_duplicates_and_empty_lists(s):
    application = draft(s.hr)
    claims = f"{APPLICATIONS}{application.pk}/claims/"
    response = api(s.hr).put(claims, {"claims": []}, format="json")
    assert response.status_code == 400
    body = {"claims": [{"criterion": "credit", "value": "1"}, {"criterion": "credit", "value": "0"}]}
    response = api(s.hr).put(claims, body, format="json")
    assert response.status_code == 400 and "重复" in refusal(response)
    assert not application.claims.exists()
    complete(application, s.hr, claimed_values())
    assert application.claims.count() == 2


def test_anonymous_callers_get_nothing_but_the_public_list(s):
    application = submitted(s.hr)
    document = application.documents.first()
    client = APIClient()
    for url in (
        APPLICATIONS,
        f"{APPLICATIONS}{application.pk}/",
        f"{APPLICATIONS}{application.pk}/claims/",
        f"{APPLICATIONS}{application.pk}/documents/",
        OPINIONS,
        DOCUMENTS,
        f"{DOCUMENTS}{document.pk}/download/",
        CERTIFICATIONS,
        REVIEWS,
        CRITERIA,
        INCENTIVES,
        TARGETS,
    ):
        assert client.get(url).status_code == 401, url
    for url in ("submit", "withdraw", "accept", "decide"):
        assert client.post(f"{APPLICATIONS}{application.pk}/{url}/").status_code == 401, url
    assert client.get(PUBLIC).status_code == 200


def test_document_and_criterion_lists_have_no_query_per_row(s):
    application = submitted(s.hr)
    lead = api(s.lead)
    with CaptureQueriesContext(connection) as few:
        assert lead.get(DOCUMENTS).data["count"] == 2
        assert lead.get(CRITERIA).data["count"] == 8
    for _ in range(3):
        applicant = hr()
        submitted(applicant)
    Criterion.objects.create(code="extra", name="其他", measure="claimed", source="试行", required=False)
    with CaptureQueriesContext(connection) as many:
        assert lead.get(DOCUMENTS).data["count"] == 8
        assert lead.get(CRITERIA).data["count"] == 9
    assert len(many) == len(few)
    assert lead.get(f"{APPLICATIONS}{application.pk}/documents/").status_code == 200
