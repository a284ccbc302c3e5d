"""Who sees and does what with the reward fund (六（十七）, annex task 15; DESIGN rule 3).

- **FundingRule**: the lead department of annex task 15 (市财政局, found in the responsibility list) adds,
  changes, deletes and imports the coefficients; officers, researchers and schools read them (they are the
  published rules); officers and researchers export them.
- **Allocation**, **AllocationLine**: the lead department makes, computes and finalizes allocations and
  reads drafts, as does the assessment's lead (市教育局, whose results they rest on); every other officer and
  researcher reads final allocations with all lines; a school's staff read final allocations and their own
  school's line.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import AllocationStatus
from ..models import Allocation, AllocationLine, FundingRule
from .assessment import GROUP, SCHOOL_STAFF, LeadWrites, is_assessment_lead, is_funding_lead, school_of

NOTHING = Q(pk__in=[])


class FundingLeadWrites(LeadWrites):
    def is_lead(self, user) -> bool:
        return is_funding_lead(user)


@register(FundingRule)
class FundingRulePolicy(FundingLeadWrites):
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


def sees_drafts(user) -> bool:
    return is_funding_lead(user) or is_assessment_lead(user)


def readable_allocations(qs, user):
    if sees_drafts(user):
        return qs
    return qs.filter(status=AllocationStatus.FINAL)


def draft_allocations(qs, user):
    return qs.filter(status=AllocationStatus.DRAFT) if is_funding_lead(user) else qs.none()


READERS = {Role.GOV_OFFICER, Role.RESEARCHER, *SCHOOL_STAFF}


@register(Allocation)
class AllocationPolicy(FundingLeadWrites):
    write_actions = ("add",)
    rules = {
        "view": {**{r: readable_allocations for r in READERS}, Role.PLATFORM_ADMIN: ALL},
        "export": {Role.GOV_OFFICER: readable_allocations, Role.RESEARCHER: readable_allocations},
        # A final allocation is the record of what was paid: only drafts change or go.
        "change": {Role.GOV_OFFICER: draft_allocations},
        "delete": {Role.GOV_OFFICER: draft_allocations},
    }

    def rule(self, user, action):
        if action == "import":
            return None
        if action in ("change", "delete"):  # platform administrators too: only drafts
            return draft_allocations if is_funding_lead(user) else None
        return super().rule(user, action)


def readable_lines(qs, user):
    if sees_drafts(user):
        return qs
    final = qs.filter(allocation__status=AllocationStatus.FINAL)
    if getattr(user, "role", "") in SCHOOL_STAFF:
        school_id = school_of(user)
        return final.filter(school_id=school_id) if school_id else qs.none()
    return final


@register(AllocationLine)
class AllocationLinePolicy(Policy):
    rules = {
        "view": {**{r: readable_lines for r in READERS}, Role.PLATFORM_ADMIN: ALL},
        "export": {Role.GOV_OFFICER: readable_lines, Role.RESEARCHER: readable_lines},
    }


add_menu(MenuItem(GROUP, _("奖补资金分配"), "governance:allocation_list", Allocation, "cash-coin", 332))
add_menu(MenuItem(GROUP, _("拨款系数"), "governance:fundingrule_list", FundingRule, "percent", 333))
