"""Forms of internships: plans, placements (the student by 学号, the enterprise by 统一社会信用代码, the
mentors by their login), weekly logs, leave requests, subsidies and evaluations. The services check the
rules; the forms only read what was typed and narrow the choices to what the user may pick."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.schools.models import SchoolMajor, Student

from .. import rules
from ..choices import MentorSide, PlacementStatus, RuleKey
from ..models import (
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
    PracticeBase,
)
from ..selectors.internships import rule_percent, subsidy_placements
from ..services import internships as services
from ..services.internships import user_by_username

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def _superuser(user) -> bool:
    return user is not None and user.is_superuser


def _own_placements(user, statuses):
    """The student's own placements in ``statuses`` (platform administrators: everyone's)."""
    placements = Placement.objects.filter(status__in=statuses).select_related("student", "enterprise")
    if _superuser(user):
        return placements
    return placements.filter(student__user_id=getattr(user, "pk", None))


class _ServiceForm(BaseModelForm):
    """The model's own validation runs in the service (with the rules), not twice."""

    def _post_clean(self):
        pass


class InternshipPlanForm(_ServiceForm):
    class Meta:
        model = InternshipPlan
        fields = list(services.PLAN_FIELDS)
        widgets = {"period_start": DATE, "period_end": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rule's share as it stands (a Rule row), not a number written here.
        self.fields["planned_local"].help_text = _(
            "安排到市域内企业实习的人数，不得低于计划实习人数的 %(rule)s（%(cite)s）"
        ) % {
            "rule": rule_percent(rules.value(RuleKey.LOCAL_INTERN_SHARE)),
            "cite": rules.cite(RuleKey.LOCAL_INTERN_SHARE),
        }
        majors = SchoolMajor.objects.select_related("school", "major").order_by(
            "school__code", "-year", "major"
        )
        if _superuser(self.user):
            self.fields["school"].queryset = School.objects.order_by("code")
            self.fields["school"].required = False
            self.fields["school"].help_text = _("留空时为所选专业的学校")
        else:
            del self.fields["school"]
            school_id = getattr(self.user, "school_id", None)
            majors = majors.filter(school_id=school_id) if school_id else majors.none()
        self.fields["school_major"].queryset = majors


class PlacementForm(_ServiceForm):
    student_no = forms.CharField(label=gettext_lazy("学号"), max_length=30)
    enterprise_code = forms.CharField(label=gettext_lazy("实习单位统一社会信用代码"), max_length=18)
    school_mentor_username = forms.CharField(
        label=gettext_lazy("学校导师账号"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("本校教师的登录账号"),
    )
    enterprise_mentor_username = forms.CharField(
        label=gettext_lazy("企业导师账号"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("实习单位企业导师的登录账号"),
    )

    class Meta:
        model = Placement
        fields = ["plan", "base", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    field_order = [
        "plan",
        "student_no",
        "enterprise_code",
        "base",
        "school_mentor_username",
        "enterprise_mentor_username",
        "start_date",
        "end_date",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = (
            InternshipPlan.objects.restrict(self.user, "change")
            .select_related("school")
            .order_by("-period_start")
            if self.user is not None
            else InternshipPlan.objects.none()
        )
        self.fields["base"].queryset = PracticeBase.objects.filter(active=True).order_by("code")
        instance = self.instance
        if instance.pk:
            self.initial.setdefault("student_no", instance.student.student_no)
            self.initial.setdefault("enterprise_code", instance.enterprise.credit_code)
            if instance.school_mentor_id:
                self.initial.setdefault("school_mentor_username", instance.school_mentor.username)
            if instance.enterprise_mentor_id:
                self.initial.setdefault("enterprise_mentor_username", instance.enterprise_mentor.username)
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan")
        number = (cleaned.get("student_no") or "").strip()
        if plan is not None and number:
            student = Student.objects.filter(school_id=plan.school_id, student_no=number).first()
            if student is None:
                self.add_error(
                    "student_no",
                    _("%(school)s没有学号为“%(no)s”的学生。") % {"school": plan.school, "no": number},
                )
            cleaned["student_no"] = student
        code = (cleaned.get("enterprise_code") or "").strip().upper()
        if code:
            enterprise = Enterprise.objects.filter(credit_code=code).first()
            if enterprise is None:
                self.add_error(
                    "enterprise_code", _("找不到统一社会信用代码为“%(code)s”的企业。") % {"code": code}
                )
            cleaned["enterprise_code"] = enterprise
        for name in ("school_mentor_username", "enterprise_mentor_username"):
            username = (cleaned.get(name) or "").strip()
            user = user_by_username(username)
            if username and user is None:
                self.add_error(name, _("找不到账号“%(user)s”。") % {"user": username})
            cleaned[name] = user
        return cleaned

    # The typed keys, resolved by ``clean`` to the objects the service takes.
    RESOLVED = {
        "student_no": "student",
        "enterprise_code": "enterprise",
        "school_mentor_username": "school_mentor",
        "enterprise_mentor_username": "enterprise_mentor",
    }

    @classmethod
    def service_data(cls, data: dict) -> dict:
        return {cls.RESOLVED.get(name, name): value for name, value in data.items()}


class InternshipLogForm(_ServiceForm):
    submit = forms.BooleanField(label=gettext_lazy("保存后提交给企业导师会签"), required=False, initial=True)

    class Meta:
        model = InternshipLog
        fields = ["placement", "week_start", "content", "hours"]
        widgets = {"week_start": DATE, "content": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"week_start": gettext_lazy("这一周中的任何一天，按所在周的周一记")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["placement"]
            del self.fields["submit"]
            return
        placements = _own_placements(self.user, [PlacementStatus.ACTIVE, PlacementStatus.COMPLETED])
        self.fields["placement"].queryset = placements
        if placements.count() == 1:
            self.initial.setdefault("placement", placements.first().pk)


class LeaveRequestForm(_ServiceForm):
    class Meta:
        model = LeaveRequest
        fields = ["placement", "start_date", "end_date", "reason"]
        widgets = {"start_date": DATE, "end_date": DATE, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = _own_placements(
            self.user, [PlacementStatus.PLANNED, PlacementStatus.ACTIVE]
        )


class InternshipSubsidyForm(_ServiceForm):
    class Meta:
        model = InternshipSubsidy
        fields = ["placement", "month", "amount", "paid_on", "note"]
        widgets = {"month": DATE, "paid_on": DATE}
        help_texts = {"month": gettext_lazy("该月中的任何一天，按该月 1 日记")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        placements = subsidy_placements(self.user) if self.user is not None else Placement.objects.none()
        self.fields["placement"].queryset = placements.select_related("student", "enterprise").order_by(
            "-start_date"
        )


class EvaluationForm(_ServiceForm):
    class Meta:
        model = Evaluation
        fields = ["placement", "side", "score", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["placement"]
            del self.fields["side"]
            return
        user = self.user
        placements = Placement.objects.filter(
            status__in=[PlacementStatus.ACTIVE, PlacementStatus.COMPLETED]
        ).select_related("student", "enterprise")
        role = getattr(user, "role", None)
        if role == Role.TEACHER:
            placements = placements.filter(school_mentor_id=user.pk)
            self.fields["side"].initial = MentorSide.SCHOOL
        elif role == Role.ENTERPRISE_MENTOR:
            placements = placements.filter(enterprise_mentor_id=user.pk)
            self.fields["side"].initial = MentorSide.ENTERPRISE
        elif not _superuser(user):
            placements = placements.none()
        self.fields["placement"].queryset = placements


class CommentForm(forms.Form):
    """A mentor's comment (optional when countersigning, required when returning) or a reason."""

    comment = forms.CharField(
        label=gettext_lazy("意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
