"""The invitation list: the student as the viewer may see them (an enterprise sees a de-identified profile
without name or 学号), the position, its enterprise and the answer."""

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools import selectors as school_selectors

from .choices import InvitationStatus
from .models import Invitation

ATTRS = {"class": "table table-sm table-hover align-middle"}
DATETIME = "Y-m-d H:i"
STATUS_BADGES = {
    InvitationStatus.SENT: "text-bg-primary",
    InvitationStatus.ACCEPTED: "text-bg-success",
    InvitationStatus.DECLINED: "text-bg-secondary",
    InvitationStatus.WITHDRAWN: "text-bg-light border",
}
#: The filters of the list: a filtered list that is empty says so, an unfiltered one says why.
FILTER_KEYS = {"q", "status", "position", "created_after"}


def status_badge(invitation: Invitation):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_BADGES.get(invitation.status, "text-bg-secondary"),
        invitation.status,
        invitation.get_status_display(),
    )


class InvitationTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    position = tables.Column(
        verbose_name=_("岗位"),
        accessor="position__title",
        order_by=("position__title",),
        linkify=lambda record: record.get_absolute_url(),
    )
    enterprise = tables.Column(
        verbose_name=_("企业"), accessor="position__enterprise", order_by=("position__enterprise__name",)
    )
    # Not orderable: the order by name would hint at the hidden names of de-identified profiles.
    student = tables.Column(verbose_name=_("学生"), orderable=False)
    school = tables.Column(
        verbose_name=_("学校"), accessor="student__school", order_by=("student__school__code",)
    )
    major = tables.Column(
        verbose_name=_("专业"),
        accessor="student__school_major__major__name",
        order_by=("student__school_major__major__code",),
    )
    status = tables.Column(verbose_name=_("状态"))
    created_at = tables.DateTimeColumn(verbose_name=_("邀请时间"), format=DATETIME)
    responded_at = tables.DateTimeColumn(verbose_name=_("回复时间"), format=DATETIME)

    class Meta:
        model = Invitation
        fields = (
            "id",
            "position",
            "enterprise",
            "student",
            "school",
            "major",
            "status",
            "created_at",
            "responded_at",
        )
        attrs = ATTRS

    def __init__(self, *args, request=None, **kwargs):
        user = getattr(request, "user", None)
        if getattr(user, "role", None) == Role.STUDENT and not user.is_superuser:
            # A student's own invitations: the student columns would name themself on every row.
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "student", "school", "major")
        super().__init__(*args, request=request, **kwargs)
        self.empty_text = self._empty_text(request)

    @staticmethod
    def _empty_text(request) -> str:
        if request is not None and FILTER_KEYS & {k for k, v in request.GET.items() if v}:
            return _("没有符合筛选条件的邀请，请放宽或重置筛选条件。")
        role = getattr(getattr(request, "user", None), "role", None)
        if role == Role.STUDENT:
            return _(
                "还没有企业邀请您投递。在学生档案中设置“对企业公开简历”并完善技能后，"
                "企业可以在“推荐人选”中找到并邀请您。"
            )
        if role in {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}:
            return _("还没有发出投递邀请。可在“推荐人选”中为在招岗位挑选合适的学生并邀请投递。")
        if role in {Role.SCHOOL_ADMIN, Role.TEACHER}:
            return _("本校学生还没有收到企业的投递邀请。")
        return _("还没有投递邀请。企业在“推荐人选”中邀请学生后，邀请会显示在这里。")

    @cached_property
    def user(self):
        return getattr(getattr(self, "request", None), "user", None)

    @cached_property
    def applicants(self) -> set[int]:
        # At most one query per page, for enterprise users only.
        if getattr(self.user, "role", None) not in school_selectors.ENTERPRISE_ROLES:
            return set()
        page = getattr(self, "page", None)
        records = [row.record for row in page.object_list] if page is not None else list(self.data)
        return school_selectors.applicant_ids(self.user, [r.student_id for r in records])

    def render_student(self, record):
        access = school_selectors.student_access(self.user, record.student, applicants=self.applicants)
        return school_selectors.student_label(access, record.student)

    def render_status(self, record):
        return status_badge(record)
