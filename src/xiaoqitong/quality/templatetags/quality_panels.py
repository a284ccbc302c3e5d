"""``{% school_quality_panel school %}``: the “质量概况” panel of a school, for pages of other apps (the
school's own page in ``orgs``). Nothing is shown to a user who does not see that school's line."""

from django import template
from django.urls import reverse

from ..policies.skilltests import may_view_school
from ..selectors.skilltests import school_quality
from ..views.targets import chosen_year

register = template.Library()


@register.inclusion_tag("quality/_school_panel.html", takes_context=True)
def school_quality_panel(context, school) -> dict:
    request = context["request"]
    if school is None or not may_view_school(request.user, school.pk):
        return {"panel": None}
    year = chosen_year(request)
    return {
        "school": school,
        "year": year,
        "panel": school_quality(school.pk, year),
        "more_url": f"{reverse('quality:skilltests_school', args=[school.pk])}?year={year}",
    }
