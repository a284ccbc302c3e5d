"""The one upload check (core/uploads.py) with real crafted files: oversized files, zip bombs (a sheet that
inflates to 1 GB, sizes the archive's directory understates, entries sharing their data, archives nested too
deep), macros (a VBA project in an xlsx, an Excel 4.0 macro sheet, VBA storages and macro sheets in an old
binary .xls, Basic modules in an .ods), renamed executables and binaries named .csv. Then each upload point,
through its page and its API: bulk import jobs, certification evidence, teaching resources, progress-report
attachments (and the other table imports' services): the Chinese message, and nothing written (no row, no
file under MEDIA_ROOT). Last, every export path escapes spreadsheet formulas."""

import ast
import importlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import tablib
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.orgs.factories import UserFactory, county, user_with_role
from xiaoqitong.core import uploads
from xiaoqitong.core.imports import ImportFileError, dataset_response, read_table
from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role

MB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run"
)
ROWS = [["学校代码", "学校名称"], ["4143000001", "郴州第一职业学校"]]


# --- crafted files -----------------------------------------------------------------------------------------
def xlsx(rows=ROWS) -> bytes:
    return tablib.Dataset(*rows[1:], headers=rows[0]).export("xlsx")


def rezip(data: bytes, add: dict[str, bytes] | None = None, types=None) -> bytes:
    """``data`` (a zip) with members added and ``[Content_Types].xml`` changed by ``types``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "[Content_Types].xml" and types:
                body = types(body)
            dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


MACRO_WORKBOOK = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def xlsm(macro: bool) -> bytes:
    """An .xlsm: the macro-enabled workbook type, with a VBA project or without one."""

    def types(body: bytes) -> bytes:
        body = body.replace(PLAIN_WORKBOOK, MACRO_WORKBOOK)
        if macro:
            vba = b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            body = body.replace(b"</Types>", vba + b"</Types>")
        return body

    return rezip(xlsx(), {"xl/vbaProject.bin": ole_file(vba=True)} if macro else {}, types)


def deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of ``megabytes`` MB of zeros, built from one compressed megabyte repeated (each
    ends with a full flush, so the copies follow each other): about 1 KB per MB, made in milliseconds."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + compressor.flush()


def raw_zip(entries: list[tuple[str, bytes, int, int]], shared: bool = False) -> bytes:
    """A zip written by hand: ``(name, deflated data, declared size, crc)`` per entry. With ``shared``
    every directory entry points at the first entry's data (the overlapping-entries bomb). The CRC may be
    wrong: a parser inflates the whole member before it can compare it."""
    out = io.BytesIO()
    central = []
    for name, data, size, crc in entries if not shared else entries[:1]:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0))
        out.write(raw + data)
        central.append((raw, len(data), size, crc, offset))
    if shared:
        _raw, csize, size, crc, offset = central[0]
        central = [(name.encode(), csize, size, crc, offset) for name, *_ in entries]
    start = out.tell()
    for raw, csize, size, crc, offset in central:
        out.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                csize,
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    end = out.tell()
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), end - start, start, 0))
    return out.getvalue()


def office_parts() -> list[tuple[str, bytes, int, int]]:
    parts = []
    for name, body in (
        (
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types><Override PartName="/xl/workbook.xml"/></Types>',
        ),
        ("xl/workbook.xml", b"<workbook/>"),
    ):
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        parts.append((name, compressor.compress(body) + compressor.flush(), len(body), zlib.crc32(body)))
    return parts


ZEROS_1MB = deflated_zeros(1)


def bomb_xlsx(declared: int | None = None) -> bytes:
    """An xlsx of about 1 MB whose sheet inflates to 1 GB of zeros; ``declared`` understates the size."""
    sheet = deflated_zeros(1024)
    return raw_zip([*office_parts(), ("xl/worksheets/sheet1.xml", sheet, declared or 1024 * MB, 0)])


def nested_zip(depth: int) -> bytes:
    """A docx-like package with a zip inside a zip … ``depth`` levels down."""
    inner = b"innermost"
    for level in range(depth):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(f"level{level}.zip" if level else "data.txt", inner)
        inner = out.getvalue()
    return rezip(xlsx(), {"xl/embeddings/object.zip": inner})


def ole_file(*, vba: bool = False, macro_sheet: bool = False, encrypted: bool = False) -> bytes:
    """A compound file (OLE, the old binary Office format) written by hand: a Workbook stream of BIFF records
    (a sheet list: a worksheet, or an Excel 4.0 macro sheet), and a ``_VBA_PROJECT_CUR/VBA`` storage."""
    sector = 512
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF

    def record(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    sheet = struct.pack("<IBB", 0, 0, 1 if macro_sheet else 0) + b"\x06\x00Sheet1"
    biff = record(0x0809, b"\x00\x06\x05\x00" + b"\x00" * 12) + record(0x0085, sheet) + record(0x000A, b"")
    stream = biff.ljust(4096, b"\x00")  # at the mini-stream cutoff: stored in ordinary sectors
    stream_sectors = len(stream) // sector
    names = ["Root Entry", "EncryptedPackage" if encrypted else "Workbook"]
    if vba:
        names += ["_VBA_PROJECT_CUR", "VBA"]

    def entry(name, kind, left=nostream, right=nostream, child=nostream, start=end, size=0) -> bytes:
        raw = (name + "\x00").encode("utf-16-le")
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(raw), kind, 1, left, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry(names[0], 5, child=1)
    directory += entry(names[1], 2, right=2 if vba else nostream, start=2, size=len(stream))
    if vba:
        directory += entry(names[2], 1, child=3) + entry(names[3], 1)
    directory = directory.ljust(sector, b"\x00")
    fat = [fat_sect, end] + [3 + i for i in range(stream_sectors - 1)] + [end]
    fat = struct.pack(f"<{sector // 4}I", *(fat + [free] * (sector // 4 - len(fat))))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    return header + fat + directory + stream


def ods(macro: bool) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
        if macro:
            archive.writestr("Basic/Standard/Module1.xml", 'Sub AutoOpen()\nShell "calc"\nEnd Sub')
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes, kind: str = uploads.IMPORT) -> str:
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(upload(name, content), kind)
    message = " ".join(exc.value.message_dict["file"])
    assert f"“{name}”" in message
    return message


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- the check itself --------------------------------------------------------------------------------------
def test_the_crafted_bomb_really_inflates_to_what_it_claims():
    compressor = deflated_zeros(3)
    assert len(zlib.decompressobj(-zlib.MAX_WBITS).decompress(compressor)) == 3 * MB
    bomb = bomb_xlsx()
    assert len(bomb) < 1.1 * MB  # 1 GB inside
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 1000 * MB


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("学生.xlsx", bomb_xlsx(), "压缩炸弹"),  # the directory tells the truth: refused before inflating
        ("学生.xlsx", bomb_xlsx(declared=2 * MB), "压缩炸弹"),  # it understates: inflation stops at 2 MB
        (
            "学生.xlsx",
            raw_zip([(f"x/{i}.xml", ZEROS_1MB, MB, 0) for i in range(2000)], shared=True),
            "压缩炸弹",
        ),  # 2,000 entries sharing 1 KB of data: 2 GB from a 100 KB file
        ("学生.xlsx", nested_zip(3), "压缩炸弹"),  # a zip in a zip in a zip inside the workbook
        ("学生.xlsx", rezip(xlsx(), {"xl/vbaProject.bin": b"\x00" * 10}), "含有宏"),
        ("学生.xlsm", xlsm(macro=True), "含有宏"),
        ("学生.xlsx", rezip(xlsx(), {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}), "含有宏"),
        ("学生.xls", ole_file(vba=True), "含有宏"),
        ("学生.xls", ole_file(macro_sheet=True), "含有宏"),  # an Excel 4.0 macro sheet
        ("学生.ods", ods(macro=True), "含有宏"),
        ("学生.xlsx", ole_file(encrypted=True), "密码"),
        ("学生.xlsx", EXE, "可执行程序"),
        ("学生.csv", EXE, "可执行程序"),
        ("学生.exe", EXE, "可执行程序"),
        ("学生.csv", b"\x00\x01binary\x00", "不是文本"),
        ("学生.csv", xlsx(), "不符"),  # an xlsx renamed .csv
        ("学生.xls", xlsx(), "不符"),  # an xlsx renamed .xls
        ("学生.xlsx", b"just text", "不符"),
        ("学生.xlsx", PDF, "不符"),
        ("学生.pdf", PDF, "请上传 xlsx、xls、ods 或 csv 文件"),
        ("学生.docm", PDF, "含宏"),
        ("学生.csv", b"", "文件是空的"),
    ],
)
def test_import_files_refused_with_the_reason(name, content, words):
    assert words in refusal(name, content)


def test_the_bomb_is_refused_quickly_without_inflating_it():
    import time

    start = time.perf_counter()
    refusal("学生.xlsx", bomb_xlsx(declared=2 * MB))
    refusal("学生.xlsx", bomb_xlsx())
    assert time.perf_counter() - start < 2  # 1 GB would take several seconds to inflate


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("学生.xlsx", xlsx()),
        ("学生.xlsm", xlsm(macro=False)),  # the macro-enabled type without macros: imports as before
        ("学生.xls", ole_file()),
        ("学生.ods", ods(macro=False)),
        ("学生.csv", "学校代码,学校名称\n4143000001,郴州第一职业学校\n".encode("gb18030")),
        ("学生.xlsx", nested_zip(1)),  # one embedded archive (a chart's workbook) is normal
    ],
)
def test_clean_import_files_pass(name, content):
    uploads.check_upload(upload(name, content), uploads.IMPORT)


def test_a_macro_free_xlsm_is_read_like_an_xlsx(tmp_path):
    path = tmp_path / "学生.xlsm"
    path.write_bytes(xlsm(macro=False))
    assert read_table(path).headers == ROWS[0]


def test_attachments_refuse_macro_enabled_types_and_renamed_executables():
    assert "含宏" in refusal("报表.xlsm", xlsm(macro=False), uploads.ATTACHMENT)
    assert "含有宏" in refusal(
        "报表.xlsx",
        rezip(xlsx(), types=lambda b: b.replace(PLAIN_WORKBOOK, MACRO_WORKBOOK)),
        uploads.ATTACHMENT,
    )
    assert "可执行程序" in refusal("证明.pdf", EXE, uploads.ATTACHMENT)
    assert "压缩炸弹" in refusal("证明.xlsx", bomb_xlsx(), uploads.ATTACHMENT)
    assert "不支持的文件类型" in refusal("证明.csv", b"a,b", uploads.ATTACHMENT)
    uploads.check_upload(upload("证明.pdf", PDF), uploads.ATTACHMENT)
    uploads.check_upload(upload("证明.xlsx", xlsx()), uploads.ATTACHMENT)


def test_size_caps_come_from_the_settings(settings):
    settings.XQT_IMPORT_MAX_MB = 1
    big = b"a,b\n" + b"1,2\n" * (MB // 4)
    assert "超过 .csv 文件的上限 1.0 MB" in refusal("学生.csv", big)
    settings.XQT_UPLOAD_MAX_MB = 0.001
    assert "超过 .pdf 文件的上限 1 KB" in refusal("证明.pdf", PDF + b"0" * 2048, uploads.ATTACHMENT)
    settings.XQT_UNZIPPED_MAX_MB = 0.01  # 10 KB: a normal workbook inflates to more
    assert "压缩炸弹" in refusal("学生.xlsx", xlsx([["a"], *[["x" * 100] for _ in range(500)]]))


def test_read_table_refuses_a_bomb_before_the_parser_opens_it(tmp_path):
    path = tmp_path / "学生.xlsx"
    path.write_bytes(bomb_xlsx(declared=2 * MB))
    with pytest.raises(ImportFileError, match="压缩炸弹"):
        read_table(path)


# --- the upload points: nothing written --------------------------------------------------------------------
BAD_TABLES = [
    ("学生.xlsx", bomb_xlsx(), "压缩炸弹"),
    ("学生.xlsm", xlsm(macro=True), "含有宏"),
    ("学生.xlsx", EXE, "可执行程序"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "words"), BAD_TABLES)
def test_import_page_and_api_refuse_and_write_nothing(media_root, name, content, words):
    county()
    admin = UserFactory(is_superuser=True)
    page, api = login_clients(admin)
    response = page.post("/orgs/schools/import/", {"file": upload(name, content)})
    assert response.status_code == 400 and words in response.content.decode()
    response = api.post(
        "/api/v1/core/import-jobs/",
        {"target": "orgs.School", "file": upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400 and words in response.data["file"][0]
    assert not ImportJob.objects.exists() and not stored_files(media_root)


@pytest.mark.django_db
def test_an_oversized_import_is_refused_on_the_page(media_root, settings):
    settings.XQT_IMPORT_MAX_MB = 0.001
    page, _api = login_clients(UserFactory(is_superuser=True))
    response = page.post("/orgs/schools/import/", {"file": upload("学校.csv", b"a,b\n" * 1000)})
    assert response.status_code == 400 and "超过 .csv 文件的上限 1 KB" in response.content.decode()
    assert not ImportJob.objects.exists() and not stored_files(media_root)


BAD_ATTACHMENTS = [
    ("证明.pdf", EXE, "可执行程序"),
    ("证明.xlsx", bomb_xlsx(), "压缩炸弹"),
    ("证明.xlsx", rezip(xlsx(), {"xl/vbaProject.bin": b"\x00"}), "含有宏"),
]


@pytest.fixture
def certification_scene(reference_data, db, media_root):
    from tests.certification.factories import departments, hr
    from xiaoqitong.certification.services import applications as services
    from xiaoqitong.cooperation.models import Rule

    if not Rule.objects.filter(key="internship_min_months").exists():
        importlib.import_module("xiaoqitong.cooperation.migrations.0002_seed_rules").seed(apps, None)
    importlib.import_module("xiaoqitong.certification.migrations.0002_seed_criteria_and_rules").seed(
        apps, None
    )
    departments()
    applicant = hr()
    application = services.application_create(
        actor=applicant,
        data={
            "level": "municipal",
            "statement": "共建基地",
            "contact_person": "王",
            "contact_phone": "0735-1",
        },
    )
    return applicant, application


@pytest.mark.parametrize(("name", "content", "words"), BAD_ATTACHMENTS)
def test_certification_evidence_page_and_api_refuse_and_write_nothing(
    certification_scene, media_root, name, content, words
):
    applicant, application = certification_scene
    page, api = login_clients(applicant)
    response = page.post(
        reverse("certification:application_documents", args=[application.pk]),
        {"title": "证明", "file": upload(name, content)},
        follow=True,
    )
    assert words in " ".join(str(m) for m in response.context["messages"])
    response = api.post(
        f"/api/v1/certification/applications/{application.pk}/documents/",
        {"title": "证明", "file": upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400 and words in str(response.data)
    assert application.documents.count() == 0 and not stored_files(media_root)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "words"), BAD_ATTACHMENTS)
def test_teaching_resource_page_and_api_refuse_and_write_nothing(
    reference_data, media_root, name, content, words
):
    from xiaoqitong.quality.models import TeachingResource

    page, api = login_clients(user_with_role(Role.TEACHER))
    data = {
        "title": "数控加工工作手册",
        "kind": "workbook",
        "summary": "",
        "link": "",
        "major_codes": "660103",
    }
    response = page.post(reverse("quality:teachingresource_add"), data | {"file": upload(name, content)})
    assert response.status_code == 400 and words in response.content.decode()
    response = api.post(
        "/api/v1/quality/teaching-resources/",
        {"title": "课件", "kind": "course", "majors": ["660103"], "file": upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400 and words in response.data["file"][0]
    assert not TeachingResource.objects.exists() and not stored_files(media_root)


@pytest.fixture
def progress_report(reference_data, db, media_root):
    from tests.governance.factories_tasks import officer, seed
    from xiaoqitong.governance.models import Task
    from xiaoqitong.governance.services import tasks as services

    seed()
    edu = officer("CZ-JYJ")
    report = services.report_create(
        actor=edu, task=Task.objects.get(number=8), data={"period_end": timezone.localdate(), "text": "进展"}
    )
    return edu, report


@pytest.mark.parametrize(("name", "content", "words"), BAD_ATTACHMENTS)
def test_progress_attachment_page_and_api_refuse_and_write_nothing(
    progress_report, media_root, name, content, words
):
    from xiaoqitong.governance.models import ProgressAttachment

    edu, report = progress_report
    page, api = login_clients(edu)
    response = page.post(
        reverse("governance:report_attachment_add", args=[report.pk]),
        {"title": "", "file": upload(name, content)},
        follow=True,
    )
    assert words in response.content.decode()
    response = api.post(
        "/api/v1/governance/progress-attachments/",
        {"report": report.pk, "file": upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400 and words in str(response.data)
    assert not ProgressAttachment.objects.exists() and not stored_files(media_root)


@pytest.mark.django_db
def test_the_other_table_imports_run_the_same_check(reference_data):
    """The grades import, the subsidy payments import and the events' student list use the check too."""
    from xiaoqitong.cooperation.services import subsidies
    from xiaoqitong.events.forms.registrations import StudentBatchForm
    from xiaoqitong.quality.services import assessment

    with pytest.raises(ValidationError, match="压缩炸弹"):
        assessment._read_upload(upload("成绩.xlsx", bomb_xlsx()))
    officer = user_with_role(Role.GOV_OFFICER)
    with pytest.raises(ValidationError, match="含有宏"), pytest.MonkeyPatch.context() as patch:
        patch.setattr(subsidies, "is_officer", lambda user: True)
        subsidies.subsidy_payment_import(actor=officer, upload=upload("拨付.xlsm", xlsm(macro=True)))
    form = StudentBatchForm(data={"numbers": ""}, files={"file": upload("学号.xlsx", EXE)})
    assert not form.is_valid() and "可执行程序" in str(form.errors)


# --- exports escape formulas -------------------------------------------------------------------------------
DANGEROUS = [
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dataset_response_escapes_every_formula_start(fmt):
    from openpyxl import load_workbook

    data = tablib.Dataset(*[[cell, "-5", 7] for cell in DANGEROUS], headers=["内容", "数", "整数"])
    response = dataset_response(data, fmt, "x")
    if fmt == "csv":
        import csv

        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]

    def same(cell):  # xlsx keeps a carriage return as a line feed (XML's line ends)
        return cell.replace("\r", "\n")

    assert [same(row[0]) for row in rows] == [same(f"'{cell}") for cell in DANGEROUS]
    assert {str(row[1]) for row in rows} == {"-5"}  # a negative number stays a number


@pytest.mark.django_db
def test_a_list_page_export_escapes_formulas(reference_data):
    from tests.orgs.factories import EnterpriseFactory

    EnterpriseFactory(name='=HYPERLINK("http://x")')
    page, _api = login_clients(UserFactory(is_superuser=True))
    body = page.get("/orgs/enterprises/?export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


# Modules that write a spreadsheet or a csv with no user data in it (or define the escaping itself).
EXPORT_WRITERS_WITHOUT_USER_DATA = {
    "core/imports.py": "defines escape_formulae and the two responses that apply it",
    "core/import_templates.py": "the import templates: column headers and hints written by the code",
}


def test_every_export_path_escapes_formulas():
    """Every module that writes xlsx or csv (tablib's export, csv.writer, openpyxl) escapes what it writes:
    it calls escape_formulae, or hands its rows to dataset_response / export_response, which do."""
    root = Path(__import__("xiaoqitong").__file__).parent
    writers, unescaped = [], []
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        writes = (
            '.export("xlsx")' in source
            or '.export("csv")' in source
            or "csv.writer" in source
            or ("openpyxl" in source and "Workbook(" in source)
        )
        if not writes:
            continue
        relative = path.relative_to(root).as_posix()
        writers.append(relative)
        if relative in EXPORT_WRITERS_WITHOUT_USER_DATA:
            continue
        names = {
            getattr(node, "attr", getattr(node, "id", ""))
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute | ast.Name)
        }
        if not names & {"escape_formulae", "dataset_response", "export_response"}:
            unescaped.append(relative)
    assert len(writers) >= 6  # the scan sees the exports it is meant to guard
    assert unescaped == []
