"""Import/export formats of practice bases (natural key 基地编号) and the export of bookings.

Practice bases: owners by 学校代码 and 统一社会信用代码, the county by its code (or its name where that is
unambiguous), the majors served by catalog codes separated by 、 or ；. A base of a shared kind is always
shared (as in ``services.practice_base_create``); a school administrator's row with no 学校代码 is their
school's. Bookings are exported, never imported: each is checked against the base's capacity when made.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    NamesWidget,
    register_resource,
    split_list,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import Major
from xiaoqitong.reference.resources import major_code
from xiaoqitong.schools.resources import AreaWidget

from ..choices import SHARED_BASE_KINDS, BaseKind, BookingStatus
from ..models import BaseBooking, PracticeBase
from ..selectors.bases import booker_name

col = BaseResource.column


class CountyCodeWidget(AreaWidget):
    """A county-level unit or park by code (a name that is unambiguous is accepted too); exported as the
    code, so that an exported file imports again unchanged."""

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class MajorCodesWidget(NamesWidget):
    """The majors served, as catalog codes separated by 、 or ； (the K of a 国控专业 may be left out)."""

    def __init__(self):
        NamesWidget.__init__(self, Major, field="code", label=_("专业代码"))

    def clean(self, value, row=None, **kwargs):
        codes = [major_code(code.upper()) for code in split_list(value)]
        return NamesWidget.clean(self, "、".join(codes), row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return "、".join(sorted(m.code for m in value.all())) if value is not None else ""


@register_resource
class PracticeBaseResource(ExportOnlyMixin, BaseResource):
    code = col("code", "基地编号")
    name = col("name", "基地名称")
    kind = col("kind", "基地类型", ChoiceWidget(BaseKind.choices))
    owner_school = col("owner_school", "所属学校代码", CodeWidget(School, label=_("学校")))
    owner_school_name = col("owner_school__name", "所属学校", readonly=True)
    owner_enterprise = col(
        "owner_enterprise",
        "共建企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业"), preload=False),
    )
    owner_enterprise_name = col("owner_enterprise__name", "共建企业", readonly=True)
    county = col("county", "所在县市区代码", CountyCodeWidget(label=_("所在县市区")))
    address = col("address", "地址")
    capacity = col("capacity", "容纳人数", IntegerWidget())
    majors = col("majors", "服务专业代码", MajorCodesWidget())
    shared = col("shared", "对外共享", BoolWidget(), default=False)
    established = col("established", "建成日期", DateWidget())
    active = col("active", "在用", BoolWidget(), default=True)

    export_only = ("owner_school_name", "owner_enterprise_name")

    class Meta(BaseResource.Meta):
        model = PracticeBase
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "kind",
            "owner_school",
            "owner_school_name",
            "owner_enterprise",
            "owner_enterprise_name",
            "county",
            "address",
            "capacity",
            "majors",
            "shared",
            "established",
            "active",
        )

    def clean_row(self, instance, row) -> dict[str, list]:
        actor = self.actor
        if (
            actor is not None
            and not actor.is_superuser
            and instance.pk is None
            and not instance.owner_school_id
            and not instance.owner_enterprise_id
        ):
            if actor.role == Role.SCHOOL_ADMIN:
                instance.owner_school_id = actor.school_id
            elif actor.role == Role.ENTERPRISE_HR:
                instance.owner_enterprise_id = actor.enterprise_id
        if instance.kind in SHARED_BASE_KINDS:
            instance.shared = True
        # The majors are saved after the row; checked here so that a bad code is named by its column.
        field = self.fields["majors"]
        if field.column_name in row:
            try:
                field.clean(row)
            except ValueError as exc:
                return {"majors": [ValidationError(str(exc), code="invalid")]}
        return {}


@register_resource
class BaseBookingResource(BaseResource):
    """Export only: a booking is made on the base's page, where its capacity is checked."""

    id = col("id", "编号", readonly=True)
    base_code = col("base__code", "基地编号", readonly=True)
    base_name = col("base__name", "基地名称", readonly=True)
    booker = col(None, "预约单位", readonly=True)
    start = col("start", "开始时间", readonly=True)
    end = col("end", "结束时间", readonly=True)
    headcount = col("headcount", "人数", readonly=True)
    purpose = col("purpose", "用途", readonly=True)
    status = col("status", "状态", ChoiceWidget(BookingStatus.choices), readonly=True)

    class Meta(BaseResource.Meta):
        model = BaseBooking
        import_id_fields = ("id",)
        fields = ("id", "base_code", "base_name", "booker", "start", "end", "headcount", "purpose", "status")

    def before_import(self, dataset, **kwargs):
        raise ValidationError(_("基地预约不能导入：请在基地页面预约（预约时检查基地容量）。"))

    def dehydrate_booker(self, booking):
        return booker_name(booking)

    def dehydrate_start(self, booking):
        return when_text(booking.start)

    def dehydrate_end(self, booking):
        return when_text(booking.end)
