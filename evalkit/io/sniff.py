"""What a file that does not open as an .xlsx workbook seems to be, said in Chinese.

Offices send what they have: a Word table renamed to .xlsx, an Excel 97–2003 .xls, a
password-protected workbook, a csv saved by WPS, a PDF or a photo of the printed table, an
HTML page exported by a web system as "xls".  The reader's message then says what the file
seems to be and what to do, instead of the library's English (``BadZipFile``, ``File
contains no valid workbook part``).  Only the first bytes (and a zip's list of members) are
looked at.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_HEAD = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS = "请用 Excel 或 WPS 打开后「另存为」Excel 工作簿（.xlsx）"


def _utf16(word: str) -> bytes:
    return word.encode("utf-16-le")


def _ole(head: bytes) -> str:
    if _utf16("EncryptedPackage") in head or _utf16("EncryptionInfo") in head:
        return "这是设置了打开密码的 Excel 工作簿：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx"
    if _utf16("WordDocument") in head:
        return "这是 Word 97–2003 文档（.doc），不是表格：请把表格复制到 Excel 中，另存为 .xlsx"
    if _utf16("PowerPoint") in head:
        return "这是 PowerPoint 演示文稿（.ppt），不是表格"
    if _utf16("Workbook") in head or _utf16("Book") in head:
        return f"这是 Excel 97–2003 工作簿（.xls）：{_SAVE_AS}"
    return f"这是旧版 Office 文件（复合文档格式，可能是 .xls、.doc 或 WPS 文件）：{_SAVE_AS}"


def _zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            mimetype = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return "这像是一个不完整或已损坏的 Excel 工作簿（压缩结构不完整，可能没有下载或复制完）：请重新获取原文件"
    if "word/document.xml" in names:
        return "这是 Word 文档（.docx），不是 Excel 工作簿：请把表格复制到 Excel 中，另存为 .xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "这是 PowerPoint 演示文稿（.pptx），不是表格"
    if "opendocument.spreadsheet" in mimetype:
        return f"这是 OpenDocument 表格（.ods）：{_SAVE_AS}"
    if "opendocument.text" in mimetype:
        return "这是 OpenDocument 文字文档（.odt），不是表格：请把表格复制到 Excel 中，另存为 .xlsx"
    if any(n.startswith("xl/") for n in names):
        return "这是 Excel 工作簿，但其中的内容已损坏，无法读取：请在 Excel 中打开并修复后另存为 .xlsx"
    shown = "、".join(names[:3]) + (" 等" if len(names) > 3 else "")
    return f"这是一个 zip 压缩包（含 {len(names)} 个文件：{shown or '空'}）：请解压后给出其中的 .xlsx 文件"


def _text(head: bytes) -> str | None:
    """What a text file seems to be, or None when the bytes are not text."""
    if b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    lowered = text.lstrip().lower()
    if lowered.startswith("{\\rtf"):
        return "这是 RTF 文档，不是表格：请把表格复制到 Excel 中，另存为 .xlsx"
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return f"这是 Excel 2003 XML 表格：{_SAVE_AS}"
    if lowered.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<html" in lowered[:2000]:
        return f"这是网页（HTML）文件，常见于系统导出的「xls」：{_SAVE_AS}"
    lines = [ln for ln in text.splitlines() if ln.strip()][:5]
    if lines and all("," in ln or "\t" in ln or "，" in ln for ln in lines):
        kind = "制表符" if all("\t" in ln for ln in lines) else "逗号"
        return f"这是文本表格（csv，{kind}分隔）：{_SAVE_AS}"
    return f"这是纯文本文件，不是表格：{_SAVE_AS}"


def what_it_seems(path: Path) -> str:
    """A Chinese sentence saying what the file at ``path`` seems to be and what to do."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD)
    except OSError as exc:
        return f"无法读取（{exc.strerror or exc}）"
    if head.startswith(_OLE):
        return _ole(head)
    if head.startswith(b"PK"):
        return _zip(path)
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件：请提供原始的 Excel 表格（.xlsx），不要用 PDF 或扫描件"
    for magic, kind in ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"BM", "BMP")):
        if head.startswith(magic):
            return f"这是图片（{kind}）：请提供 Excel 表格本身，不要用照片或截图"
    seems = _text(head)
    if seems:
        return seems
    shown = " ".join(f"{b:02x}" for b in head[:4])
    return f"文件内容不是 .xlsx 格式（开头的字节为 {shown or '空'}），可能已损坏或是其他程序的文件"
