"""Reading import files: xlsx, csv in UTF-8 (with or without BOM) and GBK; clear refusals."""

import io

import openpyxl
import pytest

from xiaoqitong.core.imports import ImportFileError, read_table, text

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


def test_refusals(tmp_path):
    bad = tmp_path / "f.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ImportFileError, match="无法读取 xlsx"):
        read_table(bad)
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
