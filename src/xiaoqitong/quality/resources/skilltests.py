"""Import/export format of skill sampling test results: the organizing department's spreadsheet.

Columns: 测试类型 (专业技能抽测 or 专业大类基础理论知识普测), 年度, 学校代码, 专业代码 (抽测) or 专业大类代码
(普测), 参测人数, 合格人数, 平均分 (optional), 组织部门. The natural key is the kind, the year, the school and
the major or the major category (one of the two, as the kind calls for): importing the same file twice
changes nothing, a corrected file updates the rows it names. The whole file is checked first (every bad row
reported in Chinese, two rows with the same key included) and committed all or nothing (``core.imports``).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from xiaoqitong.core.imports import (
    BaseResource,
    ChoiceWidget,
    CodeWidget,
    IntegerWidget,
    register_resource,
    text,
)
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import MajorCategory
from xiaoqitong.reference.resources import MajorWidget, major_code

from ..choices import SkillTestKind
from ..models import SkillTestResult
from ..services.skilltests import subject_errors

col = BaseResource.column
KIND, YEAR, SCHOOL, MAJOR, CATEGORY = "测试类型", "年度", "学校代码", "专业代码", "专业大类代码"
# Not a column: names the key's last part (major or category) so that the core's check of repeated keys,
# which reads only whole keys, leaves these rows to ``check_file`` below.
SUBJECT = "专业代码或专业大类代码"


class ScoreWidget(widgets.Widget):
    hint = gettext_lazy("0 至 100 的分数，保留一位小数；可留空")

    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        if not raw:
            return None
        try:
            return Decimal(raw).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是分数") % {"value": raw}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.1f}"


class SubjectMajorWidget(MajorWidget):
    hint = gettext_lazy("专业技能抽测填写专业代码，如 660103；普测留空")


class CategoryWidget(CodeWidget):
    hint = gettext_lazy("专业大类基础理论知识普测填写专业大类代码，如 66；抽测留空")

    def __init__(self):
        super().__init__(MajorCategory, label=_("专业大类"))


@register_resource
class SkillTestResultResource(ExportOnlyMixin, BaseResource):
    kind = col("kind", KIND, ChoiceWidget(SkillTestKind.choices))
    year = col("year", YEAR, IntegerWidget())
    school = col("school", SCHOOL, CodeWidget(School, label=_("学校")))
    school_name = col("school__name", "学校名称", readonly=True)
    major = col("major", MAJOR, SubjectMajorWidget())
    category = col("category", CATEGORY, CategoryWidget())
    subject_name = col(None, "专业或专业大类名称", readonly=True)
    tested = col("tested", "参测人数", IntegerWidget())
    passed = col("passed", "合格人数", IntegerWidget())
    average_score = col("average_score", "平均分", ScoreWidget())
    organizer = col("organizer", "组织部门")

    export_only = ("school_name", "subject_name")

    class Meta(BaseResource.Meta):
        model = SkillTestResult
        import_id_fields = ("kind", "year", "school")
        fields = (
            "kind",
            "year",
            "school",
            "school_name",
            "major",
            "category",
            "subject_name",
            "tested",
            "passed",
            "average_score",
            "organizer",
        )

    def dehydrate_subject_name(self, result):
        subject = result.major or result.category
        return subject.name if subject else ""

    def key_headers(self) -> list[str]:
        return [KIND, YEAR, SCHOOL, SUBJECT]

    def _subject_key(self, cells: dict) -> tuple | None:
        """The natural key of a row as written (kind as its value, the K of a major code dropped); ``None``
        for a row that names no subject or both (the row's own check reports it)."""
        kind = text(cells.get(KIND))
        kind = self.fields["kind"].widget.by_label.get(kind, kind)
        major = major_code(text(cells.get(MAJOR)).upper())
        category = text(cells.get(CATEGORY))
        if bool(major) == bool(category):
            return None
        key = (kind, text(cells.get(YEAR)), text(cells.get(SCHOOL)), major, category)
        return key if all(key[:3]) else None

    def check_file(self, data):
        errors = super().check_file(data)
        if any(e["row"] == 1 for e in errors):
            return errors
        seen: dict[tuple, int] = {}
        for number, row in enumerate(data.dict, start=2):
            key = self._subject_key(row)
            if key is None:
                continue
            if key in seen:
                errors.append(
                    {
                        "row": number,
                        "column": "、".join([KIND, YEAR, SCHOOL, MAJOR if key[3] else CATEGORY]),
                        "message": _("与第 %(other)s 行重复") % {"other": seen[key]},
                    }
                )
            else:
                seen[key] = number
        return errors

    def get_instance(self, instance_loader, row):
        """The stored result of the row's kind, year, school and major or category (one query a row: these
        files hold a few hundred rows); ``None`` for a new row or one whose key cells cannot be read."""
        try:
            key = {
                name: self.fields[name].clean(row) for name in ("kind", "year", "school", "major", "category")
            }
        except (ValueError, ValidationError, KeyError):
            return None
        if not all(key[name] for name in ("kind", "year", "school")):
            return None
        return SkillTestResult.objects.filter(**key).first()

    def clean_row(self, instance, row) -> dict[str, list]:
        problems = subject_errors(instance.kind, instance.major_id, instance.category_id)
        return {name: [ValidationError(message, code="invalid")] for name, message in problems.items()}
