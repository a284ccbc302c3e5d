"""Import/export formats of event types, events and registrations (Chinese column headers).

============== ===========================================================================================
model          format
============== ===========================================================================================
活动类型        代码 (natural key), 名称, 对应指标, 记录纪要, 排序: exported by everybody, imported by
               platform administrators (a seeded type keeps its code and rule).
产教活动        export only (the list page's rows with the places taken); events are created on their page.
活动报名        export only: every registration the exporter may export (the organizer: its events'), one
               row each with the participant's code (统一社会信用代码, 学校代码, 学号), booth, positions,
               majors, status and check-in. Students are registered in bulk on the event's page
               (学号 list: ``services.registrations.registration_students_create``), not through this
               format, so that every place is counted against the event's capacity.
============== ===========================================================================================
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoqitong.cooperation.choices import RuleKey
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import BaseResource, BoolWidget, ChoiceWidget, IntegerWidget, register_resource

from ..models import Event, EventType, Registration
from ..selectors.registrations import phase_label
from ..services.registrations import LOCKED_TYPE_FIELDS, SEEDED_TYPES

col = BaseResource.column


@register_resource
class EventTypeResource(BaseResource):
    code = col("code", "代码")
    name = col("name", "名称")
    rule_key = col("rule_key", "对应指标", ChoiceWidget(RuleKey.choices), default="")
    has_minutes = col("has_minutes", "记录纪要与承诺事项", BoolWidget(), default=False)
    sort_order = col("sort_order", "排序", IntegerWidget(), default=100)

    class Meta(BaseResource.Meta):
        model = EventType
        import_id_fields = ("code",)
        fields = ("code", "name", "rule_key", "has_minutes", "sort_order")

    def clean_row(self, instance, row) -> dict[str, list]:
        if instance.pk and instance.code in SEEDED_TYPES:
            stored = EventType.objects.filter(pk=instance.pk).values(*LOCKED_TYPE_FIELDS).first() or {}
            changed = [name for name in LOCKED_TYPE_FIELDS if stored.get(name) != getattr(instance, name)]
            if changed:
                message = _("“%(type)s”是政策规定的活动类型，其代码和对应指标不能修改。") % {
                    "type": instance.name
                }
                return {name: [ValidationError(message)] for name in changed}
        return {}


class _ExportOnly:
    no_import = ""

    def before_import(self, dataset, **kwargs):
        raise ValidationError(self.no_import)


@register_resource
class EventResource(_ExportOnly, BaseResource):
    no_import = _("产教活动不能导入：请在“新建活动”页面创建。")
    id = col("id", "编号", readonly=True)
    title = col("title", "活动名称", readonly=True)
    type = col("type__name", "活动类型", readonly=True)
    organizer = col("organizer__name", "主办部门", readonly=True)
    venue = col("venue", "地点", readonly=True)
    starts_at = col(None, "开始时间", readonly=True)
    ends_at = col(None, "结束时间", readonly=True)
    registration_opens_at = col(None, "报名开始", readonly=True)
    registration_closes_at = col(None, "报名截止", readonly=True)
    status = col(None, "状态", readonly=True)
    phase = col(None, "进度", readonly=True)
    capacity = col("capacity", "学生报名名额", readonly=True)
    students = col(None, "学生报名人数", readonly=True)
    booths = col("booths", "企业展位数", readonly=True)
    booths_approved = col(None, "展位已通过", readonly=True)
    booths_pending = col(None, "展位待审核", readonly=True)
    schools = col(None, "学校代表团", readonly=True)
    delegates = col(None, "代表团人数", readonly=True)

    class Meta(BaseResource.Meta):
        model = Event
        import_id_fields = ("id",)
        fields = (
            "id",
            "title",
            "type",
            "organizer",
            "venue",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "status",
            "phase",
            "capacity",
            "students",
            "booths",
            "booths_approved",
            "booths_pending",
            "schools",
            "delegates",
        )

    def dehydrate_starts_at(self, event):
        return when_text(event.starts_at)

    def dehydrate_ends_at(self, event):
        return when_text(event.ends_at)

    def dehydrate_registration_opens_at(self, event):
        return when_text(event.registration_opens_at)

    def dehydrate_registration_closes_at(self, event):
        return when_text(event.registration_closes_at)

    def dehydrate_status(self, event):
        return event.get_status_display()

    def dehydrate_phase(self, event):
        return phase_label(event)[0]

    def dehydrate_students(self, event):
        return getattr(event, "students_count", "")

    def dehydrate_booths_approved(self, event):
        return getattr(event, "booths_approved", "")

    def dehydrate_booths_pending(self, event):
        return getattr(event, "booths_pending", "")

    def dehydrate_schools(self, event):
        return getattr(event, "schools_count", "")

    def dehydrate_delegates(self, event):
        return getattr(event, "delegates_count", "") or 0


@register_resource
class RegistrationResource(_ExportOnly, BaseResource):
    no_import = _("活动报名不能用此格式导入：学生名单请在活动页面的“批量报名学生”中提交学号。")
    id = col("id", "报名编号", readonly=True)
    event = col("event__title", "活动", readonly=True)
    event_starts_at = col(None, "活动时间", readonly=True)
    kind = col(None, "参与方类型", readonly=True)
    participant = col(None, "参与方", readonly=True)
    participant_code = col(None, "统一社会信用代码/学校代码/学号", readonly=True)
    student_school = col("student__school__name", "学生所在学校", readonly=True)
    booth_no = col("booth_no", "展位号", readonly=True)
    positions = col(None, "携带岗位", readonly=True)
    majors = col(None, "推介专业", readonly=True)
    delegation_size = col(None, "参会人数", readonly=True)
    status = col(None, "状态", readonly=True)
    decline_reason = col("decline_reason", "未通过原因", readonly=True)
    note = col("note", "备注", readonly=True)
    registered_at = col(None, "报名时间", readonly=True)
    checked_in_at = col(None, "签到时间", readonly=True)

    class Meta(BaseResource.Meta):
        model = Registration
        import_id_fields = ("id",)
        fields = (
            "id",
            "event",
            "event_starts_at",
            "kind",
            "participant",
            "participant_code",
            "student_school",
            "booth_no",
            "positions",
            "majors",
            "delegation_size",
            "status",
            "decline_reason",
            "note",
            "registered_at",
            "checked_in_at",
        )

    def dehydrate_event_starts_at(self, registration):
        return when_text(registration.event.starts_at)

    def dehydrate_kind(self, registration):
        return registration.get_kind_display()

    def dehydrate_participant(self, registration):
        return registration.participant_name

    def dehydrate_participant_code(self, registration):
        if registration.enterprise_id:
            return registration.enterprise.credit_code
        if registration.school_id:
            return registration.school.code
        return registration.student.student_no if registration.student_id else ""

    def dehydrate_positions(self, registration):
        return "、".join(p.title for p in registration.positions.all())

    def dehydrate_majors(self, registration):
        return "、".join(m.major.name for m in registration.majors.all())

    def dehydrate_delegation_size(self, registration):
        return registration.delegation_size if registration.kind == "school" else ""

    def dehydrate_status(self, registration):
        return registration.get_status_display()

    def dehydrate_registered_at(self, registration):
        return when_text(registration.created_at)

    def dehydrate_checked_in_at(self, registration):
        return when_text(registration.checked_in_at)


#: What an export of registrations reads with each row (no query per row).
REGISTRATION_EXPORT_RELATED = ("event", "enterprise", "school", "student__school")
REGISTRATION_EXPORT_PREFETCH = ("positions", "majors__major")
