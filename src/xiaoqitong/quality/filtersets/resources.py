"""FilterSets of the resource library, shared by the library page, the API and the export: major (catalog
code, its class or category code, or a part of its name), skill, kind, owner school, free text over
``search_text`` (``core.search``), the user's own organization's resources, published or draft, and the
order (best rated, most used or newest)."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.core.search import SearchFilter
from xiaoqitong.reference.models import Skill
from xiaoqitong.reference.resources import major_code

from ..choices import ResourceKind, ResourceUseKind
from ..models import ResourceRating, ResourceUse, TeachingResource
from ..policies.resources import owned_q

SORTS = (("rating", _("评分最高")), ("uses", _("使用最多")), ("newest", _("最新发布")))


class TeachingResourceFilterSet(django_filters.FilterSet):
    q = SearchFilter(label=_("搜索"), help_text=_("标题、简介、专业、技能中的词"))
    major = django_filters.CharFilter(
        method="filter_major",
        label=_("专业"),
        help_text=_("专业代码（或其专业类、专业大类代码）或专业名称，如 660103、工业机器人"),
        max_length=60,
    )
    skill = django_filters.CharFilter(
        method="filter_skill", label=_("技能"), help_text=_("技能名称或同义词"), max_length=50
    )
    kind = django_filters.MultipleChoiceFilter(choices=ResourceKind.choices, label=_("资源类型"))
    owner_school = django_filters.CharFilter(
        method="filter_owner_school", label=_("发布学校"), help_text=_("学校代码或名称"), max_length=60
    )
    owner = django_filters.CharFilter(
        method="filter_owner",
        label=_("发布单位"),
        help_text=_("学校代码、统一社会信用代码或单位名称"),
        max_length=60,
    )
    mine = YesNoFilter(method="filter_mine", label=_("本单位的资源"))
    published = YesNoFilter(label=_("已发布"))
    sort = django_filters.ChoiceFilter(
        method="filter_sort", choices=SORTS, label=_("排序"), empty_label=_("默认")
    )

    class Meta:
        model = TeachingResource
        fields = ["q", "major", "skill", "kind", "owner_school", "owner", "mine", "published", "sort"]

    def filter_major(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = major_code(value.upper())
        if code.isdigit():
            matched = TeachingResource.objects.filter(majors__code__startswith=code)
        else:
            matched = TeachingResource.objects.filter(majors__name__icontains=value)
        return queryset.filter(pk__in=matched.values("pk"))

    def filter_skill(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Synonyms are a JSON list (stored escaped): the catalog is small, matched here in one query.
        needle = value.lower()
        skills = [
            s.pk
            for s in Skill.objects.only("pk", "name", "synonyms")
            if needle in s.name.lower() or any(needle in str(w).lower() for w in s.synonyms or [])
        ]
        matched = TeachingResource.objects.filter(skills__in=skills)
        return queryset.filter(pk__in=matched.values("pk"))

    def filter_owner_school(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(owner_school__code=value) | Q(owner_school__name__icontains=value))

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(owner_school__code=value)
            | Q(owner_enterprise__credit_code=value.upper())
            | Q(owner_school__name__icontains=value)
            | Q(owner_enterprise__name__icontains=value)
        )

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        mine = owned_q(user)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def filter_sort(self, queryset, name, value):
        # The stats are annotations of the library's queryset (selectors.with_stats); without them (an
        # export's plain queryset) the order falls back to the newest.
        annotated = "rating_avg" in queryset.query.annotations
        if value == "rating" and annotated:
            return queryset.order_by(F("rating_avg").desc(nulls_last=True), "-rating_count", "-created_at")
        if value == "uses" and annotated:
            return queryset.order_by("-use_count", "-created_at")
        return queryset.order_by("-created_at", "-pk")


class ResourceRatingFilterSet(django_filters.FilterSet):
    resource = django_filters.NumberFilter(field_name="resource_id", label=_("资源编号（ID）"))
    stars = django_filters.NumberFilter(label=_("评分"))

    class Meta:
        model = ResourceRating
        fields = ["resource", "stars"]


class ResourceUseFilterSet(django_filters.FilterSet):
    resource = django_filters.NumberFilter(field_name="resource_id", label=_("资源编号（ID）"))
    kind = django_filters.ChoiceFilter(choices=ResourceUseKind.choices, label=_("使用方式"))
    school = django_filters.CharFilter(field_name="school__code", label=_("使用学校代码"))
    date_from = django_filters.DateFilter(field_name="used_at", lookup_expr="date__gte", label=_("日期从"))
    date_to = django_filters.DateFilter(field_name="used_at", lookup_expr="date__lte", label=_("日期至"))

    class Meta:
        model = ResourceUse
        fields = ["resource", "kind", "school", "date_from", "date_to"]
