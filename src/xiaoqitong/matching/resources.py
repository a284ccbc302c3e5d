"""Export of invitations (never imported: enterprises send them from “推荐人选”).

The student columns follow what the person exporting may see of each student
(``schools.selectors.student_access``): an enterprise's export names only the students who consent to a full
profile or applied to it; the others read 匿名学生 with an empty 学号. Without a person (``actor`` unset)
every row is de-identified.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import BaseResource, ChoiceWidget, register_resource
from xiaoqitong.schools import selectors as school_selectors
from xiaoqitong.schools.selectors import Access

from .choices import InvitationStatus
from .models import Invitation

col = BaseResource.column


@register_resource
class InvitationResource(BaseResource):
    id = col("id", "编号", readonly=True)
    enterprise = col("position__enterprise__name", "企业", readonly=True)
    title = col("position__title", "岗位", readonly=True)
    school = col("student__school__name", "学校", readonly=True)
    major = col("student__school_major__major__name", "专业", readonly=True)
    student = col("student_id", "学生", readonly=True)
    student_no = col("student_id", "学号", readonly=True)
    status = col("status", "状态", ChoiceWidget(InvitationStatus.choices), readonly=True)
    message = col("message", "邀请留言", readonly=True)
    created_at = col("created_at", "邀请时间", readonly=True)
    responded_at = col("responded_at", "回复时间", readonly=True)

    class Meta(BaseResource.Meta):
        model = Invitation
        import_id_fields = ("id",)
        fields = (
            "id",
            "enterprise",
            "title",
            "school",
            "major",
            "student",
            "student_no",
            "status",
            "message",
            "created_at",
            "responded_at",
        )

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("投递邀请不能导入：请由企业在“推荐人选”中发出。"))

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        queryset = queryset.select_related(
            "position__enterprise", "student__school", "student__school_major__major"
        )
        # Whom the exporting enterprise sees in full beyond consent (its applicants): one query for the file.
        self._applicants = school_selectors.applicant_ids(
            self.actor, set(queryset.values_list("student_id", flat=True))
        )
        return super().export(queryset=queryset, **kwargs)

    def _access(self, invitation: Invitation) -> Access:
        if self.actor is None:
            return Access.DEIDENTIFIED
        return school_selectors.student_access(
            self.actor, invitation.student, applicants=getattr(self, "_applicants", set())
        )

    def dehydrate_student(self, invitation):
        return school_selectors.student_label(self._access(invitation), invitation.student)

    def dehydrate_student_no(self, invitation):
        shows = school_selectors.shows_identity(self._access(invitation))
        return invitation.student.student_no if shows else ""

    def dehydrate_created_at(self, invitation):
        return when_text(invitation.created_at)

    def dehydrate_responded_at(self, invitation):
        return when_text(invitation.responded_at)
