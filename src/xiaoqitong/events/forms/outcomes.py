"""Forms of intentions and the survey: proposing a job intention or a cooperation intention at an event (the
choices narrowed to what the proposer's side may pick there), declining with a reason, answering the
survey. The services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.cooperation.choices import AgreementKind

from ..policies.outcomes import ENTERPRISE, SCHOOL
from ..selectors import outcomes as selectors

TEXTAREA = {"class": "form-control", "rows": 3}


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class PositionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.enterprise.name} · {obj.title}（{obj.headcount} 人）"


class StudentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        major = obj.school_major.major.name if obj.school_major_id else ""
        return f"{obj.name} · {obj.school.name} {major}".strip()


class SchoolMajorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.school.name} · {obj.major.name}（{obj.major.code}，{obj.year}）"


class JobIntentionForm(_Form):
    """A job intention: HR picks one of its booth's positions and a student (from the list, or by the check-in
    code on the student's pass); a student picks a position an approved booth brings."""

    position = PositionChoice(queryset=None, label=_("岗位"), empty_label=_("请选择岗位"))
    student = StudentChoice(
        queryset=None,
        required=False,
        label=_("学生"),
        empty_label=_("请选择学生"),
        help_text=_("列出本活动报名通过、向企业完全公开简历或预约过贵展位洽谈的学生。"),
    )
    checkin_code = forms.CharField(
        required=False,
        max_length=64,
        label=_("或：学生签到码"),
        help_text=_("请学生出示活动凭证（二维码下方的编码），填写后无需在上面选择学生。"),
    )
    note = forms.CharField(
        required=False, max_length=1000, label=_("意向内容"), widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, side: str, event, booth=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        if side == ENTERPRISE:
            self.fields["position"].queryset = selectors.booth_positions(booth)
            self.fields["student"].queryset = selectors.identifiable_students(event, booth)
        else:
            self.fields["position"].queryset = selectors.event_positions(event)
            del self.fields["student"]
            del self.fields["checkin_code"]
            self.fields["note"].help_text = _("可写明求职意愿、可到岗时间等，企业签署后即投递该岗位。")

    def clean(self):
        data = super().clean()
        if (
            self.side == ENTERPRISE
            and not data.get("student")
            and not (data.get("checkin_code") or "").strip()
        ):
            raise forms.ValidationError(_("请选择学生，或填写学生活动凭证上的签到码。"))
        return data


class CooperationIntentionForm(_Form):
    """A cooperation intention: HR picks a major of a school whose delegation is approved; a school
    administrator picks an enterprise with an approved booth and one of its own majors."""

    enterprise = forms.ModelChoiceField(queryset=None, label=_("企业"), empty_label=_("请选择企业"))
    school_major = SchoolMajorChoice(queryset=None, label=_("开设专业"), empty_label=_("请选择专业"))
    agreement_kind = forms.ChoiceField(choices=AgreementKind.choices, label=_("合作形式"))
    planned_students = forms.IntegerField(min_value=1, max_value=2000, label=_("计划人数"))
    note = forms.CharField(
        required=False,
        max_length=1000,
        label=_("意向内容"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("签署后生成合作协议草稿，意向内容写入培养方案，双方可再修改。"),
    )

    def __init__(self, *args, side: str, event, school_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if side == SCHOOL:
            self.fields["enterprise"].queryset = selectors.booth_enterprises(event)
            self.fields["school_major"].queryset = selectors.school_majors_for(school_id)
        else:
            del self.fields["enterprise"]
            self.fields["school_major"].queryset = selectors.delegation_majors(event)


class DeclineForm(_Form):
    reason = forms.CharField(required=False, max_length=200, label=_("拒绝理由（可选）"))


STARS = [(n, str(n)) for n in range(5, 0, -1)]


class SurveyForm(_Form):
    satisfaction = forms.TypedChoiceField(
        choices=STARS, coerce=int, widget=forms.RadioSelect, label=_("总体满意度（5 分最高）")
    )
    usefulness = forms.TypedChoiceField(
        choices=STARS, coerce=int, widget=forms.RadioSelect, label=_("对接成效（5 分最高）")
    )
    would_return = forms.TypedChoiceField(
        choices=[("yes", _("愿意")), ("no", _("不愿意"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label=_("是否愿意再次参加同类活动"),
    )
    comment = forms.CharField(
        required=False, max_length=2000, label=_("意见建议"), widget=forms.Textarea(attrs=TEXTAREA)
    )
