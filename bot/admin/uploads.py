"""Turn an uploaded file (.txt, .md, .docx, .pdf) into the UTF-8 text the KB builds from, or refuse it.

Text files go through the KB's own checks (bot.kb.build.decode_document: size, binary, encoding, Chinese
text). Word files are read with python-docx (paragraphs and table rows in order); PDFs with pypdf, and
only when the extracted text is real Chinese (a scanned PDF or one with broken font maps is refused).
"""
from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from bot.kb.build import MAX_BYTES, DocumentError, decode_document

SUFFIXES = (".txt", ".md", ".docx", ".pdf")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# The simplified-form radicals of the CJK Radicals Supplement have no Unicode decomposition; these are the
# ideographs they stand for (Unicode's EquivalentUnifiedIdeograph.txt).
_SUPPLEMENT = dict(zip("⺟⺠⺰⻄⻅⻆⻈⻉⻋⻌⻐⻓⻔⻘⻙⻚⻛⻜⻝⻠⻢⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
                       "母民纟西见角讠贝车辶钅长门青韦页风飞食饣马鱼鸟卤麦黄黾齐齿龙龟"))


def _radicals_to_ideographs(text: str) -> str:
    """PDF fonts often map 山/生/门… to look-alike radicals (Kangxi U+2F00-U+2FDF, supplement U+2E80-U+2EFF);
    NFKC maps the Kangxi ones back, the table the rest; every other character (（）〔〕：) stays as it is."""
    out = []
    for ch in text:
        if "\u2f00" <= ch <= "\u2fdf":
            ch = unicodedata.normalize("NFKC", ch)
        elif "\u2e80" <= ch <= "\u2eff":
            ch = _SUPPLEMENT.get(ch, ch)
        out.append(ch)
    return "".join(out)


def _check_text(text: str) -> str:
    text = _radicals_to_ideographs(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    cjk = len(_CJK.findall(text))
    if cjk < 20:
        raise DocumentError("没有从文件中读出中文正文（可能是扫描件或图片），请上传文字版文件，或另存为 .txt 后上传。")
    if "\ufffd" in text and text.count("\ufffd") > max(5, len(text) // 200):
        raise DocumentError("文件中的文字无法正确识别（乱码），请另存为 .txt 后上传。")
    return text


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise DocumentError("无法打开这个 Word 文件（可能已损坏，或是旧版 .doc）：请用 Word 另存为 .docx 或 .txt 后上传。")
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")).strip())
                    lines.append(" ".join(c for c in cells if c))
    return _check_text("\n".join(lines).strip() + "\n")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("PDF 文件已加密，无法读取：请上传未加密的文件。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError):
        raise DocumentError("无法读取这个 PDF 文件（可能已损坏）：请另存为 .txt 后上传。")
    return _check_text("\n".join(pages).strip() + "\n")


def extract_text(filename: str, data: bytes) -> str:
    """The document's text, or DocumentError with a Chinese reason."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 .txt、.md、.docx 或 .pdf 文件。")
    if not data:
        raise DocumentError("文件是空的，请检查后重新上传。")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {MAX_BYTES // 1024 // 1024} MB。")
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            raise DocumentError("这不是有效的 .docx 文件，请用 Word 另存为 .docx 或 .txt 后上传。")
        return _docx_text(data)
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise DocumentError("这不是有效的 PDF 文件，请检查后重新上传。")
        return _pdf_text(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return decode_document(path)
