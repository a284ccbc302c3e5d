"""Import/export formats of the teachers' records of quality:

- “双师型”教师培训基地 (natural key 基地名称 + 级别): hosts by 学校代码 and 统一社会信用代码; officers import.
- 特岗教师经费 and 技术服务收入 (natural key 学校代码 + 年度): amounts in yuan (1,234.50 and 元 accepted); a
  school administrator imports their own school's rows (another school's row is refused as out of scope).

Names of schools and enterprises are exported beside their codes and dropped when an export is imported
again (``ExportOnlyMixin``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.cooperation.resources.internships import MoneyWidget
from xiaoqitong.core.imports import BaseResource, ChoiceWidget, CodeWidget, IntegerWidget, register_resource
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import Enterprise, School

from ..choices import TrainingBaseLevel
from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome

col = BaseResource.column


class YuanWidget(MoneyWidget):
    hint = gettext_lazy("金额（元），如 140000 或 140,000.00")


@register_resource
class TeacherTrainingBaseResource(ExportOnlyMixin, BaseResource):
    name = col("name", "基地名称")
    level = col("level", "级别", ChoiceWidget(TrainingBaseLevel.choices))
    host_school = col("host_school", "依托学校代码", CodeWidget(School, label=_("学校")))
    host_school_name = col("host_school__name", "依托学校", readonly=True)
    host_enterprise = col(
        "host_enterprise",
        "依托企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业"), preload=False),
    )
    host_enterprise_name = col("host_enterprise__name", "依托企业", readonly=True)
    recognized_by = col("recognized_by", "认定部门")
    recognized_year = col("recognized_year", "认定年度", IntegerWidget())

    export_only = ("host_school_name", "host_enterprise_name")

    class Meta(BaseResource.Meta):
        model = TeacherTrainingBase
        import_id_fields = ("name", "level")
        fields = (
            "name",
            "level",
            "host_school",
            "host_school_name",
            "host_enterprise",
            "host_enterprise_name",
            "recognized_by",
            "recognized_year",
        )


class SchoolYearResource(ExportOnlyMixin, BaseResource):
    """A school's row of a year, by 学校代码 + 年度."""

    school = col("school", "学校代码", CodeWidget(School, label=_("学校")))
    school_name = col("school__name", "学校名称", readonly=True)
    year = col("year", "年度", IntegerWidget())

    export_only = ("school_name",)


@register_resource
class SpecialPostFundingResource(SchoolYearResource):
    posts = col("posts", "特岗数", IntegerWidget())
    amount = col("amount", "保障经费（元）", YuanWidget())
    source = col("source", "经费来源")

    class Meta(BaseResource.Meta):
        model = SpecialPostFunding
        import_id_fields = ("school", "year")
        fields = ("school", "school_name", "year", "posts", "amount", "source")


@register_resource
class TechServiceIncomeResource(SchoolYearResource):
    income = col("income", "技术服务等收入（元）", YuanWidget())
    surplus = col("surplus", "收入结余（元）", YuanWidget())
    paid_to_teachers = col("paid_to_teachers", "用于教师劳动报酬（元）", YuanWidget())

    class Meta(BaseResource.Meta):
        model = TechServiceIncome
        import_id_fields = ("school", "year")
        fields = ("school", "school_name", "year", "income", "surplus", "paid_to_teachers")
