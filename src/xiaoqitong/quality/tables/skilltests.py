"""Table of skill sampling test results (with the pass rate of each row)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import percent_text

from ..models import SkillTestResult

ATTRS = {"class": "table table-sm table-hover align-middle"}


class SkillTestResultTable(tables.Table):
    school = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("school__code",))
    subject = tables.Column(
        verbose_name=_("专业或专业大类"), empty_values=(), order_by=("major__code", "category__code")
    )
    pass_rate = tables.Column(verbose_name=_("合格率"), empty_values=(), orderable=False)

    class Meta:
        model = SkillTestResult
        fields = (
            "year",
            "kind",
            "school",
            "subject",
            "tested",
            "passed",
            "pass_rate",
            "average_score",
            "organizer",
        )
        attrs = ATTRS

    def render_subject(self, record):
        subject = record.major or record.category
        return f"{subject.code} {subject.name}" if subject else "—"

    def render_pass_rate(self, record):
        return percent_text(record.passed, record.tested)
