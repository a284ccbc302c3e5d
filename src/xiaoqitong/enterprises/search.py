"""Search: the text indexed for a position (``core.search``): title (a name: counted three times in
the ranking, found by character pairs too), description, wanted majors and major classes, skills with
their synonyms, certificates, and the enterprise's name."""

from xiaoqitong.core import search

try:  # the app is being written alongside: register only once the model has its search column
    from .models import Position
except ImportError:  # pragma: no cover
    Position = None


def position_text(position):
    skills = []
    if position.pk:
        for skill in position.skills.all():
            skills.append(skill.name)
            skills.extend(skill.synonyms or [])
    return [
        search.Name(position.title),
        position.description,
        *search.related_names(position, "majors"),
        *search.related_names(position, "major_classes"),
        *skills,
        *search.related_names(position, "certificates"),
        position.enterprise.name if position.enterprise_id else "",
    ]


if Position is not None and any(f.name == search.FIELD for f in Position._meta.fields):
    search.register(
        Position,
        position_text,
        select_related=("enterprise",),
        prefetch_related=("majors", "major_classes", "skills", "certificates"),
    )
