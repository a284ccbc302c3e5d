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
