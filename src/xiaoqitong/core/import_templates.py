"""Import templates: the file a user downloads, fills and uploads (pages and API).

The xlsx template has the data sheet first (the only sheet an import reads: headers in row 1, columns kept
as text so that codes keep their leading zeros, a note on each header) and a “填写说明” sheet listing every
column: required or not, and what it accepts. What a column accepts is read from the resource's fields and
widgets, so a template never disagrees with the import:

- a field or widget with a ``hint`` attribute (a string) says it itself;
- otherwise the widget's kind: choices (their labels), yes/no, whole numbers, dates, codes of a catalog,
  lists; then the model field's ``help_text``.

A column is required when it identifies the row (``import_id_fields``) or its model field may not be blank
and has no default.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist
from django.db.models import NOT_PROVIDED
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from .imports import BaseResource, resource_for

DATA_SHEET = gettext_lazy("导入数据")
NOTES_SHEET = gettext_lazy("填写说明")
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    hint: str
    numeric: bool  # numbers and dates keep the cell's own format; everything else is text


def importable_models() -> list:
    """The models that have an import format, in app order; not those whose format is export-only
    (``importable = False``, or a ``no_import`` message that refuses every file)."""
    from django.apps import apps

    from . import imports

    labels = {
        label
        for label, res in imports._resources.items()
        if getattr(res, "importable", True) and not getattr(res, "no_import", "")
    }
    return [m for m in apps.get_models() if m._meta.label in labels]


def _model_field(resource: BaseResource, field):
    try:
        return resource._meta.model._meta.get_field(field.attribute) if field.attribute else None
    except FieldDoesNotExist:
        return None


def _hint(field, widget, model_field) -> tuple[str, bool]:
    """(what the column accepts, whether it is a number or a date)."""
    for source in (field, widget):
        hint = getattr(source, "hint", None)
        if hint:
            return str(hint), False
    name = type(widget).__name__
    if getattr(widget, "by_label", None):
        return _("可选：%(options)s") % {"options": "、".join(widget.by_label)}, False
    if name == "BoolWidget":
        return _("填“是”或“否”"), False
    if name == "IntegerWidget" or isinstance(widget, widgets.IntegerWidget):
        return _("整数"), True
    if "Date" in name:
        return _("日期，如 2024-09-01（也可填 2024/9/1、20240901 或 2024年9月1日）"), True
    if isinstance(widget, widgets.ManyToManyWidget):
        label = getattr(widget, "label", "") or str(widget.model._meta.verbose_name)
        return _("%(label)s名称，多个用顿号“、”分隔") % {"label": label}, False
    if isinstance(widget, widgets.ForeignKeyWidget):
        label = getattr(widget, "label", "") or str(widget.model._meta.verbose_name)
        return _("%(label)s代码") % {"label": label}, False
    if model_field is not None and model_field.help_text:
        return str(model_field.help_text), False
    if model_field is not None and getattr(model_field, "max_length", None):
        return _("文本，最多 %(n)s 字") % {"n": model_field.max_length}, False
    return _("文本"), False


def columns(resource: BaseResource) -> list[Column]:
    keys = set(resource.key_headers())
    out = []
    for field in resource.get_import_fields():
        model_field = _model_field(resource, field)
        required = field.column_name in keys or (
            model_field is not None
            and not model_field.blank
            and model_field.default is NOT_PROVIDED
            and getattr(field, "default", NOT_PROVIDED) is NOT_PROVIDED
        )
        hint, numeric = _hint(field, field.widget, model_field)
        out.append(Column(field.column_name, required, hint, numeric))
    return out


def template_bytes(model, fmt: str) -> tuple[bytes, str]:
    """The template of ``model`` as ``(content, file name)``; ``fmt`` is ``xlsx`` or ``csv``."""
    if fmt not in FORMATS:
        raise ValueError(_("模板格式应为 xlsx 或 csv。"))
    resource = resource_for(model)()
    name = _("%(name)s导入模板.%(ext)s") % {"name": model._meta.verbose_name, "ext": fmt}
    if fmt == "csv":
        return ("\ufeff" + resource.template().export("csv")).encode(), name
    return _xlsx(resource, columns(resource)), name


def content_disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


def _xlsx(resource: BaseResource, cols: list[Column]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = str(DATA_SHEET)
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    optional_fill = PatternFill("solid", fgColor="EEF3FA")
    for index, col in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=index, value=col.header)
        cell.font = Font(bold=True, color="9C0006" if col.required else "1F3864")
        cell.fill = required_fill if col.required else optional_fill
        note = (_("必填。") if col.required else _("选填。")) + col.hint
        cell.comment = Comment(note, "校企通", width=260, height=110)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, 2.2 * len(col.header) + 4))
        if not col.numeric:  # codes such as 4310020001 or 0101 stay text: no lost zeros, no 4.3E+09
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(str(NOTES_SHEET))
    model = resource._meta.model
    lines = [
        _("%(name)s导入说明") % {"name": model._meta.verbose_name},
        _("1. 只读取第一个工作表“%(sheet)s”：第 1 行为列名（请勿修改），从第 2 行起每行一条记录。")
        % {"sheet": DATA_SHEET},
        _("2. 红色列名为必填列，蓝色为选填列；鼠标停在列名上可看到填写要求。"),
        _("3. 按“%(keys)s”识别同一条记录：已有的记录会被更新，同一文件重复导入不会重复写入。")
        % {"keys": "”“".join(resource.key_headers())},
        _("4. 上传后先校验整个文件，列出每一处错误（行号和列名）；全部正确并确认后才一次性写入。"),
        _("5. 也可另存为 CSV（UTF-8 或 GBK 编码）上传。"),
    ]
    for row, line in enumerate(lines, start=1):
        notes.cell(row=row, column=1, value=line).font = Font(bold=row == 1, size=14 if row == 1 else 11)
    start = len(lines) + 2
    for index, title in enumerate((_("列名"), _("是否必填"), _("填写要求")), start=1):
        notes.cell(row=start, column=index, value=title).font = Font(bold=True)
    for offset, col in enumerate(cols, start=1):
        notes.cell(row=start + offset, column=1, value=col.header)
        notes.cell(row=start + offset, column=2, value=_("必填") if col.required else _("选填"))
        notes.cell(row=start + offset, column=3, value=col.hint).alignment = Alignment(wrap_text=True)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
