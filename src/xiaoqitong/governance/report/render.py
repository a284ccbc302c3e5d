"""The HTML of a quality report, from its stored data only (``data.collect``): the same data renders to the
same bytes, so a stored version can be rendered again exactly. Charts are inline SVG drawn here; there is no
JavaScript, and the print styles (A4, a page per section, page numbers) serve the PDF."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from . import svg

TEMPLATE = "governance/qualityreport_document.html"
NO_DATA = "暂无数据"


def cell(value) -> dict:
    """A table cell for the template: its text, its state (for the colour) and whether it is a number."""
    if isinstance(value, dict):
        return {"text": value.get("text", ""), "state": value.get("state", ""), "numeric": False}
    if value is None:
        return {"text": NO_DATA, "state": "no_data", "numeric": False}
    if isinstance(value, bool):
        return {"text": "是" if value else "否", "state": "", "numeric": False}
    if isinstance(value, int):
        return {"text": f"{value:,}", "state": "", "numeric": True}
    if isinstance(value, float):
        return {"text": f"{value:,.2f}".rstrip("0").rstrip("."), "state": "", "numeric": True}
    return {"text": str(value), "state": "", "numeric": False}


def context(data: dict) -> dict:
    sections = []
    for part in data.get("sections", []):
        sections.append(
            {
                **part,
                "tables": [
                    {**t, "rows": [[cell(v) for v in row] for row in t.get("rows", [])]}
                    for t in part.get("tables", [])
                ],
                "svgs": [mark_safe(svg.chart(spec)) for spec in part.get("charts", [])],  # noqa: S308  (escaped in svg)
            }
        )
    return {"meta": data.get("meta", {}), "sections": sections}


def render_html(data: dict) -> str:
    """The report's HTML document (a whole page, styles inline)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, context(data))
