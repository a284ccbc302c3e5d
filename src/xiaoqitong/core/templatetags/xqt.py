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


@register.simple_tag
def audit_rows(entry):
    """An audit entry's changes as ``(label, before, after, is_change)``, with fields named by their
    verbose names (``county_id`` shows as 所在县市区)."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    labels = {}
    if model is not None:
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name"):
                labels[field.name] = str(field.verbose_name)
                if getattr(field, "attname", None):
                    labels[field.attname] = str(field.verbose_name)
    rows = []
    for name, value in (entry.changes or {}).items():
        label = labels.get(name, name)
        if isinstance(value, list) and len(value) == 2:
            rows.append((label, value[0], value[1], True))
        else:
            rows.append((label, value, None, False))
    return rows
