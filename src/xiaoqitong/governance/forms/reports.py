"""The request form of the quality report: a year, and the city or one school (the schools the user may
request a report for)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoqitong.orgs.models import School

from ..policies.reports import is_report_officer
from ..services.reports import FIRST_YEAR


def year_choices() -> list[tuple[int, int]]:
    return [(y, y) for y in range(timezone.localdate().year, FIRST_YEAR - 1, -1)]


class QualityReportRequestForm(forms.Form):
    year = forms.TypedChoiceField(label=_("报告年度"), coerce=int, choices=year_choices)
    school = forms.ModelChoiceField(
        label=_("范围"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("全市"),
        to_field_name="code",
        help_text=_("留空生成全市报告；选择学校生成该校报告"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.order_by("code")
        if is_report_officer(user):
            self.fields["school"].queryset = schools
        else:
            # A school administrator requests their own school's report only.
            self.fields["school"].queryset = schools.filter(pk=getattr(user, "school_id", None) or 0)
            self.fields["school"].required = True
            self.fields["school"].empty_label = None
            self.fields["school"].help_text = ""
        self.fields["year"].widget.attrs["class"] = "form-select"
        self.fields["school"].widget.attrs["class"] = "form-select"
        last = timezone.localdate().year - 1
        self.initial.setdefault("year", max(last, FIRST_YEAR))
