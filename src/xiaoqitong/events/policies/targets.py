"""The events targets page (T7-T9) shows aggregates only (counts of events, participants, intentions and
commitments; no person or organization named): it is read by government officers, researchers, platform
administrators and the staff of schools and enterprises; not by students.

Importing this module also registers the three counts with ``quality.targets`` (``selectors.targets``), so
that the 质量指标总览 page lists them wherever it is asked for.
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.orgs.choices import Role

from ..selectors import targets as _measures  # noqa: F401  (registers T7-T9 with quality.targets)

GROUP = "产教活动"
READERS = {
    Role.GOV_OFFICER,
    Role.RESEARCHER,
    Role.PLATFORM_ADMIN,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.ENTERPRISE_HR,
    Role.ENTERPRISE_MENTOR,
}


def may_view_event_targets(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or (getattr(user, "role", "") or "") in READERS)
    )


add_menu(
    MenuItem(GROUP, _("活动指标（T7-T9）"), "events:targets", None, "bullseye", 166, may_view_event_targets)
)
