"""The events targets (T7-T9, 三（四）): how many events of each type the city held in a year against the rule
its type names, and the year's participants, signed intentions and commitments. Aggregates only: no person
or organization is named.

How events are counted:

- An event **counts in a year** when it is published (not a draft, not cancelled) and starts in that year
  (``starts_at``, local time).
- It is **held** (已举办) once it has started; one still ahead in the year is **scheduled** (已安排) and shown
  apart: only held events meet a target, so that a plan is never read as a result.
- Each rule (``EventType.rule_key``; the number in ``cooperation.models.Rule``, with its source) is held
  against the events of every type that names it; types without a rule are counted without a target.
- Participants are the sides with an approved registration at the events held in the year (enterprises with a
  booth, schools with a delegation, students), each organization or student counted once (and every
  participation counted apart); intentions and commitments are those of the year's events (held or
  scheduled).

The three counts are also registered with ``quality.targets`` (T7, T8, T9: city-level counts against a
minimum), so that they appear on the 质量指标总览 page next to the other targets of the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import RuleKey
from xiaoqitong.core.formats import rate
from xiaoqitong.quality import targets

from ..choices import EventStatus, ParticipantKind, RegistrationStatus
from ..models import Commitment, Event, EventType, Intention, Registration
from .dialogues import commitment_counts
from .outcomes import intention_report


def events_of_year(year: int):
    """The events that count in ``year``: published and starting in it."""
    return Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__year=year)


def type_counts(year: int, now=None) -> dict[int, tuple[int, int]]:
    """``{type id: (held, scheduled)}`` of ``year``; one query."""
    now = now or timezone.now()
    rows = (
        events_of_year(year)
        .order_by()
        .values("type_id")
        .annotate(
            held=Count("pk", filter=Q(starts_at__lte=now)), scheduled=Count("pk", filter=Q(starts_at__gt=now))
        )
    )
    return {row["type_id"]: (row["held"], row["scheduled"]) for row in rows}


def held_for_rule(key: str, year: int) -> int:
    """Events held in ``year`` (started by now) of the types that name rule ``key``."""
    return events_of_year(year).filter(type__rule_key=key, starts_at__lte=timezone.now()).count()


@dataclass
class TargetLine:
    """The events of one rule's types (or of one type without a rule) in a year."""

    label: str
    types: list[EventType]
    held: int = 0
    scheduled: int = 0
    key: str = ""
    target: Decimal | None = None
    target_id: str = ""
    source: str = ""

    @property
    def met(self) -> bool | None:
        """Held against the target; ``None`` without a target."""
        return None if self.target is None else Decimal(self.held) >= self.target

    @property
    def short(self) -> int | None:
        """Events still to hold (0 when met)."""
        if self.target is None:
            return None
        return max(int(self.target) - self.held, 0)

    @property
    def in_reach(self) -> bool | None:
        """Whether the held and the scheduled events together reach the target."""
        return None if self.target is None else Decimal(self.held + self.scheduled) >= self.target

    @property
    def cite(self) -> str:
        return f"{self.target_id}，{self.source}" if self.target_id else ""

    @property
    def target_int(self) -> int | None:
        return None if self.target is None else int(self.target)


@dataclass
class Participants:
    enterprises: int = 0
    schools: int = 0
    students: int = 0
    booths: int = 0
    delegations: int = 0
    student_registrations: int = 0
    held_events: int = 0


@dataclass
class Report:
    year: int
    lines: list[TargetLine]
    others: list[TargetLine]
    participants: Participants
    intentions: list = field(default_factory=list)
    commitments: dict = field(default_factory=dict)

    @property
    def met(self) -> int:
        return sum(1 for line in self.lines if line.met)

    @property
    def commitments_done_rate(self) -> Decimal | None:
        total = self.commitments.get("total", 0) - self.commitments.get("dropped", 0)
        return rate(self.commitments.get("done", 0), total)


def participants(year: int, now=None) -> Participants:
    """Distinct participants and participations of the events held in ``year``; one query."""
    now = now or timezone.now()
    held = events_of_year(year).filter(starts_at__lte=now)
    approved = Registration.objects.filter(event__in=held, status=RegistrationStatus.APPROVED)
    kind = {
        ParticipantKind.ENTERPRISE: Q(kind=ParticipantKind.ENTERPRISE),
        ParticipantKind.SCHOOL: Q(kind=ParticipantKind.SCHOOL),
        ParticipantKind.STUDENT: Q(kind=ParticipantKind.STUDENT),
    }
    row = approved.order_by().aggregate(
        enterprises=Count("enterprise", distinct=True, filter=kind[ParticipantKind.ENTERPRISE]),
        schools=Count("school", distinct=True, filter=kind[ParticipantKind.SCHOOL]),
        students=Count("student", distinct=True, filter=kind[ParticipantKind.STUDENT]),
        booths=Count("pk", filter=kind[ParticipantKind.ENTERPRISE]),
        delegations=Count("pk", filter=kind[ParticipantKind.SCHOOL]),
        student_registrations=Count("pk", filter=kind[ParticipantKind.STUDENT]),
    )
    return Participants(**row, held_events=held.count())


def targets_report(year: int) -> Report:
    """Everything the targets page and its API show for ``year``. A constant number of queries (one per rule
    named by a type: a handful)."""
    now = timezone.now()
    counts = type_counts(year, now)
    types = list(EventType.objects.order_by("sort_order", "code"))
    by_rule: dict[str, TargetLine] = {}
    others = []
    for event_type in types:
        held, scheduled = counts.get(event_type.pk, (0, 0))
        if event_type.rule_key:
            line = by_rule.get(event_type.rule_key)
            if line is None:
                rule = rules.rule(event_type.rule_key)
                line = by_rule[event_type.rule_key] = TargetLine(
                    event_type.name,
                    [],
                    key=event_type.rule_key,
                    target=rule.value,
                    target_id=rule.target,
                    source=rule.source,
                )
            else:
                line.label = f"{line.label}、{event_type.name}"
            line.types.append(event_type)
            line.held += held
            line.scheduled += scheduled
        else:
            others.append(TargetLine(event_type.name, [event_type], held, scheduled))
    year_events = events_of_year(year)
    return Report(
        year=year,
        lines=sorted(by_rule.values(), key=lambda line: line.target_id),
        others=others,
        participants=participants(year, now),
        intentions=intention_report(Intention.objects.filter(event__in=year_events)),
        commitments=commitment_counts(Commitment.objects.filter(event__in=year_events)),
    )


# --- the measures of quality.targets -----------------------------------------------------------------------
def _held_figures(key: str):
    def compute(year: int) -> dict:
        return {targets.CITY: targets.Figure.count(held_for_rule(key, year))}

    compute.__name__ = f"held_{key}"
    return compute


MEASURES = [
    targets.register(
        targets.Measure(
            rule=key,
            label=label,
            unit=targets.COUNT,
            comparison=targets.GE,
            compute=_held_figures(key),
            scopes=("city",),
            numerator_label=gettext_lazy("已举办场次"),
            url_name="events:targets",
            order=order,
            note=gettext_lazy(
                "按开始时间所在年度统计已发布、未取消且已开始的活动；年内尚未举行的见产教活动指标页“已安排”。"
            ),
        )
    )
    for key, label, order in (
        (RuleKey.FAIRS_PER_YEAR_MIN, gettext_lazy("全市年度供需见面会场次"), 70),
        (RuleKey.GBA_PROMOTIONS_PER_YEAR_MIN, gettext_lazy("全市年度大湾区推介会场次"), 80),
        (RuleKey.DIALOGUES_PER_YEAR_MIN, gettext_lazy("全市年度产教对话场次"), 90),
    )
]
