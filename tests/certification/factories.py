"""Factories and helpers of the certification tests: the three departments (市发改委 leads, 市教育局 and
市人社局 give opinions, found by name as in every city), their officers, an enterprise with HR, the platform
records that meet the municipal criteria, and a clock that moves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cooperation.factories import (
    ActiveAgreementFactory,
    InternshipPlanFactory,
    PlacementFactory,
    PracticeBaseFactory,
)
from tests.orgs.factories import DepartmentFactory, EnterpriseFactory, user_with_role
from xiaoqitong.certification.models import Criterion
from xiaoqitong.certification.selectors.setup import setup
from xiaoqitong.orgs.choices import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def departments():
    """市发改委 (lead), 市教育局, 市人社局: made once, and the setup made from them."""
    from xiaoqitong.orgs.models import Department

    made = {}
    for code, name, short, order in (
        ("T-FGW", "测试市发展和改革委员会", "市发改委", 3),
        ("T-JYJ", "测试市教育局", "市教育局", 1),
        ("T-RSJ", "测试市人力资源和社会保障局", "市人社局", 2),
    ):
        made[short] = Department.objects.filter(code=code).first() or DepartmentFactory(
            code=code, name=name, short_name=short, sort_order=order
        )
    setup()
    return made


def officer(department):
    return user_with_role(Role.GOV_OFFICER, department=department)


def lead_officer():
    return officer(departments()["市发改委"])


def hr(enterprise=None):
    return user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise or EnterpriseFactory())


def meet_municipal(enterprise, on: dt.date | None = None) -> None:
    """Platform records for ``enterprise`` that meet the computed municipal criteria: one base, 20 interns
    with 3 mentors (around ``on``), one order class."""
    on = on or dt.date.today()
    PracticeBaseFactory(owner_enterprise=enterprise, owner_school=None)
    mentors = [user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise) for _ in range(3)]
    plan = InternshipPlanFactory(
        period_start=on - dt.timedelta(days=30), period_end=on + dt.timedelta(days=30), planned_interns=20
    )
    for i in range(20):
        PlacementFactory(
            plan=plan,
            enterprise=enterprise,
            status="active",
            start_date=plan.period_start,
            end_date=plan.period_end,
            enterprise_mentor=mentors[i % 3],
        )
    ActiveAgreementFactory(
        enterprise=enterprise,
        kind="order_class",
        start_date=on - dt.timedelta(days=100),
        end_date=on + dt.timedelta(days=300),
    )


def claimed_values() -> dict[int, tuple[Decimal, str]]:
    """Claims that meet the claimed-only criteria (investment, credit)."""
    return {
        c.pk: (Decimal("120") if c.code == "investment" else Decimal("1"), "")
        for c in Criterion.objects.filter(measure="claimed")
    }


def prove(parent, actor):
    """A document for every criterion that needs one."""
    from xiaoqitong.certification.services import applications as services

    for c in Criterion.objects.filter(needs_document=True, active=True):
        services.document_add(actor=actor, parent=parent, title=f"{c.name}证明", upload=pdf(), criterion=c)


class Clock:
    """Stands in for ``django.utils.timezone`` in the certification services: ``localdate()`` is a fixed
    day that the test moves."""

    def __init__(self, today: dt.date):
        from django.utils import timezone

        self.today = today
        self._timezone = timezone

    def localdate(self, value=None, timezone=None):
        if value is None:
            return self.today
        return self._timezone.localdate(value, timezone)

    def __getattr__(self, name):
        return getattr(self._timezone, name)


def set_today(monkeypatch, today: dt.date) -> Clock:
    from xiaoqitong.certification.selectors import targets
    from xiaoqitong.certification.services import common

    clock = Clock(today)
    monkeypatch.setattr(common, "timezone", clock)
    monkeypatch.setattr(targets, "timezone", clock)
    return clock


# --- helpers of the service, selector and policy tests ---------------------------------------------------
START = dt.date(2026, 3, 2)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded documents go to a temporary directory (import it into a test module to use it there)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def exe_as_pdf(name: str = "信用报告.pdf") -> SimpleUploadedFile:
    """A Windows executable renamed ``.pdf``."""
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def docm(name: str = "审计报告.docm") -> SimpleUploadedFile:
    """A macro-enabled Word file."""
    from tests.quality.factories_resources import office_bytes

    return SimpleUploadedFile(name, office_bytes("docx", macro=True))


def criterion(code: str) -> Criterion:
    return Criterion.objects.get(code=code)


def set_rule(key: str, value) -> None:
    from xiaoqitong.cooperation.models import Rule

    assert Rule.objects.filter(key=key).update(value=Decimal(str(value))) == 1


def application_data(**overrides) -> dict:
    return {
        "level": "municipal",
        "statement": "共建实训基地，接收实习学生，开设订单班",
        "contact_person": "王经理",
        "contact_phone": "0735-1234567",
    } | overrides


def draft(applicant, **overrides):
    from xiaoqitong.certification.services import applications as services

    return services.application_create(actor=applicant, data=application_data(**overrides))


def complete(parent, applicant, values=None) -> None:
    """Claims that meet the claimed-only criteria (or ``values``) and a document for each that needs one."""
    from xiaoqitong.certification.services import applications as services

    services.claims_save(actor=applicant, parent=parent, values=values or claimed_values())
    prove(parent, applicant)


def submitted(applicant, values=None, **overrides):
    from xiaoqitong.certification.services import applications as services

    application = draft(applicant, **overrides)
    complete(application, applicant, values)
    return services.application_submit(actor=applicant, application=application)


def under_review(applicant, lead=None, values=None, **overrides):
    """A submitted application accepted by the lead department (opinions asked of 市教育局 and 市人社局)."""
    from xiaoqitong.certification.services import applications as services

    application = submitted(applicant, values, **overrides)
    return services.application_accept(actor=lead or lead_officer(), application=application)


def give_opinions(application, stance: str = "agree", text: str = "") -> None:
    from xiaoqitong.certification.services import applications as services

    for opinion in application.opinions.select_related("department"):
        services.opinion_give(actor=officer(opinion.department), opinion=opinion, stance=stance, text=text)


def provincial_values() -> dict[int, tuple[Decimal, str]]:
    """Claims that meet the provincial claimed-only criteria (investment 200 万元, credit)."""
    return {
        c.pk: (Decimal("250") if c.code == "investment" else Decimal("1"), "")
        for c in Criterion.objects.filter(measure="claimed")
    }


def meet_provincial(enterprise, on: dt.date | None = None) -> None:
    """On top of ``meet_municipal``: a second base and 30 more interns (50), so that the required provincial
    criteria are met."""
    on = on or dt.date.today()
    PracticeBaseFactory(owner_enterprise=enterprise, owner_school=None)
    plan = InternshipPlanFactory(
        period_start=on - dt.timedelta(days=30), period_end=on + dt.timedelta(days=30), planned_interns=30
    )
    for _ in range(30):
        PlacementFactory(
            plan=plan,
            enterprise=enterprise,
            status="active",
            start_date=plan.period_start,
            end_date=plan.period_end,
        )


def certify(applicant, level: str = "municipal", lead=None, values=None, **kwargs):
    """The whole path to a title for ``applicant``'s enterprise (its evidence already in place, the clock
    set): submit, accept, every opinion agreed, certify."""
    from xiaoqitong.certification.services import applications as services

    lead = lead or lead_officer()
    if values is None and level == "provincial":
        values = provincial_values()
    application = under_review(applicant, lead, values, level=level)
    give_opinions(application)
    return services.application_certify(actor=lead, application=application, **kwargs)


def certified(monkeypatch, on: dt.date = START, applicant=None):
    """A municipal title certified on ``on`` (the clock left there): ``(applicant, lead, certification)``."""
    set_today(monkeypatch, on)
    departments()
    applicant = applicant or hr()
    meet_municipal(applicant.enterprise, on)
    lead = lead_officer()
    return applicant, lead, certify(applicant, lead=lead, document_ref="郴发改〔2026〕1号")


def report(review, applicant, self_report: str = "本年度共建基地 1 个，接收实习学生 20 人。"):
    """The enterprise's review report: claims, documents, the self-assessment."""
    from xiaoqitong.certification.services import reviews as review_services

    complete(review, applicant)
    return review_services.review_submit(actor=applicant, review=review, self_report=self_report)


def make_certification(enterprise, *, level: str = "municipal", on: dt.date = START, **fields):
    """A title written directly (for the counts): certified ``on``, valid three years."""
    from xiaoqitong.certification.models import Certification
    from xiaoqitong.certification.services.common import add_years

    seq = Certification.objects.count() + 1
    values = {
        "enterprise": enterprise,
        "level": level,
        "number": f"T-{level}-{seq:04d}",
        "certified_on": on,
        "valid_until": add_years(on, 3) - dt.timedelta(days=1),
    } | fields
    return Certification.objects.create(**values)


def texts(user) -> list[str]:
    """The texts of the notifications ``user`` received, oldest first."""
    from xiaoqitong.core.models import Notification

    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))


def audit_verbs(instance) -> list[str]:
    """The verbs of the audit records written about ``instance``, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from xiaoqitong.core.models import AuditLog

    return list(
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
        )
        .order_by("id")
        .values_list("verb", flat=True)
    )
