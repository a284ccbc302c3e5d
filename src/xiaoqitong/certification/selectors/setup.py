"""The city's certification setup (``models.Setup``), made on first use."""

from django.db import transaction
from django.db.models import Q

from xiaoqitong.orgs.models import Department

from ..models import Setup

# How departments are found when the setup is first made: by their names, the same in every Chinese
# city (发展和改革委员会, 教育局, 人力资源和社会保障局); the lead department's officers change them after.
LEAD_NAME = "发展和改革"
OPINION_NAMES = ("教育局", "人力资源和社会保障")


def _city_department(fragment: str) -> Department | None:
    return (
        Department.objects.filter(Q(name__contains=fragment), kind="government")
        .order_by("sort_order", "code")
        .first()
    )


def setup() -> Setup:
    """The one ``Setup`` row; made (and its departments found by name) when first asked for."""
    row = Setup.objects.select_related("lead_department").order_by("pk").first()
    if row is not None:
        return row
    with transaction.atomic():
        row = Setup.objects.select_for_update().order_by("pk").first()
        if row is None:
            row = Setup.objects.create(lead_department=_city_department(LEAD_NAME))
            row.opinion_departments.set([d for d in map(_city_department, OPINION_NAMES) if d is not None])
    return row


def lead_department_id() -> int | None:
    return setup().lead_department_id
