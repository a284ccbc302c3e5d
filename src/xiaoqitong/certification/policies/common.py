"""Who is who in certification: the lead department's officers (市发改委: they accept, certify, review
and edit the criteria), the officers of a department asked for an opinion, and an enterprise's staff."""

from xiaoqitong.orgs.choices import Role

from ..selectors.setup import lead_department_id

GROUP = "产教融合型企业"
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}


def active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def role(user) -> str:
    return getattr(user, "role", "") or ""


def is_officer(user) -> bool:
    return active(user) and role(user) == Role.GOV_OFFICER and bool(user.department_id)


def is_lead(user) -> bool:
    """An officer of the lead department (市发改委), or a platform administrator."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return is_officer(user) and user.department_id == lead_department_id()


def is_applicant(user) -> bool:
    """Enterprise HR: applies and reports for its enterprise."""
    return active(user) and role(user) == Role.ENTERPRISE_HR and bool(user.enterprise_id)


def speaks_for(user, enterprise_id: int) -> bool:
    return is_applicant(user) and user.enterprise_id == enterprise_id
