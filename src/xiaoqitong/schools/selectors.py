"""Reads of school data for a person, and what each person may see of a student (PIPL, DESIGN rules 3-4).

Who sees which student rows is the policy's business (``policies.py``); *which fields* of a row they see is
decided here, once, for the pages, the API and anything else that shows a student:

=================  ====================================================================================
access             who
=================  ====================================================================================
``owner``          the student themself, the administrator of the student's school, platform administrators:
                   everything, phone in the clear
``school``         teachers of the student's school: everything, phone masked
``full``           an enterprise (HR or mentor) when the student consents to a full profile, or applied to
                   it: the job profile with name and 学号, phone masked; never gender, birth year or
                   hometown (statistics only: 就业促进法 forbids screening on them)
``deidentified``   an enterprise when the student consents to a de-identified profile: the job profile
                   without name, 学号 and phone
=================  ====================================================================================
"""

from collections.abc import Callable, Iterable
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xiaoqitong.orgs.choices import Role

from .choices import Consent, PositionType
from .models import Student, Teacher

ENTERPRISE_ROLES = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}


class Access(StrEnum):
    OWNER = "owner"
    SCHOOL = "school"
    FULL = "full"
    DEIDENTIFIED = "deidentified"
    NONE = "none"


# Display order of a student's fields (``has_id_card`` stands for "an ID card number is on file").
FIELD_ORDER = (
    "school",
    "school_major",
    "student_no",
    "name",
    "gender",
    "birth_year",
    "hometown",
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
    "user",
    "has_id_card",
)
IDENTITY = {"student_no", "name", "phone"}
STATISTICS_ONLY = {"gender", "birth_year", "hometown"}
SCHOOL_ONLY = {"consent", "user", "has_id_card"}

FIELDS_BY_ACCESS: dict[Access, tuple[str, ...]] = {
    Access.OWNER: FIELD_ORDER,
    Access.SCHOOL: tuple(f for f in FIELD_ORDER if f not in {"user", "has_id_card"}),
    Access.FULL: tuple(f for f in FIELD_ORDER if f not in STATISTICS_ONLY | SCHOOL_ONLY),
    Access.DEIDENTIFIED: tuple(f for f in FIELD_ORDER if f not in STATISTICS_ONLY | SCHOOL_ONLY | IDENTITY),
    Access.NONE: (),
}

# --- enterprises: consent, and (later) applications --------------------------------------------------------
# Rules ``(user) -> Q`` over Student that make students visible *in full* to an enterprise user beyond their
# consent, e.g. the students who applied to one of its positions. The enterprises app registers them (schools
# never imports enterprises); a rule must not join to many rows (use ``pk__in=<subquery>``), so that a list
# stays one row per student.
_enterprise_rules: list[Callable[..., Q]] = []


def extend_enterprise_visibility(rule: Callable[..., Q]) -> Callable[..., Q]:
    """Register a rule (usable as a decorator). Students it matches are seen in full by the enterprise."""
    _enterprise_rules.append(rule)
    return rule


def _extra_q(user) -> Q | None:
    query = None
    for rule in _enterprise_rules:
        q = rule(user)
        query = q if query is None else query | q
    return query


def visible_to_enterprise(qs: QuerySet, user) -> QuerySet:
    """Students an enterprise user may see: those who consent (de-identified or full), and those the
    registered rules add (applicants)."""
    if not getattr(user, "enterprise_id", None):
        return qs.none()
    query = Q(consent__in=[Consent.DEIDENTIFIED, Consent.FULL])
    extra = _extra_q(user)
    if extra is not None:
        query |= extra
    return qs.filter(query)


def identity_visible_q(user) -> Q:
    """For an enterprise user: the students whose name and 学号 it may see (full consent, applicants).
    Searches by name are narrowed to these, so that a de-identified profile cannot be found by its name."""
    query = Q(consent=Consent.FULL)
    extra = _extra_q(user)
    return query | extra if extra is not None else query


def applicant_ids(user, among: Iterable[int] | None = None) -> set[int]:
    """The students an enterprise user sees in full through the registered rules (one query, none without
    rules); ``among`` narrows the question to a few students."""
    if getattr(user, "role", None) not in ENTERPRISE_ROLES or not getattr(user, "enterprise_id", None):
        return set()
    extra = _extra_q(user)
    if extra is None:
        return set()
    qs = Student.objects.filter(extra)
    if among is not None:
        qs = qs.filter(pk__in=list(among))
    return set(qs.values_list("pk", flat=True))


# --- what a person sees of one student --------------------------------------------------------------------
def student_access(user, student: Student, *, applicants: set[int] | None = None) -> Access:
    """How much of ``student`` the user sees (no query, except one for an enterprise user when
    ``applicants`` is not given)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Access.NONE
    if user.is_superuser:
        return Access.OWNER
    role = getattr(user, "role", None)
    if role == Role.STUDENT:
        return Access.OWNER if student.user_id is not None and student.user_id == user.pk else Access.NONE
    same_school = user.school_id is not None and user.school_id == student.school_id
    if role == Role.SCHOOL_ADMIN:
        return Access.OWNER if same_school else Access.NONE
    if role == Role.TEACHER:
        return Access.SCHOOL if same_school else Access.NONE
    if role in ENTERPRISE_ROLES and user.enterprise_id:
        if applicants is None:
            applicants = applicant_ids(user, [student.pk])
        if student.pk in applicants or student.consent == Consent.FULL:
            return Access.FULL
        if student.consent == Consent.DEIDENTIFIED:
            return Access.DEIDENTIFIED
    return Access.NONE


def student_fields_for(user, student: Student, *, applicants: set[int] | None = None) -> tuple[str, ...]:
    """The fields of ``student`` the user may see, in display order (see the module's table)."""
    return FIELDS_BY_ACCESS[student_access(user, student, applicants=applicants)]


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234``; short numbers keep only their last two digits."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 8:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * (len(phone) - 2) + phone[-2:]


def student_phone(access: Access, student: Student) -> str:
    return student.phone if access == Access.OWNER else mask_phone(student.phone)


def shows_identity(access: Access) -> bool:
    return "name" in FIELDS_BY_ACCESS[access]


def student_label(access: Access, student: Student) -> str:
    """The student's name and 学号 where the person may see them, otherwise an anonymous label."""
    if shows_identity(access):
        return str(student)
    return _("匿名学生 #%(pk)s") % {"pk": student.pk}


def position_type_labels(values) -> str:
    labels = dict(PositionType.choices)
    return "、".join(str(labels.get(v, v)) for v in values or [])


def skill_levels_text(student: Student) -> str:
    """``机械制图（熟练）、CAD绘图（精通）`` from the prefetched ``skill_levels``."""
    levels = sorted(student.skill_levels.all(), key=lambda s: s.skill.name)
    return "、".join(f"{s.skill.name}（{s.get_level_display()}）" for s in levels)


def student_detail_rows(user, student: Student, access: Access | None = None) -> list[tuple[str, object]]:
    """(label, value) rows of the detail page: only the fields the user may see, phone masked as due."""
    if access is None:
        access = student_access(user, student)
    opts = Student._meta
    rows: list[tuple[str, object]] = []
    for name in FIELDS_BY_ACCESS[access]:
        if name == "has_id_card":
            rows.append((_("身份证号"), _("已登记（只保存摘要）") if student.id_card_hash else ""))
            continue
        field = opts.get_field(name)
        if name == "phone":
            value = student_phone(access, student)
        elif name == "skills":
            value = skill_levels_text(student)
        elif name == "preferred_position_types":
            value = position_type_labels(student.preferred_position_types)
        elif field.many_to_many:
            value = "、".join(str(v) for v in getattr(student, name).all())
        elif field.choices:
            value = getattr(student, f"get_{name}_display")()
        else:
            value = getattr(student, name)
        rows.append((field.verbose_name, value))
    return rows


def students_for(user, action: str = "view") -> QuerySet:
    """The students a person may take ``action`` on, with what the pages and the API show of them."""
    return (
        Student.objects.restrict(user, action)
        .select_related("school", "school_major__major", "hometown")
        .prefetch_related("skill_levels__skill", "preferred_chains", "preferred_counties")
    )


# --- teachers ----------------------------------------------------------------------------------------------
def teacher_phone(user, teacher: Teacher) -> str:
    """Colleagues (the school's own administrator and teachers) see a teacher's phone in the clear."""
    if user is not None and (
        user.is_superuser
        or (
            getattr(user, "role", None) in {Role.SCHOOL_ADMIN, Role.TEACHER}
            and user.school_id == teacher.school_id
        )
    ):
        return teacher.phone
    return mask_phone(teacher.phone)
