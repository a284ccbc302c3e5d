"""The one check of every uploaded file: bulk-import tables and attachments (certification evidence, teaching
resources, progress-report attachments).

:func:`check_upload` runs before anything is stored or parsed and refuses, with a Chinese message naming the
file, an upload that is

- empty, or larger than its kind's cap (``XQT_IMPORT_MAX_MB``, ``XQT_UPLOAD_MAX_MB``, ``XQT_VIDEO_MAX_MB``);
- of a type not on its kind's list: executables and scripts, macro-enabled Office names (``.docm`` …);
- not what its extension says: the first bytes are sniffed (an ``.exe`` renamed ``.pdf``, a Word file named
  ``.pptx``, a binary named ``.csv``);
- a zip bomb: zip-based files (xlsx, docx, pptx, ods) are inflated member by member *before* any parser
  reads them, counting what comes out against caps on the total (``XQT_UNZIPPED_MAX_MB``), the ratio of
  inflated to compressed bytes (:data:`MAX_RATIO`) and the member count (:data:`MAX_MEMBERS`); a size that
  the archive's directory understates is caught too, as are nested archives beyond one level;
- carrying macros: a VBA project or an Excel 4.0 macro sheet in an OOXML file (a macro-free ``.xlsm`` is
  accepted for imports), Basic or script modules in an OpenDocument file, a VBA storage or a macro sheet in
  an old binary ``.xls`` (read with ``olefile``);
- a csv that is not text (NUL bytes, or neither UTF-8 nor GBK).

:func:`check_path` applies the same check to a file already on disk (``core.imports.read_table`` runs it
again before a background import parses the stored file).
"""

import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
IMPORT = "import"  # a table for a bulk import
LIST = "list"  # a one-column list (student numbers): an import table or plain text
ATTACHMENT = "attachment"  # a document, an image or a video attached to a record

# Zip caps: how far a legitimate Office file goes. A 100,000-row student sheet written by Excel inflates
# about 8 times; XML of repeated empty cells reaches 50-100 times; deflate's own limit is 1,032.
MAX_RATIO = 200
RATIO_FREE_BYTES = 8 * MB  # below this a member may be as compressible as it likes
MAX_MEMBERS = 10_000
MAX_DEPTH = 2  # an archive inside an archive (a chart's workbook inside a pptx), and no further
NESTED_MAX_BYTES = 64 * MB  # an embedded archive or OLE object is looked into in memory
CHUNK = 256 * 1024
SNIFF_BYTES = 64

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
MACRO_EXTENSIONS = {".docm", ".dotm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".ppam"}
EXECUTABLE_EXTENSIONS = {
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse", ".wsf",
    ".jar", ".sh", ".apk", ".app", ".bin", ".elf", ".lnk", ".hta", ".cpl",
}  # fmt: skip
# The main part of each zip-based Office format.
OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
NESTED_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".pptm", ".ods", ".odt", ".odp")


@dataclass(frozen=True)
class Kind:
    """What one kind of upload accepts: extension -> content family, the size cap's setting, and how the
    accepted types are named in messages."""

    extensions: dict[str, str]
    setting: str
    types_text: str
    macro_enabled_types_refused: bool  # an attachment of a macro-enabled type is refused even without macros


_TABLES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods", ".csv": "csv"}
KINDS = {
    IMPORT: Kind(_TABLES, "XQT_IMPORT_MAX_MB", "xlsx、xls、ods 或 csv 文件", False),
    LIST: Kind(_TABLES | {".txt": "csv"}, "XQT_IMPORT_MAX_MB", "csv、txt 或 xlsx 文件", False),
    ATTACHMENT: Kind(
        {
            ".pdf": "pdf",
            ".docx": "docx",
            ".xlsx": "xlsx",
            ".pptx": "pptx",
            ".png": "png",
            ".jpg": "jpeg",
            ".jpeg": "jpeg",
            ".mp4": "mp4",
        },
        "XQT_UPLOAD_MAX_MB",
        "pdf、docx、xlsx、pptx、png、jpg、jpeg 或 mp4 文件",
        True,
    ),
}
DEFAULT_MB = {"XQT_IMPORT_MAX_MB": 50, "XQT_UPLOAD_MAX_MB": 50, "XQT_VIDEO_MAX_MB": 500}


class UploadRefused(ValueError):
    """The file is refused; ``str()`` is the Chinese reason (without the file's name)."""


def size_text(size: int) -> str:
    """``12.3 MB``, ``850 KB``: how messages and pages write a file's size."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(size, 0) / 1024:.0f} KB"


def max_bytes(kind: str, ext: str) -> int:
    """The size cap of an upload of ``kind`` with extension ``ext`` (videos have their own)."""
    name = "XQT_VIDEO_MAX_MB" if ext == ".mp4" else KINDS[kind].setting
    return int(float(getattr(settings, name, DEFAULT_MB[name])) * MB)


def unzipped_max_bytes() -> int:
    return int(float(getattr(settings, "XQT_UNZIPPED_MAX_MB", 1024)) * MB)


def accept(kind: str) -> str:
    """The ``accept`` attribute of a file input for ``kind``."""
    return ",".join(KINDS[kind].extensions)


def check_upload(upload, kind: str = ATTACHMENT) -> None:
    """Refuse an uploaded file (Django's ``UploadedFile``) with ``ValidationError({"file": …})``, the message
    naming the file; leaves the file at its start for whoever stores or reads it next."""
    name = Path(upload.name or "").name
    try:
        upload.seek(0)
        _check(getattr(upload, "file", None) or upload, name, upload.size or 0, kind)
    except UploadRefused as exc:
        raise ValidationError({"file": f"“{name}”：{exc}"}, code="upload") from None
    finally:
        upload.seek(0)


def check_path(path: Path | str, name: str = "", kind: str = IMPORT) -> None:
    """The same check on a file on disk; raises :class:`UploadRefused`."""
    path = Path(path)
    with path.open("rb") as fp:
        _check(fp, name or path.name, path.stat().st_size, kind)


def _check(fp: BinaryIO, name: str, size: int, kind: str) -> None:
    spec = KINDS[kind]
    ext = Path(name).suffix.lower()
    if ext in EXECUTABLE_EXTENSIONS:
        raise UploadRefused(_("可执行程序和脚本不能上传。"))
    if ext in MACRO_EXTENSIONS or (spec.macro_enabled_types_refused and ext == ".xlsm"):
        raise UploadRefused(
            _("含宏的 Office 文件（.docm、.xlsm、.pptm 等）不能上传：请另存为 .docx、.xlsx 或 .pptx。")
        )
    if ext not in spec.extensions:
        raise UploadRefused(_("不支持的文件类型：请上传 %(types)s。") % {"types": spec.types_text})
    family = spec.extensions[ext]
    if size == 0:
        raise UploadRefused(_("文件是空的。"))
    cap = max_bytes(kind, ext)
    if size > cap:
        raise UploadRefused(
            _("文件大小 %(size)s，超过 %(ext)s 文件的上限 %(cap)s。")
            % {"size": size_text(size), "ext": ext, "cap": size_text(cap)}
        )
    fp.seek(0)
    head = fp.read(SNIFF_BYTES)
    fp.seek(0)
    if head.startswith(EXECUTABLE_MAGIC):
        raise UploadRefused(_("文件内容是可执行程序或脚本，不能上传（扩展名为 %(ext)s）。") % {"ext": ext})
    if family in ("xlsx", "docx", "pptx", "ods") and head.startswith(OLE_MAGIC) and _ole_encrypted(fp):
        raise UploadRefused(_("文件设有打开密码：请在 Office 中取消密码后再上传。"))
    if not _sniff(family, head):
        raise _mismatch(ext)
    if family in ("xlsx", "docx", "pptx", "ods"):
        _check_package(fp, size, family, ext, spec)
    elif family == "xls":
        _check_ole(fp)
    elif family == "csv":
        _check_text(fp)


def _sniff(family: str, head: bytes) -> bool:
    """Whether the first bytes are those of the family (archives and OLE files are opened after)."""
    if family == "pdf":
        return head.startswith(b"%PDF-")
    if family in ("xlsx", "docx", "pptx", "ods"):
        return head.startswith(ZIP_MAGIC)
    if family == "xls":
        return head.startswith(OLE_MAGIC)
    if family == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if family == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if family == "mp4":
        return len(head) >= 12 and head[4:8] == b"ftyp"
    if family == "csv":
        return not head.startswith((ZIP_MAGIC, OLE_MAGIC, b"%PDF-", b"\x89PNG", b"\xff\xd8\xff"))
    return False


# --- zip-based files ------------------------------------------------------------------------------
def _bomb() -> UploadRefused:
    return UploadRefused(
        _("压缩内容异常（解压后过大或压缩比异常，疑似“压缩炸弹”），不能上传：请上传正常保存的文件。")
    )


class _Budget:
    """The inflated bytes still allowed across an archive and the archives inside it."""

    def __init__(self, total: int):
        self.left = total

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise _bomb()


def _check_package(fp: BinaryIO, size: int, family: str, ext: str, spec: Kind) -> None:
    import zipfile

    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_("文件已损坏，或不是有效的 %(ext)s 文件。") % {"ext": ext}) from None
    with archive:
        # The whole archive inflates to at most MAX_RATIO times its size (and never past the cap): this also
        # stops entries that share their data (a few KB repeated a thousand times by the directory).
        budget = _Budget(min(unzipped_max_bytes(), max(RATIO_FREE_BYTES, MAX_RATIO * size)))
        names = _scan_archive(fp, archive, budget, depth=1)
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        manifest = archive.read("mimetype") if "mimetype" in names else b""
    lower = [n.lower() for n in names]
    if family == "ods":
        if not manifest.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raise _mismatch(ext)
        if any(_is_odf_macro(n) for n in names):
            raise _macros()
        return
    if _ooxml_macros(lower, types) or (spec.macro_enabled_types_refused and b"macroEnabled" in types):
        raise _macros()
    if not types or OFFICE_MAIN_PART[family] not in names:
        raise _mismatch(ext)


def _mismatch(ext: str) -> UploadRefused:
    return UploadRefused(_("文件内容与扩展名 %(ext)s 不符，请上传真实的 %(ext)s 文件。") % {"ext": ext})


def _macros() -> UploadRefused:
    return UploadRefused(
        _("文件含有宏，不能上传：请在 Office 或 WPS 中另存为不含宏的 .xlsx、.docx 或 .pptx 后再上传。")
    )


def _ooxml_macros(lower_names: list[str], content_types: bytes) -> bool:
    """A VBA project or an Excel 4.0 macro sheet (the macro-enabled content type alone is not a macro)."""
    return (
        any(n.endswith(("vbaproject.bin", "vbadata.xml")) for n in lower_names)
        or any(n.startswith("xl/macrosheets/") for n in lower_names)
        or b"vbaProject" in content_types
        or b"macrosheet" in content_types.lower()
    )


def _is_odf_macro(name: str) -> bool:
    """A Basic module (``Basic/Standard/Module1.xml``) or a script (``Scripts/python/…``); the library
    index files alone are not code."""
    if name.startswith("Scripts/") and not name.endswith("/"):
        return True
    parts = name.split("/")
    return len(parts) == 3 and parts[0] == "Basic" and parts[2] not in ("", "script-lb.xml", "dialog-lb.xml")


def _scan_archive(fp: BinaryIO, archive, budget: _Budget, depth: int) -> set[str]:
    """Inflate every member of ``archive`` (read from ``fp``) against the caps; scan nested archives and
    embedded OLE objects. Returns the members' names."""
    import zipfile

    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _bomb()
    # The directory's own figures first: a truthful bomb is refused without inflating a byte.
    declared = sum(i.file_size for i in infos)
    if declared > budget.left:
        raise _bomb()
    for info in infos:
        if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb()
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise UploadRefused(_("文件设有密码或含有加密内容：请取消密码后再上传。"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadRefused(_("文件使用了不支持的压缩方式：请在 Office 或 WPS 中另存后再上传。"))
        _scan_member(fp, info, budget, depth)
    return {i.filename for i in infos}


def _scan_member(fp: BinaryIO, info, budget: _Budget, depth: int) -> None:
    """Inflate one member, never past its share of the caps (the directory's sizes may lie)."""
    limit = max(RATIO_FREE_BYTES, MAX_RATIO * max(info.compress_size, 1))
    head = b""
    keep = None  # the member's bytes when it is itself an archive or an OLE object to look into
    out = 0
    for chunk in _inflate(fp, info):
        out += len(chunk)
        if out > info.file_size:  # more than the directory says: a lie that a parser would believe
            raise _bomb()
        budget.spend(len(chunk))
        if out > limit:
            raise _bomb()
        if len(head) < 8:
            head = (head + chunk)[:8]
            nested = head.startswith(ZIP_MAGIC) or info.filename.lower().endswith(NESTED_SUFFIXES)
            if keep is None and (nested or head.startswith(OLE_MAGIC)):
                keep = io.BytesIO()
        if keep is not None:
            if out > NESTED_MAX_BYTES:
                raise _bomb()
            keep.write(chunk)
    if out != info.file_size:
        raise UploadRefused(_("文件已损坏：压缩包内的大小与记录不符。"))
    if keep is None:
        return
    if head.startswith(OLE_MAGIC):
        _check_ole(keep)
    elif head.startswith(ZIP_MAGIC):
        if depth >= MAX_DEPTH:
            raise _bomb()
        import zipfile

        try:
            inner = zipfile.ZipFile(keep)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise UploadRefused(_("文件已损坏：内嵌的文件无法读取。")) from None
        with inner:
            names = [n.lower() for n in _scan_archive(keep, inner, budget, depth + 1)]
            types = inner.read("[Content_Types].xml") if "[content_types].xml" in names else b""
        if _ooxml_macros(names, types) or any(_is_odf_macro(n) for n in inner.namelist()):
            raise _macros()


def _inflate(fp: BinaryIO, info) -> Iterator[bytes]:
    """The member's inflated bytes in chunks of at most :data:`CHUNK`, read from its local header on: the
    output is bounded by what is inflated, not by the sizes the archive claims."""
    import zipfile

    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) < 30 or header[:4] != ZIP_MAGIC:
        raise UploadRefused(_("文件已损坏：压缩包结构无效。"))
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            raw = fp.read(min(CHUNK, left))
            if not raw:
                break
            left -= len(raw)
            yield raw
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = b""
    try:
        while not inflater.eof:
            if not pending:
                if left <= 0:
                    break
                pending = fp.read(min(CHUNK, left))
                if not pending:
                    break
                left -= len(pending)
            chunk = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            if chunk:
                yield chunk
            elif not pending and left <= 0:
                break
    except zlib.error:
        raise UploadRefused(_("文件已损坏：压缩数据无效。")) from None


# --- old binary Office files (OLE) ----------------------------------------------------------------
VBA_STORAGES = {"VBA", "_VBA_PROJECT", "_VBA_PROJECT_CUR", "MACROS", "VBAPROJECT"}
BIFF_BOUNDSHEET = 0x0085
BIFF_EOF = 0x000A
BIFF_SCAN_BYTES = 16 * MB  # the workbook globals come first; its sheets' list is near the start


def _open_ole(fp: BinaryIO):
    import olefile

    fp.seek(0)
    try:
        return olefile.OleFileIO(fp)
    except (OSError, ValueError, struct.error, IndexError, KeyError) as exc:
        raise UploadRefused(_("文件已损坏，或不是有效的 Office 文件。")) from exc


def _ole_encrypted(fp: BinaryIO) -> bool:
    ole = _open_ole(fp)
    try:
        return ole.exists("EncryptedPackage")
    finally:
        ole.close()


def _check_ole(fp: BinaryIO) -> None:
    """Refuse an OLE file (old ``.xls``, an object embedded in a document) that carries a VBA project or an
    Excel 4.0 macro sheet."""
    ole = _open_ole(fp)
    try:
        entries = ole.listdir(streams=True, storages=True)
        if any(part.upper() in VBA_STORAGES for entry in entries for part in entry):
            raise _macros()
        for stream in ("Workbook", "Book"):
            if ole.exists(stream):
                if _biff_has_macro_sheet(ole.openstream(stream).read(BIFF_SCAN_BYTES)):
                    raise _macros()
                break
    except UploadRefused:
        raise
    except Exception as exc:  # olefile raises plain exceptions of several kinds on a damaged file
        raise UploadRefused(_("文件已损坏，或不是有效的 Office 文件。")) from exc
    finally:
        ole.close()


def _biff_has_macro_sheet(stream: bytes) -> bool:
    """Whether the workbook globals list an Excel 4.0 macro sheet or a VBA module sheet (BoundSheet8's
    ``dt`` 1 or 6)."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == BIFF_BOUNDSHEET and len(body) >= 6 and body[5] in (1, 6):
            return True
        if kind == BIFF_EOF:
            return False
        pos += 4 + length
    return False


# --- text -----------------------------------------------------------------------------------------
def _check_text(fp: BinaryIO) -> None:
    fp.seek(0)
    raw = fp.read()
    fp.seek(0)
    if b"\x00" in raw:
        raise UploadRefused(_("文件内容不是文本：请上传 UTF-8 或 GBK 编码的 CSV 文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    raise UploadRefused(_("无法识别文件编码：请使用 UTF-8 或 GBK 编码的 CSV 文件，或 xlsx 文件。"))
