"""Cleaning: artifacts out, hard-wrapped lines joined, every cleaned char mapped back to the source.

The corpus comes from PDF/DOCX/OCR conversions: DOCX bookmarks inside titles, markdown emphasis,
page numbers on their own lines, and (000, 004) a line break every 15–30 characters mid-sentence.
The output is a list of logical lines (paragraphs or headings) whose joined text is the "cleaned
document" that chunks, sections and quotes point into.

What the markup said survives as hints on each line, because structure detection needs them:
the heading depth (`#`, a setext underline === / ---, a ━━━ banner above and below, or Word's Heading N), the document title (`% ` line, Word's Title style),
emphasis (`**…**` around the whole line, or a bold lead such as `**做法：**`), and table rows
(`| a | b |`, which the .docx reader emits in place).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from ingest import patterns

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_EMPHASIS = re.compile(r"\*\*|__")
_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_TITLE_MARK = re.compile(r"^%\s+")  # pandoc's title line; the .docx reader writes Word's Title style so
_QUOTE = re.compile(r"^(?:>\s?)+")  # markdown blockquote markers
_ITALIC_LINE = re.compile(r"^\*(?=[^*\s])[^*]+(?<=[^*\s])\*$")  # a wholly italic line: *（X提供）*
_ITALIC_MARKS = re.compile(r"^\s*\*|\*\s*$")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")  # --- / === / * * *
# A setext underline: the paragraph right above it (no blank line between) is a heading, === level 1, --- level 2.
_SETEXT = re.compile(r"^(?:=+|-+)\s*$")
# A banner: a row of box-drawing strokes. Two of them around a line or two frame a heading, as plain-text
# collections box their title, each case's title and a closing block (━━━ / 标题 / ━━━).
_BANNER = re.compile(r"^[━─═┅┄┉┈╌╍▬]{3,}$")
_FRAMED = 3  # lines a banner frames at most: a title may run over two or three lines inside its box
# What a setext underline cannot turn into a heading: table rows, list items, markdown headings
_NOT_SETEXT = re.compile(r"^(?:\||[-*+]\s|\d{1,3}[.)]\s|#)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")  # | --- | :---: |
# "34", "— 3 —", "-12-", "－ 7 －", "第 3 页", "第3页 共20页", "3 / 20": page numbers a PDF conversion leaves
# between lines, and those of printed pages read by OCR (which may lose the dash on one side)
_PAGE_NUMBER = re.compile(r"^(?:(?:[-—–－]\s*)?\d{1,3}(?:\s*[-—–－])?"
                          r"|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})$")


@dataclass
class Mapped:
    """Text whose every char remembers its offset in the raw source."""

    text: str = ""
    src: list[int] = field(default_factory=list)

    def sub(self, pattern: re.Pattern[str], repl: str = "") -> Mapped:
        if not pattern.search(self.text):
            return self  # most lines carry no artifact; copying their offsets is most of the cost
        out, src, pos = [], [], 0
        for m in pattern.finditer(self.text):
            out.append(self.text[pos : m.start()])
            src.extend(self.src[pos : m.start()])
            out.append(repl)
            src.extend([self.src[m.start()] if m.start() < len(self.src) else 0] * len(repl))
            pos = m.end()
        out.append(self.text[pos:])
        src.extend(self.src[pos:])
        return Mapped("".join(out), src)

    def strip(self) -> Mapped:
        left = len(self.text) - len(self.text.lstrip())
        right = len(self.text.rstrip())
        return Mapped(self.text[left:right], self.src[left:right])

    def __add__(self, other: Mapped) -> Mapped:
        return Mapped(self.text + other.text, self.src + other.src)


@dataclass
class Line:
    """One logical line of the cleaned document: a paragraph, a heading, a title."""

    body: Mapped
    md_level: int = 0  # markdown heading depth in the source; a hint only, depth is random in 003
    gap_before: bool = True  # a blank line (or the file start) precedes it in the source
    bold: bool = False  # the whole line was emphasised (**…**): a heading without heading markup
    bold_lead: str = ""  # the emphasised words a paragraph starts with (**做法：**…), without markers
    title_mark: bool = False  # the document's title, as marked by its format (Word's Title style)
    table_row: bool = False  # a row of a table: | cell | cell |
    # The first line of a page or a slide: after a form feed, a rule (--- / * * *) or a printed 第N页. Only the
    # layout-agnostic fallback reads it (a collection of one case a page); a bare page number is no break, since PDF
    # conversions leave one in the middle of a wrapped paragraph.
    page_start: bool = False

    @property
    def text(self) -> str:
        return self.body.text


@dataclass
class CleanedDocument:
    lines: list[Line]
    hard_wrapped: bool
    text: str = ""
    line_starts: list[int] = field(default_factory=list)
    source_map: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts, starts, src, pos = [], [], [], 0
        for line in self.lines:
            starts.append(pos)
            parts.append(line.text)
            src.extend(line.body.src)
            src.append(line.body.src[-1] + 1 if line.body.src else 0)  # the joining newline
            pos += len(line.text) + 1
        self.text = "\n".join(parts)
        self.line_starts = starts
        self.source_map = src[: len(self.text)]

    def line_span(self, first: int, last: int) -> tuple[int, int]:
        """Char span covering lines first..last inclusive."""
        return self.line_starts[first], self.line_starts[last] + len(self.lines[last].text)


def _emphasis(text: str) -> tuple[bool, str]:
    """(whole line emphasised, emphasised lead words) of a line still carrying its ** / __ markers."""
    text = _MD_HEADING.sub("", text.strip())
    for mark in ("**", "__"):
        if not text.startswith(mark):
            continue
        close = text.find(mark, len(mark))
        if close < 0:
            return False, ""
        if text.endswith(mark) and len(text) > 2 * len(mark):
            return True, ""
        return False, text[len(mark):close].strip()
    return False, ""


# A table's cells as a PDF extraction leaves them, one a line: 41 / 9.8 / 31% / — . A bare number standing next
# to one of them is a cell of the same table, not a page number.
_FIGURE_CELL = re.compile(r"^[-—–－]$|^[-+]?\d[\d,，.．]*\s*[%％‰]?$")


def _table_cell(raw_lines: list[str], k: int) -> bool:
    """Whether bare-number line k stands among other figure cells (the previous or the next line is one)."""
    return any(0 <= j < len(raw_lines) and _FIGURE_CELL.match(raw_lines[j].strip()) for j in (k - 1, k + 1))


# line, blank line before, emphasis, heading level it was given, first line of a page
_Physical = tuple[Mapped, bool, tuple[bool, str], int, bool]
# What ends a page or a slide: a printed 第N页 (共M页), as opposed to a bare page number
_PAGE_MARK = re.compile(r"^[-—–－\s]*第\s*\d{1,3}\s*页")


def _as_heading(out: list[_Physical], first: int, level: int) -> None:
    """Lines out[first:] are one heading (a setext paragraph, a banner's title): joined into one line, Chinese
    directly, as a title wrapped over lines is still one title."""
    body = out[first][0]
    for line, _, _, _, _ in out[first + 1:]:
        body = _join(body, line)
    out[first:] = [(body, out[first][1], out[first][2], level, out[first][4])]


def _physical_lines(raw: str) -> list[_Physical]:
    """Split into artifact-free lines, each with whether a blank line came before it, its emphasis and the heading
    level its framing gives it (a setext underline, a banner above and below), 0 for none."""
    out: list[_Physical] = []
    offset, gap = 0, True
    raw_lines = raw.split("\n")
    paragraph = 0  # where in out the current paragraph (lines with no blank line between) starts
    banner: int | None = None  # where in out the lines after an opening banner start
    page = False  # a page or slide ended before the next line
    for k, raw_line in enumerate(raw_lines):
        page = page or "\f" in raw_line
        line = Mapped(raw_line, list(range(offset, offset + len(raw_line))))
        offset += len(raw_line) + 1
        if _BANNER.match(raw_line.strip()):
            if banner is not None and 0 < len(out) - banner <= _FRAMED and not gap:
                _as_heading(out, banner, 1)
                banner = None
            else:
                banner = len(out)
            gap = True
            continue
        if _SETEXT.match(raw_line.strip()) and len(raw_line.strip()) >= 3 and not gap and out \
                and k and raw_lines[k - 1].strip() and not any(_NOT_SETEXT.match(ln[0].text) or ln[3]
                                                               for ln in out[paragraph:]):
            _as_heading(out, paragraph, 1 if raw_line.strip()[0] == "=" else 2)
            gap = True
            continue
        line = line.sub(_BOOKMARK).sub(_QUOTE)
        emphasis = _emphasis(line.text)
        line = line.sub(_EMPHASIS)
        if _ITALIC_LINE.match(line.text.strip()):
            line = line.sub(_ITALIC_MARKS)
        line = Mapped(line.text.replace("\u00a0", " ").replace("\r", " ").replace("\ufeff", " "), line.src)
        line = line.strip()
        page_number = _PAGE_NUMBER.match(line.text) and not _table_cell(raw_lines, k)
        if not line.text or _RULE.match(line.text) or page_number or _TABLE_RULE.match(line.text):
            # Page numbers of the PDF conversion stand alone between wrapped lines (004: "34").
            gap = gap or not line.text or bool(_RULE.match(line.text))
            page = page or bool(_RULE.match(line.text) or _PAGE_MARK.match(line.text))
            continue
        if gap:
            paragraph = len(out)
            if banner is not None and len(out) > banner:
                banner = None  # a blank line inside the box: the banner was a rule, not a frame
        out.append((line, gap, emphasis, 0, page))
        gap = page = False
    return out


def _split_md(line: Mapped) -> tuple[Mapped, int]:
    m = _MD_HEADING.match(line.text)
    if not m:
        return line, 0
    return Mapped(line.text[m.end() :], line.src[m.end() :]).strip(), len(m.group(1))


def _split_title_mark(line: Mapped) -> tuple[Mapped, bool]:
    m = _TITLE_MARK.match(line.text)
    if not m:
        return line, False
    return Mapped(line.text[m.end() :], line.src[m.end() :]).strip(), True


def is_hard_wrapped(texts: list[str]) -> bool:
    """PDF/OCR text broken every few dozen chars: short lines that mostly stop mid-sentence."""
    if len(texts) < 20:
        return False
    median = statistics.median(len(t) for t in texts)
    open_ended = sum(1 for t in texts if not patterns.ends_sentence(t)) / len(texts)
    return median <= 40 and open_ended >= 0.5


def _join(left: Mapped, right: Mapped) -> Mapped:
    # Latin words broken across lines need their space back; Chinese text joins directly.
    if left.text and right.text and left.text[-1].isascii() and left.text[-1].isalnum() \
            and right.text[0].isascii() and right.text[0].isalnum():
        return left + Mapped(" ", [right.src[0]]) + right
    return left + right


def _heading_like(text: str) -> bool:
    return bool(patterns.is_heading_line(text) or patterns.provider_of(text) or patterns.title_number(text)
                or patterns.section_label(text))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]+(?:\W+[A-Za-z]+)+")


def _script_change(left: str, right: str) -> bool:
    """One line Chinese, the other only Latin words: a translation printed under its original (a bilingual title
    or subtitle), not the same sentence wrapped."""
    def latin(text: str) -> bool:
        return not _CJK.search(text) and bool(_LATIN_WORDS.search(text))

    return bool(_CJK.search(left) and latin(right) or _CJK.search(right) and latin(left))


def _marked_up(line: Line) -> bool:
    """A line whose markup says what it is (heading, title, bold line, table row): never joined."""
    return bool(line.md_level or line.title_mark or line.bold or line.table_row)


def _unwrap(lines: list[Line], gaps_break: bool = False) -> list[Line]:
    """Join hard-wrapped lines into paragraphs; headings, titles, provider lines and table rows stay whole.

    gaps_break: a blank line in the source ends a paragraph (OCR output, where the reader saw one on
    the page); in PDF conversions like 004 blank lines stand between every two rows and mean nothing.
    """
    width = statistics.median(len(line.text) for line in lines)
    short = 0.6 * width
    texts = [line.text for line in lines]
    starts = patterns.block_starts(texts)
    standalone = patterns.standalone_lines(texts) | {i for i, line in enumerate(lines) if _marked_up(line)}
    out: list[Line] = []
    for i, line in enumerate(lines):
        if not out:
            out.append(line)
            continue
        prev = out[-1].text
        prev_i = i - 1
        breaks = (
            gaps_break and line.gap_before
            or i in starts
            or i in standalone
            or prev_i in standalone
            or patterns.ends_sentence(prev)
            or len(lines[prev_i].text) < short
            or _script_change(lines[prev_i].text, line.text)
            or line.page_start  # a slide's lines never run on into the next slide
        )
        if breaks:
            out.append(line)
        else:
            joined = Line(_join(out[-1].body, line.body), out[-1].md_level, out[-1].gap_before,
                          bold_lead=out[-1].bold_lead, title_mark=out[-1].title_mark, page_start=out[-1].page_start)
            out[-1] = joined
    return out


def clean(raw: str, physical_lines: bool = False) -> CleanedDocument:
    """Clean raw text into logical lines, keeping a char map back to the raw source.

    physical_lines: the reader laid the text out as printed rows with a blank line at each paragraph
    break (OCR); such text is always unwrapped, however few rows it has, and its blank lines end paragraphs.
    """
    raw = raw.replace("\r\n", "\n")
    lines: list[Line] = []
    for body, gap, (bold, lead), framed, page in _physical_lines(raw):
        body, level = _split_md(body)
        level = level or framed
        body, title_mark = _split_title_mark(body) if not level else (body, False)
        if body.text:
            lines.append(Line(body, level, gap, bold=bold, bold_lead=lead, title_mark=title_mark,
                              table_row=body.text.startswith("|"), page_start=page))
    # Headings, titles, provider lines and table rows are short by nature; only running text tells.
    # OCR'd rows (physical_lines) are always unwrapped, however few there are.
    wrapped = bool(lines) and (physical_lines or is_hard_wrapped(
        [line.text for line in lines if not _marked_up(line) and not _heading_like(line.text)]))
    if wrapped:
        lines = _unwrap(lines, gaps_break=physical_lines)
    for line in lines:
        if line.md_level or line.bold and len(line.text) <= 60 or patterns.is_heading_line(line.text) \
                or patterns.provider_of(line.text) or patterns.title_number(line.text):
            # Headings and provider lines mix （） and () at random; one form makes titles comparable.
            line.body = Mapped(patterns.fullwidth_brackets(line.text), line.body.src)
    return CleanedDocument(lines=lines, hard_wrapped=wrapped)
