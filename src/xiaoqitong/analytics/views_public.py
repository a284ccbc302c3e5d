"""公开数据: the de-identified aggregates that officers published (``services.publication_create``), for
anyone, without logging in (issue 5).

``/public/data/`` lists the published tables; ``/public/data/<year>/<dimension>/`` shows one, with exactly
the suppression researchers get (``selectors.aggregates`` and ``views_school._aggregate_sheet``), and exports
it as xlsx or csv. A table that is not published (or was withdrawn) answers 404, whatever the figures; so
does the school dimension, which can never be published. The public API is ``api.PublicDataViewSet``.
"""

from __future__ import annotations

from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from . import selectors, services
from .choices import Dimension
from .models import Publication
from .views_school import _aggregate_sheet, _export_links, export


def published():
    """Every published table, newest year first. Public by definition: an officer decided so."""
    return Publication.objects.order_by("-year", "dimension").only(
        "year", "dimension", "published_at", "note"
    )


def public_api_url(year: int, dimension: str) -> str:
    return f"/api/v1/analytics/public/{year}/{dimension}/"


def public_index(request):
    """The published tables, grouped by school year."""
    years = [
        {"year": year, "tables": list(tables)} for year, tables in groupby(published(), key=lambda p: p.year)
    ]
    return render(
        request, "analytics/public_index.html", {"years": years, "api_url": "/api/v1/analytics/public/"}
    )


def public_table(request, year: int, dimension: str):
    """One published table (404 unless published), as a page or an export (``?export=xlsx|csv``)."""
    publication = get_object_or_404(published(), year=year, dimension=dimension)
    limit = int(services.thresholds().suppress_below)
    sheet = _aggregate_sheet(dimension, year, selectors.aggregates(year, dimension), limit)
    sheet.title = _("公开数据-%(dimension)s-%(year)s") % {
        "dimension": Dimension(dimension).label,
        "year": year,
    }
    if request.GET.get("export"):
        return export(request, [sheet], _("公开数据"))
    xlsx_url = _export_links(request, [sheet])
    hidden = sum(len(row["_hidden"] & {c.key for c in sheet.columns}) for row in sheet.rows)
    return render(
        request,
        "analytics/public_table.html",
        {
            "publication": publication,
            "sheet": sheet,
            "rows": sheet.html_rows(),
            "year": year,
            "dimension": dimension,
            "dimension_label": Dimension(dimension).label,
            "limit": limit,
            "hidden": hidden,
            "xlsx_url": xlsx_url,
            "api_url": public_api_url(year, dimension),
            "others": [p for p in published() if (p.year, p.dimension) != (year, dimension)],
        },
    )
