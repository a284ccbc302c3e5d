"""The xlsx annex of a quality report: one sheet per table of the report (from its stored data), Chinese
headers, spreadsheet formulas escaped as every export of the platform escapes them."""

import re

import tablib

from xiaoqitong.core.imports import escape_formulae

NO_DATA = "暂无数据"
MAX_TITLE = 31  # Excel's limit on a sheet's name
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def value(cell):
    """What a cell holds in the sheet: numbers as numbers, a state by its text, no data as 暂无数据."""
    if isinstance(cell, dict):
        return cell.get("text", "")
    if cell is None:
        return NO_DATA
    return cell


def sheet_title(number: int, title: str, taken: set[str]) -> str:
    base = BAD_TITLE.sub("", f"{number}.{title}")[:MAX_TITLE]
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name = base[: MAX_TITLE - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def sheets(data: dict) -> list[tablib.Dataset]:
    """A dataset per table, named “<section>.<table title>”, in the order of the report."""
    out, taken = [], set()
    for part in data.get("sections", []):
        for t in part.get("tables", []):
            ds = tablib.Dataset(headers=list(t.get("headers", [])))
            for row in t.get("rows", []):
                ds.append([value(c) for c in row])
            ds = escape_formulae(ds)
            ds.title = sheet_title(part.get("number", 0), t.get("title", t.get("key", "")), taken)
            out.append(ds)
    return out


def build_xlsx(data: dict) -> bytes:
    """The annex's bytes. A report without any table gets one sheet saying so (an xlsx needs a sheet)."""
    book = sheets(data)
    if not book:
        empty = tablib.Dataset(headers=["说明"])
        empty.append([NO_DATA])
        empty.title = "说明"
        book = [empty]
    return tablib.Databook(book).export("xlsx")
