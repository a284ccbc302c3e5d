"""Bulk import and export on top of django-import-export (DESIGN rule 6).

An import is validated as a whole (every bad row and column reported in Chinese), then committed all or
nothing in one transaction. Natural keys (``import_id_fields``) make a second import of the same file a no-op.
Reading, validating and committing run in a Celery task that reports progress on the :class:`ImportJob`.
"""

import csv
import io
from pathlib import Path
from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import audit, search
from .models import AuditAction, AuditLog

# Spreadsheets are read with python-calamine (Rust; ten times openpyxl's read-only mode, see
# bench/bench_import_students.py), which also reads the older formats offices still send.
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
IMPORT_EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
PROGRESS_EVERY = 200

_resources: dict[str, type["BaseResource"]] = {}


def register_resource(resource: type["BaseResource"]) -> type["BaseResource"]:
    """Class decorator: makes a resource the import/export format of its model."""
    _resources[resource._meta.model._meta.label] = resource
    return resource


def resource_for(model_or_label: type[models.Model] | str) -> type["BaseResource"]:
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label
    try:
        return _resources[label]
    except KeyError:
        raise LookupError(f"no import/export resource registered for {label}") from None


class ImportFileError(Exception):
    """The file cannot be read as a table (wrong format, encoding, empty)."""


def text(value: Any) -> str:
    """A cell as text: spreadsheets turn codes like 431002 into numbers (431002.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别文件编码：请使用 UTF-8 或 GBK 编码的 CSV 文件，或 xlsx 文件。"))


def _spreadsheet_rows(path: Path) -> list[list[Any]]:
    """The cells of the first sheet (values, not formulas; dates as ``date``/``datetime``)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # CalamineError, zip and XML errors: all mean an unreadable file
        raise ImportFileError(
            _("无法读取电子表格：文件已损坏，或不是 xlsx、xls、ods 格式（可在 Excel 中另存为 xlsx 后重试）。")
        ) from exc
    try:
        if not book.sheet_names:
            return []
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:
        raise ImportFileError(_("无法读取电子表格的第一个工作表：文件已损坏。")) from exc
    finally:
        book.close()


def read_table(path: Path | str, name: str = "") -> tablib.Dataset:
    """Read a spreadsheet (xlsx, xls, ods: its first sheet) or a csv (UTF-8 or GBK) into a Dataset with
    stripped text headers."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    if suffix in SPREADSHEET_EXTENSIONS:
        rows = _spreadsheet_rows(path)
    elif suffix == ".csv":
        rows = list(csv.reader(io.StringIO(_decode(path.read_bytes()))))
    else:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”：请上传 xlsx、xls、ods 或 csv 文件。") % {"suffix": suffix}
        )
    # Trailing blank rows and columns are common in hand-edited sheets.
    rows = [r for r in rows if any(text(c) for c in r)]
    if not rows:
        raise ImportFileError(_("文件是空的：第一行应为列名，从第二行起为数据。"))
    headers = [text(h) for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    data = tablib.Dataset(headers=headers)
    for r in rows[1:]:
        r = (list(r) + [None] * width)[:width]
        data.append([text(c) if not isinstance(c, str) else c.strip() for c in r])
    return data


class CodeWidget(widgets.ForeignKeyWidget):
    """Foreign key by a code column, with a Chinese message naming the unknown code."""

    def __init__(self, model, field="code", label="", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.label = label or str(model._meta.verbose_name)

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise ValueError(
                _("找不到代码为“%(code)s”的%(label)s") % {"code": value, "label": self.label}
            ) from None


class ChoiceWidget(widgets.Widget):
    """A choices field read and written by its Chinese label (the value is accepted too)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.by_label = {str(label): value for value, label in choices}
        self.by_value = {value: str(label) for value, label in choices}

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return ""
        if value in self.by_label:
            return self.by_label[value]
        if value in self.by_value:
            return value
        raise ValueError(
            _("“%(value)s”不是可选值，可选：%(options)s")
            % {"value": value, "options": "、".join(self.by_label)}
        )

    def render(self, value, obj=None, **kwargs):
        return self.by_value.get(value, value or "")


class BoolWidget(widgets.Widget):
    TRUE = {"是", "1", "true", "yes", "y", "√"}
    FALSE = {"否", "0", "false", "no", "n", ""}

    def clean(self, value, row=None, **kwargs):
        v = text(value).lower()
        if v in self.TRUE:
            return True
        if v in self.FALSE:
            return False
        raise ValueError(_("“%(value)s”应为“是”或“否”") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class IntegerWidget(widgets.Widget):
    """A whole number (spreadsheets give 30.0 for 30), with a Chinese message for anything else."""

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise ValueError(_("“%(value)s”不是整数") % {"value": value}) from None
        if not number.is_integer():
            raise ValueError(_("“%(value)s”不是整数") % {"value": value})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return text(value)


class BaseResource(resources.ModelResource):
    """Import/export format of a model: Chinese column headers, upsert on the natural key,
    model validation (``full_clean``) on every row, progress reported to a callback."""

    progress = None  # callable(processed_rows) set by the import task
    actor = None  # the person importing: rows are checked against their scope and audited in their name

    class Meta:
        abstract = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True  # skip_diff would also disable skip_unchanged (re-imports must be no-ops)

    @classmethod
    def column(cls, attribute: str, header: str, widget=None, **kwargs) -> fields.Field:
        """A field with a Chinese header."""
        return fields.Field(attribute=attribute, column_name=header, widget=widget or TextWidget(), **kwargs)

    # --- scope and audit, row by row ---------------------------------------------------------------------
    def _refuse_unless(self, action: str, instance) -> None:
        from .policy import ALL, policy_for

        rule = policy_for(self._meta.model).rule(self.actor, action)
        allowed = rule == ALL or (
            rule is not None
            and instance.pk is not None
            and self._meta.model._default_manager.restrict(self.actor, action).filter(pk=instance.pk).exists()
        )
        if not allowed:
            # The same words whether the row exists elsewhere or not: a refusal reveals nothing.
            raise ValidationError(_("您无权导入或修改此记录。"))

    def import_instance(self, instance, row, **kwargs):
        if self.actor is not None and instance.pk is not None:
            self._refuse_unless("change", instance)
        instance._xqt_before = audit.snapshot(instance) if instance.pk is not None else {}
        super().import_instance(instance, row, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        search.refresh(instance)
        super().save_instance(instance, is_create, row, **kwargs)
        if self.actor is None:
            return
        if is_create:
            self._refuse_unless("add", instance)
        if not kwargs.get("dry_run"):
            self._audit_entries.append(
                audit.build(
                    actor=self.actor,
                    action=AuditAction.IMPORT,
                    verb=f"{self._meta.model._meta.model_name}_import",
                    instance=instance,
                    changes=audit.diff(getattr(instance, "_xqt_before", {}), audit.snapshot(instance)),
                )
            )

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if any(isinstance(f.widget, widgets.ManyToManyWidget) for f in self.get_import_fields()):
            search.refresh(instance, save=True)  # the indexed text may name many-to-many values

    def before_import(self, dataset, **kwargs):
        self._audit_entries = []
        super().before_import(dataset, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        # Inside the import's transaction: rolled back with it when any row fails.
        AuditLog.objects.bulk_create(self._audit_entries, batch_size=1000)
        self._audit_entries = []
        super().after_import(dataset, result, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        number = kwargs.get("row_number", 0)
        if self.progress is not None and number % PROGRESS_EVERY == 0:
            self.progress(number)

    # --- whole-file checks, before any row is tried ---------------------------------------------------------
    def headers(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields()]

    def key_headers(self) -> list[str]:
        by_name = {f.attribute: f.column_name for f in self.get_import_fields()}
        by_name |= {name: f.column_name for name, f in self.fields.items()}
        return [by_name[name] for name in self._meta.import_id_fields]

    def check_file(self, data: tablib.Dataset) -> list[dict]:
        errors = []
        expected = self.headers()
        missing = [h for h in expected if h not in data.headers]
        unknown = [h for h in data.headers if h and h not in expected]
        if missing:
            errors.append({"row": 1, "column": "、".join(missing), "message": _("缺少列")})
        if unknown:
            errors.append(
                {"row": 1, "column": "、".join(unknown), "message": _("无法识别的列（请使用下载的模板）")}
            )
        if missing:
            return errors
        keys = self.key_headers()
        seen: dict[tuple, int] = {}
        for number, row in enumerate(data.dict, start=2):
            key = tuple(text(row.get(k)) for k in keys)
            if not all(key):
                continue
            if key in seen:
                errors.append(
                    {
                        "row": number,
                        "column": "、".join(keys),
                        "message": _("与第 %(other)s 行重复") % {"other": seen[key]},
                    }
                )
            else:
                seen[key] = number
        return errors

    def describe_errors(self, result) -> list[dict]:
        """Every row-level problem as ``{row, column, message}``; rows counted as in the spreadsheet."""
        header_of = {f.attribute: f.column_name for f in self.get_import_fields()}
        header_of |= {name: f.column_name for name, f in self.fields.items()}
        out = []
        for invalid in result.invalid_rows:
            for name, messages in invalid.error_dict.items():
                column = "" if name == NON_FIELD_ERRORS else header_of.get(name, self._verbose(name))
                for message in messages:
                    out.append({"row": invalid.number + 1, "column": column, "message": str(message)})
        for number, errors in result.row_errors():
            for error in errors:
                out.append({"row": number + 1, "column": "", "message": self._explain(error.error)})
        for error in result.base_errors:
            out.append({"row": "", "column": "", "message": self._explain(error.error)})
        return out

    def _verbose(self, name: str) -> str:
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name)
        except Exception:
            return name

    @staticmethod
    def _explain(exc: BaseException) -> str:
        if isinstance(exc, ValidationError):
            return "；".join(exc.messages)
        return str(exc) or exc.__class__.__name__

    def template(self) -> tablib.Dataset:
        return tablib.Dataset(headers=self.headers())


def run_import(resource: BaseResource, data: tablib.Dataset, *, dry_run: bool) -> tuple[list[dict], dict]:
    """Validate (``dry_run``) or commit a dataset. Returns ``(errors, totals)``; commits nothing on errors."""
    errors = resource.check_file(data)
    if errors:
        return errors, {}
    result = resource.import_data(
        data, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    errors = resource.describe_errors(result)
    totals = {k: v for k, v in result.totals.items() if k in {"new", "update", "skip"}}
    return errors, totals


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def escape_formulae(data: tablib.Dataset) -> tablib.Dataset:
    """Prefix text cells a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    escaped = tablib.Dataset(headers=data.headers)
    for row in data:
        escaped.append(
            [
                f"'{cell}"
                if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _is_number(cell)
                else cell
                for cell in row
            ]
        )
    return escaped


def export_response(resource: BaseResource, queryset, fmt: str, filename: str, encoding: str = "utf-8"):
    """An xlsx or csv download of the queryset; spreadsheet formulas are escaped."""
    data = escape_formulae(resource.export(queryset=queryset))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = data.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        text_body = data.export("csv")
        if encoding.lower() in {"gbk", "gb18030"}:
            body = text_body.encode("gb18030", errors="replace")
            content_type = "text/csv; charset=gb18030"
        else:
            body = ("\ufeff" + text_body).encode("utf-8")  # BOM: Excel opens UTF-8 csv correctly
            content_type = "text/csv; charset=utf-8"
        fmt = "csv"
    response = HttpResponse(body, content_type=content_type)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.{fmt}')}"
    return response
