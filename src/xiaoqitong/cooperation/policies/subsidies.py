"""Who may do what with the policy rules and the apprenticeship subsidies (T17, DESIGN rule 3).

- **Rule** (the policy's numbers): every logged-in user reads them; government officers and platform
  administrators change a value (``services.subsidies.rule_set``). Rules are seeded, never added or deleted.
- **SubsidyRate** (元/人·年 per year and apprenticeship kind): government officers keep them; enterprise HR
  (to see what it may claim) and school administrators read them.
- **SubsidyClaim**: an enterprise's HR claims for its own apprenticeship agreements and submits; the officers
  of the rate's reviewing department approve, return, reject and record the payment; every officer reads all
  claims; a school administrator reads the claims of its school's agreements. Students, teachers, mentors and
  researchers see none.

The claim's steps are decided by :func:`subsidy_claim_may` / :func:`subsidy_claim_steps`, which the services
enforce and the detail page uses to show buttons.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, ANY_ROLE, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import ClaimStatus
from ..models import Rule, SubsidyClaim, SubsidyClaimLine, SubsidyRate


# --- rules -------------------------------------------------------------------------------------------------
@register(Rule)
class RulePolicy(Policy):
    rules = {
        "view": {ANY_ROLE: ALL},
        "export": {ANY_ROLE: ALL},
        "change": {Role.GOV_OFFICER: ALL},
    }
    # Which rule a row is and where it comes from are fixed by the migration; officers change value and note.
    locked = {Role.GOV_OFFICER: {"key", "target", "source"}}


def is_officer(user) -> bool:
    """A government officer or a platform administrator (active): who changes the policy's numbers and the
    rates, reads the summary of all claims and imports payment records."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "role", None) == Role.GOV_OFFICER


# --- rates -------------------------------------------------------------------------------------------------
@register(SubsidyRate)
class SubsidyRatePolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.ENTERPRISE_HR: ALL, Role.SCHOOL_ADMIN: ALL},
        "export": {Role.GOV_OFFICER: ALL},
        "add": {Role.GOV_OFFICER: ALL},
        "change": {Role.GOV_OFFICER: ALL},
        "delete": {Role.GOV_OFFICER: ALL},
    }


# --- claims ------------------------------------------------------------------------------------------------
def own_enterprise_claims(qs, user):
    return qs.filter(agreement__enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def own_draft_claims(qs, user):
    return own_enterprise_claims(qs, user).filter(status=ClaimStatus.DRAFT)


def own_school_claims(qs, user):
    return qs.filter(agreement__school_id=user.school_id) if user.school_id else qs.none()


def department_claims(qs, user):
    """The claims whose rate the officer's department reviews."""
    return qs.filter(rate__reviewing_department_id=user.department_id) if user.department_id else qs.none()


@register(SubsidyClaim)
class SubsidyClaimPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.ENTERPRISE_HR: own_enterprise_claims,
            Role.SCHOOL_ADMIN: own_school_claims,
        },
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.ENTERPRISE_HR: own_enterprise_claims,
            Role.SCHOOL_ADMIN: own_school_claims,
        },
        "add": {Role.ENTERPRISE_HR: own_enterprise_claims},
        # A claim is changed only through its steps (recompute, submit, review, pay), never edited.
        "delete": {Role.ENTERPRISE_HR: own_draft_claims},
    }


def lines_in_scope(qs, user):
    return qs.filter(claim__in=SubsidyClaim.objects.restrict(user, "view").values("pk"))


@register(SubsidyClaimLine)
class SubsidyClaimLinePolicy(Policy):
    """Read with the claim; written only by the computation (``subsidy_claim_create``/``_recompute``)."""

    rules = {
        "view": {role: lines_in_scope for role in (Role.GOV_OFFICER, Role.ENTERPRISE_HR, Role.SCHOOL_ADMIN)}
    }


EDITABLE_CLAIM = {ClaimStatus.DRAFT, ClaimStatus.RETURNED}
# Each step: the states it starts from and who takes it ("enterprise": the claiming enterprise's HR;
# "reviewer": an officer of the rate's reviewing department). Platform administrators take every step.
CLAIM_STEPS = {
    "recompute": (EDITABLE_CLAIM, "enterprise"),
    "submit": (EDITABLE_CLAIM, "enterprise"),
    "approve": ({ClaimStatus.SUBMITTED}, "reviewer"),
    "return": ({ClaimStatus.SUBMITTED}, "reviewer"),
    "reject": ({ClaimStatus.SUBMITTED}, "reviewer"),
    "pay": ({ClaimStatus.APPROVED}, "reviewer"),
}
STEP_LABELS = {
    "recompute": _("重新计算"),
    "submit": _("提交审核"),
    "approve": _("审核通过"),
    "return": _("退回修改"),
    "reject": _("不予补贴"),
    "pay": _("登记拨付"),
}


def claim_reviewer(user, claim: SubsidyClaim) -> bool:
    """An officer of the department that reviews the claim's rate (or a platform administrator)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        getattr(user, "role", None) == Role.GOV_OFFICER
        and bool(user.department_id)
        and user.department_id == claim.rate.reviewing_department_id
    )


def claim_owner(user, claim: SubsidyClaim) -> bool:
    """The claiming enterprise's HR (or a platform administrator)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        getattr(user, "role", None) == Role.ENTERPRISE_HR
        and bool(user.enterprise_id)
        and user.enterprise_id == claim.agreement.enterprise_id
    )


def subsidy_claim_may(user, step: str, claim: SubsidyClaim) -> bool:
    """Whether the user may take ``step`` on this claim at all (whatever its state)."""
    who = CLAIM_STEPS[step][1]
    return claim_owner(user, claim) if who == "enterprise" else claim_reviewer(user, claim)


def subsidy_claim_steps(user, claim: SubsidyClaim) -> list[str]:
    """The steps the user may take on the claim now (its state allows them): the buttons to show."""
    return [
        step
        for step, (states, _who) in CLAIM_STEPS.items()
        if claim.status in states and subsidy_claim_may(user, step, claim)
    ]


# --- menu and home page ------------------------------------------------------------------------------------
GROUP = "校企合作"
add_menu(
    MenuItem(
        GROUP, _("学徒补贴申请"), "cooperation:subsidyclaim_list", SubsidyClaim, icon="cash-coin", order=110
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("学徒补贴汇总"),
        "cooperation:subsidy_summary",
        SubsidyClaim,
        icon="bar-chart-line",
        order=111,
        visible=is_officer,
    )
)
add_menu(
    MenuItem(GROUP, _("补贴标准"), "cooperation:subsidyrate_list", SubsidyRate, icon="cash-stack", order=112)
)
add_menu(MenuItem(GROUP, _("政策规则"), "cooperation:rule_list", Rule, icon="journal-text", order=119))


def _claims_to_review(user) -> int:
    qs = SubsidyClaim.objects.filter(status=ClaimStatus.SUBMITTED)
    return qs.count() if user.is_superuser else department_claims(qs, user).count()


def _my_open_claims(user) -> int:
    return own_enterprise_claims(SubsidyClaim.objects.filter(status__in=EDITABLE_CLAIM), user).count()


add_counter(
    Counter(
        _("待我审核的学徒补贴"),
        _claims_to_review,
        {Role.PLATFORM_ADMIN, Role.GOV_OFFICER},
        "cooperation:subsidyclaim_list",
        "cash-coin",
        110,
        query="status=submitted&mine=true",
    )
)
add_counter(
    Counter(
        _("待提交的学徒补贴申请"),
        _my_open_claims,
        {Role.ENTERPRISE_HR},
        "cooperation:subsidyclaim_list",
        "cash-coin",
        111,
        query="status=draft&status=returned",
    )
)
