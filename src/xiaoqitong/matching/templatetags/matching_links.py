"""Links to the matching pages from the pages of the apps below it (a position's “推荐人选”, a school
major's “对接企业”). Those apps never import matching: their templates load this library, and it decides
with the same ``selectors.may_see_*`` the matching pages use."""

from django import template
from django.urls import reverse

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def candidates_url(context, position) -> str:
    """The position's “推荐人选” page when the user may see it, else ``""``."""
    user = context["request"].user
    if position is None or not selectors.may_see_candidates(user, position):
        return ""
    return reverse("matching:candidates", kwargs={"pk": position.pk})


@register.simple_tag(takes_context=True)
def partners_url(context, school_major) -> str:
    """The school major's “对接企业” page when the user may see it, else ``""``."""
    user = context["request"].user
    if school_major is None or not selectors.may_see_partners(user, school_major):
        return ""
    return f"{reverse('matching:partners')}?school_major={school_major.pk}"
