"""Tables of dual-mentor assessment plans and grades."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import when_text

from ..models import AssessmentPlan, Grade

ATTRS = {"class": "table table-sm table-hover align-middle"}


def weights_text(plan: AssessmentPlan) -> str:
    """“理论 40% / 实践 60%”."""
    return _("理论 %(t)s%% / 实践 %(p)s%%") % {"t": plan.theory_weight, "p": plan.practice_weight}


class AssessmentPlanTable(tables.Table):
    course = tables.Column(linkify=True)
    school = tables.Column(order_by=("school__code",))
    school_major = tables.Column(verbose_name=_("专业"), order_by=("school_major__major__code",))
    enterprise = tables.Column(order_by=("enterprise__name",))
    weights = tables.Column(verbose_name=_("权重"), empty_values=(), orderable=False)

    class Meta:
        model = AssessmentPlan
        fields = (
            "course",
            "term",
            "school",
            "school_major",
            "cohort",
            "enterprise",
            "weights",
            "pass_score",
            "status",
        )
        attrs = ATTRS

    def render_school_major(self, record):
        return record.school_major.major.name

    def render_weights(self, record):
        return weights_text(record)


class GradeTable(tables.Table):
    plan = tables.Column(verbose_name=_("考核计划"), linkify=True, order_by=("plan__course", "plan__term"))
    student_no = tables.Column(verbose_name=_("学号"), accessor="student__student_no")
    student = tables.Column(verbose_name=_("学生"), accessor="student__name", order_by=("student__name",))
    grader = tables.Column(verbose_name=_("评分人"), orderable=False)
    updated_at = tables.Column(verbose_name=_("评分时间"))

    class Meta:
        model = Grade
        fields = ("plan", "student_no", "student", "part", "score", "source", "grader", "updated_at")
        attrs = ATTRS

    def render_score(self, value):
        return f"{value.normalize():f}"

    def render_grader(self, value):
        return value.get_full_name() or value.username

    def render_updated_at(self, value):
        return when_text(value)
