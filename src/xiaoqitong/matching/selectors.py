"""Recommendations, read from the current index (``services.py``), each with its reasons.

* :func:`recommend_positions`: the open positions for a student (“为我推荐”).
* :func:`recommend_students`: the students for a position (“推荐人选”), only those the enterprise may see
  (consent, or applicants), de-identified as they allowed (``schools.selectors.student_access``).
* :func:`major_partners`: for a school major, the enterprises whose open demand it supplies best.
* :func:`enterprise_suppliers`: for an enterprise, the school majors that supply its open positions best.

A school major is ranked as its typical student (``arrays.school_major_arrays``). Every result carries a
:class:`Match`: the score as a percentage of the best possible, the components, plain-language reasons and
what is missing. Who may ask is checked here (``may_*``); the pages and the API call the same functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.reference.models import Certificate, IndustryChain, Skill
from xiaoqitong.schools.choices import Consent
from xiaoqitong.schools.models import SchoolMajor, Student
from xiaoqitong.schools.selectors import Access, applicant_ids, student_access, visible_to_enterprise

from . import services
from .arrays import CatalogData, build_catalog, matchable_students, open_positions_on, school_major_arrays
from .arrays import student_arrays as _student_arrays
from .engine import NO_POSITION, Explanation
from .models import Invitation

ENTERPRISE_ROLES = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
SCHOOL_ROLES = {Role.SCHOOL_ADMIN, Role.TEACHER}
#: Positions read per school major before grouping them by enterprise.
PARTNER_POSITIONS = 300

#: Plain-language names of the components (pages and API).
COMPONENT_LABELS = {
    "text": gettext_lazy("岗位描述与专业、技能相关"),
    "req_skill": gettext_lazy("具备必备技能"),
    "bonus_skill": gettext_lazy("具备加分技能"),
    "req_cert": gettext_lazy("持有必备证书"),
    "bonus_cert": gettext_lazy("持有加分证书"),
    "major": gettext_lazy("专业对口"),
    "major_family": gettext_lazy("同一专业（跨层次）"),
    "major_class": gettext_lazy("同一专业类"),
    "major_category": gettext_lazy("同一专业大类"),
    "chain_link": gettext_lazy("专业对接岗位所在产业链"),
    "pref_chain": gettext_lazy("意向产业链"),
    "home_county": gettext_lazy("在生源地就业"),
    "pref_county": gettext_lazy("意向工作地"),
    "pref_type": gettext_lazy("意向岗位类型"),
    "salary": gettext_lazy("薪资达到期望"),
    "stay": gettext_lazy("留郴就业"),
}
MAJOR_LEVEL_LABELS = {
    "major": gettext_lazy("岗位需求专业正是本专业"),
    "family": gettext_lazy("岗位需求专业与本专业同属一个专业（不同层次）"),
    "class": gettext_lazy("岗位需求专业与本专业同属一个专业类"),
    "category": gettext_lazy("岗位需求专业与本专业同属一个专业大类"),
    "link": gettext_lazy("本专业对接岗位所在的产业链"),
    "none": gettext_lazy("岗位未要求相关专业"),
}
HARD_FILTER_LABELS = {
    "education": gettext_lazy("学历未达到岗位最低要求"),
    "start_date": gettext_lazy("毕业前无法按期到岗"),
}


def _gettext_labels(labels: dict) -> dict[str, str]:
    return {key: str(value) for key, value in labels.items()}


# --- one match, explained --------------------------------------------------------------------------------
@dataclasses.dataclass
class Match:
    """A scored pair, explained for people: ``percent`` of the best possible score, components as
    ``(name, label, value, weight)``, ``reasons`` (what counts for it), ``missing`` skills and certificates
    (names), and the failed hard filters (only when asked about a pair that fails them)."""

    score: float
    percent: int
    major_level: str
    components: list[dict]
    reasons: list[str]
    missing_required_skills: list[str]
    missing_bonus_skills: list[str]
    missing_required_certs: list[str]
    missing_bonus_certs: list[str]
    hard_filters: list[str]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _percent(score: float, weights) -> int:
    best = weights.max_score or 1.0
    return round(max(0.0, min(1.0, score / best)) * 100)


@dataclasses.dataclass(frozen=True)
class Names:
    """Names of the catalog items an explanation mentions, read once per request (not once per result)."""

    skills: dict[int, str]
    certificates: dict[int, str]
    chains: dict[int, str]  # dense chain id -> name

    @classmethod
    def load(cls, data: CatalogData) -> Names:
        chains = dict(IndustryChain.objects.values_list("pk", "name"))
        return cls(
            skills=dict(Skill.objects.values_list("pk", "name")),
            certificates=dict(Certificate.objects.values_list("pk", "name")),
            chains={i: chains.get(pk, "") for i, pk in enumerate(data.chains.keys)},
        )

    def chain_of(self, position: Position, data: CatalogData) -> str:
        industry = getattr(getattr(position.enterprise, "industry", None), "code", None)
        return self.chains.get(data.chain_of_industry(industry), "")


#: Components an enterprise must not learn of: 在生源地就业 would tell it the student's hometown, which it
#: never sees (schools.selectors: statistics only). Left out of the score, components and reasons it sees.
HIDDEN_FROM_ENTERPRISES = ("home_county",)


def describe(
    explanation: Explanation,
    data: CatalogData,
    weights,
    names: Names,
    *,
    chain: str = "",
    hidden: tuple[str, ...] = (),
) -> Match:
    """A :class:`Match` from the engine's explanation (dense ids, as the engine returns them); ``hidden``
    components are left out (of the score too)."""
    if hidden:
        components = {k: v for k, v in explanation.components.items() if k not in hidden}
        explanation = dataclasses.replace(
            explanation, components=components, score=float(sum(components.values()))
        )
    labels = _gettext_labels(COMPONENT_LABELS)

    def skills(ids):
        return [names.skills.get(k, "") for k in data.skills.keys_of(ids)]

    def certs(ids):
        return [names.certificates.get(k, "") for k in data.certificates.keys_of(ids)]

    components = []
    reasons = []
    c = explanation.components
    for name, value in c.items():
        weight = getattr(weights, name)
        components.append({"name": name, "label": labels[name], "value": round(value, 4), "weight": weight})
    if explanation.major_level not in ("none", "link"):  # "link": said below, with the chain's name
        reasons.append(str(MAJOR_LEVEL_LABELS[explanation.major_level]))
    if c.get("req_skill", 0) > 0 and weights.req_skill:
        reasons.append(_("必备技能覆盖 %(pct)s%%") % {"pct": round(100 * c["req_skill"] / weights.req_skill)})
    if c.get("bonus_skill", 0) > 0 and weights.bonus_skill:
        reasons.append(
            _("加分技能覆盖 %(pct)s%%") % {"pct": round(100 * c["bonus_skill"] / weights.bonus_skill)}
        )
    if c.get("req_cert", 0) > 0:
        reasons.append(_("持有岗位要求的证书"))
    if weights.text and c.get("text", 0) >= 0.3 * weights.text:
        reasons.append(_("岗位描述与所学专业和技能高度相关"))
    elif c.get("text", 0) > 0:
        reasons.append(_("岗位描述与所学专业和技能有关"))
    if c.get("chain_link", 0) > 0:
        if chain:
            reasons.append(_("所学专业对接%(chain)s产业链") % {"chain": chain})
        else:
            reasons.append(_("所学专业对接岗位所在的产业链"))
    for name in ("pref_chain", "pref_county", "home_county", "pref_type", "salary", "stay"):
        if c.get(name, 0) > 0:
            reasons.append(labels[name])
    return Match(
        score=round(explanation.score, 4),
        percent=_percent(explanation.score, weights),
        major_level=explanation.major_level,
        components=components,
        reasons=reasons,
        missing_required_skills=skills(explanation.missing_required_skills),
        missing_bonus_skills=skills(explanation.missing_bonus_skills),
        missing_required_certs=certs(explanation.missing_required_certs),
        missing_bonus_certs=certs(explanation.missing_bonus_certs),
        hard_filters=[str(HARD_FILTER_LABELS[f]) for f in explanation.hard_filters],
    )


def _ranked(ids: np.ndarray, scores: np.ndarray) -> list[tuple[int, float]]:
    return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i != NO_POSITION]


def _best(ids: np.ndarray, scores: np.ndarray, k: int, min_score: float) -> list[tuple[int, float]]:
    """The k best (id, score) by (-score, id), finite scores at or above ``min_score`` only."""
    ok = np.isfinite(scores) & (scores >= min_score)
    ids, scores = ids[ok], scores[ok]
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


# --- positions for a student ---------------------------------------------------------------------------
@dataclasses.dataclass
class PositionMatch:
    position: Position
    match: Match
    application: Application | None  # the student's application to it, if any
    invitation: Invitation | None  # the enterprise's invitation, if any


def recommend_positions(student: Student, k: int = 20, *, on: dt.date | None = None) -> list[PositionMatch]:
    """The ``k`` best open positions for ``student``, best first, explained. Positions deleted or closed since
    the index last looked are left out (and removed from it)."""
    on = on or timezone.localdate()
    data = build_catalog()
    weights = services.match_weights()
    students = _student_arrays(data, Student.objects.filter(pk=student.pk), on=on)
    if not len(students):
        return []
    with services.using_index():
        index = services.current_index(data, on=on)
        if index is None:
            return []
        ranked = _ranked(*(a[0] for a in index.top_k(students, [0], k=k)))
        positions = (
            open_positions_on(on)
            .select_related("enterprise__industry", "county")
            .in_bulk([pk for pk, _s in ranked])
        )
        gone = [pk for pk, _s in ranked if pk not in positions]
        if gone:
            index.remove_positions(gone)
            ranked = [(pk, s) for pk, s in ranked if pk in positions]
        explanations = index.explain(students, 0, [pk for pk, _s in ranked]) if ranked else []
    applications = {
        a.position_id: a for a in Application.objects.filter(student=student, position_id__in=list(positions))
    }
    invitations = {
        i.position_id: i for i in Invitation.objects.filter(student=student, position_id__in=list(positions))
    }
    names = Names.load(data)
    out = []
    for (pk, _score), explanation in zip(ranked, explanations, strict=True):
        position = positions[pk]
        match = describe(explanation, data, weights, names, chain=names.chain_of(position, data))
        out.append(PositionMatch(position, match, applications.get(pk), invitations.get(pk)))
    return out


def explain_pair(student: Student, position: Position, *, on: dt.date | None = None) -> Match | None:
    """Why ``position`` scores what it scores for ``student`` (also when it fails a hard filter); None
    when the position is not open."""
    on = on or timezone.localdate()
    data = build_catalog()
    students = _student_arrays(data, Student.objects.filter(pk=student.pk), on=on)
    if not len(students):
        return None
    with services.using_index():
        index = services.current_index(data, on=on)
        if index is None:
            return None
        try:
            (explanation,) = index.explain(students, 0, [position.pk])
        except KeyError:
            return None
    names = Names.load(data)
    return describe(explanation, data, services.match_weights(), names, chain=names.chain_of(position, data))


# --- students for a position ---------------------------------------------------------------------------
def may_see_candidates(user, position: Position) -> bool:
    """The position's own enterprise (HR and mentors) and platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        getattr(user, "role", None) in ENTERPRISE_ROLES
        and bool(user.enterprise_id)
        and user.enterprise_id == position.enterprise_id
    )


@dataclasses.dataclass
class StudentMatch:
    student: Student
    access: Access  # FULL (name and 学号 shown) or DEIDENTIFIED
    match: Match
    application: Application | None
    invitation: Invitation | None


def _visible_candidates(user):
    """Students who are looking and whom this user may see: consent (de-identified or full), or applicants."""
    if getattr(user, "enterprise_id", None):
        return visible_to_enterprise(matchable_students(), user)
    return matchable_students().filter(consent__in=[Consent.DEIDENTIFIED, Consent.FULL])


def recommend_students(
    user, position: Position, k: int = 20, *, on: dt.date | None = None
) -> list[StudentMatch] | None:
    """The ``k`` students best fitted to ``position`` whom ``user`` may see, best first; None when the
    position is not open (not published, or past its valid-until date). Raises PermissionDenied for anyone
    but the position's enterprise and platform administrators."""
    if not may_see_candidates(user, position):
        raise PermissionDenied(_("只有发布该岗位的企业可以查看推荐人选。"))
    on = on or timezone.localdate()
    data = build_catalog()
    weights = services.match_weights()
    visible_qs = _visible_candidates(user)
    visible = np.fromiter(visible_qs.values_list("pk", flat=True), np.int64)
    with services.using_index():
        index = services.current_index(data, on=on)
        if index is None or position.pk not in index:
            return None
        students = services.current_students(data, on=on)
        rows = np.flatnonzero(np.isin(students.ids, visible))
        scores = index.score_pairs(students, [position.pk], rows)[:, 0]
        county = data.counties.id(position.county_id)
        if county >= 0 and weights.home_county:  # HIDDEN_FROM_ENTERPRISES: not part of this ranking
            scores = scores - np.float32(weights.home_county) * (students.county[rows] == county)
        best = _best(
            students.ids[rows], scores, k * 2, weights.min_score
        )  # some may be gone from the database
        row_of = {int(pk): int(r) for r, pk in zip(rows, students.ids[rows], strict=True)}
        found = (
            visible_qs.filter(pk__in=[pk for pk, _s in best])
            .select_related("school", "school_major__major")
            .prefetch_related("skill_levels__skill")
            .in_bulk()
        )
        best = [(pk, s) for pk, s in best if pk in found][:k]
        explanations = [index.explain(students, row_of[pk], [position.pk])[0] for pk, _s in best]
    ids = [pk for pk, _s in best]
    applicants = applicant_ids(user, ids)
    applications = {
        a.student_id: a for a in Application.objects.filter(position=position, student_id__in=ids)
    }
    invitations = {i.student_id: i for i in Invitation.objects.filter(position=position, student_id__in=ids)}
    names = Names.load(data)
    chain = names.chain_of(position, data)
    out = []
    for (pk, _score), explanation in zip(best, explanations, strict=True):
        student = found[pk]
        access = student_access(user, student, applicants=applicants)
        if user.is_superuser and student.consent == Consent.DEIDENTIFIED and pk not in applicants:
            access = Access.DEIDENTIFIED  # the page shows what the enterprise would see
        out.append(
            StudentMatch(
                student,
                access,
                describe(explanation, data, weights, names, chain=chain, hidden=HIDDEN_FROM_ENTERPRISES),
                applications.get(pk),
                invitations.get(pk),
            )
        )
    return out


# --- school majors and enterprises ---------------------------------------------------------------------
def current_school_majors(qs=None):
    """What each school runs now: its majors of its latest year (a major it no longer runs that year is not
    current, though an older row names it)."""
    qs = SchoolMajor.objects.all() if qs is None else qs
    latest = dict(qs.values("school_id").annotate(y=Max("year")).values_list("school_id", "y"))
    current = Q(pk__in=[])
    for school, year in latest.items():
        current |= Q(school_id=school, year=year)
    return qs.filter(current)


@dataclasses.dataclass
class EnterpriseMatch:
    enterprise: Enterprise
    match: Match  # of its best position
    positions: list[tuple[Position, int]]  # its positions among the best, with their percent
    headcount: int  # places in those positions


def major_partners(
    school_major: SchoolMajor, k: int = 10, *, on: dt.date | None = None
) -> list[EnterpriseMatch]:
    """The enterprises whose open positions the school major supplies best (order-class partners), best
    first: ranked by their best position for the major's typical student, then by places."""
    on = on or timezone.localdate()
    data = build_catalog()
    weights = services.match_weights()
    profile = school_major_arrays(data, [school_major], on=on)
    with services.using_index():
        index = services.current_index(data, on=on)
        if index is None:
            return []
        ranked = _ranked(*(a[0] for a in index.top_k(profile, [0], k=PARTNER_POSITIONS)))
        positions = (
            open_positions_on(on).select_related("enterprise__industry").in_bulk([pk for pk, _s in ranked])
        )
        ranked = [(pk, s) for pk, s in ranked if pk in positions]
        by_enterprise: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for pk, score in ranked:
            by_enterprise[positions[pk].enterprise_id].append((pk, score))
        order = sorted(
            by_enterprise.items(),
            key=lambda item: (-item[1][0][1], -sum(positions[pk].headcount for pk, _s in item[1]), item[0]),
        )[:k]
        explanations = index.explain(profile, 0, [items[0][0] for _e, items in order]) if order else []
    names = Names.load(data)
    out = []
    for (_enterprise, items), explanation in zip(order, explanations, strict=True):
        best = positions[items[0][0]]
        out.append(
            EnterpriseMatch(
                enterprise=best.enterprise,
                match=describe(explanation, data, weights, names, chain=names.chain_of(best, data)),
                positions=[(positions[pk], _percent(s, weights)) for pk, s in items],
                headcount=sum(positions[pk].headcount for pk, _s in items),
            )
        )
    return out


@dataclasses.dataclass
class SchoolMajorMatch:
    school_major: SchoolMajor
    match: Match  # for its best position
    position: Position  # the enterprise's position it supplies best
    students: int  # its students who are looking


def enterprise_suppliers(
    enterprise: Enterprise, k: int = 10, *, on: dt.date | None = None
) -> list[SchoolMajorMatch]:
    """The school majors (each school's latest year) that supply the enterprise's open positions best, best
    first: ranked by their best position, then by their students who are looking."""
    on = on or timezone.localdate()
    data = build_catalog()
    weights = services.match_weights()
    positions = open_positions_on(on).filter(enterprise=enterprise).select_related("enterprise__industry")
    positions = {p.pk: p for p in positions}
    if not positions:
        return []
    majors = list(current_school_majors().select_related("school", "major").order_by("pk"))
    if not majors:
        return []
    profiles = school_major_arrays(data, majors, on=on)
    with services.using_index():
        index = services.current_index(data, on=on)
        if index is None:
            return []
        live = set(index.position_ids.tolist())
        wanted = [pk for pk in positions if pk in live]
        if not wanted:
            return []
        scores = index.score_pairs(profiles, wanted)
        best_col = scores.argmax(axis=1)
        best = scores[np.arange(len(majors)), best_col]
        looking = _looking_counts(majors)
        supply = np.array([looking.get(sm.pk, 0) for sm in majors])
        ok = np.isfinite(best) & (best >= weights.min_score)
        order = [i for i in np.lexsort((profiles.ids, -supply, -best)) if ok[i]][:k]
        explanations = [index.explain(profiles, int(i), [wanted[best_col[i]]])[0] for i in order]
    names = Names.load(data)
    out = []
    for i, explanation in zip(order, explanations, strict=True):
        position = positions[wanted[best_col[i]]]
        out.append(
            SchoolMajorMatch(
                school_major=majors[i],
                match=describe(explanation, data, weights, names, chain=names.chain_of(position, data)),
                position=position,
                students=int(supply[i]),
            )
        )
    return out


def _looking_counts(school_majors: list[SchoolMajor]) -> dict[int, int]:
    """Students who are looking, by school major: those of the same school and major in any year (graduates
    keep the row of their last school year)."""
    counts = {
        (school, major): n
        for school, major, n in matchable_students()
        .filter(school_id__in={sm.school_id for sm in school_majors})
        .values_list("school_id", "school_major__major_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "school_major__major_id", "n")
    }
    return {sm.pk: counts.get((sm.school_id, sm.major_id), 0) for sm in school_majors}


def may_see_partners(user, school_major: SchoolMajor) -> bool:
    """Partners of a school major: its school, the government, platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or getattr(user, "role", None) == Role.GOV_OFFICER:
        return True
    return getattr(user, "role", None) in SCHOOL_ROLES and user.school_id == school_major.school_id


def may_see_suppliers(user, enterprise: Enterprise) -> bool:
    """Suppliers of an enterprise: the enterprise itself, the government, platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or getattr(user, "role", None) == Role.GOV_OFFICER:
        return True
    return getattr(user, "role", None) in ENTERPRISE_ROLES and user.enterprise_id == enterprise.pk


def may_see_inviter(user, invitation: Invitation) -> bool:
    """Who sent an invitation (a person of the enterprise) is shown to that enterprise and platform
    administrators only; the student and its school see the enterprise."""
    if user is None or not user.is_authenticated:
        return False
    enterprise = getattr(user, "enterprise_id", None)
    return user.is_superuser or (bool(enterprise) and enterprise == invitation.position.enterprise_id)
