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

Speed (bench/bench_import_students.py): the resources are ``core.imports.BulkResource``s (stored rows of the
file's natural keys loaded once, new rows written in batches); every lookup a row needs (schools, majors,
school majors, regions, skills, chains) is loaded once per import instead of once per row.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from xiaoqitong.core.imports import (
    BoolWidget,
    BulkResource,
    CachedWidget,
    ChoicesListWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    NamesWidget,
    cache_related,
    column_texts,
    register_resource,
    split_list,
    text,
)
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import IndustryChain, Region
from xiaoqitong.reference.resources import MajorWidget, major_code

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

col = BulkResource.column
SCHOOL_CODE = "学校代码"


# --- widgets of these files (the generic ones are core.imports') -------------------------------------------
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


class AreasWidget(NamesWidget):
    """Many-to-many to counties by name or code, separated by 、."""

    def __init__(self, label=""):
        NamesWidget.__init__(self, Region, field="name", label=label or _("县市区"))
        self.area = AreaWidget(label=self.label)

    def render(self, value, obj=None, **kwargs):
        return "、".join(self.area.render(region) for region in value.all()) if value is not None else ""

    def clean(self, value, row=None, **kwargs):
        found, problems = [], []
        for name in split_list(value):
            try:
                found.append(self.area.find(name))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("；".join(problems))
        return list(dict.fromkeys(found))


# --- 开设专业 -----------------------------------------------------------------------------------------------
@register_resource
class SchoolMajorResource(BulkResource):
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

    class Meta(BulkResource.Meta):
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
        return SchoolMajor.objects.filter(school__code__in=column_texts(dataset, SCHOOL_CODE))


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
        code = major_code(text(value))
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
class StudentResource(BulkResource):
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

    class Meta(BulkResource.Meta):
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
        return Student.objects.filter(school__code__in=column_texts(dataset, SCHOOL_CODE))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._skills = validators.skill_lookup()
        self._stored_skills: dict[int, dict[int, str]] = {}
        rows = StudentSkill.objects.filter(student__in=self.preload_queryset(dataset).values("pk"))
        for student, skill, level in rows.values_list("student_id", "skill_id", "level"):
            self._stored_skills.setdefault(student, {})[skill] = level

    # -- one row ------------------------------------------------------------------------------------------
    def clean_row(self, instance, row) -> dict[str, list]:
        errors = {}
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
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        original = self.original
        if instance.id_card_hash != original.id_card_hash:
            return False
        current = self._stored_skills.get(original.pk, {})
        return current == {skill.pk: level for skill, level in getattr(instance, "_xqt_skills", [])}

    def save_related(self, instance) -> dict:
        change = set_student_skills(instance, getattr(instance, "_xqt_skills", []))
        return {"skills": change} if change else {}

    def cache_new_related(self, instance) -> None:
        cache_related(instance, "skills", [skill for skill, _level in getattr(instance, "_xqt_skills", [])])

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
class TeacherResource(BulkResource):
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
    employer = col(
        "employer",
        "本职单位统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )

    class Meta(BulkResource.Meta):
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
            "employer",
        )

    def preload_queryset(self, dataset):
        return Teacher.objects.filter(school__code__in=column_texts(dataset, SCHOOL_CODE))


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
class TeacherPracticeResource(BulkResource):
    school = fields.Field(attribute=None, column_name=SCHOOL_CODE)
    teacher = col("teacher", "工号", TeacherOfRowWidget())
    enterprise = col(
        "enterprise",
        "企业统一社会信用代码",
        CodeWidget(Enterprise, field="credit_code", label=_("企业（统一社会信用代码）"), preload=False),
    )
    year = col("year", "年度", IntegerWidget())
    days = col("days", "天数", IntegerWidget())

    class Meta(BulkResource.Meta):
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
        return TeacherPractice.objects.filter(teacher__school__code__in=column_texts(dataset, SCHOOL_CODE))

    def dehydrate_school(self, practice):
        return practice.teacher.school.code
