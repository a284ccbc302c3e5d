"""Import/export formats of social training (Chinese column headers, upsert on natural keys).

============== ===========================================================================================
model          natural key (columns)
============== ===========================================================================================
培训项目        项目编号. Provider by 承办学校代码, 承办企业统一社会信用代码 or 承办培训机构 (one of
               them); a school administrator's row without a provider is their school's (an HR's their
               enterprise's).
培训班次        项目编号 + 期次, within the programmes the importer may write.
培训学员        项目编号 + 期次 + 身份证号: the roster of one session or of many, the main way training data
（花名册）       comes in. Columns 项目编号, 期次, 姓名, 身份证号, 手机号, 结业（是/否）.
============== ===========================================================================================

The roster's 身份证号 is checked (GB 11643) and kept only as a keyed hash
(``schools.validators.id_card_hash``): never stored in the clear, exported, logged or repeated in an error
message (which names the row and the column only). The same person twice in one session is refused as a
duplicate row (the numbers compared once normalized: a lower-case x or blanks do not make another person);
importing the same file again changes nothing. A 项目编号 the importer may not write reads exactly like one
that does not exist. Exports mask phone numbers and leave the ID number out.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from xiaoqitong.cooperation.resources.bases import MajorCodesWidget
from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    BulkResource,
    CachedWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    column_texts,
    register_resource,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department, Enterprise, School, phone_validator
from xiaoqitong.schools.selectors import mask_phone
from xiaoqitong.schools.validators import id_card_hash, normalize_id_card

from ..choices import TrainingKind
from ..models import TrainingParticipant, TrainingProgramme, TrainingSession
from ..selectors.training import programme_person_times, with_person_times
from ..tables.training import provider_text

col = BaseResource.column
PROGRAMME_CODE = "项目编号"
NUMBER = "期次"
ID_CARD = "身份证号"


def _writable_programmes(user) -> QuerySet:
    """The programmes whose sessions and rosters the importer may write (all without an importer)."""
    qs = TrainingProgramme.objects.all()
    return qs if user is None else qs.restrict(user, "change")


class ProgrammeWidget(CodeWidget):
    """A programme by its 项目编号 among those the importer may write (``queryset``, set before the import):
    another provider's programme reads like one that does not exist."""

    hint = gettext_lazy("培训项目编号（须为本单位承办的项目）")

    def __init__(self):
        CodeWidget.__init__(self, TrainingProgramme, label=_("培训项目"))
        self.queryset: QuerySet = TrainingProgramme.objects.all()

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset


# --- programmes -----------------------------------------------------------------------------------
@register_resource
class TrainingProgrammeResource(ExportOnlyMixin, BaseResource):
    code = col("code", PROGRAMME_CODE)
    title = col("title", "项目名称")
    kind = col("kind", "培训类型", ChoiceWidget(TrainingKind.choices))
    year = col("year", "年度", IntegerWidget())
    provider_school = col("provider_school", "承办学校代码", CodeWidget(School, label=_("学校")))
    provider_enterprise = col(
        "provider_enterprise",
        "承办企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业"), preload=False),
    )
    provider_centre = col("provider_centre", "承办培训机构")
    funding_department = col(
        "funding_department", "经费来源部门代码", CodeWidget(Department, label=_("部门"))
    )
    fucheng_brand = col("fucheng_brand", "福城培训", BoolWidget(), default=False)
    majors = col("majors", "相关专业代码", MajorCodesWidget())
    provider = col(None, "承办方", readonly=True)
    funding_department_name = col("funding_department__name", "经费来源部门", readonly=True)
    person_times = col(None, "累计培训人次", readonly=True)

    export_only = ("provider", "funding_department_name", "person_times")

    class Meta(BaseResource.Meta):
        model = TrainingProgramme
        import_id_fields = ("code",)
        fields = (
            "code",
            "title",
            "kind",
            "year",
            "provider_school",
            "provider_enterprise",
            "provider_centre",
            "provider",
            "funding_department",
            "funding_department_name",
            "fucheng_brand",
            "majors",
            "person_times",
        )

    def before_import_row(self, row, **kwargs):
        key = "承办企业统一社会信用代码"
        if row.get(key):
            row[key] = text(row[key]).upper()

    def clean_row(self, instance, row) -> dict[str, list]:
        actor = self.actor
        if (
            actor is not None
            and not actor.is_superuser
            and instance.pk is None
            and not (
                instance.provider_school_id or instance.provider_enterprise_id or instance.provider_centre
            )
        ):
            if actor.role == Role.SCHOOL_ADMIN:
                instance.provider_school_id = actor.school_id
            elif actor.role == Role.ENTERPRISE_HR:
                instance.provider_enterprise_id = actor.enterprise_id
        # The majors are saved after the row; checked here so that a bad code is named by its column.
        field = self.fields["majors"]
        if field.column_name in row:
            try:
                field.clean(row)
            except ValueError as exc:
                return {"majors": [ValidationError(str(exc), code="invalid")]}
        return {}

    def dehydrate_provider(self, programme):
        return provider_text(programme)

    def dehydrate_person_times(self, programme):
        return getattr(programme, "person_times_total", "")


# --- sessions -------------------------------------------------------------------------------------
@register_resource
class TrainingSessionResource(ExportOnlyMixin, BaseResource):
    programme = col("programme", PROGRAMME_CODE, ProgrammeWidget())
    programme_title = col("programme__title", "项目名称", readonly=True)
    number = col("number", NUMBER, IntegerWidget())
    start_date = col("start_date", "开始日期", DateWidget())
    end_date = col("end_date", "结束日期", DateWidget())
    place = col("place", "培训地点")
    hours = col("hours", "学时", IntegerWidget(), default=0)
    reported_person_times = col("reported_person_times", "填报人次", IntegerWidget(), default=0)
    roster_size = col(None, "花名册人数", readonly=True)
    person_times = col(None, "计入人次", readonly=True)

    export_only = ("programme_title", "roster_size", "person_times")

    class Meta(BaseResource.Meta):
        model = TrainingSession
        import_id_fields = ("programme", "number")
        fields = (
            "programme",
            "programme_title",
            "number",
            "start_date",
            "end_date",
            "place",
            "hours",
            "reported_person_times",
            "roster_size",
            "person_times",
        )

    def before_import(self, dataset, **kwargs):
        self.fields["programme"].widget.queryset = _writable_programmes(self.actor)
        super().before_import(dataset, **kwargs)

    def dehydrate_roster_size(self, session):
        return getattr(session, "roster_size", "")

    def dehydrate_person_times(self, session):
        return getattr(session, "person_times", "")


# --- the roster -----------------------------------------------------------------------------------
class SessionOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The session of the row: 项目编号 (this column) and 期次, among the programmes the importer may write
    (``queryset``, set before the import), loaded one programme at a time."""

    hint = gettext_lazy("培训项目编号（须为本单位承办的项目），与“期次”一起确定培训班次")

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, TrainingSession)
        self.programmes: QuerySet = TrainingProgramme.objects.all()

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        code = text(value)
        if not code:
            return None
        if code not in self.lookup:
            sessions = TrainingSession.objects.filter(programme__in=self.programmes.filter(code=code))
            found = self.programmes.filter(code=code).exists()
            self.lookup[code] = {s.number: s for s in sessions.select_related("programme")} if found else None
        sessions = self.lookup[code]
        if sessions is None:
            raise ValueError(
                _(
                    "找不到项目编号为“%(code)s”的培训项目，或该项目不是本单位承办（只能导入本单位项目的花名册）"
                )
                % {"code": code}
            )
        raw = text((row or {}).get(NUMBER))
        try:
            number = int(float(raw))
        except ValueError:
            raise ValueError(_("期次“%(value)s”不是整数") % {"value": raw}) from None
        session = sessions.get(number)
        if session is None:
            raise ValueError(
                _("培训项目“%(code)s”没有第 %(number)s 期班次（请先登记班次）")
                % {"code": code, "number": number}
            )
        return session

    def render(self, value, obj=None, **kwargs):
        return value.programme.code if value is not None else ""


class IdCardWidget(widgets.Widget):
    """The ID card number, checked and turned into its keyed hash; the number itself is never kept, and a
    refusal does not repeat it."""

    hint = gettext_lazy("18 位居民身份证号（只保存不可逆摘要，不保存号码）")

    def clean(self, value, row=None, **kwargs):
        number = text(value)
        if not number:
            raise ValueError(_("请填写身份证号"))
        try:
            return id_card_hash(number)
        except ValidationError as exc:
            raise ValueError("；".join(exc.messages)) from None

    def render(self, value, obj=None, **kwargs):
        return ""


class PhoneWidget(widgets.CharWidget):
    hint = gettext_lazy("11 位手机号或带区号的固定电话，可留空")

    def clean(self, value, row=None, **kwargs):
        phone = text(value)
        if phone:
            try:
                phone_validator(phone)
            except ValidationError:
                raise ValueError(_("手机号格式不正确：请填写 11 位手机号或带区号的固定电话")) from None
        return phone

    def render(self, value, obj=None, **kwargs):
        return mask_phone(value or "")


@register_resource
class TrainingParticipantResource(BulkResource):
    session = col("session", PROGRAMME_CODE, SessionOfRowWidget())
    number = fields.Field(attribute=None, column_name=NUMBER, widget=IntegerWidget())
    name = col("name", "姓名")
    id_card_hash = col("id_card_hash", ID_CARD, IdCardWidget())
    phone = col("phone", "手机号", PhoneWidget())
    completed = col("completed", "结业", BoolWidget())

    class Meta(BulkResource.Meta):
        model = TrainingParticipant
        import_id_fields = ("session", "id_card_hash")
        fields = ("session", "number", "name", "id_card_hash", "phone", "completed")

    def key_headers(self) -> list[str]:
        # The session is named by two columns: the same person may be on two sessions of a programme.
        return [PROGRAMME_CODE, NUMBER, ID_CARD]

    def check_file(self, data):
        # Compare ID numbers as they will be hashed: "…x" and "… X" are the same person.
        if ID_CARD in data.headers:
            index = data.headers.index(ID_CARD)
            values = [normalize_id_card(text(cell)) for cell in data[ID_CARD]]
            del data[ID_CARD]
            data.insert_col(index, values, header=ID_CARD)
        return super().check_file(data)

    def get_export_fields(self, selected_fields=None):
        # The ID card number is never stored, so never exported.
        return [f for f in super().get_export_fields(selected_fields) if f.column_name != ID_CARD]

    def preload_queryset(self, dataset) -> QuerySet:
        return TrainingParticipant.objects.filter(
            session__programme__code__in=column_texts(dataset, PROGRAMME_CODE)
        )

    def before_import(self, dataset, **kwargs):
        self.fields["session"].widget.programmes = _writable_programmes(self.actor)
        super().before_import(dataset, **kwargs)

    def dehydrate_number(self, participant):
        return participant.session.number


def programme_export_queryset(qs: QuerySet) -> QuerySet:
    """Programmes as the export writes them (providers, department and person-times without a query a row)."""
    return qs.select_related("provider_school", "provider_enterprise", "funding_department").annotate(
        person_times_total=programme_person_times()
    )


def session_export_queryset(qs: QuerySet) -> QuerySet:
    return with_person_times(qs.select_related("programme"))
