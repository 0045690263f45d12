"""One file → `Extracted`: its text in located segments, or why it could not be read.

Bad files never stop or hang a run: every reader is bounded before it parses (uncompressed sizes
of Office zips, Pillow's pixel limit, a cap on pages rendered for OCR and on bytes of plain text),
and any exception a reader raises becomes `material-unreadable` with its reason.
"""

from __future__ import annotations

import html
import io
import re
import warnings
import zipfile
from pathlib import Path

from ...errors import MaterialUnreadable as Unreadable
from ...precheck.material import NOT_READ, OCR_SKIPPED, UNREADABLE, Extracted, Segment

EXTRACTOR_VERSION = 4
"""Bumped whenever a reader's output changes, so cached text from an older reader is not reused."""
IMAGE_TYPES = frozenset({"jpg", "jpeg", "png", "bmp", "webp", "gif"})
TEXT_TYPES = frozenset({"txt", "md", "csv", "html", "htm"})
MAX_UNZIPPED = 200 * 1024 * 1024
"""An Office file whose parts expand to more than this is refused (a zip bomb: a docx whose XML
expands to gigabytes is a few megabytes on disk)."""
MAX_PART = 64 * 1024 * 1024
MAX_RATIO = 200
"""…and so is one whose XML part compresses more than 200:1 (real documents stay under ~30:1)."""
MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 64_000_000
"""Pillow's decompression-bomb limit for this run: 8000×8000. Larger images are refused, not decoded."""
MEMORY_REASON = "读取所需内存超出上限，已停止读取；文件可能异常构造，请缩小图片尺寸或拆分文件后再试"
"""Said of a file whose reading ran out of memory (in a worker: `pool.WORKER_MEMORY`)."""
MAX_OCR_PAGES = 20
"""PDF pages without a text layer rendered and OCR'd per file; the rest are named in a finding."""
MAX_TEXT_PAGES = 2000
RENDER_LONG_SIDE = 2000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def kind(ext: str) -> str:
    e = ext.lower()
    if e in IMAGE_TYPES:
        return "image"
    if e in TEXT_TYPES:
        return "text"
    if e in {"docx", "pptx", "xlsx", "pdf"}:
        return e
    return "other"


def extract(path: Path, ext: str, *, ocr: bool = True) -> Extracted:
    """Read one file. Never raises for a bad file: the result's status says what happened."""
    k = kind(ext)
    out = Extracted(type=k)
    try:
        size = path.stat().st_size
        if size == 0:
            raise Unreadable("文件为空（0 字节）")
        if k == "other":
            out.status = NOT_READ
        elif k == "image":
            _image(path, out, ocr)
        elif k == "text":
            _text(path, ext.lower(), out)
        elif k == "pdf":
            _pdf(path, out, ocr)
        elif k == "docx":
            _docx(path, out)
        elif k == "pptx":
            _pptx(path, out)
        elif k == "xlsx":
            _xlsx(path, out)
    except Unreadable as exc:
        out.status, out.reason, out.segments = UNREADABLE, str(exc), []
    except MemoryError:
        out.status, out.reason, out.segments = UNREADABLE, MEMORY_REASON, []
    except BaseException as exc:  # noqa: BLE001 - a reader's failure on a bad file is a finding, not a crash
        from ..files import is_panic

        if not isinstance(exc, Exception) and not is_panic(exc):
            raise  # KeyboardInterrupt, SystemExit; a Rust panic (BaseException) is the file's fault
        out.status, out.reason, out.segments = UNREADABLE, _reason(exc), []
    return out


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return "文件已加密（设有密码）"
    return f"文件损坏或被截断（{type(exc).__name__}）"


# ---------------------------------------------------------------- images and OCR
def _open_image(source):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(source)
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise Unreadable(f"图片像素数异常大（{w}×{h}，可能是“解压炸弹”），未解码")
            im.seek(0)  # a GIF's first frame
            im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise Unreadable("图片像素数异常大（可能是“解压炸弹”），未解码") from exc
        except Image.UnidentifiedImageError as exc:
            raise Unreadable("不是能识别的图片或文件已损坏") from exc
        except OSError as exc:
            raise Unreadable(f"图片损坏或被截断（{exc}）") from exc
    return im


def _image(path: Path, out: Extracted, ocr: bool) -> None:
    im = _open_image(path)
    out.pixels = im.size
    if not ocr:
        out.status = OCR_SKIPPED
        return
    from .ocr import read_lines

    out.ocr_used = True
    lines = read_lines(im)
    out.segments = [Segment(f"图中第 {i} 行", text, round(score, 3)) for i, (text, score) in enumerate(lines, 1)]
    if not lines:
        out.no_text.append("图中")


# ---------------------------------------------------------------- plain text
def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/tr|/title)\b[^>]*>", re.I)


def _text(path: Path, ext: str, out: Extracted) -> None:
    with open(path, "rb") as fh:
        data = fh.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        data = data[:MAX_TEXT_BYTES]
        out.notes.append(f"只读取了前 {MAX_TEXT_BYTES // 1024 // 1024} MB 文字")
    text = _decode(data)
    if ext in {"html", "htm"}:
        text = html.unescape(_TAGS.sub(" ", _BLOCK.sub("\n", text)))
    n = 0
    for line in text.splitlines():
        if line.strip():
            n += 1
            out.segments.append(Segment(f"第 {n} 段", line.strip()))


# ---------------------------------------------------------------- Office zips
def _zip(path: Path) -> zipfile.ZipFile:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise Unreadable("文件已加密（设有密码）或是旧版 Office 格式")
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise Unreadable("文件损坏或被截断（不是完整的 Office 文件）") from exc
    total = 0
    for info in z.infolist():
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_PART or total > MAX_UNZIPPED or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            z.close()
            raise Unreadable(f"文件解压后异常大（{info.filename} 展开为 {info.file_size // 1024 // 1024} MB，可能是“压缩炸弹”），未解析")
    return z


def _xml(z: zipfile.ZipFile, name: str):
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(z.read(name))
    except KeyError:
        return None


TXBX = W + "txbxContent"


def _own_text(node, out: list[str]) -> None:
    """A paragraph's own runs: not the text boxes anchored in it, nor Word's fallback copies."""
    for child in node:
        if child.tag in (MC_FALLBACK, TXBX):
            continue
        if child.tag == W + "t":
            out.append(child.text or "")
        elif child.tag == W + "tab":
            out.append(" ")
        else:
            _own_text(child, out)


def _paragraphs(node, out: list[str]) -> None:
    """Paragraph texts in document order (tables and text boxes included), skipping the VML copy
    of a text box that Word keeps under mc:Fallback."""
    for child in node:
        if child.tag == MC_FALLBACK:
            continue
        if child.tag == W + "p":
            parts: list[str] = []
            _own_text(child, parts)
            text = "".join(parts)
            inner: list[str] = []
            for sub in child:
                _paragraphs(sub, inner)  # a text box anchored in this paragraph
            if text.strip():
                out.append(text)
            out.extend(inner)
        else:
            _paragraphs(child, out)


def _docx(path: Path, out: Extracted) -> None:
    with _zip(path) as z:
        names = z.namelist()
        if "word/document.xml" not in names:
            raise Unreadable("不是有效的 Word 文档（缺少正文）")
        body: list[str] = []
        _paragraphs(_xml(z, "word/document.xml"), body)
        for i, text in enumerate(body, 1):
            out.segments.append(Segment(f"第 {i} 段", text))
        for prefix, label in (("word/header", "页眉"), ("word/footer", "页脚"), ("word/footnotes", "脚注")):
            for name in sorted(n for n in names if n.startswith(prefix) and n.endswith(".xml")):
                texts: list[str] = []
                _paragraphs(_xml(z, name), texts)
                out.segments.extend(Segment(label, t) for t in texts)


def _pptx(path: Path, out: Extracted) -> None:
    _zip(path).close()  # sizes checked before python-pptx parses anything
    from pptx import Presentation

    prs = Presentation(str(path))
    for n, slide in enumerate(prs.slides, 1):
        for text in _shape_texts(slide.shapes):
            out.segments.append(Segment(f"第 {n} 张幻灯片", text))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                out.segments.append(Segment(f"第 {n} 张幻灯片备注", notes.text.strip()))
    out.pages = len(prs.slides)


def _shape_texts(shapes):
    for shape in shapes:
        if shape.shape_type == 6 and hasattr(shape, "shapes"):  # a group
            yield from _shape_texts(shape.shapes)
        if getattr(shape, "has_text_frame", False) and shape.text_frame.text.strip():
            for p in shape.text_frame.paragraphs:
                text = "".join(r.text for r in p.runs) or ""
                if text.strip():
                    yield text.strip()
        if getattr(shape, "has_table", False):
            for row in shape.table.rows:
                for cell in row.cells:
                    if cell.text.strip():
                        yield cell.text.strip()


def _xlsx(path: Path, out: Extracted) -> None:
    """Through the tracker reader's per-sheet path: each sheet is surveyed before calamine parses
    it, so a cell at XFD1048576 is read on its own instead of as a dense 17-billion-cell grid."""
    _zip(path).close()
    from ...errors import UnreadableSheet
    from ..files import read_sheets_values

    try:
        sheets = read_sheets_values(path)
    except UnreadableSheet as exc:
        raise Unreadable(str(exc).split(" / ")[0].rstrip("。 ")) from None
    for name, rows in sheets:
        for r, row in enumerate(rows, 1):
            text = " ".join(str(v) for v in row if v not in (None, ""))
            if text.strip():
                out.segments.append(Segment(f"工作表“{name}”第 {r} 行", text))


# ---------------------------------------------------------------- PDF
def _pdf(path: Path, out: Extracted, ocr: bool) -> None:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise Unreadable("文件已加密（设有密码）") from exc
        raise Unreadable(f"PDF 损坏或被截断（{exc}）") from exc
    try:
        pages = len(doc)
        out.pages = pages
        if pages == 0:
            raise Unreadable("PDF 没有任何页面")
        ocr_pages: list[int] = []
        for i in range(min(pages, MAX_TEXT_PAGES)):
            page = doc[i]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_bounded() or ""
                textpage.close()
            finally:
                pass
            lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
            if lines:
                out.segments.extend(Segment(f"第 {i + 1} 页", ln) for ln in lines)
            else:
                ocr_pages.append(i)
            page.close()
        if pages > MAX_TEXT_PAGES:
            out.notes.append(f"共 {pages} 页，只读取了前 {MAX_TEXT_PAGES} 页")
        if ocr_pages and not ocr:
            out.notes.append(f"有 {len(ocr_pages)} 页没有文字层，本次使用了 --no-ocr 未做文字识别")
            return
        if ocr_pages:
            from .ocr import read_lines

            for i in ocr_pages[:MAX_OCR_PAGES]:
                page = doc[i]
                w, h = page.get_size()
                scale = min(3.0, RENDER_LONG_SIDE / max(w, h, 1))
                image = page.render(scale=scale).to_pil()
                page.close()
                out.ocr_used = True
                lines = read_lines(image)
                if not lines:
                    out.no_text.append(f"第 {i + 1} 页")
                out.segments.extend(Segment(f"第 {i + 1} 页", t, round(s, 3)) for t, s in lines)
            if len(ocr_pages) > MAX_OCR_PAGES:
                out.notes.append(f"有 {len(ocr_pages)} 页没有文字层，只对前 {MAX_OCR_PAGES} 页做了文字识别（上限）")
    finally:
        doc.close()


def image_from_bytes(data: bytes):
    """For tests and benchmarks: an image from bytes, through the same limits."""
    return _open_image(io.BytesIO(data))
