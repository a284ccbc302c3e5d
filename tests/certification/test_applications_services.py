"""The application services one by one: drafting, claims and documents, submission, withdrawal, acceptance,
opinions, return, rejection and certification; each service's success with its audit record and its
notifications, and every refusal (role, another enterprise, a non-lead officer, state, missing evidence,
a bad upload, a pending or a held application, a provincial upgrade)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.orgs.factories import DepartmentFactory, user_with_role
from xiaoqitong.certification.choices import (
    ApplicationStatus,
    CertificationStatus,
    DocumentKind,
    Level,
)
from xiaoqitong.certification.models import Application, Certification, Claim, Document, Opinion
from xiaoqitong.certification.services import applications as services
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role

from .factories import (
    START,
    audit_verbs,
    certify,
    claimed_values,
    complete,
    criterion,
    departments,
    docm,
    draft,
    exe_as_pdf,
    give_opinions,
    hr,
    lead_officer,
    make_certification,
    media_root,  # noqa: F401  (a temporary MEDIA_ROOT)
    meet_municipal,
    meet_provincial,
    officer,
    pdf,
    set_today,
    submitted,
    texts,
    under_review,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


class Scene:
    """市发改委 (lead), 市教育局 and 市人社局 with an officer each, an enterprise with HR whose platform
    records meet the municipal criteria, another enterprise's HR and an officer of an unrelated department."""

    def __init__(self):
        self.depts = departments()
        self.hr = hr()
        self.enterprise = self.hr.enterprise
        meet_municipal(self.enterprise, START)
        self.lead = lead_officer()
        self.edu = officer(self.depts["市教育局"])
        self.hrss = officer(self.depts["市人社局"])
        self.other_hr = hr()
        self.stranger = user_with_role(Role.GOV_OFFICER)
        self.mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=self.enterprise)


@pytest.fixture
def s(monkeypatch):
    set_today(monkeypatch, START)
    return Scene()


def opinion_of(application, department) -> Opinion:
    return application.opinions.get(department=department)


# --- drafting ----------------------------------------------------------------------------------------------
def test_hr_drafts_an_application_for_its_own_enterprise(s):
    application = draft(s.hr, status="certified", enterprise=s.other_hr.enterprise, checklist={"x": 1})
    assert application.enterprise == s.enterprise  # managed fields are never taken from the data
    assert (application.status, application.level, application.year) == ("draft", "municipal", 2026)
    assert application.checklist == {}
    log = AuditLog.objects.get(verb="application_create", object_id=str(application.pk))
    assert log.actor == s.hr and log.changes["status"] == [None, "draft"]


def test_a_platform_administrator_drafts_for_a_named_enterprise(s):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    application = services.application_create(
        actor=admin,
        data={"enterprise": s.enterprise, "statement": "代报", "contact_person": "李", "contact_phone": "1"},
    )
    assert application.enterprise == s.enterprise


@pytest.mark.parametrize("role", [Role.GOV_OFFICER, Role.ENTERPRISE_MENTOR, Role.STUDENT, Role.SCHOOL_ADMIN])
def test_only_enterprise_hr_drafts(s, role):
    with pytest.raises(PermissionDenied, match="只有企业人事账号"):
        draft(user_with_role(role))
    assert not Application.objects.exists()


def test_a_second_pending_application_is_refused_until_the_first_is_withdrawn(s):
    first = draft(s.hr)
    with pytest.raises(ValidationError, match="已有一份“草稿”的申请"):
        draft(s.hr)
    with pytest.raises(ValidationError, match="已有一份“草稿”的申请"):
        draft(s.hr, level=Level.PROVINCIAL)
    services.application_withdraw(actor=s.hr, application=first)
    assert draft(s.hr).status == ApplicationStatus.DRAFT
    assert Application.objects.filter(enterprise=s.enterprise).count() == 2


def test_a_submitted_application_also_blocks_another(s):
    submitted(s.hr)
    with pytest.raises(ValidationError, match="已有一份“待受理”的申请"):
        draft(s.hr)


def test_holding_the_title_refuses_the_same_or_a_lower_level(s):
    make_certification(s.enterprise, level=Level.MUNICIPAL)
    with pytest.raises(ValidationError, match=r"已是市级产教融合型企业.*不能重复申请"):
        draft(s.hr)
    assert draft(s.hr, level=Level.PROVINCIAL).level == Level.PROVINCIAL  # the upgrade is open


def test_holding_the_provincial_title_refuses_every_level(s):
    make_certification(s.enterprise, level=Level.PROVINCIAL)
    for level in (Level.MUNICIPAL, Level.PROVINCIAL):
        with pytest.raises(ValidationError, match="已是省级产教融合型企业"):
            draft(s.hr, level=level)


def test_an_expired_title_does_not_block(s):
    make_certification(s.enterprise, status=CertificationStatus.EXPIRED, ended_on=START)
    assert draft(s.hr).pk


def test_hr_updates_its_draft_and_the_update_is_audited(s):
    application = draft(s.hr)
    services.application_update(
        actor=s.hr, instance=application, data={"statement": "新的说明", "status": "certified"}
    )
    application.refresh_from_db()
    assert (application.statement, application.status) == ("新的说明", "draft")
    log = AuditLog.objects.get(verb="application_update", object_id=str(application.pk))
    assert log.actor == s.hr and log.changes["statement"][1] == "新的说明"


def test_update_refusals(s):
    application = draft(s.hr)
    with pytest.raises(PermissionDenied, match="申报企业的人事账号"):
        services.application_update(actor=s.other_hr, instance=application, data={"statement": "x"})
    with pytest.raises(PermissionDenied):
        services.application_update(actor=s.mentor, instance=application, data={"statement": "x"})
    with pytest.raises(PermissionDenied):
        services.application_update(actor=s.lead, instance=application, data={"statement": "x"})
    complete(application, s.hr)
    services.application_submit(actor=s.hr, application=application)
    with pytest.raises(ValidationError, match="申请已待受理，不能再修改"):
        services.application_update(actor=s.hr, instance=application, data={"statement": "x"})


def test_changing_the_level_to_one_already_held_is_refused(s):
    make_certification(s.enterprise, level=Level.MUNICIPAL)
    application = draft(s.hr, level=Level.PROVINCIAL)
    with pytest.raises(ValidationError, match="不能重复申请同级或更低级别"):
        services.application_update(actor=s.hr, instance=application, data={"level": Level.MUNICIPAL})
    application.refresh_from_db()
    assert application.level == Level.PROVINCIAL


def test_hr_deletes_a_draft_never_submitted(s):
    application = draft(s.hr)
    pk = application.pk
    services.application_delete(actor=s.hr, instance=application)
    assert not Application.objects.filter(pk=pk).exists()
    assert AuditLog.objects.filter(verb="application_delete", object_id=str(pk), actor=s.hr).count() == 1


def test_delete_refusals(s):
    application = draft(s.hr)
    with pytest.raises(PermissionDenied):
        services.application_delete(actor=s.other_hr, instance=application)
    complete(application, s.hr)
    services.application_submit(actor=s.hr, application=application)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.application_delete(actor=s.hr, instance=application)
    services.application_return(actor=s.lead, application=application, note="请补充投入凭证")
    with pytest.raises(ValidationError, match="已提交过的申请不能删除"):
        services.application_delete(actor=s.hr, instance=application)
    assert Application.objects.filter(pk=application.pk).exists()


# --- claims ------------------------------------------------------------------------------------------------
def test_claims_are_upserted_with_one_audit_record_per_change(s):
    application = draft(s.hr)
    investment = criterion("investment")
    services.claims_save(actor=s.hr, parent=application, values={investment.pk: (Decimal("80"), " 审计 ")})
    claim = Claim.objects.get(application=application, criterion=investment)
    assert (claim.value, claim.note) == (Decimal("80"), "审计")
    log = AuditLog.objects.get(verb="claims_save", object_id=str(application.pk))
    assert log.changes == {"investment": [None, "80"]}
    services.claims_save(actor=s.hr, parent=application, values={investment.pk: (Decimal("95"), "审计")})
    assert Claim.objects.get(application=application, criterion=investment).value == Decimal("95")
    assert Claim.objects.filter(application=application).count() == 1
    # the same figures again change nothing and write nothing
    services.claims_save(actor=s.hr, parent=application, values={investment.pk: (Decimal("95"), "审计")})
    assert AuditLog.objects.filter(verb="claims_save", object_id=str(application.pk)).count() == 2


def test_a_negative_claim_is_refused_and_nothing_is_saved(s):
    application = draft(s.hr)
    credit, investment = criterion("credit"), criterion("investment")
    with pytest.raises(ValidationError) as error:
        services.claims_save(
            actor=s.hr,
            parent=application,
            values={credit.pk: (Decimal("1"), ""), investment.pk: (Decimal("-5"), "")},
        )
    assert "不能为负数" in error.value.message_dict["investment"][0]
    assert not Claim.objects.filter(application=application).exists()
    assert not AuditLog.objects.filter(verb="claims_save").exists()


def test_a_claim_on_an_inactive_criterion_is_refused(s):
    application = draft(s.hr)
    investment = criterion("investment")
    investment.active = False
    investment.save(update_fields=["active"])
    with pytest.raises(ValidationError, match="条件不存在或已停用"):
        services.claims_save(actor=s.hr, parent=application, values={investment.pk: (Decimal("1"), "")})


def test_claims_refusals_by_role_enterprise_and_state(s):
    application = draft(s.hr)
    values = claimed_values()
    with pytest.raises(PermissionDenied):
        services.claims_save(actor=s.other_hr, parent=application, values=values)
    with pytest.raises(PermissionDenied):
        services.claims_save(actor=s.lead, parent=application, values=values)
    complete(application, s.hr)
    services.application_submit(actor=s.hr, application=application)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.claims_save(actor=s.hr, parent=application, values=values)


# --- documents ---------------------------------------------------------------------------------------------
def test_a_document_is_stored_with_its_size_and_audited(s, settings):
    application = draft(s.hr)
    investment = criterion("investment")
    document = services.document_add(
        actor=s.hr, parent=application, title="", upload=pdf(), criterion=investment
    )
    assert document.title == "近三年投入职业教育资金证明材料"  # named after its criterion when untitled
    assert (document.kind, document.application, document.review) == (
        DocumentKind.APPLICATION,
        application,
        None,
    )
    assert document.uploaded_by == s.hr and document.file_size == len(pdf().read())
    assert Path(document.file.path).read_bytes() == pdf().read()
    assert Path(document.file.path).is_relative_to(settings.MEDIA_ROOT)
    log = AuditLog.objects.get(verb="document_add", object_id=str(document.pk))
    assert log.actor == s.hr and log.changes["title"] == [None, document.title]
    plain = services.document_add(actor=s.hr, parent=application, title="", upload=pdf("营业执照.pdf"))
    assert plain.title == "营业执照" and plain.criterion is None


@pytest.mark.parametrize(
    ("upload", "message"),
    [(exe_as_pdf, "可执行程序"), (docm, "含宏的 Office 文件")],
    ids=["exe-renamed-pdf", "macro-docm"],
)
def test_a_bad_upload_is_refused(s, upload, message):
    application = draft(s.hr)
    with pytest.raises(ValidationError) as error:
        services.document_add(actor=s.hr, parent=application, title="材料", upload=upload())
    assert message in error.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_documents_refusals_by_enterprise_and_state(s):
    application = draft(s.hr)
    with pytest.raises(PermissionDenied):
        services.document_add(actor=s.other_hr, parent=application, title="x", upload=pdf())
    document = services.document_add(actor=s.hr, parent=application, title="x", upload=pdf())
    with pytest.raises(PermissionDenied):
        services.document_delete(actor=s.other_hr, document=document)
    complete(application, s.hr)
    services.application_submit(actor=s.hr, application=application)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.document_add(actor=s.hr, parent=application, title="x", upload=pdf())
    with pytest.raises(ValidationError, match="不能再修改"):
        services.document_delete(actor=s.hr, document=document)
    assert Document.objects.filter(pk=document.pk).exists()


def test_deleting_a_document_removes_its_file_once_committed(s, django_capture_on_commit_callbacks):
    application = draft(s.hr)
    document = services.document_add(actor=s.hr, parent=application, title="x", upload=pdf())
    path = Path(document.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=s.hr, document=document)
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not path.exists()
    assert AuditLog.objects.filter(verb="document_delete", object_id=str(document.pk)).count() == 1


# --- submission --------------------------------------------------------------------------------------------
def test_submitting_without_claims_or_documents_lists_what_is_missing(s):
    application = draft(s.hr)
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=s.hr, application=application)
    message = error.value.messages[0]
    for text in (
        "请填写“近三年投入职业教育资金”的申报值",
        "请填写“信用记录良好”的申报值",
        "请上传“近三年投入职业教育资金”的证明材料",
        "请上传“信用记录良好”的证明材料",
    ):
        assert text in message
    services.claims_save(actor=s.hr, parent=application, values=claimed_values())
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=s.hr, application=application)
    assert (
        "申报值" not in error.value.messages[0]
        and "请上传“信用记录良好”的证明材料" in error.value.messages[0]
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT and application.submitted_at is None


def test_a_claim_left_empty_counts_as_missing(s):
    application = draft(s.hr)
    values = claimed_values()
    values[criterion("investment").pk] = (None, "待审计")
    complete(application, s.hr, values)
    with pytest.raises(ValidationError, match="请填写“近三年投入职业教育资金”的申报值"):
        services.application_submit(actor=s.hr, application=application)


def test_submission_keeps_the_checklist_and_tells_the_lead_department(s, django_capture_on_commit_callbacks):
    application = draft(s.hr)
    complete(application, s.hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=s.hr, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_by == s.hr and application.submitted_at is not None
    assert application.checklist["interns"] == {
        "name": "年接收实习学生",
        "computed": "20",
        "claimed": None,
        "threshold": "20",
        "met": True,
        "required": True,
        "documents": 0,
    }
    assert application.checklist["investment"]["claimed"] == "120"
    assert application.checklist["investment"]["documents"] == 1
    assert audit_verbs(application)[-1] == "application_submit"
    (text,) = texts(s.lead)
    assert s.enterprise.name in text and "市级产教融合型企业认定申请" in text
    assert texts(s.edu) == [] and texts(s.hr) == []


def test_submission_refusals(s):
    application = draft(s.hr)
    complete(application, s.hr)
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=s.other_hr, application=application)
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=s.mentor, application=application)
    services.application_submit(actor=s.hr, application=application)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.application_submit(actor=s.hr, application=application)


def test_a_computed_figure_below_its_threshold_does_not_block_submission(s):
    """Submission checks completeness only; whether the criteria are met is the lead department's call."""
    other = hr()
    application = submitted(other)
    assert application.checklist["interns"]["met"] is False


# --- withdrawal --------------------------------------------------------------------------------------------
def test_withdrawing_a_submitted_application_tells_the_lead_department(s, django_capture_on_commit_callbacks):
    application = submitted(s.hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(actor=s.hr, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert audit_verbs(application)[-1] == "application_withdraw"
    assert any("撤回了产教融合型企业认定申请" in t for t in texts(s.lead))


def test_withdrawing_a_draft_tells_nobody(s, django_capture_on_commit_callbacks):
    application = draft(s.hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(actor=s.hr, application=application)
    assert texts(s.lead) == []


def test_withdraw_refusals(s):
    application = under_review(s.hr, s.lead)
    with pytest.raises(PermissionDenied, match="只有申报企业可以撤回"):
        services.application_withdraw(actor=s.other_hr, application=application)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=s.lead, application=application)
    give_opinions(application)
    services.application_certify(actor=s.lead, application=application)
    with pytest.raises(ValidationError, match="申请当前状态为“已认定”，不能撤回"):
        services.application_withdraw(actor=s.hr, application=application)


# --- acceptance and opinions -------------------------------------------------------------------------------
def test_accepting_asks_the_default_departments_and_tells_everyone(s, django_capture_on_commit_callbacks):
    application = submitted(s.hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(actor=s.lead, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.accepted_at is not None
    assert application.opinions_due == START + dt.timedelta(days=15)
    assert {o.department.short_name for o in application.opinions.all()} == {"市教育局", "市人社局"}
    assert all(o.pending for o in application.opinions.all())
    assert audit_verbs(application)[-1] == "application_accept"
    for asked in (s.edu, s.hrss):
        (text,) = texts(asked)
        assert "请对" in text and "2026-03-17" in text
    assert texts(s.stranger) == []
    assert texts(s.hr) == ["您的产教融合型企业认定申请已受理，正在审核。"]


def test_accepting_with_named_departments_and_due_date(s):
    application = submitted(s.hr)
    finance = DepartmentFactory(name="测试市财政局")
    services.application_accept(
        actor=s.lead,
        application=application,
        departments=[finance, s.depts["市发改委"]],
        opinions_due=START + dt.timedelta(days=5),
    )
    application.refresh_from_db()
    assert application.opinions_due == dt.date(2026, 3, 7)
    assert [o.department for o in application.opinions.all()] == [finance]  # never the lead department itself


def test_accept_refusals(s):
    application = draft(s.hr)
    with pytest.raises(ValidationError, match="申请当前状态为“草稿”，不能受理"):
        services.application_accept(actor=s.lead, application=application)
    complete(application, s.hr)
    services.application_submit(actor=s.hr, application=application)
    for actor in (s.edu, s.stranger, s.hr):
        with pytest.raises(PermissionDenied, match="由牵头部门（测试市发展和改革委员会）受理"):
            services.application_accept(actor=actor, application=application)
    with pytest.raises(ValidationError) as error:
        services.application_accept(
            actor=s.lead, application=application, opinions_due=START - dt.timedelta(days=1)
        )
    assert error.value.message_dict["opinions_due"] == ["征求意见截止日期不能早于今天。"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and not application.opinions.exists()
    services.application_accept(actor=s.lead, application=application)
    with pytest.raises(ValidationError, match="不能受理"):
        services.application_accept(actor=s.lead, application=application)


def test_a_platform_administrator_acts_as_the_lead_department(s):
    application = submitted(s.hr)
    admin = user_with_role(Role.PLATFORM_ADMIN)
    services.application_accept(actor=admin, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW


def test_the_lead_department_asks_one_more_department(s, django_capture_on_commit_callbacks):
    application = under_review(s.hr, s.lead)
    finance = DepartmentFactory(name="测试市财政局")
    finance_officer = officer(finance)
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.opinion_request(actor=s.lead, application=application, department=finance)
    assert opinion.pending and opinion.department == finance
    assert application.opinions.count() == 3
    log = AuditLog.objects.get(verb="opinion_request", object_id=str(opinion.pk))
    assert log.actor == s.lead and log.changes == {"department": [None, finance.pk]}
    (text,) = texts(finance_officer)
    assert "请对" in text and s.enterprise.name in text


def test_opinion_request_refusals(s):
    application = submitted(s.hr)
    finance = DepartmentFactory(name="测试市财政局")
    with pytest.raises(ValidationError, match="不能征求意见"):
        services.opinion_request(actor=s.lead, application=application, department=finance)
    services.application_accept(actor=s.lead, application=application)
    with pytest.raises(PermissionDenied):
        services.opinion_request(actor=s.edu, application=application, department=finance)
    with pytest.raises(ValidationError, match="牵头部门无需向自己征求意见"):
        services.opinion_request(actor=s.lead, application=application, department=s.depts["市发改委"])
    with pytest.raises(ValidationError, match="已向测试市教育局征求过意见"):
        services.opinion_request(actor=s.lead, application=application, department=s.depts["市教育局"])
    assert application.opinions.count() == 2


def test_an_asked_department_gives_its_opinion(s, django_capture_on_commit_callbacks):
    application = under_review(s.hr, s.lead)
    opinion = opinion_of(application, s.depts["市教育局"])
    with django_capture_on_commit_callbacks(execute=True):
        services.opinion_give(actor=s.edu, opinion=opinion, stance="agree", text="")
    opinion.refresh_from_db()
    assert (opinion.stance, opinion.given_by, opinion.pending) == ("agree", s.edu, False)
    assert audit_verbs(opinion) == ["opinion_give"]
    assert any("测试市教育局对" in t and "同意认定" in t for t in texts(s.lead))
    # revised while the application is under review
    services.opinion_give(actor=s.edu, opinion=opinion, stance="conditional", text="  请补充导师名单  ")
    opinion.refresh_from_db()
    assert (opinion.stance, opinion.text) == ("conditional", "请补充导师名单")


@pytest.mark.parametrize("stance", ["disagree", "conditional"])
def test_a_disagreement_or_reservation_says_why(s, stance):
    application = under_review(s.hr, s.lead)
    opinion = opinion_of(application, s.depts["市教育局"])
    with pytest.raises(ValidationError) as error:
        services.opinion_give(actor=s.edu, opinion=opinion, stance=stance, text="   ")
    assert error.value.message_dict["text"] == ["不同意或有保留意见时，请写明理由。"]
    opinion.refresh_from_db()
    assert opinion.pending


@pytest.mark.parametrize("stance", ["", "maybe"])
def test_a_blank_or_unknown_stance_is_refused(s, stance):
    application = under_review(s.hr, s.lead)
    opinion = opinion_of(application, s.depts["市教育局"])
    with pytest.raises(ValidationError) as error:
        services.opinion_give(actor=s.edu, opinion=opinion, stance=stance, text="理由")
    assert "stance" in error.value.message_dict
    opinion.refresh_from_db()
    assert opinion.pending and opinion.given_by is None


def test_opinion_give_refusals(s):
    application = under_review(s.hr, s.lead)
    opinion = opinion_of(application, s.depts["市教育局"])
    for actor in (s.hrss, s.lead, s.stranger, s.hr):
        with pytest.raises(PermissionDenied, match="意见由测试市教育局的工作人员出具"):
            services.opinion_give(actor=actor, opinion=opinion, stance="agree", text="")
    services.application_return(actor=s.lead, application=application, note="请补充材料")
    with pytest.raises(ValidationError, match="申请当前状态为“退回补充”，不能出具意见"):
        services.opinion_give(actor=s.edu, opinion=opinion, stance="agree", text="")


# --- return, rejection -------------------------------------------------------------------------------------
def test_a_returned_application_is_edited_and_submitted_again(s, django_capture_on_commit_callbacks):
    application = under_review(s.hr, s.lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return(actor=s.lead, application=application, note="  请补充投入凭证  ")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED
    assert (application.decision_note, application.decided_by) == ("请补充投入凭证", s.lead)
    assert audit_verbs(application)[-1] == "application_return"
    assert texts(s.hr)[-1] == "认定申请被退回补充：请补充投入凭证"
    services.application_update(actor=s.hr, instance=application, data={"statement": "补充后的说明"})
    services.application_submit(actor=s.hr, application=application)
    application.refresh_from_db()
    assert (application.status, application.decision_note) == (ApplicationStatus.SUBMITTED, "")


def test_a_submitted_application_can_be_returned_before_acceptance(s):
    application = submitted(s.hr)
    services.application_return(actor=s.lead, application=application, note="材料不清晰")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED


def test_a_rejection_is_told_and_frees_the_enterprise_to_apply_again(s, django_capture_on_commit_callbacks):
    application = under_review(s.hr, s.lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(actor=s.lead, application=application, note="投入不实")
    application.refresh_from_db()
    assert (application.status, application.decision_note) == (ApplicationStatus.REJECTED, "投入不实")
    assert audit_verbs(application)[-1] == "application_reject"
    assert texts(s.hr)[-1] == "认定申请未予通过：投入不实"
    assert draft(s.hr).status == ApplicationStatus.DRAFT


@pytest.mark.parametrize("decide", [services.application_return, services.application_reject])
def test_return_and_reject_refusals(s, decide):
    application = draft(s.hr)
    with pytest.raises(ValidationError, match="申请当前状态为“草稿”"):
        decide(actor=s.lead, application=application, note="x")
    complete(application, s.hr)
    services.application_submit(actor=s.hr, application=application)
    for actor in (s.edu, s.hr, s.stranger):
        with pytest.raises(PermissionDenied):
            decide(actor=actor, application=application, note="x")
    with pytest.raises(ValidationError) as error:
        decide(actor=s.lead, application=application, note="  ")
    assert error.value.message_dict["note"] == ["请填写审核意见。"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# --- certification -----------------------------------------------------------------------------------------
def test_certifying_makes_the_title_and_its_first_plaque(s, django_capture_on_commit_callbacks):
    application = under_review(s.hr, s.lead)
    give_opinions(application)
    with django_capture_on_commit_callbacks(execute=True):
        certification = services.application_certify(
            actor=s.lead, application=application, document_ref=" 郴发改〔2026〕9号 "
        )
    assert certification.number == "CJRH-S-2026-001"
    assert (certification.level, certification.status) == (Level.MUNICIPAL, CertificationStatus.ACTIVE)
    assert (certification.certified_on, certification.valid_until) == (START, dt.date(2029, 3, 1))
    assert certification.document_ref == "郴发改〔2026〕9号"
    plaque = certification.plaques.get()
    assert (plaque.cycle, plaque.number) == (1, "PAI-2026-001")
    assert (plaque.valid_from, plaque.valid_until, plaque.awarded_on) == (START, dt.date(2029, 3, 1), START)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CERTIFIED
    assert application.decision_note == "经审核，认定为市级产教融合型企业。"
    log = AuditLog.objects.get(verb="application_certify", object_id=str(certification.pk))
    assert log.actor == s.lead and log.changes["plaque"] == [None, "PAI-2026-001"]
    assert audit_verbs(application)[-1] == "application_decide"
    assert texts(s.hr)[-1].startswith("恭喜，已认定为市级产教融合型企业（CJRH-S-2026-001）。")


def test_the_title_may_date_from_the_decision(s):
    application = under_review(s.hr, s.lead)
    give_opinions(application)
    certification = services.application_certify(
        actor=s.lead, application=application, certified_on=dt.date(2026, 2, 27), note="经市政府常务会议审定"
    )
    assert (certification.certified_on, certification.valid_until) == (
        dt.date(2026, 2, 27),
        dt.date(2029, 2, 26),
    )
    assert certification.plaques.get().valid_from == dt.date(2026, 2, 27)
    application.refresh_from_db()
    assert application.decision_note == "经市政府常务会议审定"


def test_numbers_run_on_within_the_year(s):
    certify(s.hr, lead=s.lead)
    other = hr()
    meet_municipal(other.enterprise, START)
    second = certify(other, lead=s.lead)
    assert second.number == "CJRH-S-2026-002" and second.plaques.get().number == "PAI-2026-002"


def test_a_pending_opinion_blocks_certification(s):
    application = under_review(s.hr, s.lead)
    services.opinion_give(
        actor=s.edu, opinion=opinion_of(application, s.depts["市教育局"]), stance="agree", text=""
    )
    with pytest.raises(ValidationError, match="尚有部门未出具意见：测试市人力资源和社会保障局"):
        services.application_certify(actor=s.lead, application=application)
    assert not Certification.objects.exists()


def test_a_disagreement_does_not_block_the_lead_departments_decision(s):
    application = under_review(s.hr, s.lead)
    give_opinions(application, stance="disagree", text="不同意")
    assert services.application_certify(actor=s.lead, application=application).pk


def test_an_unmet_required_criterion_blocks_certification(s):
    other = hr()  # no platform records: no base, no interns
    application = under_review(other, s.lead)
    give_opinions(application)
    with pytest.raises(ValidationError) as error:
        services.application_certify(actor=s.lead, application=application)
    assert error.value.messages == ["不满足必备条件，不能认定：共建实习实训基地、年接收实习学生。"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW


def test_an_unmet_optional_criterion_does_not_block(s):
    application = under_review(s.hr, s.lead)
    give_opinions(application)
    mentors = criterion("mentors")  # optional; the enterprise has 3 mentors
    mentors.min_municipal = Decimal("30")
    mentors.save(update_fields=["min_municipal"])
    assert services.application_certify(actor=s.lead, application=application).pk


def test_a_claim_without_its_document_blocks_certification(s):
    application = under_review(s.hr, s.lead)
    give_opinions(application)
    Document.objects.filter(application=application, criterion=criterion("credit")).delete()
    with pytest.raises(ValidationError, match="不满足必备条件，不能认定：信用记录良好"):
        services.application_certify(actor=s.lead, application=application)


def test_certify_refusals_by_role_and_state(s):
    application = submitted(s.hr)
    with pytest.raises(ValidationError, match="申请当前状态为“待受理”，不能认定"):
        services.application_certify(actor=s.lead, application=application)
    services.application_accept(actor=s.lead, application=application)
    give_opinions(application)
    for actor in (s.edu, s.hr, s.stranger):
        with pytest.raises(PermissionDenied):
            services.application_certify(actor=actor, application=application)
    services.application_certify(actor=s.lead, application=application)
    with pytest.raises(ValidationError, match="不能认定"):
        services.application_certify(actor=s.lead, application=application)
    assert Certification.objects.count() == 1


def test_a_title_already_held_at_the_level_blocks_certification(s):
    application = under_review(s.hr, s.lead)
    give_opinions(application)
    make_certification(s.enterprise, level=Level.MUNICIPAL, number="CJRH-S-2025-007")
    with pytest.raises(ValidationError, match="该企业已持有市级称号"):
        services.application_certify(actor=s.lead, application=application)


def test_the_provincial_title_ends_the_municipal_one(s, django_capture_on_commit_callbacks):
    municipal = certify(s.hr, lead=s.lead)
    meet_provincial(s.enterprise, START)
    with django_capture_on_commit_callbacks(execute=True):
        provincial = certify(s.hr, level=Level.PROVINCIAL, lead=s.lead)
    municipal.refresh_from_db()
    assert municipal.status == CertificationStatus.EXPIRED and municipal.ended_on == START
    assert municipal.status_note == "已认定为省级产教融合型企业，市级称号终止。"
    assert audit_verbs(municipal)[-1] == "certification_supersede"
    assert provincial.number == "CJRH-P-2026-001" and provincial.status == CertificationStatus.ACTIVE
    assert list(
        Certification.objects.filter(enterprise=s.enterprise, status__in=["active", "rectification"])
    ) == [provincial]
    assert texts(s.hr)[-1].startswith("恭喜，已认定为省级产教融合型企业（CJRH-P-2026-001）")


def test_the_provincial_thresholds_apply_to_a_provincial_application(s):
    application = under_review(s.hr, s.lead, level=Level.PROVINCIAL)  # municipal evidence, municipal claims
    give_opinions(application)
    with pytest.raises(ValidationError) as error:
        services.application_certify(actor=s.lead, application=application)
    assert error.value.messages == [
        "不满足必备条件，不能认定：共建实习实训基地、年接收实习学生、近三年投入职业教育资金。"
    ]
