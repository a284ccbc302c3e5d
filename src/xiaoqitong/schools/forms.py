from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import Major, work_areas

from . import validators
from .choices import PositionType
from .models import LEVELS_BY_SCHOOL_TYPE, SchoolMajor, Student, Teacher, TeacherPractice


def _areas():
    return work_areas()


def _own_schools(user):
    """The schools whose rows the user keeps (a school administrator: its own; the government: all). Another
    school is refused exactly like one that does not exist."""
    if user is None:
        return School.objects.order_by("code")
    if not user.is_superuser and user.school_id:
        return School.objects.filter(pk=user.school_id)
    return School.objects.restrict(user, "change").order_by("code")


class SchoolMajorForm(BaseModelForm):
    class Meta:
        model = SchoolMajor
        fields = [
            "school",
            "major",
            "year",
            "duration",
            "enrolment_plan",
            "new_enrolment",
            "students_enrolled",
            "expected_graduates",
            "actual_graduates",
            "is_provincial_high_level",
            "is_quality",
            "chains",
        ]
        widgets = {"chains": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = _own_schools(self.user)
        self.fields["school"].queryset = schools
        majors = Major.objects.order_by("code")
        only = list(schools[:2])
        if len(only) == 1:
            # One school: offer only the majors its level may run.
            majors = majors.filter(education_level__in=LEVELS_BY_SCHOOL_TYPE.get(only[0].school_type, ()))
        self.fields["major"].queryset = majors
        self.fields["chains"].widget.attrs.pop("class", None)


class StudentForm(BaseModelForm):
    skills_text = forms.CharField(
        label=_("技能"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "格式：技能名:水平、技能名:水平（水平为了解、熟练或精通，省略为熟练），如“机械制图:熟练、CAD绘图:精通”"
        ),
    )
    preferred_position_types = forms.MultipleChoiceField(
        label=_("意向岗位类型"),
        required=False,
        choices=PositionType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    id_card = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("只用于查重：平台只保存不可还原的摘要，不保存号码本身。留空表示不修改。"),
    )

    class Meta:
        model = Student
        fields = [
            "school",
            "school_major",
            "student_no",
            "name",
            "gender",
            "birth_year",
            "hometown",
            "grade",
            "entry_date",
            "expected_graduation",
            "phone",
            "consent",
            "status",
            "skills_text",
            "preferred_chains",
            "preferred_counties",
            "preferred_position_types",
            "salary_expectation",
            "id_card",
        ]
        widgets = {
            "preferred_chains": forms.CheckboxSelectMultiple,
            "entry_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expected_graduation": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance if self.instance.pk else None
        is_student = self.user is not None and not self.user.is_superuser and self.user.role == Role.STUDENT
        if instance is not None and is_student:
            # A student keeps their own profile; the school's fields show, locked, as they are.
            schools = School.objects.filter(pk=instance.school_id)
        else:
            schools = _own_schools(self.user)
        self.fields["school"].queryset = schools
        self.fields["school_major"].queryset = (
            SchoolMajor.objects.filter(school__in=schools)
            .select_related("major")
            .order_by("-year", "major__code")
        )
        self.fields["school_major"].label_from_instance = lambda sm: f"{sm.major}（{sm.year}）"
        self.fields["school_major"].help_text = _(
            "学生在读的最后一个学年的开设专业：在读学生选当前学年的，毕业生选其毕业那一学年的。"
        )
        self.fields["hometown"].queryset = _areas()
        self.fields["preferred_counties"].queryset = _areas()
        self.fields["preferred_chains"].widget.attrs.pop("class", None)
        self.fields["preferred_position_types"].widget.attrs.pop("class", None)
        if instance is not None:
            self.fields["skills_text"].initial = validators.skill_levels_as_text(
                instance.skill_levels.select_related("skill")
            )
            self.fields["preferred_position_types"].initial = instance.preferred_position_types
        if is_student:
            # The ID card number is the school's to record.
            del self.fields["id_card"]

    def clean_skills_text(self):
        return validators.parse_skill_levels(self.cleaned_data.get("skills_text", ""))

    def clean_id_card(self):
        value = self.cleaned_data.get("id_card", "")
        if value.strip():
            validators.validate_id_card(value)
        return value


class TeacherForm(BaseModelForm):
    employer = forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("本职单位（企业）"),
        required=False,
        widget=forms.TextInput,
        help_text=_("兼职教师来自企业时，填写企业的统一社会信用代码"),
        error_messages={"invalid_choice": _("找不到该统一社会信用代码的企业。")},
    )

    class Meta:
        model = Teacher
        fields = [
            "school",
            "staff_no",
            "name",
            "employment",
            "is_dual_qualified",
            "dual_qualified_date",
            "dual_qualified_evidence",
            "title",
            "master_level",
            "is_special_post",
            "phone",
            "employer",
        ]
        widgets = {"dual_qualified_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = _own_schools(self.user)
        if self.instance.pk and self.instance.employer_id:
            self.initial["employer"] = self.instance.employer.credit_code


class TeacherPracticeForm(BaseModelForm):
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        label=_("企业"),
        widget=forms.TextInput,
        help_text=_("企业的统一社会信用代码"),
        error_messages={"invalid_choice": _("找不到该统一社会信用代码的企业。")},
    )

    class Meta:
        model = TeacherPractice
        fields = ["teacher", "enterprise", "year", "days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = _own_schools(self.user)
        self.fields["teacher"].queryset = Teacher.objects.filter(school__in=schools).order_by("staff_no")
        if self.instance.pk:
            self.initial["enterprise"] = self.instance.enterprise.credit_code
