"""Tables of the resource library: each resource with its owner, majors' count, average stars, rating count
and uses (annotations of ``selectors.resources.with_stats``: no query per row)."""

import django_tables2 as tables
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import day_text

from ..models import TeachingResource

ATTRS = {"class": "table table-sm table-hover align-middle"}


def owner_text(resource: TeachingResource) -> str:
    return str(resource.owner_school or resource.owner_enterprise or "")


def stars_text(average, count: int) -> str:
    """``★ 4.3（12）``; “暂无评价” without ratings."""
    if not count or average is None:
        return str(_("暂无评价"))
    return f"★ {average:.1f}（{count}）"


class TeachingResourceTable(tables.Table):
    title = tables.Column(linkify=True)
    owner = tables.Column(
        verbose_name=_("发布单位"), empty_values=(), order_by=("owner_school__name", "owner_enterprise__name")
    )
    rating = tables.Column(verbose_name=_("评分"), empty_values=(), accessor="rating_avg")
    use_count = tables.Column(verbose_name=_("使用次数"), attrs={"td": {"class": "text-end"}})
    published = tables.BooleanColumn(verbose_name=_("已发布"))
    created_at = tables.Column(verbose_name=_("发布时间"))

    class Meta:
        model = TeachingResource
        fields = ("title", "kind", "owner", "rating", "use_count", "published", "created_at")
        attrs = ATTRS

    def render_owner(self, record):
        return owner_text(record)

    def order_rating(self, queryset, is_descending):
        """``?sort=rating`` (also the library's filter of that name) ranks the best rated first, the
        reverse the worst first; unrated resources come last either way, on every database (PostgreSQL
        sorts NULLs first in descending order, SQLite last)."""
        average = F("rating_avg")
        first = average.asc(nulls_last=True) if is_descending else average.desc(nulls_last=True)
        return queryset.order_by(first, "-rating_count", "-created_at", "-pk"), True

    def render_rating(self, record):
        return stars_text(record.rating_avg, record.rating_count)

    def render_created_at(self, value):
        return day_text(value)
