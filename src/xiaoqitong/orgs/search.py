"""Search: the catalog words of the tokenizer's user dictionary, and the text indexed for an enterprise.

The catalog words live here rather than in ``reference`` because reference, below orgs, needs no search;
``core.search`` (below both) only calls the registered source.
"""

from itertools import chain

from xiaoqitong.core import search
from xiaoqitong.reference.choices import RegionLevel
from xiaoqitong.reference.models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    Region,
    Skill,
)

from .models import Enterprise


@search.register_words
def catalog_words():
    """Names from the official catalogs: majors (all levels), industries (all levels), the city's industry
    chains, skills and their synonyms, certificates, and divisions down to county level."""
    names = [
        Major.objects.values_list("name", flat=True),
        MajorClass.objects.values_list("name", flat=True),
        MajorCategory.objects.values_list("name", flat=True),
        Industry.objects.values_list("name", flat=True),
        IndustryChain.objects.values_list("name", flat=True),
        Certificate.objects.values_list("name", flat=True),
        Region.objects.exclude(level=RegionLevel.TOWNSHIP).values_list("name", flat=True),
        Skill.objects.values_list("name", flat=True),
    ]
    synonyms = (s for row in Skill.objects.values_list("synonyms", flat=True) for s in (row or []))
    return chain(*names, synonyms)


def industry_names(industry) -> list[str]:
    """The industry's name and those of its group and division (“电气机械” finds a lighting maker)."""
    names = []
    while industry is not None and industry.level > 1:
        names.append(industry.name)
        if industry.level == 2:  # the division: its section (门类) is too broad to find anything by
            break
        industry = industry.parent
    return names


def enterprise_text(enterprise: Enterprise):
    return [
        search.Name(enterprise.name),
        *industry_names(enterprise.industry if enterprise.industry_id else None),
        enterprise.county.name if enterprise.county_id else "",
        enterprise.address,
    ]


search.register(Enterprise, enterprise_text, select_related=("industry__parent__parent", "county"))
