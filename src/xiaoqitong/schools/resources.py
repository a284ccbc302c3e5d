"""Import/export formats of school majors, students, teachers and their enterprise practice.

Chinese column headers; upsert on natural keys, so importing the same file twice changes nothing:

============== =======================================================================================
model          natural key (columns)
============== =======================================================================================
开设专业        学校代码 + 专业代码 + 年度
学生            学校代码 + 学号. The student's 专业 is the school's 开设专业 of that 专业代码 in the student's
               last school year (``models.final_school_year``): the current year for a student in school,
               the final year for a graduate; at least that 开设专业 must exist first.
教师            学校代码 + 工号
教师企业实践     学校代码 + 工号 (the teacher) + 企业统一社会信用代码 + 年度
============== =======================================================================================

Lists in a cell are separated by 、 (产业链 and 工作地 by name; 工作地 also by code);
skills are written ``技能名:水平、技能名:水平`` (水平 了解/熟练/精通, 熟练 when left out).
The optional 身份证号 column of the student file is checked (GB 11643) and kept only as a keyed
hash (``validators.id_card_hash``); it is never stored, exported or repeated in an error message.

Speed (bench/bench_import_students.py): every lookup a row needs (schools, majors, school majors, regions,
skills, chains, the existing rows of the file's natural keys) is loaded once per import instead of once per
row, and many-to-many values are written only when they change.
"""

import abc
import copy
import datetime as dt
import gc
import re

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from import_export import fields, widgets

from xiaoqitong.core import audit, search
from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    ChoiceWidget,
    IntegerWidget,
    register_resource,
    text,
)
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import IndustryChain, Major, Region

from . import validators
from .choices import (
    Consent,
    Duration,
    Employment,
    Gender,
    MasterLevel,
    PositionType,
    StudentStatus,
    Title,
)
from .models import SchoolMajor, Student, StudentSkill, Teacher, TeacherPractice, final_school_year
from .services import set_student_skills

col = BaseResource.column
LIST_SEPARATORS = re.compile(r"[、，,；;\n]+")
SCHOOL_CODE = "学校代码"


def _split(value) -> list[str]:
    return [item.strip() for item in LIST_SEPARATORS.split(text(value)) if item.strip()]


# --- widgets whose lookups are loaded once per import -------------------------------------------------------
class CachedWidget(widgets.Widget, metaclass=abc.ABCMeta):
    """A widget that looks values up in a dict built on first use (one query per import, not per row).
    Each import gets fresh widgets: import-export copies a resource's fields for every resource instance."""

    _cache: dict | None = None

    @abc.abstractmethod
    def load(self) -> dict:
        """The lookup table (code -> object); every subclass builds its own."""

    @property
    def lookup(self) -> dict:
        if self._cache is None:
            self._cache = self.load()
        return self._cache


class CodeWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A foreign key by its code, with a Chinese message naming the unknown code."""

    def __init__(self, model, field="code", label="", preload=True):
        widgets.ForeignKeyWidget.__init__(self, model, field=field)
        self.label = label or str(model._meta.verbose_name)
        self.preload = preload  # False for big tables: one query per distinct code, remembered

    def normalize(self, value: str) -> str:
        return value

    def load(self) -> dict:
        if not self.preload:
            return {}
        return {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}

    def clean(self, value, row=None, **kwargs):
        value = self.normalize(text(value))
        if not value:
            return None
        if not self.preload and value not in self.lookup:
            self.lookup[value] = self.model.objects.filter(**{self.field: value}).first()
        obj = self.lookup.get(value)
        if obj is None:
            raise ValueError(_("找不到代码为“%(code)s”的%(label)s") % {"code": value, "label": self.label})
        return obj

    def render(self, value, obj=None, **kwargs):
        return str(getattr(value, self.field)) if value is not None else ""


def _major_code(value: str) -> str:
    """520101K → 520101: the K of a 国控专业 may be written or not."""
    return value[:-1] if value[-1:] in {"K", "k"} and value[:-1].isdigit() else value


class MajorWidget(CodeWidget):
    """A catalog major by its code; the K of a 国控专业 (520101K) may be written or not."""

    def __init__(self):
        super().__init__(Major, label=_("专业"))

    def normalize(self, value: str) -> str:
        return _major_code(value)


class AreaWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A county-level unit or park by its code or its name (a name shared by several counties must be written
    as a code)."""

    AMBIGUOUS = object()

    def __init__(self, label=""):
        widgets.ForeignKeyWidget.__init__(self, Region, field="code")
        self.label = label or _("县市区")

    def load(self) -> dict:
        lookup: dict = {}
        regions = list(Region.objects.filter(level__in=["county", "park"]).select_related("parent"))
        for region in regions:
            key = region.name
            lookup[key] = self.AMBIGUOUS if key in lookup else region
        for region in regions:
            # "郴州市北湖区" reads unambiguously too.
            if region.parent is not None:
                lookup.setdefault(f"{region.parent.name}{region.name}", region)
        lookup.update({region.code: region for region in regions})
        return lookup

    def find(self, value: str):
        obj = self.lookup.get(value)
        if obj is self.AMBIGUOUS:
            raise ValueError(
                _("%(label)s“%(name)s”有重名，请填写 6 位区划代码") % {"label": self.label, "name": value}
            )
        if obj is None:
            raise ValueError(_("找不到%(label)s“%(name)s”") % {"label": self.label, "name": value})
        return obj

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        return self.find(value) if value else None

    def render(self, value, obj=None, **kwargs):
        """The name, or the city's name and the name where the name alone is shared (张家界市永定区)."""
        if value is None:
            return ""
        if self.lookup.get(value.name) is self.AMBIGUOUS:
            return f"{value.parent.name}{value.name}" if value.parent_id else value.code
        return value.name


class NamesWidget(CachedWidget, widgets.ManyToManyWidget):
    """Many-to-many by names separated by 、 (unknown names are refused, not dropped)."""

    def __init__(self, model, field="name", label=""):
        widgets.ManyToManyWidget.__init__(self, model, separator="、", field=field)
        self.label = label or str(model._meta.verbose_name)

    def load(self) -> dict:
        return {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}

    def clean(self, value, row=None, **kwargs):
        found, unknown = [], []
        for name in _split(value):
            obj = self.lookup.get(name)
            (unknown if obj is None else found).append(obj if obj is not None else name)
        if unknown:
            raise ValueError(
                _("找不到%(label)s：%(names)s") % {"label": self.label, "names": "、".join(unknown)}
            )
        return list(dict.fromkeys(found))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(str(getattr(o, self.field)) for o in value.all())


class AreasWidget(NamesWidget):
    """Many-to-many to counties by name or code, separated by 、."""

    def __init__(self, label=""):
        NamesWidget.__init__(self, Region, field="name", label=label or _("县市区"))
        self.area = AreaWidget(label=self.label)

    def render(self, value, obj=None, **kwargs):
        return "、".join(self.area.render(region) for region in value.all()) if value is not None else ""

    def clean(self, value, row=None, **kwargs):
        found, problems = [], []
        for name in _split(value):
            try:
                found.append(self.area.find(name))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("；".join(problems))
        return list(dict.fromkeys(found))


class ChoicesListWidget(widgets.Widget):
    """A list of choice values (a JSONField) written as labels separated by 、, kept in the choices' order."""

    def __init__(self, choices):
        super().__init__()
        self.choices = list(choices)
        self.by_label = {str(label): value for value, label in self.choices}
        self.by_label |= {value: value for value, _label in self.choices}

    def clean(self, value, row=None, **kwargs):
        picked, unknown = set(), []
        for item in _split(value):
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


class DateWidget(widgets.Widget):
    """A date cell (a spreadsheet date) or text such as 2023-09-01, 2023/9/1, 20230901, 2023年9月1日."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        value = text(value)
        if not value:
            return None
        value = value.split(" ")[0]  # "2023-09-01 00:00:00": a date cell read as text, or a spreadsheet's csv
        if len(value) == 10 and value[4] == "-":
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s”不是日期，请写成 2023-09-01") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


# --- the shared base ---------------------------------------------------------------------------------------
class SchoolDataResource(BaseResource):
    """The core import with the per-row work done once per file (see bench/bench_import_students.py):

    - natural keys: the existing rows the file may name are loaded up front (one query, not one per row); a
      key cell that cannot be read leaves the row new, and its import names the bad cell by its column; a key
      that comes twice (e.g. 520101 and 520101K) is refused like the core's duplicate check;
    - validation: ``full_clean`` on every row, except the database look-ups it would repeat: foreign keys
      that came from the lookups loaded here, and uniqueness, which the natural keys already guarantee;
    - scope: the change scope of the existing rows is read once; the add scope of new rows is checked in
      batches after they are written (a refused row fails the file, named by its row, as before);
    - many-to-many and related rows of new records, and their search text, are written in batches.
    Behaviour is the core's: per-row errors in Chinese, all or nothing, one audit record per changed row.
    """

    FLUSH_EVERY = 2000

    class Meta(BaseResource.Meta):
        abstract = True
        # No savepoint per row: rows are validated in Python before anything is written, and new rows are
        # written in batches by ``flush`` (the base class's own bulk lists stay empty).
        use_bulk = True
        # No per-row diff (the base class would deep-copy every row and export every column twice for an
        # HTML preview this project never shows); ``get_instance`` keeps the stored row for ``skip_row``.
        skip_diff = True

    # -- natural keys -------------------------------------------------------------------------------------
    def preload_queryset(self, dataset):
        """The existing rows the file may name (override to narrow it)."""
        return self._meta.model.objects.all()

    def instance_key(self, obj: Model) -> tuple:
        model = self._meta.model
        out = []
        for name in self.get_import_id_fields():
            field = model._meta.get_field(self.fields[name].attribute)
            out.append(getattr(obj, field.attname))
        return tuple(out)

    def row_key(self, row) -> tuple | None:
        out = []
        for name in self.get_import_id_fields():
            try:
                value = self.fields[name].clean(row)
            except (ValueError, ValidationError):
                return None
            if value in (None, ""):
                return None
            out.append(value.pk if isinstance(value, Model) else value)
        return tuple(out)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        stored = self.preload_queryset(dataset)
        self._existing = {self.instance_key(obj): obj for obj in stored}
        # Many-to-many values of the stored rows as id sets (cheaper than prefetching related objects).
        self._stored_m2m: dict[str, dict[int, set]] = {}
        for field in self.m2m_fields():
            through, (source, target) = self._through(field.attribute)
            values: dict[int, set] = {}
            for pk, other in through.objects.filter(**{f"{source}__in": stored.values("pk")}).values_list(
                source, target
            ):
                values.setdefault(pk, set()).add(other)
            self._stored_m2m[field.attribute] = values
        self._seen: dict[tuple, int] = {}
        self._pending_add: list[tuple[int, int]] = []
        self._pending_new: list[tuple[Model, int]] = []
        self._dry_run = False
        self._change_allowed = self._in_scope("change", stored.values("pk"))

    def get_instance(self, instance_loader, row):
        self._current_key = self.row_key(row)
        stored = self._existing.get(self._current_key) if self._current_key is not None else None
        self._original = stored
        # The row is imported into a (shallow, cheap) copy; the stored row stays as it was, to compare with.
        return copy.copy(stored) if stored is not None else None

    # -- scope --------------------------------------------------------------------------------------------
    def _rule(self, action: str):
        from xiaoqitong.core.policy import policy_for

        return policy_for(self._meta.model).rule(self.actor, action)

    def _in_scope(self, action: str, pks) -> set[int] | None:
        """The pks (a list, or a subquery) within the actor's ``action`` scope (None: every row is)."""
        from xiaoqitong.core.policy import ALL

        if self.actor is None or self._rule(action) == ALL:
            return None
        if self._rule(action) is None:
            return set()
        qs = self._meta.model._default_manager.restrict(self.actor, action)
        if not isinstance(pks, list):
            return set(qs.filter(pk__in=pks).values_list("pk", flat=True))
        allowed: set[int] = set()
        for i in range(0, len(pks), 500):
            allowed |= set(qs.filter(pk__in=pks[i : i + 500]).values_list("pk", flat=True))
        return allowed

    def _refuse_unless(self, action: str, instance) -> None:
        if action == "change" and instance.pk is not None:
            if self._change_allowed is not None and instance.pk not in self._change_allowed:
                raise ValidationError(_("您无权导入或修改此记录。"))
            return
        if action == "add" and instance.pk is not None:
            self._pending_add.append((instance.pk, self._row_number))
            return
        super()._refuse_unless(action, instance)

    def _check_added(self, result) -> None:
        pending, self._pending_add = self._pending_add, []
        allowed = self._in_scope("add", [pk for pk, _number in pending])
        if allowed is None:
            return
        for pk, number in pending:
            if pk not in allowed:
                # The same words whether the row exists elsewhere or not: a refusal reveals nothing.
                result.append_invalid_row(number, {}, ValidationError(_("您无权导入或修改此记录。")))

    # -- one row ------------------------------------------------------------------------------------------
    def m2m_fields(self):
        return [f for f in self.get_import_fields() if isinstance(f.widget, widgets.ManyToManyWidget)]

    def import_instance(self, instance, row, **kwargs):
        # Many-to-many cells are checked with the others, so that a bad one is named by its column (the base
        # class reads them only when it saves them).
        self._row_number = kwargs.get("row_number", 0)
        errors: dict = {}
        key = getattr(self, "_current_key", None)
        if key is not None and instance.pk is None:
            if key in self._seen:
                last = self.get_import_id_fields()[-1]
                errors[last] = [_("与第 %(other)s 行重复") % {"other": self._seen[key] + 1}]
            else:
                self._seen[key] = self._row_number
        try:
            # The core's import_instance, except that the stored row's snapshot for the audit record is
            # taken only when the row is saved (``self._original``): most rows of a re-import are skipped.
            if self.actor is not None and instance.pk is not None:
                self._refuse_unless("change", instance)
            super(BaseResource, self).import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        instance._xqt_m2m = {}
        for field in self.m2m_fields():
            if field.column_name not in row:
                continue
            try:
                instance._xqt_m2m[field.attribute] = field.clean(row)
            except ValueError as exc:
                errors[field.attribute] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Foreign keys come from lookups loaded in this transaction (or are the stored row's own): checking
        # that they exist again would cost a query each. Uniqueness is the natural key's, already checked.
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        for field in self._meta.model._meta.concrete_fields:
            if field.many_to_one and getattr(instance, field.attname) is not None:
                exclude.add(field.name)
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Compare foreign keys by id: the base class compares related objects, one query per key and row.
        original = getattr(self, "_original", None) if instance.pk is not None else None
        if import_validation_errors or original is None:
            return False
        model = self._meta.model
        for field in self.get_import_fields():
            if field.attribute is None or field.readonly or field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                old = self._stored_m2m[field.attribute].get(original.pk, set())
                if old != {o.pk for o in instance._xqt_m2m.get(field.attribute, [])}:
                    return False
                continue
            attname = model._meta.get_field(field.attribute).attname
            if getattr(instance, attname) != getattr(original, attname):
                return False
        return True

    # -- writing ------------------------------------------------------------------------------------------
    def save_instance(self, instance, is_create, row, **kwargs):
        """New rows are written in batches (``flush``); changed rows at once, as the base class does."""
        self._dry_run = self._is_dry_run(kwargs)
        if is_create:
            self._pending_new.append((instance, self._row_number))
            if len(self._pending_new) >= self.FLUSH_EVERY:
                self.flush()
            return
        search.refresh(instance)
        instance.save()
        if self.actor is not None and not self._dry_run:
            changes = audit.diff(audit.snapshot(self._original), audit.snapshot(instance))
            self._audit_entries.append(self._audit_entry(instance, changes))

    def _audit_entry(self, instance, changes: dict):
        return audit.build(
            actor=self.actor,
            action=AuditAction.IMPORT,
            verb=f"{self._meta.model._meta.model_name}_import",
            instance=instance,
            changes=changes,
        )

    def save_m2m(self, instance, row, **kwargs):
        if instance.pk is None:
            return  # a new row: written with its batch
        changes = {}
        for name, wanted in getattr(instance, "_xqt_m2m", {}).items():
            old = self._stored_m2m[name].get(instance.pk, set())
            new = {o.pk for o in wanted}
            if old != new:
                getattr(instance, name).set(wanted)
                changes[name] = [sorted(old), sorted(new)]
        changes |= self.save_related(instance)
        if changes:
            search.refresh(instance, save=True)  # the indexed text may name these values
        self.add_audit_changes(instance, changes)

    def save_related(self, instance) -> dict:
        """A changed row: write what belongs to it beyond its fields and many-to-many values (e.g. skills
        with levels); return the changes for its audit record."""
        return {}

    def new_related(self, instance) -> tuple[list[tuple], dict]:
        """A new row, once it has its pk: the related rows to insert with its batch, as ``(model, columns,
        values)`` (see ``insert_rows``), and their changes for the audit record."""
        return [], {}

    def cache_new_related(self, instance) -> None:
        """A new row, before it is written: make its related values readable (``_cache_related``)."""

    def _search_text_before_insert(self, instance) -> None:
        # The indexed text names many-to-many values, which need the row's pk to be read. Give the unsaved
        # row a stand-in pk and answer its relations from the values it is about to get, so that the text is
        # computed once and inserted with the row (no second write of every row).
        instance.pk = -1
        try:
            for name, wanted in instance._xqt_m2m.items():
                _cache_related(instance, name, wanted)
            self.cache_new_related(instance)
            search.refresh(instance)
        finally:
            instance.pk = None
            instance.__dict__.pop("_prefetched_objects_cache", None)

    def flush(self) -> None:
        """Write the pending new rows (``bulk_create`` sets their pks), their many-to-many links and related
        rows, and queue their audit records and their add-scope check."""
        pending, self._pending_new = self._pending_new, []
        if not pending:
            return
        model = self._meta.model
        instances = [instance for instance, _number in pending]
        for instance in instances:
            self._search_text_before_insert(instance)
        model.objects.bulk_create(instances, batch_size=500)
        links: dict[tuple, list[tuple]] = {}
        for instance, number in pending:
            if instance.pk is None:  # a database that cannot return the new pks
                raise RuntimeError("bulk_create did not return primary keys")
            self._pending_add.append((instance.pk, number))
            # audit.diff({}, after), without comparing every field with nothing
            changes = {k: [None, v] for k, v in sorted(audit.snapshot(instance).items()) if v is not None}
            for name, wanted in instance._xqt_m2m.items():
                if wanted:
                    key = self._through(name)
                    links.setdefault(key, []).extend((instance.pk, obj.pk) for obj in wanted)
                    changes[name] = [[], sorted(obj.pk for obj in wanted)]
            rows, related_changes = self.new_related(instance)
            for related, columns, values in rows:
                links.setdefault((related, columns), []).append(values)
            changes |= related_changes
            if self.actor is not None and not self._dry_run:
                self._audit_entries.append(self._audit_entry(instance, changes))
        for (related, columns), values in links.items():
            insert_rows(related, columns, values)
        gc.freeze()  # see import_data

    def _through(self, name: str) -> tuple:
        """(through model, (source column, target column)) of a many-to-many field."""
        cache = self.__dict__.setdefault("_throughs", {})
        if name not in cache:
            cache[name] = self._through_of(name)
        return cache[name]

    def _through_of(self, name: str) -> tuple:
        field = self._meta.model._meta.get_field(name)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).column
        target = through._meta.get_field(field.m2m_reverse_field_name()).column
        return through, (source, target)

    def import_data(self, *args, **kwargs):
        # A large file keeps many objects alive (its rows, the row results, the audit records to write):
        # the garbage collector would walk them again and again while rows are imported. They are frozen
        # (left out of collections) until the import ends.
        gc.freeze()
        try:
            return super().import_data(*args, **kwargs)
        finally:
            gc.unfreeze()

    def get_import_fields(self):
        # Asked several times per row; the base class sorts the fields each time.
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def after_import(self, dataset, result, **kwargs):
        # Inside the import's transaction, before the audit records are written (base class).
        self.flush()
        self._check_added(result)
        super().after_import(dataset, result, **kwargs)

    def add_audit_changes(self, instance, changes: dict) -> None:
        """Fold changes the base audit cannot see (many-to-many, skills) into the row's audit record."""
        entries = getattr(self, "_audit_entries", None)
        if changes and entries and entries[-1].object_id == str(instance.pk):
            entries[-1].changes = {**entries[-1].changes, **changes}


def insert_rows(model: type[Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows (ids and short text, no defaults to compute, no signals) with one prepared statement:
    for the many-to-many links and skills of new records, where the ORM's per-object work would be the
    slowest part of a large import."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, values as parameters)
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


def _cache_related(instance: Model, name: str, objects) -> None:
    """Make ``instance.<name>.all()`` answer ``objects`` without a query (as ``prefetch_related`` does), so
    that the search text of a new record can read values that are written only in the next batch."""
    qs = QuerySet(model=instance._meta.get_field(name).related_model)
    qs._result_cache = list(objects)
    qs._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = qs


# --- 开设专业 -----------------------------------------------------------------------------------------------
@register_resource
class SchoolMajorResource(SchoolDataResource):
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    major = col("major", "专业代码", MajorWidget())
    year = col("year", "年度", IntegerWidget())
    duration = col("duration", "学制", ChoiceWidget(Duration.choices), default=Duration.THREE_YEAR)
    enrolment_plan = col("enrolment_plan", "招生计划", IntegerWidget(), default=0)
    new_enrolment = col("new_enrolment", "实际招生", IntegerWidget(), default=0)
    students_enrolled = col("students_enrolled", "在校生数", IntegerWidget(), default=0)
    expected_graduates = col("expected_graduates", "预计毕业生数", IntegerWidget(), default=0)
    actual_graduates = col("actual_graduates", "实际毕业生数", IntegerWidget())
    is_provincial_high_level = col("is_provincial_high_level", "省级高水平专业（群）", BoolWidget())
    is_quality = col("is_quality", "优质专业（群）", BoolWidget())
    chains = col("chains", "对接产业链", NamesWidget(IndustryChain, label=_("产业链")))

    class Meta(SchoolDataResource.Meta):
        model = SchoolMajor
        import_id_fields = ("school", "major", "year")
        fields = (
            "school",
            "major",
            "year",
            "duration",
            "enrolment_plan",
            "new_enrolment",
            "students_enrolled",
            "expected_graduates",
            "actual_graduates",
            "is_provincial_high_level",
            "is_quality",
            "chains",
        )

    def preload_queryset(self, dataset):
        return SchoolMajor.objects.all()


# --- 学生 ---------------------------------------------------------------------------------------------------
class SchoolMajorOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """The school's 开设专业 of this 专业代码 in the student's last school year
    (``models.final_school_year``): the latest year the school recorded for that major between the
    student's 年级 and 预计毕业日期 — for a student in school, the current year; for a graduate, the final
    year."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, SchoolMajor)
        self.dates = DateWidget()

    def load(self) -> dict:
        return {}

    def _of_school(self, code: str) -> dict:
        if code not in self.lookup:
            by_major: dict[str, dict[int, SchoolMajor]] = {}
            for sm in SchoolMajor.objects.filter(school__code=code).select_related(
                "major__major_class", "school"
            ):
                by_major.setdefault(sm.major.code, {})[sm.year] = sm
            self.lookup[code] = by_major
        return self.lookup[code]

    def clean(self, value, row=None, **kwargs):
        code = _major_code(text(value))
        if not code:
            return None
        row = row or {}
        school = text(row.get(SCHOOL_CODE))
        try:
            grade = int(float(text(row.get("年级"))))
        except ValueError:
            raise ValueError(_("无法确定专业：请先填写正确的年级（入学年份）")) from None
        try:
            final = final_school_year(self.dates.clean(row.get("预计毕业日期")))
        except ValueError:
            final = None  # the date's own column reports it
        years = self._of_school(school).get(code)
        if not years:
            raise ValueError(
                _("学校“%(school)s”没有开设专业“%(code)s”的记录：请先录入或导入开设专业")
                % {"school": school, "code": code}
            )
        during = [y for y in years if y >= grade and (final is None or y <= final)]
        if not during:
            raise ValueError(
                _(
                    "学校“%(school)s”开设专业“%(code)s”只有 %(years)s 年度的记录，不在该生在读期间"
                    "（%(grade)s 年度起）：学生的专业对应其在读的最后一个学年的开设专业"
                )
                % {
                    "school": school,
                    "code": code,
                    "years": "、".join(map(str, sorted(years))),
                    "grade": grade,
                }
            )
        return years[max(during)]

    def render(self, value, obj=None, **kwargs):
        return value.major.code if value is not None else ""


class SkillsField(fields.Field):
    """技能 as ``技能名:水平、…``: parsed in ``import_instance``, written after the row is saved."""

    def __init__(self, column_name):
        super().__init__(attribute=None, column_name=column_name)


ID_CARD = "身份证号"


@register_resource
class StudentResource(SchoolDataResource):
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    student_no = col("student_no", "学号")
    name = col("name", "姓名")
    gender = col("gender", "性别", ChoiceWidget(Gender.choices))
    birth_year = col("birth_year", "出生年份", IntegerWidget())
    hometown = col("hometown", "生源地", AreaWidget(label=_("生源地")))
    school_major = col("school_major", "专业代码", SchoolMajorOfRowWidget())
    grade = col("grade", "年级", IntegerWidget())
    entry_date = col("entry_date", "入学日期", DateWidget())
    expected_graduation = col("expected_graduation", "预计毕业日期", DateWidget())
    phone = col("phone", "手机号")
    consent = col("consent", "对企业公开简历", ChoiceWidget(Consent.choices), default=Consent.NONE)
    status = col("status", "状态", ChoiceWidget(StudentStatus.choices), default=StudentStatus.STUDYING)
    skills = SkillsField("技能")
    preferred_chains = col("preferred_chains", "意向产业链", NamesWidget(IndustryChain, label=_("产业链")))
    preferred_counties = col("preferred_counties", "意向工作地", AreasWidget(label=_("意向工作地")))
    preferred_position_types = col(
        "preferred_position_types", "意向岗位类型", ChoicesListWidget(PositionType.choices)
    )
    salary_expectation = col("salary_expectation", "期望月薪（元）", IntegerWidget())
    id_card = fields.Field(attribute=None, column_name=ID_CARD)

    # Columns a file may leave out altogether (the others must be there, even if empty).
    optional_headers = (ID_CARD,)

    class Meta(SchoolDataResource.Meta):
        model = Student
        import_id_fields = ("school", "student_no")
        fields = (
            "school",
            "student_no",
            "name",
            "gender",
            "birth_year",
            "hometown",
            "school_major",
            "grade",
            "entry_date",
            "expected_graduation",
            "phone",
            "consent",
            "status",
            "skills",
            "preferred_chains",
            "preferred_counties",
            "preferred_position_types",
            "salary_expectation",
            "id_card",
        )

    # -- the file -----------------------------------------------------------------------------------------
    def check_file(self, data):
        for header in self.optional_headers:
            if header not in data.headers:
                data.append_col([""] * len(data), header=header)
        return super().check_file(data)

    def get_export_fields(self, selected_fields=None):
        # The ID card number is never stored, so never exported.
        return [f for f in super().get_export_fields(selected_fields) if f.column_name != ID_CARD]

    def preload_queryset(self, dataset):
        codes = {text(code) for code in dataset[SCHOOL_CODE]} if SCHOOL_CODE in dataset.headers else set()
        return Student.objects.filter(school__code__in=codes)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._skills = validators.skill_lookup()
        self._stored_skills: dict[int, dict[int, str]] = {}
        rows = StudentSkill.objects.filter(student__in=self.preload_queryset(dataset).values("pk"))
        for student, skill, level in rows.values_list("student_id", "skill_id", "level"):
            self._stored_skills.setdefault(student, {})[skill] = level

    # -- one row ------------------------------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance._xqt_skills = validators.parse_skill_levels(text(row.get("技能")), self._skills)
        except ValidationError as exc:
            errors["skills"] = exc.messages
        number = text(row.get(ID_CARD))
        if number:
            try:
                instance.id_card_hash = validators.id_card_hash(number)
            except ValidationError as exc:
                errors["id_card"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        original = self._original
        if instance.id_card_hash != original.id_card_hash:
            return False
        current = self._stored_skills.get(original.pk, {})
        return current == {skill.pk: level for skill, level in getattr(instance, "_xqt_skills", [])}

    def save_related(self, instance) -> dict:
        change = set_student_skills(instance, getattr(instance, "_xqt_skills", []))
        return {"skills": change} if change else {}

    def cache_new_related(self, instance) -> None:
        _cache_related(instance, "skills", [skill for skill, _level in getattr(instance, "_xqt_skills", [])])

    SKILL_COLUMNS = ("student_id", "skill_id", "level")

    def new_related(self, instance) -> tuple[list[tuple], dict]:
        skill_levels = getattr(instance, "_xqt_skills", [])
        if not skill_levels:
            return [], {}
        rows = [(StudentSkill, self.SKILL_COLUMNS, (instance.pk, s.pk, level)) for s, level in skill_levels]
        return rows, {"skills": [[], sorted([skill.name, level] for skill, level in skill_levels)]}

    def dehydrate_skills(self, student):
        return validators.skill_levels_as_text(student.skill_levels.all())


# --- 教师 ---------------------------------------------------------------------------------------------------
@register_resource
class TeacherResource(SchoolDataResource):
    school = col("school", SCHOOL_CODE, CodeWidget(School, label=_("学校")))
    staff_no = col("staff_no", "工号")
    name = col("name", "姓名")
    employment = col("employment", "聘任方式", ChoiceWidget(Employment.choices), default=Employment.FULL_TIME)
    is_dual_qualified = col("is_dual_qualified", "“双师型”教师", BoolWidget())
    dual_qualified_date = col("dual_qualified_date", "“双师型”认定日期", DateWidget())
    dual_qualified_evidence = col("dual_qualified_evidence", "“双师型”认定依据")
    title = col("title", "职称", ChoiceWidget(Title.choices), default=Title.NONE)
    master_level = col("master_level", "教学名师", ChoiceWidget(MasterLevel.choices))
    is_special_post = col("is_special_post", "特岗教师", BoolWidget())
    phone = col("phone", "手机号")

    class Meta(SchoolDataResource.Meta):
        model = Teacher
        import_id_fields = ("school", "staff_no")
        fields = (
            "school",
            "staff_no",
            "name",
            "employment",
            "is_dual_qualified",
            "dual_qualified_date",
            "dual_qualified_evidence",
            "title",
            "master_level",
            "is_special_post",
            "phone",
        )

    def preload_queryset(self, dataset):
        codes = {text(code) for code in dataset[SCHOOL_CODE]} if SCHOOL_CODE in dataset.headers else set()
        return Teacher.objects.filter(school__code__in=codes)


# --- 教师企业实践 -------------------------------------------------------------------------------------------
class TeacherOfRowWidget(CachedWidget, widgets.ForeignKeyWidget):
    """A teacher by 工号 within the row's school."""

    def __init__(self):
        widgets.ForeignKeyWidget.__init__(self, Teacher)

    def load(self) -> dict:
        return {}

    def clean(self, value, row=None, **kwargs):
        staff_no = text(value)
        if not staff_no:
            return None
        school = text((row or {}).get(SCHOOL_CODE))
        if school not in self.lookup:
            self.lookup[school] = {
                t.staff_no: t for t in Teacher.objects.filter(school__code=school).select_related("school")
            }
        teacher = self.lookup[school].get(staff_no)
        if teacher is None:
            raise ValueError(
                _("学校“%(school)s”没有工号为“%(no)s”的教师") % {"school": school, "no": staff_no}
            )
        return teacher

    def render(self, value, obj=None, **kwargs):
        return value.staff_no if value is not None else ""


@register_resource
class TeacherPracticeResource(SchoolDataResource):
    school = fields.Field(attribute=None, column_name=SCHOOL_CODE)
    teacher = col("teacher", "工号", TeacherOfRowWidget())
    enterprise = col(
        "enterprise",
        "企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )
    year = col("year", "年度", IntegerWidget())
    days = col("days", "天数", IntegerWidget())

    class Meta(SchoolDataResource.Meta):
        model = TeacherPractice
        import_id_fields = ("teacher", "enterprise", "year")
        fields = ("school", "teacher", "enterprise", "year", "days")

    def key_headers(self) -> list[str]:
        # 工号 is unique within a school only.
        return [SCHOOL_CODE, *super().key_headers()]

    def before_import_row(self, row, **kwargs):
        key = "企业统一社会信用代码"
        if row.get(key):
            row[key] = text(row[key]).upper()

    def preload_queryset(self, dataset):
        codes = {text(code) for code in dataset[SCHOOL_CODE]} if SCHOOL_CODE in dataset.headers else set()
        return TeacherPractice.objects.filter(teacher__school__code__in=codes)

    def dehydrate_school(self, practice):
        return practice.teacher.school.code
