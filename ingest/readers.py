"""Turn a file into text (with where each page starts), or say in one line why it cannot be read.

PDF pages are read from their text layer when it holds real text; image-only pages (scans) and image
files go through offline OCR (ingest/ocr.py).
"""

from __future__ import annotations

import io
import re
import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.ocr import MAX_SIDE_PX, page_text  # light: the engine and its libraries load on first use

if TYPE_CHECKING:
    from PIL import Image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
SUPPORTED_SUFFIXES = {".txt", ".md", ".docx", ".pdf"} | IMAGE_SUFFIXES

# A PDF page whose text layer has fewer readable characters than this is read by OCR: scanners put
# nothing there, or a page number, or glyph codes that map to no character.
MIN_TEXT_LAYER_CHARS = 20
# PDF pages are rendered at 2 × 72 dpi = 144 dpi. On dense 9–12 pt Chinese pages 1×–3× read the same
# characters (bench/results/ocr.json); recognition, most of the time, does not depend on the scale and
# detection grows with it (~0.3 s a page at 1.5×, ~0.5–0.9 s at 2×), so 2× buys a margin for small print
# (footnotes, tables) for well under a second a page.
RENDER_SCALE = 2.0
# Images above this are refused before being decoded (a phone photo is 12–50 million pixels);
# Pillow's own decompression-bomb guard stops far larger ones at the header.
MAX_IMAGE_PIXELS = 50_000_000

#: progress(pages done, pages to OCR) — called with (0, n) before the first OCR'd page of a file.
Progress = Callable[[int, int], None]
# A .docx is a zip: limits checked from its directory before python-docx inflates anything. Real documents
# hold tens of parts and rarely more than 100 MB inflated even with many images; a zip bomb is far beyond both.
DOCX_MAX_MEMBERS = 5000
DOCX_MAX_INFLATED = 500 * 1024 * 1024


class UnreadableFile(Exception):
    """A file that is skipped; the message is the one-line reason shown to the user."""


@dataclass
class ReadResult:
    """A file's raw text and where its pages start in it."""

    text: str
    page_starts: list[int] = field(default_factory=list)  # raw char offset of each page; empty: no pages
    physical_lines: bool = False  # one line per printed row, a blank line per paragraph break (OCR)
    ocr_pages: int = 0
    title: str | None = None  # the title a PDF declares (metadata printed on its first page, or its largest line)

    def page_at(self, offset: int) -> int | None:
        """1-based page holding raw char offset, or None for a file without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))


def read(path: Path, progress: Progress | None = None) -> ReadResult:
    """Read a .txt/.md/.docx/.pdf/.png/.jpg file or raise UnreadableFile with the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(f"unsupported file type {suffix or '(none)'}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot open: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableFile("empty file")
    if suffix == ".pdf":
        result = _read_pdf(data, progress)
    elif suffix in IMAGE_SUFFIXES:
        result = _read_image(data, progress)
    else:
        reader = {".txt": _read_plain, ".md": _read_plain, ".docx": _read_docx}[suffix]
        result = ReadResult(reader(path, data))
    if not result.text.strip():
        if result.ocr_pages:
            raise UnreadableFile("no text found (blank pages, or a scan the OCR could not read)")
        raise UnreadableFile("no text found (a scanned PDF without a text layer?)")
    return result


def read_text(path: Path) -> str:
    """The text of a file (see read) without page information."""
    return read(path).text


def _read_plain(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableFile("binary content in a text file")
    for encoding in ("utf-8-sig", "gb18030"):
        # GB18030 is the other encoding Chinese government text files come in.
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and not _looks_like_text(text):
            break
        return text
    raise UnreadableFile("undecodable bytes (neither UTF-8 nor GB18030)")


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes almost any bytes; accept it only when the result is mostly CJK/ASCII text."""
    sample = text[:4000]
    good = sum(1 for ch in sample if ch.isspace() or ch.isascii() and ch.isprintable() or "\u4e00" <= ch <= "\u9fff"
               or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return good >= 0.9 * len(sample)


def check_docx_zip(path: Path) -> None:
    """Raise UnreadableFile unless the file is a zip of sane size holding word/document.xml.

    The sizes come from the zip's directory; zipfile never inflates a member beyond its declared size (it
    fails the CRC check instead), so a lying directory cannot get past this either.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile("corrupted .docx (not a zip archive)") from exc
    if len(members) > DOCX_MAX_MEMBERS:
        raise UnreadableFile(f"refused .docx: {len(members)} parts (a zip bomb?)")
    if sum(m.file_size for m in members) > DOCX_MAX_INFLATED:
        raise UnreadableFile(f"refused .docx: over {DOCX_MAX_INFLATED // 2**20} MB when unpacked (a zip bomb?)")
    if not any(m.filename == "word/document.xml" for m in members):
        raise UnreadableFile("corrupted .docx (no word/document.xml inside: not a Word file)")


def _read_docx(path: Path, data: bytes) -> str:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_zip(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"corrupted .docx ({type(exc).__name__})") from exc
    except Exception as exc:  # zipfile.BadZipFile and lxml errors surface as assorted types
        raise UnreadableFile(f"corrupted .docx ({type(exc).__name__})") from exc
    from ingest.docx_text import docx_lines

    # A blank line between paragraphs, as in markdown: each Word paragraph is a paragraph, not a line
    # wrapped by a converter (a Shift+Enter break inside one stays a single newline).
    return "\n\n".join(docx_lines(document))


# ---------------------------------------------------------------- PDF: text layer, else OCR

_READABLE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def has_text_layer(text: str) -> bool:
    """Whether a page's extracted text is real text rather than nothing, a page number or junk glyphs."""
    return len(_READABLE.findall(text)) >= MIN_TEXT_LAYER_CHARS


def _read_pdf(data: bytes, progress: Progress | None) -> ReadResult:
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile("not a PDF (the file does not start with %PDF-)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader)
        count = len(reader.pages)
    except UnreadableFile:
        raise
    except Exception as exc:  # pypdf raises assorted errors on truncated or malformed files
        raise UnreadableFile(f"corrupted PDF ({type(exc).__name__})") from exc
    if count == 0:
        raise UnreadableFile("corrupted PDF (no pages)")
    texts: list[str | None] = []
    sized: list[tuple[float, str]] = []  # (font size, text) of the first page's pieces of text
    for index, page in enumerate(reader.pages):
        try:
            text = page.extract_text(visitor_text=_sizes(sized) if index == 0 else None) or ""
        except Exception:  # noqa: BLE001 - a page pypdf cannot parse may still render: OCR decides
            text = ""
        texts.append(text if has_text_layer(text) else None)
    scanned = [i for i, t in enumerate(texts) if t is None]
    if scanned:
        for i, text in _ocr_pdf_pages(data, scanned, progress).items():
            texts[i] = text
    parts = drop_running_lines([t or "" for t in texts])
    starts, pos = [], 0
    for part in parts:
        starts.append(pos)
        pos += len(part) + 1
    title = pdf_title(_metadata_title(reader), sized, parts[0]) if texts[0] is not None else None
    return ReadResult("\n".join(parts), starts, physical_lines=bool(scanned), ocr_pages=len(scanned), title=title)


def _metadata_title(reader) -> str | None:
    try:
        meta = reader.metadata
        return str(meta.title).strip() if meta is not None and meta.title else None
    except Exception:  # noqa: BLE001 - a damaged info dictionary only costs the title
        return None


def _sizes(out: list[tuple[float, str]]) -> Callable[..., None]:
    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = abs(tm[3] or tm[0] or 1) * abs(cm[3] or cm[0] or 1)
            out.append((round(float(size) * scale, 1), text))
    return visit


_COMPACT = re.compile(r"[\s\W_]+")
_NO_TITLE = re.compile(r"^(?:untitled|无标题|microsoft\s+\w+\s*-)|\.(?:docx?|wps|pdf|txt|xlsx?|pptx?)$", re.I)


def pdf_title(declared: str | None, sized: list[tuple[float, str]], first_page: str) -> str | None:
    """A PDF's title: the metadata title when the first page prints it (producers fill that field with file
    names and "Untitled" too), else the first page's largest line when it stands out from the body text."""
    page = _COMPACT.sub("", first_page)
    if declared and not _NO_TITLE.search(declared) and len(_COMPACT.sub("", declared)) >= 4 \
            and _COMPACT.sub("", declared) in page:
        return declared
    if not sized:
        return None
    weights: dict[float, int] = {}
    for size, text in sized:
        weights[size] = weights.get(size, 0) + len(text.strip())
    body = max(weights, key=lambda size: weights[size])  # the size most of the text is set in
    top = max(size for size, _ in sized)
    if top < 1.25 * body:
        return None
    first = next(k for k, (size, _) in enumerate(sized) if size == top)
    pieces = []
    for size, text in sized[first:]:
        if size != top:
            break
        pieces.append(text.strip())
    title = ""
    for piece in pieces:  # a title wrapped over lines: Chinese joins directly, Latin words get their space
        title += (" " if title[-1:].isascii() and title[-1:].isalnum() and piece[:1].isascii() else "") + piece
    title = re.sub(r"\s+", " ", title).strip()
    words = len(re.findall(r"[\u4e00-\u9fffA-Za-z]", title))  # a big year or page number is no title
    return title if words >= 4 and len(title) <= 80 and title[-1] not in "。！？；;!?" else None


_SHORT = 40
_PAGE_MARK = re.compile(r"^[-–—－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?[-–—－\s]*$|^\d{1,4}\s*/\s*\d{1,4}$")


def drop_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running header and footer: a short line standing at the top (or the bottom) of at
    least half the pages, and of two or more, is the book's title or a footer, not part of any case —
    left in, it glues itself to the document title or splits a sentence that runs over a page."""
    if len(pages) < 2:
        return pages
    edges: list[set[str]] = []
    for text in pages:
        edges.append({_running_key(text.splitlines()[i]) for i in _edge_lines(text)} - {""})
        edges[-1] = {ln for ln in edges[-1] if len(ln) <= _SHORT}
    counts: dict[str, int] = {}
    for found in edges:
        for line in found:
            counts[line] = counts.get(line, 0) + 1
    running = {line for line, n in counts.items() if n >= 2 and n * 2 >= len(pages)}
    if not running:
        return pages
    out = []
    for text in pages:
        lines = text.splitlines()
        edge = _edge_lines(text)
        out.append("\n".join(ln for i, ln in enumerate(lines) if not (i in edge and _running_key(ln) in running)))
    return out


_NUMERAL = re.compile(r"\d+|[一二三四五六七八九十百零〇两]+")
_RUNNING_FIXED = 6  # characters a running line keeps besides its number: a book's or a part's name


def _running_key(line: str) -> str:
    """What a running line repeats from page to page: the line, its number masked when the rest of it is a name
    (书名｜第三篇 on one page, 书名｜第四篇 on the next). A label and number alone (第三篇) opening a page is no
    running line but a heading, so it keeps its number."""
    line = line.strip()
    masked = _NUMERAL.sub("#", line)
    return masked if len(masked.replace("#", "")) >= _RUNNING_FIXED else line


def _edge_lines(text: str) -> set[int]:
    """The first and the last line of a page that are not a bare page number."""
    content = [i for i, ln in enumerate(text.splitlines()) if ln.strip() and not _PAGE_MARK.match(ln.strip())]
    return {content[0], content[-1]} if content else set()


def _decrypt(reader) -> None:
    """Many official PDFs are encrypted only against editing, with an empty open password."""
    try:
        ok = reader.decrypt("")
    except Exception as exc:  # noqa: BLE001 - unsupported algorithms raise assorted errors
        raise UnreadableFile(f"encrypted PDF ({type(exc).__name__})") from exc
    if not ok:
        raise UnreadableFile("encrypted PDF (needs a password)")


def _ocr_pdf_pages(data: bytes, pages: list[int], progress: Progress | None) -> dict[int, str]:
    """Render the given pages with PDFium and OCR them; a page that fails to render is left empty."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(f"corrupted PDF (cannot render: {exc})") from exc
    out: dict[int, str] = {}
    try:
        if progress:
            progress(0, len(pages))
        for done, index in enumerate(pages, start=1):
            page = pdf[index]
            try:
                if not any(True for _ in page.get_objects()):
                    out[index] = ""  # a blank page: nothing to read
                    continue
                width, height = page.get_size()
                # The engine shrinks anything longer than MAX_SIDE_PX anyway; rendering larger only costs memory.
                scale = min(RENDER_SCALE, MAX_SIDE_PX / max(width, height, 1))
                image = page.render(scale=scale, grayscale=True).to_pil()
                out[index] = page_text(image)
            except pdfium.PdfiumError:
                out[index] = ""
            finally:
                page.close()
                if progress:
                    progress(done, len(pages))
    finally:
        pdf.close()
    return out


# ---------------------------------------------------------------- images

def _read_image(data: bytes, progress: Progress | None) -> ReadResult:
    image = load_image(data)
    if progress:
        progress(0, 1)
    text = page_text(image)
    if progress:
        progress(1, 1)
    return ReadResult(text, [], physical_lines=True, ocr_pages=1)


def load_image(data: bytes) -> Image.Image:
    """Decode an image upright on a white background, refusing corrupt and oversized ones."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UnreadableFile(f"image too large ({width}×{height} pixels; at most "
                                     f"{MAX_IMAGE_PIXELS // 1_000_000} million)")
            image.load()
    except UnreadableFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableFile("image too large (refused as a decompression bomb)") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableFile("corrupted image (not a PNG or JPEG that can be decoded)") from exc
    except Exception as exc:  # truncated or corrupt data surfaces as OSError, SyntaxError, ValueError…
        raise UnreadableFile(f"corrupted image ({type(exc).__name__})") from exc
    image = ImageOps.exif_transpose(image)  # phone photos are stored sideways with a rotation tag
    if image.mode in ("RGBA", "LA", "PA") or image.mode == "P" and "transparency" in image.info:
        # Transparent pixels are often black underneath: text on them would vanish without a white page.
        rgba = image.convert("RGBA")
        page = Image.new("RGB", rgba.size, "white")
        page.paste(rgba, mask=rgba.getchannel("A"))
        return page
    return image.convert("RGB")
