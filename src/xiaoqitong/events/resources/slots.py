"""Export of the slots (the list page's export: the organizer's events, an enterprise's booths). Slots are
not imported: a booth's slots are generated on its schedule page (``services.slots.slots_generate``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import BaseResource, register_resource

from ..models import Slot
from ..services.slots import booker_label

col = BaseResource.column


@register_resource
class SlotResource(BaseResource):
    """Export only (the export scope is the organizer's and the booth's enterprise's: bookers are named)."""

    id = col("id", "编号", readonly=True)
    event = col("event__title", "活动", readonly=True)
    booth_no = col("booth__booth_no", "展位号", readonly=True)
    enterprise = col("booth__enterprise__name", "企业", readonly=True)
    starts_at = col(None, "开始时间", readonly=True)
    ends_at = col(None, "结束时间", readonly=True)
    state = col(None, "状态", readonly=True)
    booker_kind = col(None, "预约方类型", readonly=True)
    booker = col(None, "预约方", readonly=True)
    booked_at = col(None, "预约时间", readonly=True)

    class Meta(BaseResource.Meta):
        model = Slot
        import_id_fields = ("id",)
        fields = (
            "id",
            "event",
            "booth_no",
            "enterprise",
            "starts_at",
            "ends_at",
            "state",
            "booker_kind",
            "booker",
            "booked_at",
        )

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("洽谈时段不能导入：请在展位的时段页面生成。"))

    def dehydrate_starts_at(self, slot):
        return when_text(slot.starts_at)

    def dehydrate_ends_at(self, slot):
        return when_text(slot.ends_at)

    def dehydrate_state(self, slot):
        return _("已预约") if slot.booked_by_id else _("空闲")

    def dehydrate_booker_kind(self, slot):
        return slot.booked_by.get_kind_display() if slot.booked_by_id else ""

    def dehydrate_booker(self, slot):
        return booker_label(slot.booked_by) if slot.booked_by_id else ""

    def dehydrate_booked_at(self, slot):
        return when_text(slot.booked_at)
