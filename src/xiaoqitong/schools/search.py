"""Search: the text indexed for a student (``core.search``).

A student is found by profile: major, major class, skills (with their synonyms) and preferred industry
chains. Name, student number and phone stay out of the index (PIPL: the index serves enterprises' searches
and matching too, which see students only as far as consent allows); the student list searches names with
a plain filter for those who may see them.
"""

from xiaoqitong.core import search

try:  # the app is being written alongside: register only once the model has its search column
    from .models import Student
except ImportError:  # pragma: no cover
    Student = None


def skill_words(skills) -> list[str]:
    """Each skill's name and synonyms (“可编程控制器” finds “PLC编程”)."""
    words = []
    for skill in skills:
        words.append(skill.name)
        words.extend(skill.synonyms or [])
    return words


def student_text(student):
    major = student.school_major.major if student.school_major_id else None
    return [
        (major.name, 2) if major else "",
        major.major_class.name if major else "",
        *skill_words(student.skills.all() if student.pk else []),
        *search.related_names(student, "preferred_chains"),
    ]


if Student is not None and any(f.name == search.FIELD for f in Student._meta.fields):
    search.register(
        Student,
        student_text,
        select_related=("school_major__major__major_class",),
        prefetch_related=("skills", "preferred_chains"),
    )
