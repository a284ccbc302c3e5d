from django import template
from django.urls import NoReverseMatch, reverse

from ..policy import can as _can

register = template.Library()


@register.simple_tag
def object_url(config, action, obj=None):
    """URL of a generic page of a ModelViews config (``{% object_url config 'edit' object %}``);
    empty when the model has no such page."""
    try:
        return config.url_for(action, obj)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def can(context, action, model_or_obj):
    return _can(context["request"].user, action, model_or_obj)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for export links keeping the filters)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag
def url_or_blank(name, *args):
    try:
        return reverse(name, args=args)
    except Exception:
        return ""
