"""Search: the text indexed for a teaching resource (``core.search``, found by its ``autodiscover``).

The library's free-text search reads the title (weighted, with bigrams), the summary, the tagged majors
(name weighted, and code) and the tagged skills with their synonyms (“可编程控制器” finds “PLC编程”).
"""

from xiaoqitong.core import search
from xiaoqitong.schools.search import skill_words

from .models import TeachingResource


def resource_text(resource: TeachingResource):
    majors = list(resource.majors.all()) if resource.pk else []
    return [
        search.Name(resource.title),
        resource.summary,
        *((m.name, 2) for m in majors),
        *(m.code for m in majors),
        *skill_words(resource.skills.all() if resource.pk else []),
    ]


search.register(TeachingResource, resource_text, prefetch_related=("majors", "skills"))
