"""Reads of the resource library scoped to a user (DESIGN rule 3, 7): the library with each resource's
average stars, rating count and uses computed in the list's own query (subqueries, no query per row), a
resource's ratings, and the usage figures (“资源使用统计”) of a school and of the city.

Uses by a school's own staff of its own resources are never recorded (``services.resource_use_record``), so
every use counted here is a use by another school (or an enterprise)."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from xiaoqitong.orgs.models import School

from ..choices import ResourceUseKind
from ..models import ResourceRating, ResourceUse, TeachingResource
from ..policies.resources import publisher_org, sees_every_school


def _count(model, kind: str | None = None):
    qs = model.objects.filter(resource=OuterRef("pk"))
    if kind:
        qs = qs.filter(kind=kind)
    counted = qs.order_by().values("resource").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_stats(qs: QuerySet) -> QuerySet:
    """Annotate ``rating_avg`` (None without ratings), ``rating_count``, ``download_count``, ``reuse_count``
    and ``use_count``."""
    average = (
        ResourceRating.objects.filter(resource=OuterRef("pk"))
        .order_by()
        .values("resource")
        .annotate(a=Avg("stars"))
        .values("a")
    )
    return qs.annotate(
        rating_avg=Subquery(average),
        rating_count=_count(ResourceRating),
        download_count=_count(ResourceUse, ResourceUseKind.DOWNLOAD),
        reuse_count=_count(ResourceUse, ResourceUseKind.REUSE),
        use_count=_count(ResourceUse),
    )


def library(user) -> QuerySet:
    """The resources the user may see (published ones, and their organization's drafts), with their
    stats and owners."""
    return with_stats(
        TeachingResource.objects.restrict(user, "view").select_related("owner_school", "owner_enterprise")
    )


def resource_ratings(resource: TeachingResource) -> QuerySet:
    return resource.ratings.select_related("user", "school").order_by("-updated_at", "-pk")


def user_rating(user, resource: TeachingResource) -> ResourceRating | None:
    return resource.ratings.filter(user_id=user.pk).first()


def has_reused(user, resource: TeachingResource) -> bool:
    return resource.uses.filter(user_id=user.pk, kind=ResourceUseKind.REUSE).exists()


# --- usage ----------------------------------------------------------------------------------------
@dataclass
class SchoolUsage:
    """One school's line: its resources (published of all), the downloads and reuses of them by others,
    and its own downloads and reuses of others' resources."""

    school: School
    resources: int = 0
    published: int = 0
    downloads_by_others: int = 0
    reuses_by_others: int = 0
    own_downloads: int = 0
    own_reuses: int = 0
    users: dict = field(default_factory=dict)

    @property
    def uses_by_others(self) -> int:
        return self.downloads_by_others + self.reuses_by_others

    @property
    def own_uses(self) -> int:
        return self.own_downloads + self.own_reuses


def school_lines(school_ids: list[int] | None = None) -> list[SchoolUsage]:
    """Usage lines of the given schools (every school when ``None``), ordered by school code: four grouped
    queries whatever the number of schools."""
    schools = School.objects.order_by("code")
    if school_ids is not None:
        schools = schools.filter(pk__in=school_ids)
    lines = {s.pk: SchoolUsage(school=s) for s in schools}
    owned = TeachingResource.objects.filter(owner_school_id__in=lines).values("owner_school_id")
    for row in owned.annotate(n=Count("pk"), p=Count("pk", filter=Q(published=True))).order_by():
        line = lines[row["owner_school_id"]]
        line.resources, line.published = row["n"], row["p"]
    by_owner = (
        ResourceUse.objects.filter(resource__owner_school_id__in=lines)
        .values("resource__owner_school_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in by_owner:
        line = lines[row["resource__owner_school_id"]]
        if row["kind"] == ResourceUseKind.DOWNLOAD:
            line.downloads_by_others += row["n"]
        else:
            line.reuses_by_others += row["n"]
    by_user = (
        ResourceUse.objects.filter(school_id__in=lines)
        .values("school_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in by_user:
        line = lines[row["school_id"]]
        if row["kind"] == ResourceUseKind.DOWNLOAD:
            line.own_downloads += row["n"]
        else:
            line.own_reuses += row["n"]
    return list(lines.values())


def top_resources(owner_q: Q, *, drafts: bool, limit: int = 20) -> QuerySet:
    """The most used resources among ``owner_q`` (drafts only for their own organization), with stats."""
    qs = TeachingResource.objects.filter(owner_q).select_related("owner_school", "owner_enterprise")
    if not drafts:
        qs = qs.filter(published=True)
    return with_stats(qs).order_by("-use_count", "-rating_count", "-pk")[:limit]


def uses_by_school(owner_q: Q) -> list[dict]:
    """Who used the resources of ``owner_q``: per using school (enterprise staff's uses under ``None``),
    downloads and reuses."""
    rows = (
        ResourceUse.objects.filter(resource__in=TeachingResource.objects.filter(owner_q).values("pk"))
        .values("school_id", "school__code", "school__name", "kind")
        .annotate(n=Count("pk"))
        .order_by("school__code")
    )
    out: dict = {}
    for row in rows:
        line = out.setdefault(
            row["school_id"],
            {
                "code": row["school__code"] or "",
                "name": row["school__name"] or "",
                "downloads": 0,
                "reuses": 0,
            },
        )
        line["downloads" if row["kind"] == ResourceUseKind.DOWNLOAD else "reuses"] += row["n"]
    return list(out.values())


def usage_report(user, school_id: int | None = None) -> dict:
    """The “资源使用统计” page: for school staff their school's line, who used its resources and its most
    used resources; for enterprise staff their enterprise's resources; for officers, researchers and
    platform administrators every school's line and the city's totals, or one school's detail when
    ``school_id`` is given."""
    own_school, own_enterprise = publisher_org(user)
    every = sees_every_school(user)
    report: dict = {"every": every, "school": None, "enterprise": None, "lines": [], "city": None}
    if every and school_id is None:
        lines = school_lines()
        report["lines"] = lines
        report["city"] = {
            "resources": TeachingResource.objects.count(),
            "published": TeachingResource.objects.filter(published=True).count(),
            "downloads": ResourceUse.objects.filter(kind=ResourceUseKind.DOWNLOAD).count(),
            "reuses": ResourceUse.objects.filter(kind=ResourceUseKind.REUSE).count(),
            "school_resources": sum(line.resources for line in lines),
            "enterprise_resources": TeachingResource.objects.filter(owner_enterprise__isnull=False).count(),
        }
        return report
    target = school_id if every else own_school
    if target:
        lines = school_lines([target])
        if lines:
            line = lines[0]
            report["school"] = line
            owner = Q(owner_school_id=target)
            report["users"] = uses_by_school(owner)
            report["top"] = top_resources(owner, drafts=not every)
        return report
    if own_enterprise:
        owner = Q(owner_enterprise_id=own_enterprise)
        report["enterprise"] = user.enterprise
        report["users"] = uses_by_school(owner)
        report["top"] = top_resources(owner, drafts=True)
    return report
