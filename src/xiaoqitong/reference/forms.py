"""Edit forms of the catalogs (platform administrators only, see policies.py). Parents are entered by code:
a select of 3,500 regions or 2,000 industries would not help anyone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.core.imports import split_list

from .models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
)
from .resources import major_code


def resolve_majors(value: str) -> tuple[list[Major], list[str]]:
    """Catalog codes separated by 、 ; , (the K of a 国控专业 may be left out) → the majors, and the codes
    that name no major."""
    codes = [major_code(code.upper()) for code in split_list(value)]
    found = {m.code: m for m in Major.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def resolve_certificates(value: str) -> tuple[list[Certificate], list[str]]:
    """Certificate codes separated by 、 ; , → the certificates, and the codes that name none."""
    codes = [code.upper() for code in split_list(value)]
    found = {c.code: c for c in Certificate.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def resolve_skills(value) -> tuple[list[Skill], list[str]]:
    """Skill names separated by 、 ; , (or a list) → the skills (by name or synonym), and the names that
    name none."""
    names = split_list(value) if isinstance(value, str) else [str(v) for v in value or []]
    if not names:
        return [], []
    by_name = {}
    for skill in Skill.objects.only("pk", "name", "synonyms"):
        by_name.setdefault(skill.name, skill)
        for word in skill.synonyms or []:
            by_name.setdefault(str(word), skill)
    found = [by_name[n] for n in names if n in by_name]
    return list(dict.fromkeys(found)), [n for n in names if n not in by_name]


class CatalogListField(forms.CharField):
    """Several catalog entries typed in one text box, separated by 、 ; , : cleans to the list of rows, and
    what names none is the field's error, listed. The services take the list under ``service_name`` (the
    many-to-many of the model), which also gives an edited object's initial text
    (``core.forms.BaseModelForm`` does both)."""

    def __init__(self, *, resolve, unknown, service_name: str, shown_as: str = "code", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.resolve, self.unknown = resolve, unknown
        self.service_name, self.shown_as = service_name, shown_as

    def clean(self, value):
        found, missing = self.resolve(super().clean(value) or "")
        if missing:
            raise forms.ValidationError(self.unknown % {"items": "、".join(missing)})
        return found

    def initial_for(self, instance) -> str:
        return "、".join(str(getattr(o, self.shown_as)) for o in getattr(instance, self.service_name).all())


def major_codes_field(**kwargs) -> CatalogListField:
    return CatalogListField(
        resolve=resolve_majors, unknown=_("找不到专业代码：%(items)s"), service_name="majors", **kwargs
    )


def certificate_codes_field(**kwargs) -> CatalogListField:
    return CatalogListField(
        resolve=resolve_certificates,
        unknown=_("找不到证书代码：%(items)s"),
        service_name="certificates",
        **kwargs,
    )


def skill_names_field(**kwargs) -> CatalogListField:
    return CatalogListField(
        resolve=resolve_skills,
        unknown=_("技能目录中没有：%(items)s"),
        service_name="skills",
        shown_as="name",
        **kwargs,
    )


class CodeChoiceField(forms.ModelChoiceField):
    """A foreign key typed as its code in a text box."""

    def __init__(self, queryset, *, to_field_name="code", **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        kwargs.setdefault("error_messages", {"invalid_choice": _("找不到这个代码，请检查后重新输入。")})
        super().__init__(queryset, to_field_name=to_field_name, **kwargs)


class ListField(forms.CharField):
    """A list of short texts typed on one line, separated by 、 or commas (synonyms)."""

    SEPARATORS = ("、", "，", ",", ";", "；", "\n")

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for sep in self.SEPARATORS[1:]:
            text = text.replace(sep, self.SEPARATORS[0])
        items = []
        for item in (part.strip() for part in text.split(self.SEPARATORS[0])):
            if item and item not in items:
                items.append(item)
        return items


class RegionForm(BaseModelForm):
    parent = CodeChoiceField(
        Region.objects.all(),
        label=_("上级代码"),
        required=False,
        help_text=_("上级区划的代码，如 431000；省级不填"),
    )

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class MajorCategoryForm(BaseModelForm):
    class Meta:
        model = MajorCategory
        fields = ["code", "name", "education_level"]


class MajorClassForm(BaseModelForm):
    category = CodeChoiceField(MajorCategory.objects.all(), label=_("专业大类代码"), help_text=_("如 66"))

    class Meta:
        model = MajorClass
        fields = ["code", "name", "category", "education_level"]


class MajorFamilyForm(BaseModelForm):
    class Meta:
        model = MajorFamily
        fields = ["key", "name"]


class MajorForm(BaseModelForm):
    major_class = CodeChoiceField(MajorClass.objects.all(), label=_("专业类代码"), help_text=_("如 6601"))
    family = CodeChoiceField(
        MajorFamily.objects.all(),
        to_field_name="key",
        label=_("专业族编号"),
        required=False,
        help_text=_("同一专业在其他层次的对应关系，如 F060103；可不填"),
    )

    class Meta:
        model = Major
        fields = ["code", "name", "education_level", "major_class", "is_controlled", "family", "source"]
        help_texts = {
            "code": _("国控专业可带 K 后缀输入（如 520101K），保存为六位代码并标记国控"),
            "source": _("新增专业请写明依据，如 教育部 2024 年专业目录增补"),
        }


class IndustryForm(BaseModelForm):
    parent = CodeChoiceField(
        Industry.objects.all(), label=_("上级代码"), required=False, help_text=_("如 C33；门类不填")
    )

    class Meta:
        model = Industry
        fields = ["code", "numeric_code", "name", "level", "parent"]


class IndustryChainForm(BaseModelForm):
    class Meta:
        model = IndustryChain
        fields = ["code", "name", "sort_order", "description", "source", "industries", "major_classes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Chains are mapped to 大类, 中类 or 小类: the 门类 are too broad to be useful.
        self.fields["industries"].queryset = Industry.objects.filter(level__gt=1).order_by("code")
        self.fields["industries"].widget.attrs["size"] = 12
        self.fields["major_classes"].queryset = MajorClass.objects.order_by("code")
        self.fields["major_classes"].widget.attrs["size"] = 12


class SkillForm(BaseModelForm):
    synonyms = ListField(
        label=_("同义词"), required=False, help_text=_("用顿号或逗号分隔，如：可编程控制器、西门子PLC")
    )

    class Meta:
        model = Skill
        fields = ["name", "synonyms", "category", "chains", "major_classes", "is_curated"]
        widgets = {"chains": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chains"].widget.attrs["class"] = "form-check-input"
        self.fields["major_classes"].queryset = MajorClass.objects.order_by("code")
        self.fields["major_classes"].widget.attrs["size"] = 12
        self.fields["is_curated"].help_text = _(
            "随平台发布的初始词表；取消勾选后，重新加载基础目录不会覆盖您的修改"
        )


class CertificateForm(BaseModelForm):
    class Meta:
        model = Certificate
        fields = ["code", "name", "kind", "level", "issuer", "chains", "major_classes", "is_curated"]
        widgets = {"chains": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chains"].widget.attrs["class"] = "form-check-input"
        self.fields["major_classes"].queryset = MajorClass.objects.order_by("code")
        self.fields["major_classes"].widget.attrs["size"] = 12
        self.fields["is_curated"].help_text = _(
            "随平台发布的初始目录；取消勾选后，重新加载基础目录不会覆盖您的修改"
        )
