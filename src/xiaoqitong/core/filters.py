"""Filters shared by every app's FilterSets."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class YesNoWidget(forms.Select):
    """全部 / 是 / 否 (django-filter's default reads 未知 for "any", which users take for a value)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])

    def format_value(self, value):
        return {True: "true", False: "false", "True": "true", "False": "false"}.get(value, value or "")


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A year of a date (``lookup_expr="year"``): 1 to 9999, what a date can hold. A year out of that range
    is a filter error (400 on the API), not a server error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)
