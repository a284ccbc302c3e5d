"""What the platform's own records say about an enterprise's part in vocational education: the figures
behind the criteria (``Measure``) and the five ways of taking part behind T2's “deep participation”.

Figures cover the twelve months up to the day they are computed for (``window``): agreements and
internships that overlap them, bases in use, confirmed apprentices. Part-time teachers are today's roster
(teacher records are not historised). Every function takes many enterprises at once and runs one grouped
query per measure, never one per enterprise.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.cooperation.choices import (
    APPRENTICESHIP_KINDS,
    AgreementKind,
    AgreementStatus,
    MemberStatus,
    PlacementStatus,
)
from xiaoqitong.cooperation.models import Agreement, AgreementMember, Placement, PracticeBase
from xiaoqitong.schools.choices import Employment
from xiaoqitong.schools.models import Teacher

from ..choices import HELD, Level, Measure
from ..models import Certification, Criterion

WINDOW_DAYS = 365
RUNNING_AGREEMENT = (AgreementStatus.ACTIVE, AgreementStatus.ENDED)
HOSTED_PLACEMENT = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.TERMINATED)
ORDER_KINDS = (AgreementKind.ORDER_CLASS, AgreementKind.PREPARATORY)


def window(on: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months (365 days) that end on ``on``."""
    return on - dt.timedelta(days=WINDOW_DAYS - 1), on


def _counts(qs, key: str, distinct: str | None = None) -> dict[int, int]:
    agg = Count(distinct, distinct=True) if distinct else Count("pk")
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=agg).order_by()}


def _agreements(ids, start, end, kinds):
    return Agreement.objects.filter(
        enterprise_id__in=ids,
        kind__in=kinds,
        status__in=RUNNING_AGREEMENT,
        start_date__lte=end,
        end_date__gte=start,
    )


def _placements(ids, start, end):
    return Placement.objects.filter(
        enterprise_id__in=ids, status__in=HOSTED_PLACEMENT, start_date__lte=end, end_date__gte=start
    )


def figures(enterprise_ids, on: dt.date) -> dict[int, dict[str, Decimal]]:
    """``{enterprise id: {measure: figure}}`` for every computed measure (``CLAIMED`` has none), as of
    ``on``. Six queries, whatever the number of enterprises."""
    ids = list(enterprise_ids)
    start, end = window(on)
    by_measure = {
        Measure.BASES: _counts(
            PracticeBase.objects.filter(owner_enterprise_id__in=ids, active=True).filter(
                Q(established__isnull=True) | Q(established__lte=end)
            ),
            "owner_enterprise_id",
        ),
        Measure.INTERNS: _counts(_placements(ids, start, end), "enterprise_id", "student_id"),
        Measure.MENTORS: _counts(
            _placements(ids, start, end).filter(enterprise_mentor__isnull=False),
            "enterprise_id",
            "enterprise_mentor_id",
        ),
        Measure.APPRENTICES: _counts(
            AgreementMember.objects.filter(
                agreement__in=_agreements(ids, start, end, APPRENTICESHIP_KINDS),
                status=MemberStatus.CONFIRMED,
            ),
            "agreement__enterprise_id",
            "student_id",
        ),
        Measure.ORDER_CLASSES: _counts(_agreements(ids, start, end, ORDER_KINDS), "enterprise_id"),
        Measure.PART_TIME_TEACHERS: _counts(
            Teacher.objects.filter(employer_id__in=ids, employment=Employment.PART_TIME), "employer_id"
        ),
    }
    return {eid: {m: Decimal(by_measure[m].get(eid, 0)) for m in by_measure} for eid in ids}


@dataclass
class Line:
    """One criterion of a checklist: the computed figure (``None`` for a claimed-only criterion), the
    enterprise's claim, the threshold at the level, the documents that prove it, and whether it is met."""

    criterion: Criterion
    computed: Decimal | None
    claimed: Decimal | None
    claim_note: str
    threshold: Decimal | None
    documents: int

    @property
    def basis(self) -> Decimal | None:
        """What the threshold is held against: the platform's figure where it has one, else the claim."""
        return self.claimed if self.criterion.measure == Measure.CLAIMED else self.computed

    @property
    def met(self) -> bool | None:
        """``None`` when the criterion sets no threshold at this level."""
        if self.threshold is None:
            return None
        if self.criterion.measure == Measure.CLAIMED and self.criterion.needs_document and not self.documents:
            return False
        return self.basis is not None and self.basis >= self.threshold

    @property
    def blocking(self) -> bool:
        return self.criterion.required and self.met is False

    @property
    def differs(self) -> bool:
        """The claim and the platform's figure disagree (reviewers look twice)."""
        return (
            self.criterion.measure != Measure.CLAIMED
            and self.claimed is not None
            and self.computed is not None
            and self.claimed != self.computed
        )

    def as_json(self) -> dict:
        def text(v):
            return None if v is None else f"{v.normalize():f}"

        return {
            "name": self.criterion.name,
            "computed": text(self.computed),
            "claimed": text(self.claimed),
            "threshold": text(self.threshold),
            "met": self.met,
            "required": self.criterion.required,
            "documents": self.documents,
        }


def checklist(*, enterprise_id: int, level: str, on: dt.date, claims=(), documents=()) -> list[Line]:
    """The active criteria held against one enterprise as of ``on``: ``claims`` are its ``Claim`` rows,
    ``documents`` its ``Document`` rows (of the application or review being looked at)."""
    computed = figures([enterprise_id], on)[enterprise_id]
    claimed = {c.criterion_id: c for c in claims}
    docs = defaultdict(int)
    for d in documents:
        docs[d.criterion_id] += 1
    lines = []
    for criterion in Criterion.objects.filter(active=True):
        claim = claimed.get(criterion.pk)
        lines.append(
            Line(
                criterion=criterion,
                computed=None if criterion.measure == Measure.CLAIMED else computed.get(criterion.measure),
                claimed=claim.value if claim else None,
                claim_note=claim.note if claim else "",
                threshold=criterion.threshold(level or Level.MUNICIPAL),
                documents=docs.get(criterion.pk, 0),
            )
        )
    return lines


def snapshot(lines: list[Line]) -> dict:
    """The checklist as kept on an application or a review when it is submitted."""
    return {line.criterion.code: line.as_json() for line in lines}


# --- T2: deep participation -------------------------------------------------------------------------------
class Way:
    """The ways of taking part that T2's definition counts (``DEFINITION``)."""

    ORDER = "order"
    APPRENTICESHIP = "apprenticeship"
    INTERNSHIP = "internship"
    BASE = "base"
    TEACHING = "teaching"
    LABELS = {
        ORDER: _("订单班或预备员工制"),
        APPRENTICESHIP: _("现代学徒制或企业新型学徒制"),
        INTERNSHIP: _("接收实习学生"),
        BASE: _("共建实习实训基地"),
        TEACHING: _("员工在职业院校兼职任教"),
    }


DEFINITION = _(
    "“深度参与职业教育人才培养”的本地大中型企业：在本市注册、规模为大型或中型的企业，"
    "当年持有产教融合型企业称号（有效或整改中），或者当年具备下列参与方式中的至少 %(n)s 种："
    "订单班或预备员工制协议在执行；现代学徒制或企业新型学徒制协议在执行；接收实习学生；"
    "共建在用的实习实训基地；员工在职业院校兼职任教。"
)


def local_large_medium():
    """The enterprises T2 counts: registered in the city, large or medium."""
    from xiaoqitong.orgs.choices import EnterpriseSize
    from xiaoqitong.orgs.models import Enterprise

    return Enterprise.objects.filter(
        registered_in_city=True, size__in=(EnterpriseSize.LARGE, EnterpriseSize.MEDIUM)
    )


def participation(year: int, enterprise_ids=None) -> dict[int, dict]:
    """For each local large or medium enterprise (or those of ``enterprise_ids``): ``{"county": id,
    "ways": {way, …}, "certified": bool}`` in calendar year ``year``. Seven queries (the enterprises, one per
    way, the titles), whatever their number."""
    qs = local_large_medium()
    if enterprise_ids is not None:
        qs = qs.filter(pk__in=list(enterprise_ids))
    counties = dict(qs.values_list("pk", "county_id"))
    ids = list(counties)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ways = defaultdict(set)
    for eid in _agreements(ids, start, end, ORDER_KINDS).values_list("enterprise_id", flat=True):
        ways[eid].add(Way.ORDER)
    for eid in _agreements(ids, start, end, APPRENTICESHIP_KINDS).values_list("enterprise_id", flat=True):
        ways[eid].add(Way.APPRENTICESHIP)
    for eid in _placements(ids, start, end).values_list("enterprise_id", flat=True).distinct():
        ways[eid].add(Way.INTERNSHIP)
    bases = PracticeBase.objects.filter(owner_enterprise_id__in=ids, active=True).filter(
        Q(established__isnull=True) | Q(established__lte=end)
    )
    for eid in bases.values_list("owner_enterprise_id", flat=True):
        ways[eid].add(Way.BASE)
    teachers = Teacher.objects.filter(employer_id__in=ids, employment=Employment.PART_TIME)
    for eid in teachers.values_list("employer_id", flat=True):
        ways[eid].add(Way.TEACHING)
    certified = set(
        held_during(start, end).filter(enterprise_id__in=ids).values_list("enterprise_id", flat=True)
    )
    return {
        eid: {"county": counties[eid], "ways": ways.get(eid, set()), "certified": eid in certified}
        for eid in ids
    }


def held_during(start: dt.date, end: dt.date):
    """Certifications that held the title at some time between ``start`` and ``end``: certified by
    ``end``, and not expired or revoked before ``start``."""
    return Certification.objects.filter(certified_on__lte=end).filter(
        Q(status__in=HELD) | Q(ended_on__gte=start)
    )
