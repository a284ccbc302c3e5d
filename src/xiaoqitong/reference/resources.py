"""Import/export formats of the catalogs: Chinese column headers, natural keys (codes; skills by name), so
importing the same file twice changes nothing. Lists inside a cell are separated by 、 (commas work too)."""

from django.utils.translation import gettext as _
from import_export import widgets

from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    ChoiceWidget,
    CodeWidget,
    TextWidget,
    register_resource,
    split_list,
    text,
)

from .choices import CertificateKind, CertificateLevel, EducationLevel, IndustryLevel, RegionLevel
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

col = BaseResource.column


def major_code(code: str) -> str:
    """520101K → 520101: the K of a 国控专业 may be written or not."""
    return code[:-1] if code[-1:] in {"K", "k"} and code[:-1].isdigit() else code


class TextListWidget(widgets.Widget):
    """A JSON list of texts (synonyms) in one cell: 可编程控制器、西门子PLC."""

    def clean(self, value, row=None, **kwargs):
        return split_list(value)

    def render(self, value, obj=None, **kwargs):
        return "、".join(value or [])


class CodeListWidget(widgets.ManyToManyWidget):
    """Many-to-many by codes in one cell (6601、4601); an unknown code is an error, not silently dropped."""

    def __init__(self, model, field="code", label=""):
        super().__init__(model, separator="、", field=field)
        self.label = label or str(model._meta.verbose_name)

    def clean(self, value, row=None, **kwargs):
        codes = split_list(value)
        if not codes:
            return self.model.objects.none()
        found = self.model.objects.filter(**{f"{self.field}__in": codes})
        missing = sorted(set(codes) - {getattr(o, self.field) for o in found})
        if missing:
            raise ValueError(
                _("找不到代码为“%(codes)s”的%(label)s") % {"codes": "、".join(missing), "label": self.label}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(sorted(str(getattr(o, self.field)) for o in value.all()))


class MajorCodeWidget(TextWidget):
    """A major code, with or without the K of 国控专业 (520101K and 520101 are the same major)."""

    def clean(self, value, row=None, **kwargs):
        return major_code(text(value))


class MajorWidget(CodeWidget):
    """Foreign key to a major by its code, K suffix accepted."""

    def __init__(self, **kwargs):
        super().__init__(Major, field="code", label=_("专业"), **kwargs)

    def normalize(self, value: str) -> str:
        return major_code(value)


class LevelWidget(ChoiceWidget):
    """Industry level by its label (小类) or its number (4)."""

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        return (
            int(value)
            if value.isdigit() and int(value) in self.by_value
            else super().clean(value, row, **kwargs)
        )


@register_resource
class RegionResource(BaseResource):
    code = col("code", "代码")
    name = col("name", "名称")
    level = col("level", "级别", ChoiceWidget(RegionLevel.choices))
    parent = col("parent", "上级代码", CodeWidget(Region, label=_("行政区划")))

    class Meta(BaseResource.Meta):
        model = Region
        import_id_fields = ("code",)
        fields = ("code", "name", "level", "parent")


@register_resource
class MajorCategoryResource(BaseResource):
    code = col("code", "代码")
    name = col("name", "名称")
    education_level = col("education_level", "层次", ChoiceWidget(EducationLevel.choices))

    class Meta(BaseResource.Meta):
        model = MajorCategory
        import_id_fields = ("code",)
        fields = ("code", "name", "education_level")


@register_resource
class MajorClassResource(BaseResource):
    code = col("code", "代码")
    name = col("name", "名称")
    category = col("category", "专业大类代码", CodeWidget(MajorCategory, label=_("专业大类")))
    education_level = col("education_level", "层次", ChoiceWidget(EducationLevel.choices))

    class Meta(BaseResource.Meta):
        model = MajorClass
        import_id_fields = ("code",)
        fields = ("code", "name", "category", "education_level")


@register_resource
class MajorFamilyResource(BaseResource):
    key = col("key", "编号")
    name = col("name", "名称")

    class Meta(BaseResource.Meta):
        model = MajorFamily
        import_id_fields = ("key",)
        fields = ("key", "name")


@register_resource
class MajorResource(BaseResource):
    code = col("code", "专业代码", MajorCodeWidget())
    name = col("name", "专业名称")
    education_level = col("education_level", "层次", ChoiceWidget(EducationLevel.choices))
    major_class = col("major_class", "专业类代码", CodeWidget(MajorClass, label=_("专业类")))
    is_controlled = col("is_controlled", "国控专业", BoolWidget())
    family = col("family", "专业族编号", CodeWidget(MajorFamily, field="key", label=_("专业族")))
    source = col("source", "来源")

    class Meta(BaseResource.Meta):
        model = Major
        import_id_fields = ("code",)
        fields = ("code", "name", "education_level", "major_class", "is_controlled", "family", "source")

    def before_import_row(self, row, **kwargs):
        # A code written with its K (520101K) marks the major 国控 even when that column was left empty.
        code = text(row.get("专业代码"))
        if code[-1:] in {"K", "k"} and not text(row.get("国控专业")):
            row["国控专业"] = "是"
        super().before_import_row(row, **kwargs)


@register_resource
class IndustryResource(BaseResource):
    code = col("code", "代码")
    numeric_code = col("numeric_code", "数字代码")
    name = col("name", "名称")
    level = col("level", "级别", LevelWidget(IndustryLevel.choices))
    parent = col("parent", "上级代码", CodeWidget(Industry, label=_("国民经济行业")))

    class Meta(BaseResource.Meta):
        model = Industry
        import_id_fields = ("code",)
        fields = ("code", "numeric_code", "name", "level", "parent")


@register_resource
class IndustryChainResource(BaseResource):
    code = col("code", "编号")
    name = col("name", "名称")
    sort_order = col("sort_order", "排序", widgets.IntegerWidget())
    description = col("description", "说明")
    industries = col("industries", "对应行业代码", CodeListWidget(Industry, label=_("国民经济行业")))
    major_classes = col("major_classes", "对应专业类代码", CodeListWidget(MajorClass, label=_("专业类")))
    source = col("source", "依据")

    class Meta(BaseResource.Meta):
        model = IndustryChain
        import_id_fields = ("code",)
        fields = ("code", "name", "sort_order", "description", "industries", "major_classes", "source")


@register_resource
class SkillResource(BaseResource):
    name = col("name", "技能")
    synonyms = col("synonyms", "同义词", TextListWidget())
    category = col("category", "类别")
    chains = col("chains", "产业链编号", CodeListWidget(IndustryChain, label=_("产业链")))
    major_classes = col("major_classes", "专业类代码", CodeListWidget(MajorClass, label=_("专业类")))
    is_curated = col("is_curated", "平台初始词表", BoolWidget())

    class Meta(BaseResource.Meta):
        model = Skill
        import_id_fields = ("name",)
        fields = ("name", "synonyms", "category", "chains", "major_classes", "is_curated")


@register_resource
class CertificateResource(BaseResource):
    code = col("code", "编号")
    name = col("name", "证书名称")
    kind = col("kind", "类别", ChoiceWidget(CertificateKind.choices))
    level = col("level", "等级", ChoiceWidget(CertificateLevel.choices))
    issuer = col("issuer", "发证机构")
    chains = col("chains", "产业链编号", CodeListWidget(IndustryChain, label=_("产业链")))
    major_classes = col("major_classes", "相关专业类代码", CodeListWidget(MajorClass, label=_("专业类")))
    is_curated = col("is_curated", "平台初始目录", BoolWidget())

    class Meta(BaseResource.Meta):
        model = Certificate
        import_id_fields = ("code",)
        fields = ("code", "name", "kind", "level", "issuer", "chains", "major_classes", "is_curated")
