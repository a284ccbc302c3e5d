"""The PDF of a quality report: its HTML printed by WeasyPrint. Chinese needs a CJK font on the server (no
PyPI package ships one; Debian's fonts-noto-cjk does): without one WeasyPrint would print empty boxes, so the
PDF step checks first and, when there is none, says so instead of producing the file."""

import functools
import shutil
import subprocess

from django.utils.translation import gettext as _


#: Why there is no PDF when the server has no CJK font (the report still has its HTML and xlsx).
def no_font_message() -> str:
    return _("服务器未安装中文字体（如 Debian 的 fonts-noto-cjk），无法生成 PDF；网页版和数据附表不受影响")


@functools.lru_cache(maxsize=1)
def cjk_font_available() -> bool:
    """Whether fontconfig knows a font covering Chinese (``fc-list :lang=zh``); asked once per process."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    try:
        out = subprocess.run(  # noqa: S603  (a fixed command, no user input)
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip())


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of the report's HTML (A4, page numbers and breaks from its print styles)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()
