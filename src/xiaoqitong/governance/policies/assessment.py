"""Who sees and does what in the school assessment (R2, 六（十六）; DESIGN rule 3).

- **Indicator**: the lead department of annex task 7 (市教育局, found in the responsibility list) adds,
  changes and deletes indicators; every officer, researcher, school administrator and teacher reads them
  (a school knows what it is assessed on); officers and researchers export them.
- **Assessment**, **SchoolScore**, **IndicatorScore**: the lead department computes and publishes and reads
  drafts; every other officer and researcher reads published assessments; a school's staff read their own
  school's scores (drafts included, to check their data) and, once published, the whole ranking.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ACTIONS, ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import AssessmentStatus
from ..models import Assessment, Indicator, IndicatorScore, SchoolScore
from ..selectors.assessment import assessment_lead_id, funding_lead_id

GROUP = "治理与目标"
SCHOOL_STAFF = (Role.SCHOOL_ADMIN, Role.TEACHER)
READERS = (Role.GOV_OFFICER, Role.RESEARCHER)
NOTHING = Q(pk__in=[])


def active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_officer(user) -> bool:
    return active(user) and getattr(user, "role", "") == Role.GOV_OFFICER and bool(user.department_id)


def is_assessment_lead(user) -> bool:
    """An officer of the lead department of annex task 7 (市教育局), or a platform administrator."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return is_officer(user) and user.department_id == assessment_lead_id()


def is_funding_lead(user) -> bool:
    """An officer of the lead department of annex task 15 (市财政局), or a platform administrator."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return is_officer(user) and user.department_id == funding_lead_id()


def school_of(user) -> int | None:
    if active(user) and getattr(user, "role", "") in SCHOOL_STAFF:
        return user.school_id
    return None


def reads_assessments(user) -> bool:
    return active(user) and (
        user.is_superuser or getattr(user, "role", "") in (*READERS, *SCHOOL_STAFF, Role.PLATFORM_ADMIN)
    )


class LeadWrites(Policy):
    """Reads by ``rules``; writes for one lead department's officers (a rule per user, not per role)."""

    write_actions = ("add", "change", "delete", "import")

    def is_lead(self, user) -> bool:
        return is_assessment_lead(user)

    def rule(self, user, action):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in self.write_actions:
            return ALL if self.is_lead(user) else None
        return super().rule(user, action)


@register(Indicator)
class IndicatorPolicy(LeadWrites):
    write_actions = ("add", "change", "delete")
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.RESEARCHER: ALL,
            Role.SCHOOL_ADMIN: ALL,
            Role.TEACHER: ALL,
            Role.PLATFORM_ADMIN: ALL,
        },
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL, Role.PLATFORM_ADMIN: ALL},
    }


def assessment_q(user, prefix: str = "") -> Q:
    """The assessments (``prefix`` leads to one from another model) the user reads."""
    if is_assessment_lead(user):
        return Q()
    if not reads_assessments(user):
        return NOTHING
    published = Q(**{f"{prefix}status": AssessmentStatus.PUBLISHED})
    if school_of(user):
        return published | Q(**{f"{prefix}scores__school_id": user.school_id})
    return published


def readable_assessments(qs, user):
    if is_assessment_lead(user):
        return qs
    return qs.filter(assessment_q(user)).distinct()


@register(Assessment)
class AssessmentPolicy(LeadWrites):
    # Assessments are made and changed by their services (compute, publish), never by a form.
    write_actions = ("add", "change", "delete")
    rules = {
        "view": {
            Role.GOV_OFFICER: readable_assessments,
            Role.RESEARCHER: readable_assessments,
            Role.SCHOOL_ADMIN: readable_assessments,
            Role.TEACHER: readable_assessments,
            Role.PLATFORM_ADMIN: ALL,
        },
        "export": {
            Role.GOV_OFFICER: readable_assessments,
            Role.RESEARCHER: readable_assessments,
            Role.SCHOOL_ADMIN: readable_assessments,
            Role.TEACHER: readable_assessments,
            Role.PLATFORM_ADMIN: ALL,
        },
    }

    def rule(self, user, action):
        if action in ("add", "delete", "import"):
            return None  # made by ``assessment_compute``; kept as the record of a year
        if action == "change":
            return ALL if is_assessment_lead(user) else None
        return super().rule(user, action)


def score_q(user, prefix: str = "") -> Q:
    """Scores the user reads: the lead all; officers and researchers those of published assessments; a
    school's staff their own school's (drafts too) and every school's once published."""
    if is_assessment_lead(user):
        return Q()
    if not reads_assessments(user):
        return NOTHING
    published = Q(**{f"{prefix}assessment__status": AssessmentStatus.PUBLISHED})
    if school_of(user):
        return published | Q(**{f"{prefix}school_id": user.school_id})
    if getattr(user, "role", "") in SCHOOL_STAFF:
        return NOTHING
    return published


def readable_scores(qs, user):
    return qs if is_assessment_lead(user) else qs.filter(score_q(user))


def readable_lines(qs, user):
    return qs if is_assessment_lead(user) else qs.filter(score_q(user, "score__"))


READ_ONLY = {
    Role.GOV_OFFICER: None,
    Role.RESEARCHER: None,
    Role.SCHOOL_ADMIN: None,
    Role.TEACHER: None,
    Role.PLATFORM_ADMIN: ALL,
}


@register(SchoolScore)
class SchoolScorePolicy(Policy):
    rules = {
        "view": {r: (v or readable_scores) for r, v in READ_ONLY.items()},
        "export": {r: (v or readable_scores) for r, v in READ_ONLY.items()},
    }


@register(IndicatorScore)
class IndicatorScorePolicy(Policy):
    rules = {"view": {r: (v or readable_lines) for r, v in READ_ONLY.items()}}


def _sees_assessments(user) -> bool:
    return reads_assessments(user)


add_menu(
    MenuItem(
        GROUP, _("学校考核排名"), "governance:assessment_list", Assessment, "trophy", 330, _sees_assessments
    )
)
add_menu(MenuItem(GROUP, _("考核指标"), "governance:indicator_list", Indicator, "sliders", 331))

__all__ = ["funding_lead_id", "is_assessment_lead", "is_funding_lead"]
