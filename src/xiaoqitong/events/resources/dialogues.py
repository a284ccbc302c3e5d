"""Import/export of commitments (Chinese column headers, upsert on the natural key).

============== ===========================================================================================
model          natural key (columns)
============== ===========================================================================================
承诺事项        活动编号 (the event's number, shown on its page and in the export) + 承诺事项 (the text).
               The owner by 责任学校代码, 责任企业统一社会信用代码 or 责任部门代码 (exactly one); 责任人;
               完成时限 (not before the event's day).
============== ===========================================================================================

Only the organizer imports, and only into the dialogues (types that keep minutes) its department organizes: an
event it may not write reads exactly like one that does not exist. The status is not imported (it moves by
follow-ups): a new row starts 未开始, a changed row keeps its status. Importing the same file again changes
nothing. The export adds the event's title, the owner's name, the status, the time it was done and whether it
is overdue.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import (
    BaseResource,
    CachedWidget,
    CodeWidget,
    DateWidget,
    register_resource,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import Department, Enterprise, School

from ..choices import OPEN_COMMITMENT, EventStatus
from ..models import Commitment, Event
from ..policies.registrations import organized_events_q
from ..services.dialogues import check_due_date

col = BaseResource.column
EVENT = "活动编号"


def writable_dialogues(user) -> QuerySet:
    """The dialogues whose commitments ``user`` may import (all dialogues without an importer)."""
    qs = Event.objects.filter(type__has_minutes=True).exclude(status=EventStatus.CANCELLED)
    return qs if user is None else qs.filter(organized_events_q(user))


class EventWidget(CachedWidget, widgets.ForeignKeyWidget):
    """An event by its number among the dialogues the importer organizes (``queryset``, set before the
    import)."""

    hint = gettext_lazy("活动编号（活动页面地址中的数字），须为本部门主办的产教对话")

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Event)
        self.queryset: QuerySet = Event.objects.none()

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        if not raw:
            return None
        try:
            number = int(float(raw))
        except ValueError:
            raise ValueError(_("活动编号“%(value)s”不是数字") % {"value": raw}) from None
        if number not in self.lookup:
            self.lookup[number] = self.queryset.filter(pk=number).first()
        event = self.lookup[number]
        if event is None:
            raise ValueError(
                _(
                    "找不到编号为 %(n)s 的产教对话活动，或该活动不是本部门主办"
                    "（只能导入本部门产教对话的承诺事项）"
                )
                % {"n": number}
            )
        return event

    def render(self, value, obj=None, **kwargs):
        return value.pk if value is not None else ""


@register_resource
class CommitmentResource(ExportOnlyMixin, BaseResource):
    event = col("event", EVENT, EventWidget())
    event_title = col("event__title", "活动名称", readonly=True)
    content = col("content", "承诺事项")
    owner_school = col("owner_school", "责任学校代码", CodeWidget(School, label=_("学校")))
    owner_enterprise = col(
        "owner_enterprise",
        "责任企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业"), preload=False),
    )
    owner_department = col("owner_department", "责任部门代码", CodeWidget(Department, label=_("部门")))
    owner_name = col(None, "责任单位", readonly=True)
    owner_person = col("owner_person", "责任人")
    due_date = col("due_date", "完成时限", DateWidget())
    status = col(None, "状态", readonly=True)
    done_at = col(None, "办结时间", readonly=True)
    overdue = col(None, "是否逾期", readonly=True)

    export_only = ("event_title", "owner_name", "status", "done_at", "overdue")

    class Meta(BaseResource.Meta):
        model = Commitment
        import_id_fields = ("event", "content")
        fields = (
            "event",
            "event_title",
            "content",
            "owner_school",
            "owner_enterprise",
            "owner_department",
            "owner_name",
            "owner_person",
            "due_date",
            "status",
            "done_at",
            "overdue",
        )

    def before_import(self, dataset, **kwargs):
        self.fields["event"].widget.queryset = writable_dialogues(self.actor)
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        key = "责任企业统一社会信用代码"
        if row.get(key):
            row[key] = text(row[key]).upper()
        if row.get("承诺事项"):
            row["承诺事项"] = text(row["承诺事项"])

    def clean_row(self, instance, row) -> dict[str, list]:
        if instance.event_id and instance.due_date:
            try:
                check_due_date(instance.event, instance.due_date)
            except ValidationError as exc:
                return {
                    name: [ValidationError(m) for m in messages]
                    for name, messages in exc.message_dict.items()
                }
        return {}

    def dehydrate_owner_name(self, commitment):
        return str(commitment.owner or "")

    def dehydrate_status(self, commitment):
        return commitment.get_status_display()

    def dehydrate_done_at(self, commitment):
        return when_text(commitment.done_at)

    def dehydrate_overdue(self, commitment):
        overdue = commitment.status in OPEN_COMMITMENT and commitment.due_date < timezone.localdate()
        return _("是") if overdue else _("否")


def commitment_export_queryset(qs: QuerySet) -> QuerySet:
    return qs.select_related("event", "owner_school", "owner_enterprise", "owner_department")
