"""Who sees and does what in certification (DESIGN rule 3).

- **Setup** and **Criterion**: every signed-in user reads the criteria (they are the published conditions);
  the lead department's officers (市发改委) and platform administrators change them.
- **Application** (with its claims, documents and opinions): an enterprise's HR and mentors read their
  enterprise's applications, HR writes them; the lead department reads and decides every submitted one
  (not drafts); a department asked for an opinion reads the applications it was asked about.
- **Certification**, **Plaque**: public facts (the public list shows the held titles): every signed-in user
  reads them; nobody writes them except through the services.
- **Review**: the enterprise's staff read theirs (HR reports); government officers and researchers read all.
- **Incentive**: government officers read all and add, change, delete and import their own department's
  (the lead department's officers every department's); an enterprise's staff read their own; researchers
  read all.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ACTIONS, ALL, ANY_ROLE, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import ApplicationStatus
from ..models import (
    Application,
    Certification,
    Claim,
    Criterion,
    Document,
    Incentive,
    Opinion,
    Plaque,
    Review,
    Setup,
)
from ..selectors import targets as _measures  # noqa: F401  (registers T12 and T2 with quality.targets)
from .common import ENTERPRISE_STAFF, GROUP, is_lead, is_officer

NOTHING = Q(pk__in=[])


class LeadOnlyWrites(Policy):
    """Writes for the lead department's officers only (a rule per user, not per role)."""

    write_actions = ("add", "change", "delete", "import")

    def rule(self, user, action):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in self.write_actions:
            return ALL if is_lead(user) else None
        return super().rule(user, action)


@register(Setup)
class SetupPolicy(LeadOnlyWrites):
    rules = {"view": {Role.GOV_OFFICER: ALL}}
    write_actions = ("change",)


@register(Criterion)
class CriterionPolicy(LeadOnlyWrites):
    # The criteria are edited on their pages; they have an export, not an import.
    write_actions = ("add", "change", "delete")

    def rule(self, user, action):
        if action == "import":
            return None
        return super().rule(user, action)

    rules = {"view": {ANY_ROLE: ALL}, "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL}}


def application_q(user, prefix: str = "") -> Q:
    """The applications (``prefix`` leads to one from another model) the user reads. The lead department
    reads those that were ever submitted: not drafts, nor drafts withdrawn before they were submitted."""
    if user.is_superuser or is_lead(user):
        return Q(**{f"{prefix}submitted_at__isnull": False})
    if is_officer(user):
        return Q(**{f"{prefix}opinions__department_id": user.department_id})
    if getattr(user, "role", "") in ENTERPRISE_STAFF and user.enterprise_id:
        return Q(**{f"{prefix}enterprise_id": user.enterprise_id})
    return NOTHING


def readable_applications(qs, user):
    return qs.filter(application_q(user)).distinct()


def own_enterprise(qs, user):
    return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def lead_all(qs, user):
    return qs.filter(submitted_at__isnull=False) if is_lead(user) else qs.none()


@register(Application)
class ApplicationPolicy(Policy):
    def rule(self, user, action):
        # Only the lead department exports the applications (other officers read those they were asked about).
        if action == "export" and not is_lead(user):
            return None
        return super().rule(user, action)

    rules = {
        "view": {ANY_ROLE: readable_applications},
        "add": {Role.ENTERPRISE_HR: ALL},
        "change": {Role.ENTERPRISE_HR: own_enterprise},
        "delete": {Role.ENTERPRISE_HR: own_enterprise},
        "export": {Role.GOV_OFFICER: lead_all},
    }


def _via_parent(qs, user):
    """Claims and documents of the applications and reviews the user reads."""
    reviews = Review.objects.restrict(user, "view").values("pk")
    return qs.filter(application_q(user, "application__") | Q(review__in=reviews)).distinct()


@register(Claim)
class ClaimPolicy(Policy):
    rules = {"view": {ANY_ROLE: _via_parent}}


@register(Document)
class DocumentPolicy(Policy):
    rules = {"view": {ANY_ROLE: _via_parent}}


def own_or_lead_opinions(qs, user):
    if is_lead(user):
        return qs.exclude(application__status=ApplicationStatus.DRAFT)
    return qs.filter(department_id=user.department_id) if user.department_id else qs.none()


def own_department_opinions(qs, user):
    return qs.filter(department_id=user.department_id) if user.department_id else qs.none()


@register(Opinion)
class OpinionPolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: own_or_lead_opinions},
        "change": {Role.GOV_OFFICER: own_department_opinions},
    }


@register(Certification)
class CertificationPolicy(Policy):
    rules = {
        "view": {ANY_ROLE: ALL},
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL},
    }


@register(Plaque)
class PlaquePolicy(Policy):
    rules = {"view": {ANY_ROLE: ALL}}


def own_enterprise_reviews(qs, user):
    return qs.filter(certification__enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


@register(Review)
class ReviewPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.RESEARCHER: ALL,
            Role.ENTERPRISE_HR: own_enterprise_reviews,
            Role.ENTERPRISE_MENTOR: own_enterprise_reviews,
        },
        "change": {Role.ENTERPRISE_HR: own_enterprise_reviews},
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL},
    }


def own_department_incentives(qs, user):
    if is_lead(user):
        return qs
    return qs.filter(department_id=user.department_id) if user.department_id else qs.none()


@register(Incentive)
class IncentivePolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.RESEARCHER: ALL,
            Role.ENTERPRISE_HR: own_enterprise,
            Role.ENTERPRISE_MENTOR: own_enterprise,
        },
        "add": {Role.GOV_OFFICER: ALL},
        "change": {Role.GOV_OFFICER: own_department_incentives},
        "delete": {Role.GOV_OFFICER: own_department_incentives},
        "import": {Role.GOV_OFFICER: ALL},
        "export": {Role.GOV_OFFICER: ALL, Role.RESEARCHER: ALL},
    }
    # An officer records the incentives of their own department (the lead department may name another).
    locked = {}


def _pending_opinions(user) -> int:
    if not is_officer(user):
        return 0
    return Opinion.objects.filter(
        department_id=user.department_id, stance="", application__status=ApplicationStatus.UNDER_REVIEW
    ).count()


def _waiting_applications(user) -> int:
    if not is_lead(user):
        return 0
    return Application.objects.filter(status=ApplicationStatus.SUBMITTED).count()


def _enterprise_due_reviews(user) -> int:
    from ..choices import AWAITING_ENTERPRISE, HELD

    if not user.enterprise_id:
        return 0
    return Review.objects.filter(
        certification__enterprise_id=user.enterprise_id,
        certification__status__in=HELD,
        status__in=AWAITING_ENTERPRISE,
    ).count()


add_menu(MenuItem(GROUP, _("认定申请"), "certification:application_list", Application, "award", 170))
add_menu(
    MenuItem(
        GROUP, _("产教融合型企业名单"), "certification:certification_list", Certification, "patch-check", 171
    )
)
add_menu(MenuItem(GROUP, _("年度考核"), "certification:review_list", Review, "clipboard-check", 172))
add_menu(MenuItem(GROUP, _("激励台账"), "certification:incentive_list", Incentive, "piggy-bank", 173))
add_menu(MenuItem(GROUP, _("认定条件"), "certification:criterion_list", Criterion, "list-check", 174))
add_menu(
    MenuItem(
        GROUP,
        _("产教融合指标（T12、T2）"),
        "certification:targets",
        None,
        "bullseye",
        175,
        lambda u: (
            getattr(u, "role", "") in (Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN)
            or u.is_superuser
        ),
    )
)
add_menu(MenuItem(GROUP, _("认定工作设置"), "certification:setup", Setup, "gear", 176))
add_counter(
    Counter(
        _("待出具意见的认定申请"),
        _pending_opinions,
        {Role.GOV_OFFICER},
        "certification:application_list",
        "award",
        60,
        "opinion=pending",
    )
)
add_counter(
    Counter(
        _("待受理的认定申请"),
        _waiting_applications,
        {Role.GOV_OFFICER, Role.PLATFORM_ADMIN},
        "certification:application_list",
        "award",
        61,
        "status=submitted",
    )
)
add_counter(
    Counter(
        _("待报送的年度考核"),
        _enterprise_due_reviews,
        {Role.ENTERPRISE_HR},
        "certification:review_list",
        "clipboard-check",
        62,
        "status=open",
    )
)


def _t12(user) -> int:
    from django.utils import timezone

    from ..selectors.targets import certified_count

    return certified_count(timezone.localdate().year)["total"]


def _t2(user) -> str:
    from django.utils import timezone

    from ..selectors.targets import deep_participation

    city, _counties = deep_participation(timezone.localdate().year)
    return city.text


TARGET_READERS = {Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN}
add_counter(
    Counter(_("产教融合型企业（T12）"), _t12, TARGET_READERS, "certification:targets", "patch-check", 63)
)
add_counter(
    Counter(
        _("深度参与的本地大中型企业（T2）"), _t2, TARGET_READERS, "certification:targets", "diagram-3", 64
    )
)
