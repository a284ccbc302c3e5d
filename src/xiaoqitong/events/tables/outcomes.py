"""Tables of intentions (an event's, 我的意向) and survey answers."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import when_text

from ..choices import IntentionKind
from ..models import Intention, SurveyResponse

ATTRS = {"class": "table table-sm table-hover align-middle"}
STATUS_CSS = {"proposed": "warning", "signed": "success", "declined": "secondary", "withdrawn": "light"}


def parties_text(intention: Intention) -> str:
    """“企业 ↔ 学生 · 岗位” or “企业 ↔ 学校 专业”."""
    if intention.kind == IntentionKind.JOB:
        return f"{intention.enterprise.name} · {intention.position.title} ↔ {intention.student.name}"
    major = intention.school_major
    return f"{intention.enterprise.name} ↔ {major.school.name} {major.major.name}"


def outcome_text(intention: Intention) -> str:
    if intention.application_id:
        return _("求职申请（%(status)s）") % {"status": intention.application.get_status_display()}
    if intention.agreement_id:
        return _("协议（%(status)s）") % {"status": intention.agreement.get_status_display()}
    return ""


class IntentionTable(tables.Table):
    parties = tables.Column(verbose_name=_("意向双方"), empty_values=(), orderable=False)
    event = tables.Column(verbose_name=_("活动"), order_by=("event__starts_at",))
    kind = tables.Column(verbose_name=_("类型"))
    detail = tables.Column(verbose_name=_("内容"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("状态"))
    outcome = tables.Column(verbose_name=_("转化"), empty_values=(), orderable=False)
    created_at = tables.Column(verbose_name=_("发起时间"))

    class Meta:
        model = Intention
        fields = ("parties", "event", "kind", "detail", "status", "outcome", "created_at")
        attrs = ATTRS

    def render_parties(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), parties_text(record))

    def render_kind(self, record):
        return _("求职") if record.kind == IntentionKind.JOB else _("合作")

    def render_detail(self, record):
        if record.kind == IntentionKind.JOB:
            return record.note[:40]
        return f"{record.get_agreement_kind_display()} · {record.planned_students} 人"

    def render_status(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            STATUS_CSS.get(record.status, "secondary"),
            record.get_status_display(),
        )

    def render_outcome(self, record):
        return outcome_text(record)

    def render_created_at(self, value):
        return when_text(value)


class SurveyResponseTable(tables.Table):
    party = tables.Column(
        verbose_name=_("参与方"), accessor="registration__participant_name", orderable=False
    )
    kind = tables.Column(verbose_name=_("类别"), accessor="registration__kind")
    satisfaction = tables.Column(verbose_name=_("满意度"))
    usefulness = tables.Column(verbose_name=_("对接成效"))
    would_return = tables.BooleanColumn(verbose_name=_("愿意再参加"), yesno="是,否")
    comment = tables.Column(verbose_name=_("意见建议"))
    created_at = tables.Column(verbose_name=_("填写时间"))

    class Meta:
        model = SurveyResponse
        fields = ("party", "kind", "satisfaction", "usefulness", "would_return", "comment", "created_at")
        attrs = ATTRS

    def render_kind(self, record):
        return record.registration.get_kind_display()

    def render_created_at(self, value):
        return when_text(value)
