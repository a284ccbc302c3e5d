"""Who may do what with practice bases and their bookings (DESIGN rule 3).

- **PracticeBase**: bases are public facilities: every logged-in role reads the active ones; their owners
  (the owner school, the co-owning enterprise) also read their own inactive ones, and government officers
  read all. The owner school's administrator and the owner enterprise's HR write their own bases (a base
  owned by both is written by both); government officers write every base.
- **BaseBooking**: a school (its administrators and teachers) or an enterprise (its HR and mentors) books
  for itself (``services.booking_create``); it reads its own bookings and the bookings of the bases it
  owns; government officers read all. Bookings are never edited: the booker's organization or the base's
  owner cancels them (``services.booking_cancel``, :func:`booking_may_cancel`). The calendar of a base
  shows every confirmed booking of it to whoever may see the base (organization and headcount only, see
  ``selectors.calendar_bookings``).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import BaseBooking, PracticeBase

SCHOOL_BOOKERS = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_BOOKERS = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
BOOKER_ROLES = SCHOOL_BOOKERS | ENTERPRISE_BOOKERS
# The roles that write their own organization's bases (and cancel bookings of them).
OWNER_ROLES = {Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def booker_org(user) -> tuple[int | None, int | None]:
    """``(school_id, enterprise_id)`` the user books for: their school for school staff, their enterprise
    for enterprise staff, ``(None, None)`` for every other role (they do not book)."""
    if user is None or not user.is_authenticated:
        return None, None
    role = _role(user)
    if role in SCHOOL_BOOKERS and user.school_id:
        return user.school_id, None
    if role in ENTERPRISE_BOOKERS and user.enterprise_id:
        return None, user.enterprise_id
    return None, None


def owned_q(user, prefix: str = "") -> Q:
    """The bases the user's organization owns (as owner school or owner enterprise)."""
    if getattr(user, "school_id", None):
        return Q(**{f"{prefix}owner_school_id": user.school_id})
    if getattr(user, "enterprise_id", None):
        return Q(**{f"{prefix}owner_enterprise_id": user.enterprise_id})
    return Q(pk__in=[])


def owns_base(user, base: PracticeBase) -> bool:
    """Whether the user's organization owns the base (the owner school or the owner enterprise)."""
    school_id, enterprise_id = getattr(user, "school_id", None), getattr(user, "enterprise_id", None)
    return bool(
        (school_id and base.owner_school_id == school_id)
        or (enterprise_id and base.owner_enterprise_id == enterprise_id)
    )


# --- practice bases ----------------------------------------------------------------------------------------
def active_bases(qs, user):
    return qs.filter(active=True)


def active_or_own_bases(qs, user):
    return qs.filter(Q(active=True) | owned_q(user))


def own_bases(qs, user):
    return qs.filter(owned_q(user))


@register(PracticeBase)
class PracticeBasePolicy(Policy):
    readers = {
        Role.SCHOOL_ADMIN: active_or_own_bases,
        Role.TEACHER: active_or_own_bases,
        Role.ENTERPRISE_HR: active_or_own_bases,
        Role.ENTERPRISE_MENTOR: active_or_own_bases,
        Role.RESEARCHER: active_bases,
    }
    writers = {Role.GOV_OFFICER: ALL, Role.SCHOOL_ADMIN: own_bases, Role.ENTERPRISE_HR: own_bases}
    rules = {
        "view": {Role.GOV_OFFICER: ALL, Role.STUDENT: active_bases, **readers},
        "export": {Role.GOV_OFFICER: ALL, **readers},
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }
    # An owner keeps its own side of the ownership; the other side it may set or clear (a co-owner).
    locked = {Role.SCHOOL_ADMIN: {"owner_school"}, Role.ENTERPRISE_HR: {"owner_enterprise"}}


# --- bookings ----------------------------------------------------------------------------------------------
def own_org_bookings(qs, user):
    school_id, enterprise_id = booker_org(user)
    if school_id:
        return qs.filter(school_id=school_id)
    if enterprise_id:
        return qs.filter(enterprise_id=enterprise_id)
    return qs.none()


def bookings_in_scope(qs, user):
    """The organization's own bookings and the bookings of the bases it owns."""
    school_id, enterprise_id = booker_org(user)
    if school_id:
        return qs.filter(Q(school_id=school_id) | Q(base__owner_school_id=school_id))
    if enterprise_id:
        return qs.filter(Q(enterprise_id=enterprise_id) | Q(base__owner_enterprise_id=enterprise_id))
    return qs.none()


@register(BaseBooking)
class BaseBookingPolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ALL, **{role: bookings_in_scope for role in BOOKER_ROLES}},
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: bookings_in_scope,
            Role.ENTERPRISE_HR: bookings_in_scope,
        },
        # Made by services.booking_create only (capacity is checked under a row lock); never edited.
        "add": {role: own_org_bookings for role in BOOKER_ROLES},
    }


def booking_may_cancel(user, booking: BaseBooking) -> bool:
    """Whether the user may cancel the booking (whatever its state): its organization's bookers, the base's
    owners (the owner school's administrator, the owner enterprise's HR) and platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    school_id, enterprise_id = booker_org(user)
    if (school_id and booking.school_id == school_id) or (
        enterprise_id and booking.enterprise_id == enterprise_id
    ):
        return True
    return _role(user) in OWNER_ROLES and owns_base(user, booking.base)


def booking_insider(user, booking: BaseBooking) -> bool:
    """Whether the user reads a booking in full (purpose, who booked): the booker's organization, the base's
    owners, government officers and platform administrators. Others see organization and headcount."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or _role(user) == Role.GOV_OFFICER:
        return True
    school_id, enterprise_id = booker_org(user)
    return bool(
        (school_id and booking.school_id == school_id)
        or (enterprise_id and booking.enterprise_id == enterprise_id)
        or owns_base(user, booking.base)
    )


# --- menu and home page ------------------------------------------------------------------------------------
GROUP = "校企合作"


def _is_booker(user) -> bool:
    return any(booker_org(user))


def _reads_all_bookings(user) -> bool:
    return user.is_superuser or _role(user) == Role.GOV_OFFICER


add_menu(MenuItem(GROUP, _("实习实训基地"), "cooperation:practicebase_list", PracticeBase, "building", 120))
add_menu(
    MenuItem(GROUP, _("我的预约"), "cooperation:booking_mine", BaseBooking, "calendar-check", 121, _is_booker)
)
add_menu(
    MenuItem(
        GROUP,
        _("基地预约"),
        "cooperation:basebooking_list",
        BaseBooking,
        "calendar-week",
        122,
        _reads_all_bookings,
    )
)
add_menu(
    MenuItem(GROUP, _("基地建设达标（T13/T14）"), "cooperation:base_targets", None, "clipboard-check", 123)
)


def _upcoming_bookings(user) -> int:
    from ..selectors.bases import my_bookings, upcoming

    return upcoming(my_bookings(user)).count()


def _shared_bases(user) -> int:
    return PracticeBase.objects.restrict(user).filter(active=True, shared=True).count()


def _counties_short(user) -> int | str:
    from django.core.exceptions import ImproperlyConfigured

    from ..selectors.bases import county_rows

    try:
        return sum(1 for row in county_rows() if not row["met"])
    except ImproperlyConfigured:  # the rules are not seeded: the targets page says so, the home page stays up
        return "—"


add_counter(
    Counter(
        _("近期基地预约"), _upcoming_bookings, BOOKER_ROLES, "cooperation:booking_mine", "calendar-check", 120
    )
)
add_counter(
    Counter(
        _("共享实训基地"),
        _shared_bases,
        {Role.PLATFORM_ADMIN, Role.GOV_OFFICER, *BOOKER_ROLES},
        "cooperation:practicebase_list",
        "building",
        121,
        query="shared=true",
    )
)
add_counter(
    Counter(
        _("共享基地未达标县市区（T14）"),
        _counties_short,
        {Role.PLATFORM_ADMIN, Role.GOV_OFFICER},
        "cooperation:base_targets",
        "clipboard-check",
        122,
    )
)
