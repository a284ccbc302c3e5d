"""Who may do what with agreements, their students and change requests (DESIGN rule 3).

- **Agreement**: the school's administrator (own school) or the enterprise's HR (own enterprise) write it
  while it is a draft; government officers read all; teachers read their school's; enterprise mentors read
  their enterprise's; students read the agreements they are members of; researchers nothing. The workflow
  (propose, approve, return, end, cancel) is decided by :func:`agreement_may` / :func:`agreement_steps`.
- **AgreementMember**: read with the agreement (a student: only their own places); the school administrator
  invites students (``services.member_invite``, or an import of the member list) and records who leaves.
- **AgreementChange**: read by every organization involved (the from- and the to-agreement's school and
  enterprise) and by the student; requested by the student or their school's administrator; decided once
  by each organization involved (:func:`change_parties`, :func:`change_awaits`).
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..choices import AgreementStatus, ChangeStatus, MemberStatus
from ..models import Agreement, AgreementChange, AgreementMember

SCHOOL = "school"
ENTERPRISE = "enterprise"


# --- agreements --------------------------------------------------------------------------------------------
def own_school_agreements(qs, user):
    return qs.filter(school_id=user.school_id) if user.school_id else qs.none()


def own_enterprise_agreements(qs, user):
    return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def member_agreements(qs, user):
    return qs.filter(pk__in=AgreementMember.objects.filter(student__user_id=user.pk).values("agreement_id"))


def own_school_drafts(qs, user):
    return own_school_agreements(qs, user).filter(status=AgreementStatus.DRAFT)


def own_enterprise_drafts(qs, user):
    return own_enterprise_agreements(qs, user).filter(status=AgreementStatus.DRAFT)


WRITERS = {Role.SCHOOL_ADMIN: own_school_drafts, Role.ENTERPRISE_HR: own_enterprise_drafts}


@register(Agreement)
class AgreementPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: own_school_agreements,
            Role.TEACHER: own_school_agreements,
            Role.ENTERPRISE_HR: own_enterprise_agreements,
            Role.ENTERPRISE_MENTOR: own_enterprise_agreements,
            Role.STUDENT: member_agreements,
        },
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: own_school_agreements,
            Role.ENTERPRISE_HR: own_enterprise_agreements,
        },
        "add": WRITERS,
        "change": WRITERS,
        "delete": WRITERS,
        "import": WRITERS,
    }
    # Each side's own organization is fixed by its account; the state and approvals belong to the workflow.
    locked = {
        Role.SCHOOL_ADMIN: {"school", "status"},
        Role.ENTERPRISE_HR: {"enterprise", "status"},
    }


def agreement_side(user, agreement: Agreement) -> str | None:
    """Which side of the agreement the user acts for: "school" (the school's administrator), "enterprise"
    (the enterprise's HR), or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    role = getattr(user, "role", None)
    if role == Role.SCHOOL_ADMIN and user.school_id and user.school_id == agreement.school_id:
        return SCHOOL
    if role == Role.ENTERPRISE_HR and user.enterprise_id and user.enterprise_id == agreement.enterprise_id:
        return ENTERPRISE
    return None


def approved_sides(agreement: Agreement) -> set[str]:
    sides = set()
    if agreement.school_approved_at:
        sides.add(SCHOOL)
    if agreement.enterprise_approved_at:
        sides.add(ENTERPRISE)
    return sides


# Each step: the states it starts from.
AGREEMENT_STEPS = {
    "propose": {AgreementStatus.DRAFT},
    "approve": {AgreementStatus.PROPOSED},
    "return": {AgreementStatus.PROPOSED},
    "end": {AgreementStatus.ACTIVE},
    "cancel": {AgreementStatus.DRAFT, AgreementStatus.PROPOSED, AgreementStatus.ACTIVE},
    "invite": {AgreementStatus.ACTIVE},
}
STEP_LABELS = {
    "propose": _("提交对方确认"),
    "approve": _("确认协议"),
    "return": _("退回修改"),
    "end": _("结束协议"),
    "cancel": _("终止协议"),
    "invite": _("邀请学生"),
}


def agreement_may(user, step: str, agreement: Agreement) -> bool:
    """Whether the user may take ``step`` on the agreement at all (whatever its state): either side proposes,
    returns, ends or cancels; approving is for a side that has not approved yet; only the school invites."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return step != "approve" or len(approved_sides(agreement)) < 2
    side = agreement_side(user, agreement)
    if side is None:
        return False
    if step == "invite":
        return side == SCHOOL
    if step == "approve":
        return side not in approved_sides(agreement)
    return True


def agreement_steps(user, agreement: Agreement) -> list[str]:
    """The steps the user may take on the agreement now (its state allows them): the buttons to show."""
    return [
        step
        for step, states in AGREEMENT_STEPS.items()
        if agreement.status in states and agreement_may(user, step, agreement)
    ]


def confirm_deadline_passed(agreement: Agreement) -> bool:
    """Whether the students' confirmation deadline is behind us (no deadline: never)."""
    return bool(agreement.confirm_deadline) and agreement.confirm_deadline < timezone.localdate()


# --- members -----------------------------------------------------------------------------------------------
def members_of_own_school(qs, user):
    return qs.filter(agreement__school_id=user.school_id) if user.school_id else qs.none()


def members_of_own_enterprise(qs, user):
    return qs.filter(agreement__enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def own_places(qs, user):
    return qs.filter(student__user_id=user.pk)


@register(AgreementMember)
class AgreementMemberPolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: members_of_own_school,
            Role.TEACHER: members_of_own_school,
            Role.ENTERPRISE_HR: members_of_own_enterprise,
            Role.ENTERPRISE_MENTOR: members_of_own_enterprise,
            Role.STUDENT: own_places,
        },
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: members_of_own_school,
            Role.ENTERPRISE_HR: members_of_own_enterprise,
        },
        # Places are offered by the school (services.member_invite, or an import of the member list); the
        # rest of their life is the services' (respond, leave, change requests).
        "add": {Role.SCHOOL_ADMIN: members_of_own_school},
        "change": {Role.SCHOOL_ADMIN: members_of_own_school},
        "import": {Role.SCHOOL_ADMIN: members_of_own_school},
    }


def member_may(user, step: str, member: AgreementMember) -> bool:
    """``respond``: the student themself; ``leave``: the school administrator of the agreement's school;
    ``change``: either of them (a change request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    is_student = getattr(user, "role", None) == Role.STUDENT and member.student.user_id == user.pk
    is_school = agreement_side(user, member.agreement) == SCHOOL
    return {"respond": is_student, "leave": is_school, "change": is_student or is_school}.get(step, False)


def member_steps(user, member: AgreementMember) -> list[str]:
    """What the user may do with the place now."""
    status, active = member.status, member.agreement.status == AgreementStatus.ACTIVE
    states = {
        "respond": status == MemberStatus.INVITED and active,
        "leave": status in (MemberStatus.INVITED, MemberStatus.CONFIRMED),
        "change": status == MemberStatus.CONFIRMED and active,
    }
    return [step for step, ok in states.items() if ok and member_may(user, step, member)]


# --- change requests ---------------------------------------------------------------------------------------
def changes_of_own_school(qs, user):
    if not user.school_id:
        return qs.none()
    return qs.filter(
        Q(member__agreement__school_id=user.school_id) | Q(to_agreement__school_id=user.school_id)
    )


def changes_of_own_enterprise(qs, user):
    if not user.enterprise_id:
        return qs.none()
    return qs.filter(
        Q(member__agreement__enterprise_id=user.enterprise_id)
        | Q(to_agreement__enterprise_id=user.enterprise_id)
    )


def own_changes(qs, user):
    return qs.filter(member__student__user_id=user.pk)


def requestable_changes(qs, user):
    """Where a school administrator's requests may lie: their own school's students' places."""
    return qs.filter(member__agreement__school_id=user.school_id) if user.school_id else qs.none()


@register(AgreementChange)
class AgreementChangePolicy(Policy):
    rules = {
        "view": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: changes_of_own_school,
            Role.TEACHER: changes_of_own_school,
            Role.ENTERPRISE_HR: changes_of_own_enterprise,
            Role.ENTERPRISE_MENTOR: changes_of_own_enterprise,
            Role.STUDENT: own_changes,
        },
        "export": {
            Role.GOV_OFFICER: ALL,
            Role.SCHOOL_ADMIN: changes_of_own_school,
            Role.ENTERPRISE_HR: changes_of_own_enterprise,
        },
        # Requested through services.agreement_change_request; decided through agreement_change_decide.
        "add": {Role.SCHOOL_ADMIN: requestable_changes, Role.STUDENT: own_changes},
    }


def change_parties(change: AgreementChange) -> list[tuple[str, object]]:
    """The organizations that decide the change, each once: the from- and the to-agreement's school and
    enterprise, as ``(key, organization)`` with keys like ``"school:3"``."""
    parties: dict[str, object] = {}
    for agreement in (change.member.agreement, change.to_agreement):
        parties.setdefault(f"{SCHOOL}:{agreement.school_id}", agreement.school)
        parties.setdefault(f"{ENTERPRISE}:{agreement.enterprise_id}", agreement.enterprise)
    return list(parties.items())


def party_keys_of(user) -> set[str]:
    """The party keys a user decides for: a school administrator for their school, HR for their enterprise."""
    role = getattr(user, "role", None)
    if role == Role.SCHOOL_ADMIN and user.school_id:
        return {f"{SCHOOL}:{user.school_id}"}
    if role == Role.ENTERPRISE_HR and user.enterprise_id:
        return {f"{ENTERPRISE}:{user.enterprise_id}"}
    return set()


def change_awaits(user, change: AgreementChange) -> list[str]:
    """The parties of a pending change the user may still decide for (a platform administrator: all those
    still awaited)."""
    if change.status != ChangeStatus.PENDING or user is None or not user.is_authenticated:
        return []
    awaited = [key for key, _org in change_parties(change) if key not in (change.decisions or {})]
    if user.is_superuser:
        return awaited
    mine = party_keys_of(user)
    return [key for key in awaited if key in mine]


def change_may_withdraw(user, change: AgreementChange) -> bool:
    if change.status != ChangeStatus.PENDING or user is None or not user.is_authenticated:
        return False
    return user.is_superuser or change.requested_by_id == user.pk


# --- menu and home page ------------------------------------------------------------------------------------
GROUP = "校企合作"
add_menu(
    MenuItem(
        GROUP, _("校企合作协议"), "cooperation:agreement_list", Agreement, icon="journal-text", order=100
    )
)
add_menu(
    MenuItem(
        GROUP, _("协议学生"), "cooperation:agreementmember_list", AgreementMember, icon="people", order=101
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("协议变更申请"),
        "cooperation:agreementchange_list",
        AgreementChange,
        icon="arrow-left-right",
        order=102,
    )
)
FULFILMENT_READERS = {Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER, Role.ENTERPRISE_HR}


def may_read_fulfilment(user) -> bool:
    return user.is_authenticated and (user.is_superuser or getattr(user, "role", None) in FULFILMENT_READERS)


add_menu(
    MenuItem(
        GROUP,
        _("协议履约统计"),
        "cooperation:agreement_fulfilment",
        Agreement,
        icon="clipboard-data",
        order=103,
        visible=may_read_fulfilment,
    )
)
add_menu(
    MenuItem(
        GROUP,
        _("我的校企合作"),
        "cooperation:my_agreements",
        icon="person-check",
        order=104,
        visible=lambda user: getattr(user, "role", None) == Role.STUDENT,
    )
)


def _places_to_confirm(user) -> int:
    return AgreementMember.objects.filter(
        student__user_id=user.pk,
        status=MemberStatus.INVITED,
        agreement__status=AgreementStatus.ACTIVE,
        agreement__confirm_deadline__gte=timezone.localdate(),
    ).count()


def _agreements_awaiting_me(user) -> int:
    qs = Agreement.objects.restrict(user).filter(status=AgreementStatus.PROPOSED)
    if user.is_superuser:
        return qs.count()
    if getattr(user, "role", None) == Role.SCHOOL_ADMIN:
        return qs.filter(school_id=user.school_id, school_approved_at__isnull=True).count()
    return qs.filter(enterprise_id=user.enterprise_id, enterprise_approved_at__isnull=True).count()


def _changes_awaiting_me(user) -> int:
    pending = AgreementChange.objects.restrict(user).filter(status=ChangeStatus.PENDING)
    keys = party_keys_of(user)
    if user.is_superuser:
        return pending.count()
    # A decided party's key is a key of the decisions object: exclude those the user's party has decided.
    for key in keys:
        pending = pending.exclude(decisions__has_key=key)
    return pending.count()


SIDES = {Role.PLATFORM_ADMIN, Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR}
add_counter(
    Counter(
        _("待我确认的校企合作"),
        _places_to_confirm,
        {Role.STUDENT},
        "cooperation:my_agreements",
        "person-check",
        100,
    )
)
add_counter(
    Counter(
        _("待我方确认的协议"),
        _agreements_awaiting_me,
        SIDES,
        "cooperation:agreement_list",
        "journal-check",
        101,
        query="status=proposed",
    )
)
add_counter(
    Counter(
        _("待我方审批的协议变更"),
        _changes_awaiting_me,
        SIDES,
        "cooperation:agreementchange_list",
        "arrow-left-right",
        102,
        query="status=pending",
    )
)
