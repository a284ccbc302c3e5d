"""Forms of dual-mentor assessment: a plan (the partner enterprise by 统一社会信用代码, the graders by their
logins), one part of a student's grade on the plan's grid, and a grade file. The services check R5 and
the rest; the forms only read what was typed and narrow the choices to what the user may pick."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.cooperation.models import InternshipPlan
from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.core.imports import split_list
from xiaoqitong.orgs.models import Enterprise, School, User
from xiaoqitong.schools.models import SchoolMajor

from ..models import AssessmentPlan


def users_by_username(value: str, label: str) -> list[User]:
    """The users named (logins separated by 、, commas or new lines), in order; unknown logins refused."""
    names = split_list(value)
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    unknown = [name for name in names if name not in found]
    if unknown:
        raise forms.ValidationError(
            _("找不到%(label)s账号：%(names)s") % {"label": label, "names": "、".join(unknown)}
        )
    return [found[name] for name in names]


class AssessmentPlanForm(BaseModelForm):
    teacher_usernames = forms.CharField(
        label=gettext_lazy("理论考核教师账号"),
        required=False,
        help_text=gettext_lazy("本校教师的登录账号，多个用顿号或逗号分隔"),
    )
    mentor_usernames = forms.CharField(
        label=gettext_lazy("实践考核技师账号"),
        required=False,
        help_text=gettext_lazy("合作企业企业导师（技师）的登录账号，多个用顿号或逗号分隔"),
    )

    class Meta:
        model = AssessmentPlan
        fields = [
            "school",
            "school_major",
            "cohort",
            "course",
            "term",
            "enterprise",
            "theory_weight",
            "practice_weight",
            "pass_score",
            "internship_plan",
        ]

    field_order = [
        "school",
        "school_major",
        "cohort",
        "course",
        "term",
        "enterprise",
        "theory_weight",
        "practice_weight",
        "pass_score",
        "teacher_usernames",
        "mentor_usernames",
        "internship_plan",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Enterprises by 统一社会信用代码: a city has thousands, too many for a drop-down.
        self.fields["enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            label=gettext_lazy("合作企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={"invalid_choice": gettext_lazy("找不到这个统一社会信用代码的企业。")},
        )
        majors = SchoolMajor.objects.select_related("school", "major").order_by(
            "school__code", "-year", "major"
        )
        internships = InternshipPlan.objects.select_related("school").order_by("-cohort", "title")
        user = self.user
        if user is not None and user.is_superuser:
            self.fields["school"].queryset = School.objects.order_by("code")
            self.fields["school"].required = False
            self.fields["school"].help_text = _("留空时为所选专业的学校")
        else:
            del self.fields["school"]
            school_id = getattr(user, "school_id", None)
            majors = majors.filter(school_id=school_id) if school_id else majors.none()
            internships = internships.filter(school_id=school_id) if school_id else internships.none()
        self.fields["school_major"].queryset = majors
        self.fields["internship_plan"].queryset = internships
        if self.instance.pk:
            self.initial["enterprise"] = self.instance.enterprise.credit_code
            self.initial["teacher_usernames"] = "、".join(u.username for u in self.instance.teachers.all())
            self.initial["mentor_usernames"] = "、".join(u.username for u in self.instance.mentors.all())

    def clean_teacher_usernames(self):
        return users_by_username(self.cleaned_data.get("teacher_usernames", ""), _("教师"))

    def clean_mentor_usernames(self):
        return users_by_username(self.cleaned_data.get("mentor_usernames", ""), _("企业导师"))

    def _post_clean(self):
        pass  # the model's validation runs in the service, with the rules

    @staticmethod
    def service_data(data: dict) -> dict:
        """The form's data as the services take it (``teachers``/``mentors`` lists of users)."""
        data = dict(data)
        if "teacher_usernames" in data:
            data["teachers"] = data.pop("teacher_usernames") or []
        if "mentor_usernames" in data:
            data["mentors"] = data.pop("mentor_usernames") or []
        return data


class GradeForm(forms.Form):
    """One part of one student's grade on the plan's grid."""

    student = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(
        label=gettext_lazy("成绩"),
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-sm", "step": "0.1", "min": 0, "max": 100}
        ),
    )
    comment = forms.CharField(
        label=gettext_lazy("评语"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class GradeImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("成绩文件"),
        help_text=gettext_lazy("xlsx 或 csv（UTF-8 或 GBK），列：学号、成绩、评语（可空）；全部正确才导入。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.ods,.csv"}),
    )
