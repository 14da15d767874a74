"""Typeset Chinese text as page images, the way a scanned policy document looks, for OCR tests and the benchmark.

Paragraphs are justified to the text column with a two-character first-line indent, as in printed
government documents; headings, titles and provider lines stand on their own lines. Pages are Pillow
images; `save_image_pdf` writes them as a PDF with no text layer (what a scanner produces).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


def cjk_font() -> Path | None:
    """The Noto Sans CJK collection that scripts/system-deps.sh installs (fonts-noto-cjk), if present."""
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("NotoSansCJK-Regular.ttc")) + sorted(folder.rglob("NotoSerifCJK-Regular.ttc")):
                return path
    return None


@dataclass
class Block:
    """One printed block: a paragraph (indented, justified) or a line that stands alone (title, provider)."""

    text: str
    kind: str = "paragraph"  # paragraph | title (centred) | line (flush left)


@dataclass
class Page:
    """A typeset page: its image and the text of each printed row (the ground truth for OCR)."""

    image: Image.Image
    rows: list[str]


@dataclass
class PageStyle:
    dpi: int = 150
    width_mm: float = 210  # A4
    height_mm: float = 297
    margin_mm: float = 25
    font_pt: float = 12  # 小四; government documents often use 三号 (16 pt), which is easier for OCR
    line_pitch: float = 1.6  # baseline distance in font sizes

    def px(self, mm: float) -> int:
        return round(mm / 25.4 * self.dpi)

    @property
    def font_px(self) -> int:
        return round(self.font_pt / 72 * self.dpi)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float, indent: float) -> list[str]:
    """Greedy wrap by rendered width; closing punctuation never starts a line (Chinese line-breaking rule)."""
    lines: list[str] = []
    current = ""
    limit = width - indent
    for ch in text:
        if current and font.getlength(current + ch) > limit and ch not in "，。、；：！？”’）》」":
            carry = ""
            if _alnum(ch):
                # A figure or a Latin word is never split over two rows: it moves down whole.
                while current and _alnum(current[-1]):
                    carry, current = current[-1] + carry, current[:-1]
                if not current:
                    current, carry = carry, ""
            lines.append(current)
            current, limit = carry, width
        current += ch
    if current:
        lines.append(current)
    return lines


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def typeset(blocks: Iterable[Block], style: PageStyle | None = None, font_path: Path | None = None) -> list[Page]:
    """Lay the blocks out on as many pages as they need (greyscale images with their rows' text)."""
    style = style or PageStyle()
    font_path = font_path or cjk_font()
    if font_path is None:
        raise FileNotFoundError("no CJK font: install fonts-noto-cjk (scripts/system-deps.sh)")
    font = ImageFont.truetype(str(font_path), style.font_px)
    page_w, page_h = style.px(style.width_mm), style.px(style.height_mm)
    left, top = style.px(style.margin_mm), style.px(style.margin_mm)
    width, bottom = page_w - 2 * left, page_h - top
    pitch = round(style.font_px * style.line_pitch)
    pages: list[Page] = []
    draw: ImageDraw.ImageDraw | None = None
    y = bottom  # forces a new page first

    def new_page() -> None:
        nonlocal draw, y
        image = Image.new("L", (page_w, page_h), 255)
        draw = ImageDraw.Draw(image)
        pages.append(Page(image, []))
        y = top

    for block in blocks:
        if block.kind == "paragraph":
            indent = 2 * style.font_px
            rows = _wrap(block.text, font, width, indent)
        else:
            indent = 0
            rows = _wrap(block.text, font, width, 0)
        for k, row in enumerate(rows):
            if y + pitch > bottom:
                new_page()
            assert draw is not None
            pages[-1].rows.append(row)
            last = k == len(rows) - 1
            x: float = left + (indent if k == 0 else 0)
            if block.kind == "title":
                x = left + (width - font.getlength(row)) / 2
                draw.text((x, y), row, font=font, fill=0)
            elif block.kind == "paragraph" and not last and len(row) > 1:
                _justify(draw, row, font, x, y, left + width)
            else:
                draw.text((x, y), row, font=font, fill=0)
            y += pitch
        if block.kind == "title":
            y += pitch // 2
    return pages


def _justify(draw: ImageDraw.ImageDraw, row: str, font: ImageFont.FreeTypeFont, x: float, y: int, right: float) -> None:
    """Spread a row's characters so it ends at the right margin, as typeset Chinese text does; the
    characters of a figure or a Latin word stay together (typesetters never spread 1500 into 1 5 0 0)."""
    pieces: list[str] = []
    for ch in row:
        if pieces and ch.isascii() and ch.isalnum() and pieces[-1][-1:].isascii() and pieces[-1][-1:].isalnum():
            pieces[-1] += ch
        else:
            pieces.append(ch)
    if len(pieces) < 2:
        draw.text((x, y), row, font=font, fill=0)
        return
    extra = (right - x - font.getlength(row)) / (len(pieces) - 1)
    for piece in pieces:
        draw.text((x, y), piece, font=font, fill=0)
        x += font.getlength(piece) + extra


def save_image_pdf(pages: list[Page] | list[Image.Image], path: Path, dpi: int = 150) -> Path:
    """A PDF whose pages are only images (no text layer), as a scanner writes it."""
    first, *rest = [(p.image if isinstance(p, Page) else p).convert("RGB") for p in pages]
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return path


def case_blocks(number: int, title: str, provider: str, paragraphs: list[str], doc_title: str | None = None,
                headings: dict[int, str] | None = None) -> list[Block]:
    """A best-practice case as printed: document title, numbered case title, （X提供）, then the body."""
    blocks = [Block(doc_title, "title")] if doc_title else []
    blocks += [Block(f"{number}. {title}", "line"), Block(f"（{provider}提供）", "title")]
    for i, paragraph in enumerate(paragraphs):
        if headings and i in headings:
            blocks.append(Block(headings[i], "line"))
        blocks.append(Block(paragraph))
    return blocks
