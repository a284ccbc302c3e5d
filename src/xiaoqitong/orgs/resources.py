"""Import/export formats (Chinese column headers; natural keys make re-imports no-ops)."""

from django.utils.translation import gettext as _

from xiaoqitong.core.imports import (
    BaseResource,
    BoolWidget,
    ChoiceWidget,
    CodeWidget,
    IntegerWidget,
    register_resource,
    text,
)
from xiaoqitong.reference.models import Industry, Region

from .choices import DepartmentKind, EnterpriseSize, InstitutionKind, Ownership, Role, SchoolType
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User

col = BaseResource.column


class AreaWidget(CodeWidget):
    def __init__(self):
        super().__init__(Region, field="code", label=_("县市区或园区"))

    def get_queryset(self, value, row, *args, **kwargs):
        return Region.objects.filter(level__in=["county", "park"])


class IndustryLeafWidget(CodeWidget):
    """Industry 小类 by its code with or without the section letter (C3874 or 3874)."""

    def __init__(self):
        super().__init__(Industry, field="code", label=_("行业小类"))

    def clean(self, value, row=None, **kwargs):
        value = text(value).upper()
        if not value:
            return None
        industry = (
            Industry.objects.filter(level=4).filter(code=value).first()
            or Industry.objects.filter(level=4, numeric_code=value).first()
        )
        if industry is None:
            raise ValueError(
                _("找不到代码为“%(code)s”的行业小类（应为四位码，如 3874 或 C3874）") % {"code": value}
            )
        return industry

    def render(self, value, obj=None, **kwargs):
        return value.numeric_code if value else ""


@register_resource
class SchoolResource(BaseResource):
    code = col("code", "学校代码")
    name = col("name", "学校名称")
    school_type = col("school_type", "办学层次", ChoiceWidget(SchoolType.choices))
    ownership = col("ownership", "办学性质", ChoiceWidget(Ownership.choices))
    county = col("county", "所在县市区代码", AreaWidget())
    address = col("address", "地址")
    website = col("website", "网站")
    contact_phone = col("contact_phone", "联系电话")

    class Meta(BaseResource.Meta):
        model = School
        import_id_fields = ("code",)
        fields = ("code", "name", "school_type", "ownership", "county", "address", "website", "contact_phone")


@register_resource
class SchoolEnrolmentResource(BaseResource):
    school = col("school", "学校代码", CodeWidget(School, field="code", label=_("学校")))
    year = col("year", "年度", IntegerWidget())
    full_time_students = col("full_time_students", "全日制在校生数", IntegerWidget())

    class Meta(BaseResource.Meta):
        model = SchoolEnrolment
        import_id_fields = ("school", "year")
        fields = ("school", "year", "full_time_students")


@register_resource
class EnterpriseResource(BaseResource):
    credit_code = col("credit_code", "统一社会信用代码")
    name = col("name", "企业名称")
    size = col("size", "企业规模", ChoiceWidget(EnterpriseSize.choices))
    industry = col("industry", "行业代码", IndustryLeafWidget())
    county = col("county", "所在县市区或园区代码", AreaWidget())
    registered_in_city = col("registered_in_city", "在本市注册", BoolWidget())
    employees = col("employees", "从业人数", IntegerWidget())
    address = col("address", "地址")
    contact_phone = col("contact_phone", "联系电话")

    class Meta(BaseResource.Meta):
        model = Enterprise
        import_id_fields = ("credit_code",)
        fields = (
            "credit_code",
            "name",
            "size",
            "industry",
            "county",
            "registered_in_city",
            "employees",
            "address",
            "contact_phone",
        )

    def before_import_row(self, row, **kwargs):
        key = "统一社会信用代码"
        if row.get(key):
            row[key] = text(row[key]).upper()


@register_resource
class ResearchInstitutionResource(BaseResource):
    code = col("code", "编号")
    name = col("name", "名称")
    kind = col("kind", "类别", ChoiceWidget(InstitutionKind.choices))
    county = col("county", "所在县市区代码", AreaWidget())

    class Meta(BaseResource.Meta):
        model = ResearchInstitution
        import_id_fields = ("code",)
        fields = ("code", "name", "kind", "county")


@register_resource
class DepartmentResource(BaseResource):
    code = col("code", "编号")
    name = col("name", "名称")
    short_name = col("short_name", "简称")
    kind = col("kind", "类别", ChoiceWidget(DepartmentKind.choices))
    region = col("region", "区划代码", CodeWidget(Region, field="code", label=_("行政区划")))
    sort_order = col("sort_order", "排序", IntegerWidget())

    class Meta(BaseResource.Meta):
        model = Department
        import_id_fields = ("code",)
        fields = ("code", "name", "short_name", "kind", "region", "sort_order")


@register_resource
class UserResource(BaseResource):
    """Export only (accounts are created one by one, each with its own initial password)."""

    username = col("username", "用户名")
    display_name = col("display_name", "姓名")
    role = col("role", "角色", ChoiceWidget(Role.choices))
    organization = col("organization", "所属组织", readonly=True)
    is_active = col("is_active", "启用", BoolWidget())

    class Meta(BaseResource.Meta):
        model = User
        import_id_fields = ("username",)
        fields = ("username", "display_name", "role", "organization", "is_active")

    def dehydrate_organization(self, user):
        return str(user.organization or "")
