"""Bulk import and export on top of django-import-export (DESIGN rule 6).

An import is validated as a whole (every bad row and column reported in Chinese), then committed all or
nothing in one transaction. Natural keys (``import_id_fields``) make a second import of the same file a no-op.
Reading, validating and committing run in a Celery task that reports progress on the :class:`ImportJob`.

Two ways of writing share that behaviour (scope checked row by row, one audit record per changed row):

- :class:`BaseResource` writes each row as it is read (import-export's own path): for catalogs and
  organisations, small files whose rows may name a row written earlier in the same file (a region's parent);
- :class:`BulkResource` does the per-row work once per file and writes new rows in batches: for the large
  files of schools and enterprises (100,000 students: bench/bench_import_students.py).
"""

import abc
import contextlib
import copy
import csv
import datetime as dt
import gc
import io
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, models, router
from django.db.models import signals, sql
from django.db.models.base import ModelState
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import audit, search
from .models import AuditAction

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


@contextlib.contextmanager
def _without_gc():
    """Build many objects without the garbage collector walking them again and again: a large file's cells
    make no reference cycles (a second faster on 100,000 rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_table(path: Path | str, name: str = "") -> tablib.Dataset:
    """Read a spreadsheet (xlsx, xls, ods: its first sheet) or a csv (UTF-8 or GBK) into a Dataset with
    stripped text headers."""
    with _without_gc():
        return _read_table(Path(path), name)


def _read_table(path: Path, name: str) -> tablib.Dataset:
    from . import uploads

    suffix = Path(name or path.name).suffix.lower()
    if suffix in SPREADSHEET_EXTENSIONS:
        try:  # zip bombs and macros are refused before the parser opens the file (checked at upload too)
            uploads.check_path(path, name or path.name, uploads.IMPORT)
        except uploads.UploadRefused as exc:
            raise ImportFileError(str(exc)) from None
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
    pad = [None] * width
    cells = [
        [
            c.strip() if type(c) is str else text(c)
            for c in (r if len(r) == width else (list(r) + pad)[:width])
        ]
        for r in rows[1:]
    ]
    return tablib.Dataset(*cells, headers=headers)  # rows of the headers' width: no check row by row


def column_texts(data: tablib.Dataset, header: str) -> set[str]:
    """The distinct texts of a column (none when the file lacks it): e.g. the schools a file is about."""
    return {text(cell) for cell in data[header]} if header in data.headers else set()


LIST_SEPARATORS = re.compile(r"[、，,；;\n]+")


def split_list(value) -> list[str]:
    """The items of a list cell (separated by 、, commas, semicolons or new lines), in order, once each."""
    return list(dict.fromkeys(item.strip() for item in LIST_SEPARATORS.split(text(value)) if item.strip()))


# --- widgets ------------------------------------------------------------------------------------------------
class CachedWidget(widgets.Widget, metaclass=abc.ABCMeta):
    """A widget that looks values up in a table built on first use (one query per import, not one per row).
    Each import gets fresh widgets: import-export copies a resource's fields for every resource instance."""

    _cache: dict | None = None

    @abc.abstractmethod
    def load(self) -> dict:
        """The lookup table (text -> object); every subclass builds its own."""

    @property
    def lookup(self) -> dict:
        if self._cache is None:
            self._cache = self.load()
        return self._cache


class CodeWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A foreign key by a code column, with a Chinese message naming an unknown code.

    The rows of ``get_queryset`` are loaded on first use; ``preload=False`` for big tables (enterprises):
    one query per distinct code instead. A code not loaded is looked for once more in the database, where a
    row-by-row import may have written it earlier in the same file (a region and then its counties)."""

    def __init__(self, model, field="code", label="", preload=True, **kwargs):
        widgets.ForeignKeyWidget.__init__(self, model, field=field, **kwargs)
        self.label = label or str(model._meta.verbose_name)
        self.preload = preload

    def normalize(self, value: str) -> str:
        """The code as stored (a subclass drops what may be written or not, such as the K of 520101K)."""
        return value

    def load(self) -> dict:
        if not self.preload:
            return {}
        return {str(getattr(obj, self.field)): obj for obj in self.get_queryset(None, None)}

    def clean(self, value, row=None, **kwargs):
        value = self.normalize(text(value))
        if not value:
            return None
        obj = self.lookup.get(value)
        if obj is None:
            obj = self.get_queryset(value, row, **kwargs).filter(**{self.field: value}).first()
            if obj is None:
                raise ValueError(
                    _("找不到代码为“%(code)s”的%(label)s") % {"code": value, "label": self.label}
                )
            self.lookup[value] = obj
        return obj


class NamesWidget(CachedWidget, widgets.ManyToManyWidget):
    """Many-to-many by names separated by 、 (unknown names are refused, not dropped)."""

    def __init__(self, model, field="name", label=""):
        widgets.ManyToManyWidget.__init__(self, model, separator="、", field=field)
        self.label = label or str(model._meta.verbose_name)

    def load(self) -> dict:
        return {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}

    def clean(self, value, row=None, **kwargs):
        found, unknown = [], []
        for name in split_list(value):
            obj = self.lookup.get(name)
            if obj is None:
                unknown.append(name)
            else:
                found.append(obj)
        if unknown:
            raise ValueError(
                _("找不到%(label)s：%(names)s") % {"label": self.label, "names": "、".join(unknown)}
            )
        return list(dict.fromkeys(found))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(str(getattr(o, self.field)) for o in value.all())


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


class ChoicesListWidget(widgets.Widget):
    """A list of choice values (a JSONField) written as labels separated by 、, kept in the choices' order."""

    def __init__(self, choices):
        super().__init__()
        self.choices = list(choices)
        self.by_label = {str(label): value for value, label in self.choices}
        self.by_label |= {value: value for value, _label in self.choices}

    def clean(self, value, row=None, **kwargs):
        picked, unknown = set(), []
        for item in split_list(value):
            if item in self.by_label:
                picked.add(self.by_label[item])
            else:
                unknown.append(item)
        if unknown:
            raise ValueError(
                _("“%(value)s”不是可选值，可选：%(options)s")
                % {"value": "、".join(unknown), "options": "、".join(str(lb) for _v, lb in self.choices)}
            )
        return [value for value, _label in self.choices if value in picked]

    def render(self, value, obj=None, **kwargs):
        labels = dict(self.choices)
        return "、".join(str(labels.get(v, v)) for v in value or [])


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


class NullBoolWidget(BoolWidget):
    """是 / 否, or left empty (未知, 不详): not known."""

    FALSE = {"否", "0", "false", "no", "n", "×"}
    UNKNOWN = {"", "未知", "不详"}

    def clean(self, value, row=None, **kwargs):
        if text(value) in self.UNKNOWN:
            return None
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s”应为“是”“否”或留空") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        return {True: "是", False: "否"}.get(value, "")


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


class DateWidget(widgets.Widget):
    """A date: a spreadsheet's date cell, or text such as 2023-09-01, 2023/9/1, 2023.9.1, 20230901 or
    2023年9月1日 (a time after it, as in a csv saved from a spreadsheet, is ignored)."""

    TIME = re.compile(r"[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$")
    PATTERN = re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$"
    )

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        value = self.TIME.sub("", text(value))
        if not value:
            return None
        if len(value) == 10 and value[4] == "-":  # the common case, without the pattern
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        match = self.PATTERN.match(value)
        if match:
            year, month, day = (int(part) for part in match.groups() if part is not None)
            try:
                return dt.date(year, month, day)
            except ValueError:
                pass
        raise ValueError(_("“%(value)s”不是日期，请写成 2023-09-01") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


# --- writing many rows ------------------------------------------------------------------------------------
def insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows (values as the database takes them: ids, text, numbers), a few hundred per
    statement: for the many-to-many links and related rows of new records, where the ORM's per-object work
    would be the slowest part of a large import. No ``save()``, no signals."""
    if rows:
        connection = connections[router.db_for_write(model)]
        _insert_values(model, list(columns), rows, connection, returning=False)


# Fields whose values, once ``full_clean`` has made them their Python type, the database drivers take as they
# are: ``insert_instances`` leaves out their ``get_db_prep_save`` (most of the values of a row).
_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.SmallAutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
}
_PLAIN, _STAMP, _PRE_SAVE = range(3)


def _as_is_type(field) -> type | None:
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field
    return _AS_IS.get(type(field))


def _max_params(connection) -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def _needs_bulk_create(model: type[models.Model], columns: list) -> bool:
    """Whether ``bulk_create`` must write rows of the model (what ``insert_instances`` does not handle)."""
    return bool(model._meta.parents) or any(f.generated or f.has_db_default() for f in columns)


def _columns(model: type[models.Model]) -> list:
    """The fields an insert writes: all but an automatic primary key."""
    pk = model._meta.pk
    return [f for f in model._meta.local_concrete_fields if not (f is pk and pk.db_returning)]


def _db_rows(instances: list[models.Model], columns: list, connection) -> list[list]:
    """The values of the columns of each instance as the database takes them (``get_db_prep_save``, left
    out where the value is already of the column's plain type); ``auto_now``/``auto_now_add`` fields get one
    timestamp for all the instances."""
    plan = []
    for field in columns:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            stamp = field.pre_save(instances[0], add=True)
            for obj in instances:
                setattr(obj, field.attname, stamp)
            plan.append((_STAMP, field.attname, field, field.get_db_prep_save(stamp, connection)))
        elif type(field).pre_save is not models.Field.pre_save:
            plan.append((_PRE_SAVE, field.attname, field, None))
        else:
            plan.append((_PLAIN, field.attname, field, _as_is_type(field)))
    rows = []
    for obj in instances:
        values = obj.__dict__
        row = []
        add = row.append
        for kind, attname, field, extra in plan:
            if kind == _PLAIN:
                value = values[attname] if attname in values else getattr(obj, attname)
                add(
                    value
                    if value is None or type(value) is extra
                    else field.get_db_prep_save(value, connection)
                )
            elif kind == _STAMP:
                add(extra)
            else:
                add(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
        rows.append(row)
    return rows


def _insert_values(model: type[models.Model], columns: list[str], rows: list, connection, returning: bool):
    """Insert rows of prepared values, a few hundred per statement; returns the new primary keys when
    ``returning``."""
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names from the model, values as parameters)
        quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    )
    placeholders = "({})".format(", ".join(["%s"] * len(columns)))
    tail = connection.ops.return_insert_columns([model._meta.pk])[0] if returning else ""
    per_statement = max(1, min(500, _max_params(connection) // max(1, len(columns))))
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"{head}{', '.join([placeholders] * len(batch))} {tail}", [v for r in batch for v in r]
            )
            if returning:
                returned = connection.ops.fetch_returned_insert_rows(cursor)
                if len(returned) != len(batch):
                    raise RuntimeError(
                        f"{model._meta.label}: {len(batch)} rows inserted, {len(returned)} keys"
                    )
                keys.extend(key for (key,) in returned)
    return keys


def insert_instances(instances: list[models.Model]) -> None:
    """Insert new rows of one model as ``bulk_create`` does (no ``save()``, no signals) and set their primary
    keys; ``auto_now``/``auto_now_add`` fields get one timestamp for the whole call.

    One statement per few hundred rows, each value adapted once by its field (``bulk_create`` compiles every
    value into SQL, the slowest part of a large import). Where that cannot work — a model with parents,
    database defaults or generated columns, rows with their own automatic keys, a database that cannot return
    the keys of a multi-row insert (SQLite before 3.35) — ``bulk_create`` does the work."""
    if not instances:
        return
    model = type(instances[0])
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    columns = _columns(model)
    if (
        _needs_bulk_create(model, columns)
        or (pk.db_returning and any(obj.pk is not None for obj in instances))
        or (pk.db_returning and not connection.features.can_return_rows_from_bulk_insert)
    ):
        model._base_manager.using(connection.alias).bulk_create(instances)
        return
    rows = _db_rows(instances, columns, connection)
    keys = _insert_values(model, [f.column for f in columns], rows, connection, returning=pk.db_returning)
    for obj, key in zip(instances, keys, strict=False):  # no keys: the model's own primary keys
        setattr(obj, pk.attname, key)
    for obj in instances:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_copies(template: models.Model, variants: list[dict]) -> None:
    """Insert one row per ``variants`` item: ``template`` (unsaved) with the fields of the item set
    (``{attname: value}``), e.g. the audit records of an import, alike but for their object and changes.
    The template's values are adapted for the database once, the item's for each row."""
    if not variants:
        return
    model = type(template)
    connection = connections[router.db_for_write(model)]
    columns = _columns(model)
    if _needs_bulk_create(model, columns) or template.pk is not None:
        copies = []
        for variant in variants:
            obj = copy.copy(template)
            for attname, value in variant.items():
                setattr(obj, attname, value)
            copies.append(obj)
        model._base_manager.using(connection.alias).bulk_create(copies)
        return
    base = _db_rows([template], columns, connection)[0]
    position = {field.attname: (i, field) for i, field in enumerate(columns)}
    rows = []
    for variant in variants:
        row = base.copy()
        for attname, value in variant.items():
            i, field = position[attname]
            row[i] = field.get_db_prep_save(value, connection)
        rows.append(row)
    _insert_values(model, [f.column for f in columns], rows, connection, returning=False)


_UNUSED_QUERIES: dict[type[models.Model], sql.Query] = {}


def cache_related(instance: models.Model, name: str, objects) -> None:
    """Make ``instance.<name>.all()`` answer ``objects`` without a query (as ``prefetch_related`` does), so
    that the search text of a new record can read values that are written only with its batch."""
    model = instance._meta.get_field(name).related_model
    # The answer is never run as SQL (filtering it would clone the query): one query object serves them all.
    query = _UNUSED_QUERIES.get(model) or _UNUSED_QUERIES.setdefault(model, sql.Query(model))
    qs = models.QuerySet(model=model, query=query)
    qs._result_cache = list(objects)
    qs._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = qs


# Values ``audit.snapshot`` keeps as they are (lists of them too); dates it writes in ISO form. Anything
# else: ``audit.snapshot`` itself.
_JSON_AS_IS = (str, int, bool, float, type(None))


def new_row_changes(instance: models.Model, attnames: list[str]) -> dict:
    """``audit.diff({}, audit.snapshot(instance))`` of a new row (``attnames``: the snapshot's keys),
    without comparing every field with nothing or converting values that are already JSON."""
    changes = {}
    full = None
    for attname in attnames:
        value = getattr(instance, attname)
        if value is None:
            continue
        kind = type(value)
        if kind in _JSON_AS_IS:
            changes[attname] = [None, value]
        elif kind is dt.date or kind is dt.datetime:
            changes[attname] = [None, value.isoformat()]
        elif kind is list and all(type(item) in _JSON_AS_IS for item in value):
            changes[attname] = [None, list(value)]
        else:
            full = full if full is not None else audit.snapshot(instance)
            if full[attname] is not None:
                changes[attname] = [None, full[attname]]
    return changes


# --- the row-by-row import ----------------------------------------------------------------------------------
class BaseResource(resources.ModelResource):
    """Import/export format of a model: Chinese column headers, upsert on the natural key, model validation
    (``full_clean``) on every row, progress reported to a callback. Rows are written one by one, each checked
    against the importer's scope (``check_scope``) and recorded in the audit log in the importer's name.

    A natural-key cell that cannot be read (an unknown code) leaves the row new, so that its import names the
    cell by its column."""

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

    def get_import_fields(self):
        # Asked several times per row; the base class sorts the fields each time.
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    # --- scope ------------------------------------------------------------------------------------------
    def check_scope(self, action: str, instance) -> None:
        """Refuse (``ValidationError``) a row the importer may not ``action`` ("add" once the new row is
        written, "change" before a stored row is changed)."""
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

    # --- one row ----------------------------------------------------------------------------------------
    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ValidationError):
            return None  # a bad key cell: named by its column when the row is read

    def import_instance(self, instance, row, **kwargs):
        self._check_change(instance)
        instance._xqt_before = audit.snapshot(instance) if instance.pk is not None else {}
        errors = self.import_fields(instance, row, **kwargs)
        _add_errors(errors, self.clean_row(instance, row))
        if errors:
            raise ValidationError(errors)

    def clean_row(self, instance, row) -> dict[str, list]:
        """Read what the row holds beyond the resource's fields (a list of skills, an ID card number) and
        check it as a whole (a name that must match, words that may not be used), once its fields are set;
        returns the problems by field name, each a list of messages. A refused row never gets here."""
        return {}

    def _check_change(self, instance) -> None:
        """The change scope of a stored row; a refused row is reported with the refusal alone."""
        if self.actor is None or instance.pk is None:
            return
        try:
            self.check_scope("change", instance)
        except ValidationError:
            instance._xqt_refused = True
            raise

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if getattr(instance, "_xqt_refused", False):
            # Validating the stored row the importer may not change would tell them about it.
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def import_fields(self, instance, row, **kwargs) -> dict:
        """Set the instance's fields from the row (import-export's ``import_field`` for each column, without
        its per-value overhead: the widgets get the row, not the import's options); returns the errors by
        field (a bad cell's ``ValueError``)."""
        errors = {}
        for column, clean, name, default, field in self._field_plan():
            if column not in row:
                continue
            try:
                if name is None:
                    field.save(instance, row, **kwargs)
                    continue
                value = clean(row[column], row=row)
                if default is not fields.NOT_PROVIDED and value in field.empty_values:
                    value = default() if callable(default) else default
                if value is not None or field.saves_null_values:
                    setattr(instance, name, value)
            except ValueError as exc:
                errors[field.attribute] = [ValidationError(str(exc), code="invalid")]
        return errors

    def _field_plan(self) -> list[tuple]:
        """For each imported column: its header, its widget's ``clean``, the attribute it sets (None: a
        nested one, which the field sets itself), its default and its field."""
        if getattr(self, "_plan", None) is None:
            self._plan = [
                (
                    field.column_name,
                    field.widget.clean,
                    None if "__" in field.attribute else field.attribute,
                    field.default,
                    field,
                )
                for field in self.get_import_fields()
                if field.attribute
                and not field.readonly
                and not isinstance(field.widget, widgets.ManyToManyWidget)
            ]
        return self._plan

    def save_instance(self, instance, is_create, row, **kwargs):
        search.refresh(instance)
        super().save_instance(instance, is_create, row, **kwargs)
        if self.actor is None:
            return
        if is_create:
            self.check_scope("add", instance)
        if not kwargs.get("dry_run"):
            before = getattr(instance, "_xqt_before", {})
            self.queue_audit([(instance, audit.diff(before, audit.snapshot(instance)))])

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if any(isinstance(f.widget, widgets.ManyToManyWidget) for f in self.get_import_fields()):
            search.refresh(instance, save=True)  # the indexed text may name many-to-many values

    # --- audit ------------------------------------------------------------------------------------------
    def queue_audit(self, changed: list[tuple[models.Model, dict]]) -> None:
        """One audit record for each ``(saved row, its changes)``, written when the import ends (in its
        transaction: rolled back with it)."""
        with translation.override(settings.LANGUAGE_CODE):  # the log reads the same in every language
            self._audit_entries.extend(
                {"object_id": str(instance.pk), "object_repr": str(instance)[:200], "changes": changes}
                for instance, changes in changed
            )

    def add_audit_changes(self, instance, changes: dict) -> None:
        """Fold changes the field snapshot cannot see (many-to-many values, related rows) into the audit
        record just queued for the row."""
        entries = self._audit_entries
        if changes and entries and entries[-1]["object_id"] == str(instance.pk):
            entries[-1]["changes"] = {**entries[-1]["changes"], **changes}

    def before_import(self, dataset, **kwargs):
        self._audit_entries: list[dict] = []
        super().before_import(dataset, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        # Inside the import's transaction: rolled back with it when any row fails.
        entries, self._audit_entries = getattr(self, "_audit_entries", []), []  # none if before_import failed
        if entries:
            template = audit.build(
                actor=self.actor,
                action=AuditAction.IMPORT,
                verb=f"{self._meta.model._meta.model_name}_import",
                model=self._meta.model,
            )
            insert_copies(template, entries)
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
        columns = [data[k] if k in data.headers else [""] * len(data) for k in keys]
        for number, cells in enumerate(zip(*columns, strict=True), start=2):
            key = tuple(text(cell) for cell in cells)
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


def _add_errors(errors: dict[str, list], more: dict[str, list]) -> None:
    for name, messages in more.items():
        errors.setdefault(name, []).extend(messages)


def _runs(numbers: list[int], gap: int = 1000) -> list[tuple[int, int]]:
    """Sorted numbers as ``(first, last)`` runs, a new run where the next number is more than ``gap`` on."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number - runs[-1][1] <= gap:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [(first, last) for first, last in runs]


# --- the bulk import ----------------------------------------------------------------------------------------
class BulkResource(BaseResource):
    """:class:`BaseResource` with the per-row work done once per file, for large files
    (bench/bench_import_students.py: 100,000 students):

    - natural keys: the stored rows the file may name (``preload_queryset``) are loaded up front, one query
      instead of one per row; a key cell that cannot be read leaves the row new, and its import names the
      bad cell by its column; a key that comes twice (e.g. 520101 and 520101K, one major) is refused like
      ``check_file``'s duplicates;
    - validation: ``full_clean`` on every row, except the database look-ups it would repeat: foreign keys
      that came from the widgets' lookups (or are the stored row's own), and uniqueness, which the natural
      key guarantees (a model with other unique constraints is not for this class);
    - scope: the change scope of the stored rows is read once; the add scope of new rows is checked in
      batches once they are written (a refused row fails the file, named by its row);
    - new rows are written in batches of ``FLUSH_EVERY`` (``insert_instances``: no ``save()``, no signals)
      with their many-to-many links, their related rows and their search text; changed rows are saved one
      by one, and their many-to-many values only where they changed;
    - no per-row diff (import-export would deep-copy every row for an HTML preview this project never
      shows): ``skip_row`` compares the row with the stored one, ``original``.

    What belongs to a row beyond its fields and many-to-many columns (skills with levels, requirement
    lists) goes through the hooks ``new_related``, ``cache_new_related`` and ``save_related``. A row cannot
    name a row of the same model written earlier in the same file (new rows wait for their batch): such
    models import with :class:`BaseResource`.
    """

    FLUSH_EVERY = 2000
    original = None  # the stored row the current row of the file updates (None for a new row)

    class Meta(BaseResource.Meta):
        abstract = True
        # No savepoint per row: rows are validated in Python before anything is written, and new rows are
        # written in batches by ``flush`` (import-export's own bulk lists stay empty).
        use_bulk = True
        skip_diff = True

    # --- hooks ------------------------------------------------------------------------------------------
    def preload_queryset(self, dataset: tablib.Dataset) -> models.QuerySet:
        """The stored rows the file may name (override to narrow it, e.g. to the schools of the file)."""
        return self._meta.model.objects.all()

    def new_related(self, instance) -> tuple[list[tuple], dict]:
        """A new row, once it has its pk: the related rows to insert with its batch, as ``(model, columns,
        values)`` (see ``insert_rows``), and their changes for its audit record."""
        return [], {}

    def cache_new_related(self, instance) -> None:
        """A new row, before it is written: make the related values its search text reads answer without a
        query (``cache_related``)."""

    def save_related(self, instance) -> dict:
        """A changed row, once saved: write what belongs to it beyond its fields and many-to-many columns;
        returns the changes for its audit record (its search text is refreshed when there are any)."""
        return {}

    def m2m_through(self, name: str) -> tuple[type[models.Model], tuple[str, str]]:
        """The through model of a many-to-many field and its (row, other) columns, for ``new_related``."""
        cache = self.__dict__.setdefault("_throughs", {})
        if name not in cache:
            field = self._meta.model._meta.get_field(name)
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).column
            target = through._meta.get_field(field.m2m_reverse_field_name()).column
            cache[name] = (through, (source, target))
        return cache[name]

    # --- new and stored rows ---------------------------------------------------------------------------
    def init_instance(self, row=None):
        """A new row: a copy of a blank instance the model's constructor made once for the import (it sets
        every field's default, the same work on every row), with callable defaults (lists, timestamps)
        called again. A model with ``pre_init``/``post_init`` receivers gets its constructor for each row."""
        model = self._meta.model
        if getattr(self, "_blank", None) is None:
            if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
                return model()
            self._blank = model()
            self._fresh_defaults = [
                (f.attname, f) for f in model._meta.concrete_fields if f.has_default() and callable(f.default)
            ]
        instance = model.__new__(model)
        values = instance.__dict__
        values.update(self._blank.__dict__)
        values["_state"] = ModelState()
        for attname, field in self._fresh_defaults:
            values[attname] = field.get_default()
        return instance

    def instance_key(self, obj: models.Model) -> tuple:
        opts = self._meta.model._meta
        return tuple(
            getattr(obj, opts.get_field(self.fields[name].attribute).attname)
            for name in self.get_import_id_fields()
        )

    def row_key(self, row) -> tuple | None:
        out = []
        for name in self.get_import_id_fields():
            try:
                value = self.fields[name].clean(row)
            except (ValueError, ValidationError):
                return None
            if value in (None, ""):
                return None
            out.append(value.pk if isinstance(value, models.Model) else value)
        return tuple(out)

    def m2m_fields(self) -> list[fields.Field]:
        if getattr(self, "_m2m_fields", None) is None:
            self._m2m_fields = [
                f for f in self.get_import_fields() if isinstance(f.widget, widgets.ManyToManyWidget)
            ]
        return self._m2m_fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        stored = self.preload_queryset(dataset)
        self._existing = {self.instance_key(obj): obj for obj in stored}
        # Many-to-many values of the stored rows as id sets (cheaper than prefetching related objects).
        self._stored_m2m: dict[str, dict[int, set]] = {}
        for field in self.m2m_fields():
            through, (source, target) = self.m2m_through(field.attribute)
            values: dict[int, set] = {}
            for pk, other in through.objects.filter(**{f"{source}__in": stored.values("pk")}).values_list(
                source, target
            ):
                values.setdefault(pk, set()).add(other)
            self._stored_m2m[field.attribute] = values
        self._seen: dict[tuple, int] = {}
        self._pending_add: list[tuple[int, int]] = []
        self._pending_new: list[tuple[models.Model, int]] = []
        self._dry_run = False
        self._change_allowed = self._in_scope("change", stored.values("pk"))

    def get_instance(self, instance_loader, row):
        self._current_key = self.row_key(row)
        stored = self._existing.get(self._current_key) if self._current_key is not None else None
        self.original = stored
        # The row is imported into a (shallow, cheap) copy; the stored row stays as it was, to compare with.
        return copy.copy(stored) if stored is not None else None

    # --- scope ------------------------------------------------------------------------------------------
    def _in_scope(self, action: str, pks) -> set[int] | None:
        """The pks (a list, or a subquery) within the actor's ``action`` scope (None: every row is)."""
        from .policy import ALL, policy_for

        rule = policy_for(self._meta.model).rule(self.actor, action) if self.actor is not None else ALL
        if rule == ALL:
            return None
        if rule is None:
            return set()
        qs = self._meta.model._default_manager.restrict(self.actor, action)
        if not isinstance(pks, list):
            return set(qs.filter(pk__in=pks).values_list("pk", flat=True))
        allowed: set[int] = set()
        if all(type(pk) is int for pk in pks):
            # New rows have consecutive keys: one query per run of them (a list of keys per query would let
            # the database walk the scope's index, a school's every row, for each list).
            for low, high in _runs(sorted(pks)):
                allowed |= set(qs.filter(pk__gte=low, pk__lte=high).values_list("pk", flat=True))
            return allowed
        for i in range(0, len(pks), 500):
            allowed |= set(qs.filter(pk__in=pks[i : i + 500]).values_list("pk", flat=True))
        return allowed

    def check_scope(self, action: str, instance) -> None:
        if action == "change" and instance.pk is not None:
            if self._change_allowed is not None and instance.pk not in self._change_allowed:
                raise ValidationError(_("您无权导入或修改此记录。"))
            return
        super().check_scope(action, instance)

    def _check_added(self, result) -> None:
        pending, self._pending_add = self._pending_add, []
        allowed = self._in_scope("add", [pk for pk, _number in pending])
        if allowed is None:
            return
        for pk, number in pending:
            if pk not in allowed:
                # The same words whether the row exists elsewhere or not: a refusal reveals nothing.
                result.append_invalid_row(number, {}, ValidationError(_("您无权导入或修改此记录。")))

    # --- one row ----------------------------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        # Many-to-many cells are read with the others, so that a bad one is named by its column
        # (import-export reads them only when it saves them).
        self._row_number = kwargs.get("row_number", 0)
        # The stored row's snapshot for the audit record is taken only when the row is saved (``original``):
        # most rows of a re-import are skipped.
        self._check_change(instance)
        errors = self.import_fields(instance, row, **kwargs)
        key = self._current_key
        if key is not None and instance.pk is None:
            if key in self._seen:
                last = self.get_import_id_fields()[-1]
                _add_errors(errors, {last: [_("与第 %(other)s 行重复") % {"other": self._seen[key] + 1}]})
            else:
                self._seen[key] = self._row_number
        instance._xqt_m2m = {}
        for field in self.m2m_fields():
            if field.column_name not in row:
                continue
            try:
                instance._xqt_m2m[field.attribute] = field.clean(row)
            except ValueError as exc:
                errors[field.attribute] = [str(exc)]
        _add_errors(errors, self.clean_row(instance, row))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if getattr(instance, "_xqt_refused", False):
            raise ValidationError(import_validation_errors)
        # Foreign keys come from lookups loaded in this transaction (or are the stored row's own): checking
        # that they exist again would cost a query each. Uniqueness is the natural key's, already checked.
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        if getattr(self, "_relations", None) is None:
            self._relations = [f for f in self._meta.model._meta.concrete_fields if f.many_to_one]
        for field in self._relations:
            if getattr(instance, field.attname) is not None:
                exclude.add(field.name)
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Foreign keys are compared by id: import-export compares related objects, one query per key and row.
        original = self.original if instance.pk is not None else None
        if import_validation_errors or original is None:
            return False
        opts = self._meta.model._meta
        for field in self.get_import_fields():
            if field.attribute is None or field.readonly or field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                old = self._stored_m2m[field.attribute].get(original.pk, set())
                if old != {o.pk for o in instance._xqt_m2m.get(field.attribute, [])}:
                    return False
                continue
            attname = opts.get_field(field.attribute).attname
            if getattr(instance, attname) != getattr(original, attname):
                return False
        return True

    # --- writing ----------------------------------------------------------------------------------------
    def save_instance(self, instance, is_create, row, **kwargs):
        """New rows wait for their batch (``flush``); a changed row is saved at once."""
        self._dry_run = bool(kwargs.get("dry_run"))
        if is_create:
            self._pending_new.append((instance, self._row_number))
            if len(self._pending_new) >= self.FLUSH_EVERY:
                self.flush()
            return
        search.refresh(instance)
        instance.save()
        if self.actor is not None and not self._dry_run:
            self.queue_audit(
                [(instance, audit.diff(audit.snapshot(self.original), audit.snapshot(instance)))]
            )

    def save_m2m(self, instance, row, **kwargs):
        if instance.pk is None:
            return  # a new row: written with its batch
        changes = {}
        for name, wanted in instance._xqt_m2m.items():
            old = self._stored_m2m[name].get(instance.pk, set())
            new = {o.pk for o in wanted}
            if old != new:
                getattr(instance, name).set(wanted)
                changes[name] = [sorted(old), sorted(new)]
        changes |= self.save_related(instance)
        if changes:
            search.refresh(instance, save=True)  # the indexed text may name these values
        self.add_audit_changes(instance, changes)

    def _search_text_before_insert(self, instance) -> None:
        # The indexed text names many-to-many values, which need the row's pk to be read. Give the unsaved
        # row a stand-in pk and answer its relations from the values it is about to get, so that the text is
        # computed once and inserted with the row (no second write of every row).
        instance.pk = -1
        try:
            for name, wanted in instance._xqt_m2m.items():
                cache_related(instance, name, wanted)
            self.cache_new_related(instance)
            search.refresh(instance)
        finally:
            instance.pk = None
            instance.__dict__.pop("_prefetched_objects_cache", None)

    def flush(self) -> None:
        """Write the pending new rows (``insert_instances`` sets their pks), their many-to-many links and
        related rows, and queue their audit records and their add-scope check."""
        pending, self._pending_new = self._pending_new, []
        if not pending:
            return
        instances = [instance for instance, _number in pending]
        for instance in instances:
            self._search_text_before_insert(instance)
        insert_instances(instances)
        attnames = sorted(audit.snapshot(instances[0]))
        links: dict[tuple, list[tuple]] = {}
        audited = []
        for instance, number in pending:
            self._pending_add.append((instance.pk, number))
            changes = new_row_changes(instance, attnames)
            for name, wanted in instance._xqt_m2m.items():
                if wanted:
                    links.setdefault(self.m2m_through(name), []).extend(
                        (instance.pk, obj.pk) for obj in wanted
                    )
                    changes[name] = [[], sorted(obj.pk for obj in wanted)]
            rows, related_changes = self.new_related(instance)
            for related, columns, values in rows:
                links.setdefault((related, columns), []).append(values)
            audited.append((instance, changes | related_changes))
        for (related, columns), values in links.items():
            insert_rows(related, columns, values)
        if self.actor is not None and not self._dry_run:
            self.queue_audit(audited)

    def import_data(self, *args, **kwargs):
        # A large file keeps many objects alive (its rows, the row results, the audit records to write), and
        # makes few reference cycles: the garbage collector would walk them again and again while rows are
        # imported. It is off until the import ends, and what was alive before is left out of its next walks.
        gc.freeze()
        try:
            with _without_gc():
                return super().import_data(*args, **kwargs)
        finally:
            gc.unfreeze()

    def after_import(self, dataset, result, **kwargs):
        # Inside the import's transaction, before the audit records are written (BaseResource).
        self.flush()
        self._check_added(result)
        super().after_import(dataset, result, **kwargs)


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
    return dataset_response(resource.export(queryset=queryset), fmt, filename, encoding)


def dataset_response(data: tablib.Dataset, fmt: str, filename: str, encoding: str = "utf-8") -> HttpResponse:
    """An xlsx or csv download of a computed table (a target or summary page's rows); formulas are escaped."""
    data = escape_formulae(data)
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
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.{fmt}')}"
    return response
