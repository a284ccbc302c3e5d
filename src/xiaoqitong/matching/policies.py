"""Who sees what of matching (DESIGN rule 3).

- **Recommendations** are not rows: who may ask for which is decided in ``selectors`` (``may_see_*``): a
  student for themself; the enterprise (HR, mentors) for its own positions' candidates, who are only the
  students who consent or applied; a school (administrator, teachers) for its own majors' partners; the
  government for any major or enterprise; an enterprise for its own suppliers.
- **Invitation**: the enterprise's HR sends and withdraws them (``services.invitation_*``), its mentors read;
  the invited student reads and answers their own; the student's school reads its students' (as it reads
  their applications). The government and researchers get no rows (personal data).
"""

from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import Counter, MenuItem, add_counter, add_menu
from xiaoqitong.core.policy import Policy, register
from xiaoqitong.orgs.choices import Role

from .choices import InvitationStatus
from .models import Invitation


def invitations_of_own_enterprise(qs, user):
    return qs.filter(position__enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()


def own_invitations(qs, user):
    return qs.filter(student__user_id=user.pk)


def invitations_of_own_school(qs, user):
    return qs.filter(student__school_id=user.school_id) if user.school_id else qs.none()


@register(Invitation)
class InvitationPolicy(Policy):
    rules = {
        "view": {
            Role.ENTERPRISE_HR: invitations_of_own_enterprise,
            Role.ENTERPRISE_MENTOR: invitations_of_own_enterprise,
            Role.STUDENT: own_invitations,
            Role.SCHOOL_ADMIN: invitations_of_own_school,
            Role.TEACHER: invitations_of_own_school,
        },
        "export": {
            Role.ENTERPRISE_HR: invitations_of_own_enterprise,
            Role.SCHOOL_ADMIN: invitations_of_own_school,
        },
    }


def is_student(user) -> bool:
    return getattr(user, "role", None) == Role.STUDENT


def is_enterprise(user) -> bool:
    return getattr(user, "role", None) in {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR} and bool(
        getattr(user, "enterprise_id", None)
    )


def sees_majors(user) -> bool:
    return user.is_superuser or getattr(user, "role", None) in {
        Role.GOV_OFFICER,
        Role.SCHOOL_ADMIN,
        Role.TEACHER,
    }


GROUP = "人才供需"
add_menu(MenuItem(GROUP, _("为我推荐"), "matching:for_me", icon="stars", order=45, visible=is_student))
add_menu(
    MenuItem(
        GROUP, _("推荐人选"), "matching:candidates_home", icon="person-check", order=55, visible=is_enterprise
    )
)
add_menu(
    MenuItem(
        GROUP, _("合作院校专业"), "matching:suppliers", icon="mortarboard", order=56, visible=is_enterprise
    )
)
add_menu(
    MenuItem(GROUP, _("专业对接企业"), "matching:partners", icon="diagram-3", order=57, visible=sees_majors)
)
add_menu(
    MenuItem(GROUP, _("投递邀请"), "matching:invitation_list", Invitation, icon="envelope-paper", order=65)
)


def _waiting_invitations(user) -> int:
    return Invitation.objects.restrict(user).filter(status=InvitationStatus.SENT).count()


add_counter(
    Counter(
        _("待回复的投递邀请"),
        _waiting_invitations,
        roles={Role.STUDENT, Role.ENTERPRISE_HR},
        url_name="matching:invitation_list",
        icon="envelope-paper",
        order=35,
        query="status=sent",
    )
)
