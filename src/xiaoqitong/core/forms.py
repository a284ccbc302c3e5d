from django import forms
from django.utils.translation import gettext_lazy as _


class BaseModelForm(forms.ModelForm):
    """ModelForm that knows the user (to narrow choices to what the user may pick) and uses Bootstrap."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk and user is not None:
            from .policy import policy_for

            # Fields the user's role may not change show as read-only; the service refuses them anyway.
            for name in policy_for(type(self.instance)).locked_fields(user) & set(self.fields):
                self.fields[name].disabled = True
        if self.instance.pk:
            # a list typed in one box (``reference.forms.CatalogListField``) shows the object's current list
            for name, field in self.fields.items():
                if hasattr(field, "initial_for") and name not in self.initial:
                    self.initial[name] = field.initial_for(self.instance)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    @classmethod
    def service_data(cls, data: dict) -> dict:
        """The cleaned data as the services take it: a field that names a ``service_name`` passes its
        value under that name (``major_codes`` → ``majors``)."""
        data = dict(data)
        for name, field in cls.base_fields.items():
            target = getattr(field, "service_name", None)
            if target and name in data:
                data[target] = data.pop(name) or []
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("xlsx、xls、ods 或 csv（UTF-8 或 GBK 编码），第一个工作表的第一行为列名。"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx,.xlsm,.xls,.ods,.csv"}
        ),
    )
