"""Who requests and reads the annual quality report (R3, 六（十六）).

- A **city report** is requested by the officers of the department that leads annex task 7 (the quality
  report system: 市教育局; found as the lead ``TaskParty`` of task 7, else the department coded ``CZ-JYJ``);
  every government officer and researcher reads it.
- A **school report** is requested by that school's administrators or by those officers; the school's staff
  (administrators and teachers) and every government officer read it.
- Platform administrators do everything.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import QualityReport

GROUP = "治理与目标"
REPORT_TASK = 7  # annex task 7: 建立职业教育质量年度报告制度
FALLBACK_DEPARTMENT = "CZ-JYJ"  # 市教育局
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}


def active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def report_department_id() -> int | None:
    """The department that leads the quality report: the lead of annex task 7, else 市教育局 (CZ-JYJ)."""
    from ..selectors.tasks import lead_department_id

    return lead_department_id(REPORT_TASK, FALLBACK_DEPARTMENT)


def is_report_officer(user) -> bool:
    """An officer of the department that leads the quality report, or a platform administrator."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return (
        getattr(user, "role", "") == Role.GOV_OFFICER
        and bool(user.department_id)
        and user.department_id == report_department_id()
    )


def may_request(user, school=None) -> bool:
    """The city report: the report officers; a school's report: also that school's administrators."""
    if is_report_officer(user):
        return True
    if school is None or not active(user):
        return False
    return getattr(user, "role", "") == Role.SCHOOL_ADMIN and user.school_id == school.pk


def readable_q(user) -> Q | None:
    """The reports the user reads (``None``: all of them)."""
    if not active(user):
        return Q(pk__in=[])
    role = getattr(user, "role", "")
    if user.is_superuser or role in (Role.GOV_OFFICER, Role.PLATFORM_ADMIN):
        return None
    if role == Role.RESEARCHER:
        return Q(school__isnull=True)
    if role in SCHOOL_STAFF and user.school_id:
        return Q(school_id=user.school_id)
    return Q(pk__in=[])


def may_read(user, report: QualityReport) -> bool:
    q = readable_q(user)
    if q is None:
        return True
    return QualityReport.objects.filter(q, pk=report.pk).exists()


def readable(qs, user):
    q = readable_q(user)
    return qs if q is None else qs.filter(q)


def own_school(qs, user):
    return qs.filter(school_id=user.school_id) if user.school_id else qs.none()


@register(QualityReport)
class QualityReportPolicy(Policy):
    """Reads as above; ``add`` (a request) for those who may request some report: the service checks the
    department and the school."""

    rules = {
        "view": {
            Role.GOV_OFFICER: readable,
            Role.RESEARCHER: readable,
            Role.SCHOOL_ADMIN: readable,
            Role.TEACHER: readable,
            Role.PLATFORM_ADMIN: readable,
        },
        "add": {Role.GOV_OFFICER: readable, Role.SCHOOL_ADMIN: own_school},
    }

    def rule(self, user, action):
        if action == "add" and active(user) and getattr(user, "role", "") == Role.GOV_OFFICER:
            return super().rule(user, action) if is_report_officer(user) else None
        return super().rule(user, action)


add_menu(
    MenuItem(
        GROUP, _("质量年度报告"), "governance:qualityreport_list", QualityReport, "journal-richtext", 240
    )
)
