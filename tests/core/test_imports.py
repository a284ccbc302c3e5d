"""Reading import files: xlsx, ods, csv in UTF-8 (with or without BOM) and GBK; clear refusals; dates as
offices write them."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from xiaoqitong.core.imports import DateWidget, ImportFileError, read_table, text

ROWS = [["学校代码", "学校名称"], ["4143000001", "郴州第一职业学校"], ["4143000002", "嘉禾县第二职业学校"]]


def write_csv(tmp_path, encoding, bom=False):
    body = "\n".join(",".join(r) for r in ROWS)
    path = tmp_path / "f.csv"
    path.write_bytes(("\ufeff" if bom else "").encode(encoding) + body.encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gbk", False)])
def test_csv_encodings(tmp_path, encoding, bom):
    data = read_table(write_csv(tmp_path, encoding, bom))
    assert data.headers == ROWS[0]
    assert data[1] == tuple(ROWS[2])


def test_xlsx_numbers_become_codes(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ROWS[0])
    sheet.append([4143000001, "郴州第一职业学校"])
    sheet.append([None, None])  # a blank row left in a hand-edited sheet
    path = tmp_path / "f.xlsx"
    book.save(path)
    data = read_table(path)
    assert len(data) == 1 and data[0][0] == "4143000001"


def test_xlsx_dates_and_the_first_sheet_only(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["学号", "入学日期", "人数"])
    sheet.append(["  2024001 ", dt.datetime(2024, 9, 1), 12.5])
    book.create_sheet("说明").append(["不是数据"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    data = read_table(path)
    assert data.headers == ["学号", "入学日期", "人数"]
    assert data[0][0] == "2024001" and data[0][1].startswith("2024-09-01") and data[0][2] == "12.5"
    assert len(data) == 1


def _ods_row(*cells) -> str:
    out = []
    for cell in cells:
        if isinstance(cell, str):
            out.append(
                f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>'
            )
        else:
            out.append(
                f'<table:table-cell office:value-type="float" office:value="{cell}">'
                f"<text:p>{cell}</text:p></table:table-cell>"
            )
    return "<table:table-row>" + "".join(out) + "</table:table-row>"


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
    + _ods_row("学校代码", "学校名称")
    + _ods_row(4143000001, "郴州第一职业学校")
    + "</table:table></office:spreadsheet></office:body></office:document-content>"
)


def test_ods(tmp_path):
    """OpenDocument (WPS and LibreOffice save it): read like xlsx."""
    path = tmp_path / "f.ods"
    with zipfile.ZipFile(path, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        ods.writestr("content.xml", ODS_CONTENT)
        ods.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    data = read_table(path)
    assert data.headers == ROWS[0] and data[0] == tuple(ROWS[1])


def test_refusals(tmp_path):
    for suffix in (".xlsx", ".xls", ".ods"):
        bad = tmp_path / f"f{suffix}"
        bad.write_bytes(b"not a spreadsheet")
        with pytest.raises(ImportFileError, match=f"文件内容与扩展名 \\{suffix} 不符"):  # core.uploads
            read_table(bad)
    damaged = tmp_path / "d.xlsx"
    with zipfile.ZipFile(damaged, "w") as archive:  # a package, but no workbook calamine can read
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "garbage")
    with pytest.raises(ImportFileError, match="无法读取电子表格"):
        read_table(damaged)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"\n\n")
    with pytest.raises(ImportFileError, match="文件是空的"):
        read_table(empty)
    other = tmp_path / "f.txt"
    other.write_text("x")
    with pytest.raises(ImportFileError, match="不支持的文件类型"):
        read_table(other)
    binary = tmp_path / "b.csv"
    binary.write_bytes(bytes([0x81, 0x20, 0xFF, 0xFE, 0x80]))
    with pytest.raises(ImportFileError, match="无法识别文件编码"):
        read_table(binary)


def test_text_of_cells():
    assert text(431002.0) == "431002"
    assert text(None) == ""
    assert text("  a ") == "a"
    assert io  # keep the import used by the csv helpers above


def test_exports_escape_formulae():
    import tablib

    from xiaoqitong.core.imports import escape_formulae

    data = tablib.Dataset(
        ['=HYPERLINK("http://x")', "-5", "+cmd|' /C calc'!A0", "@SUM(A1)", "正常", 7], headers=list("abcdef")
    )
    row = escape_formulae(data)[0]
    assert row == ('\'=HYPERLINK("http://x")', "-5", "'+cmd|' /C calc'!A0", "'@SUM(A1)", "正常", 7)


@pytest.mark.parametrize(
    "cell",
    [
        "2023-09-01",
        "2023/9/1",
        "2023.9.1",
        "20230901",
        "2023年9月1日",
        "2023 年 9 月 1 日",
        "2023-09-01 00:00:00",
    ],
)
def test_dates_are_read_in_the_ways_offices_write_them(cell):
    assert DateWidget().clean(cell) == dt.date(2023, 9, 1)
    assert DateWidget().clean(dt.datetime(2023, 9, 1, 8, 30)) == dt.date(2023, 9, 1)


@pytest.mark.parametrize("cell", ["2023-02-30", "2023-9", "九月一日", "45170"])
def test_what_is_not_a_date_is_refused(cell):
    with pytest.raises(ValueError, match="不是日期"):
        DateWidget().clean(cell)
