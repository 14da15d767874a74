"""A Word document as the text lines cleaning reads: body order kept, markup turned into hints.

python-docx lists paragraphs and tables apart; the body is walked in order here so a table stays
inside the case it belongs to. What Word says with styles becomes the plain-text markup the other
formats use, so one structure detector serves them all:
  Title / Subtitle style       → "% title"  (the document title)
  Heading N (or outline level) → "#"*N + " " + text
  a bold run opening a paragraph, or a wholly bold paragraph → **…**
  a short paragraph in a custom style set apart from the body (larger, coloured), used more than once
                               → **…**, like a bold line: a house style for titles (案例标题) without
                                  Word's heading styles or outline levels
  a table row                  → "| cell | cell |"
  Word's automatic numbering   → its text ("1." / "一、" / "案例一：" …), since it often is what
                                  numbers the cases and is not part of the paragraph's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_TITLE_STYLES = {"title", "subtitle", "标题", "副标题"}
_CN = "一二三四五六七八九"
_CN_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"


def docx_lines(document: Any) -> list[str]:
    """The document body as lines, paragraphs and table rows in reading order."""
    numbering = _Numbering(document)
    numbering.title_styles = _title_styles(document)
    lines: list[str] = []
    _block_lines(document.element.body, document, numbering, lines)
    return lines


_TITLE_LENGTH = 60  # a paragraph longer than this is body text, whatever its style


def _title_styles(document: Any) -> set[str]:
    """Custom paragraph styles that set their paragraphs apart from the body text (larger, coloured or bold where
    the body is not), used by two or more paragraphs and nearly only on short ones: sibling titles in a house
    style. The body is the style most of the text is set in, whatever Normal says (a 16 pt 正文 style over a
    10.5 pt Normal is still the body)."""
    chars: dict[str, int] = {}
    short: dict[str, int] = {}
    count: dict[str, int] = {}
    styles: dict[str, Any] = {}
    for paragraph in document.paragraphs:
        style, text = paragraph.style, paragraph.text.strip()
        if style is None or not text:
            continue
        styles[style.style_id] = style
        chars[style.style_id] = chars.get(style.style_id, 0) + len(text)
        count[style.style_id] = count.get(style.style_id, 0) + 1
        short[style.style_id] = short.get(style.style_id, 0) + (len(text) <= _TITLE_LENGTH)
    if not chars:
        return set()
    body_id = max(chars, key=lambda style_id: chars[style_id])
    body = _look(styles[body_id])
    return {style_id for style_id, style in styles.items()
            if style_id != body_id and not style.builtin and short[style_id] >= 2
            and short[style_id] >= 0.8 * count[style_id] and _set_apart(_look(style), body)}


def _look(style: Any) -> tuple[Any, bool, str]:
    """(size, bold, colour) a paragraph style gives its text, following the styles it is based on."""
    chain: list[Any] = []
    s = style
    while s is not None and len(chain) < 10:
        chain.append(s)
        s = s.base_style
    size = next((x.font.size for x in chain if x.font.size is not None), None)
    bold = next((bool(x.font.bold) for x in chain if x.font.bold is not None), False)
    colour = next((str(x.font.color.rgb) for x in chain if x.font.color is not None and x.font.color.type is not None
                   and x.font.color.rgb is not None), "000000")
    return size, bold, colour


def _set_apart(look: tuple[Any, bool, str], body: tuple[Any, bool, str]) -> bool:
    size, bold, colour = look
    return bold and not body[1] or (size is not None and body[0] is not None and size > body[0]) \
        or colour not in ("000000", "auto", body[2])


def _block_lines(parent: Any, document: Any, numbering: _Numbering, lines: list[str]) -> None:
    for element in _blocks(parent):
        if element.tag == qn("w:p"):
            lines.append(_paragraph_line(Paragraph(element, document), numbering))
            continue
        table = Table(element, document)
        if len(table.columns) == 1:
            # A one-column table is a frame around text (a boxed 专栏), not data: its paragraphs are
            # read as paragraphs, so a title or provider line inside it still counts.
            for row in table.rows:
                for cell in row.cells[:1]:
                    _block_lines(cell._tc, document, numbering, lines)
        else:
            lines.extend(_table_lines(table))


def _blocks(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in body order; content controls (a Word TOC sits in one) are opened."""
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content)


def _table_lines(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()).replace("|", "｜"))
        if any(cells):
            rows.append(cells)
    return ["| " + " | ".join(cells) + " |" for cells in _labelled(rows)]


def _labelled(rows: list[list[str]]) -> list[list[str]]:
    """A figures table's data cells carry their column's label: "| 单箱综合物流成本 | 改革前：1260元 | 改革后：980元 |".

    A row is quoted alone as evidence, and "1260元 | 980元" alone does not say which figure is before and
    which after. The first row is a header when it has no digits beyond the first column and the rows under
    it do."""
    if len(rows) < 2 or len(rows[0]) < 3:
        return rows
    header = rows[0]
    if any(re.search(r"\d", cell) for cell in header[1:]) or not any(
            re.search(r"\d", cell) for row in rows[1:] for cell in row[1:]):
        return rows
    out = [header]
    for row in rows[1:]:
        out.append([cell if j == 0 or j >= len(header) or not header[j] or not cell or header[j] in cell
                    else f"{header[j]}：{cell}" for j, cell in enumerate(row)])
    return out


def _style_chain(paragraph: Paragraph) -> list[Any]:
    chain: list[Any] = []
    style = paragraph.style
    while style is not None and len(chain) < 10:
        chain.append(style)
        style = style.base_style
    return chain


def _heading_level(paragraph: Paragraph, chain: list[Any]) -> int:
    for style in chain:
        m = _HEADING_STYLE.match((style.name or "").strip())
        if m:
            return max(1, min(int(m.group(1)), 6))
    for ppr in [paragraph._p.pPr] + [style.element.pPr for style in chain]:
        outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if outline is not None and outline.get(qn("w:val"), "9").isdigit() and int(outline.get(qn("w:val"))) < 6:
            return int(outline.get(qn("w:val"))) + 1  # level 9 is Word's "body text"
    return 0


def _one_line(text: str) -> str:
    """A title typed over two lines (Shift+Enter) is still one title: rejoin it, with a space only between Latin words."""
    parts = [part.strip() for part in text.split("\n") if part.strip()]
    out = parts[0] if parts else ""
    for part in parts[1:]:
        out += (" " if out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum() else "") + part
    return out


def _is_bold(run: Any, style_bold: bool) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    if run.style is not None and run.style.font.bold is not None:
        return bool(run.style.font.bold)
    return style_bold


def _runs(paragraph: Paragraph) -> Iterator[Any]:
    for item in paragraph.iter_inner_content():
        if hasattr(item, "runs"):  # a hyperlink
            yield from item.runs
        else:
            yield item


def _paragraph_line(paragraph: Paragraph, numbering: _Numbering) -> str:
    chain = _style_chain(paragraph)
    names = {(style.name or "").strip().lower() for style in chain[:1]}
    label = numbering.label(paragraph, chain)
    text = paragraph.text
    if names & _TITLE_STYLES and text.strip():
        return "% " + label + _one_line(text)
    level = _heading_level(paragraph, chain)
    if level and text.strip():
        return "#" * level + " " + label + _one_line(text)
    style_bold = next((bool(s.font.bold) for s in chain if s.font.bold is not None), False)
    if chain and chain[0].style_id in numbering.title_styles and 0 < len(text.strip()) <= _TITLE_LENGTH:
        return f"**{label}{_one_line(text).strip()}**"
    pieces: list[tuple[bool, str]] = []
    for run in _runs(paragraph):
        bold = _is_bold(run, style_bold) and bool(run.text.strip())
        if pieces and pieces[-1][0] == bold:
            pieces[-1] = (bold, pieces[-1][1] + run.text)
        else:
            pieces.append((bold, run.text))
    if not pieces or not any(t.strip() for _, t in pieces):
        return label + text if label else text
    while pieces and not pieces[0][1].strip():
        pieces.pop(0)
    if pieces[0][0]:
        # Only a bold opening matters downstream (a title line, or a run-in label such as 做法：).
        lead = pieces[0][1].strip()
        rest = "".join(t for _, t in pieces[1:]).strip()
        return f"**{label}{lead}**" + rest if rest else f"**{label}{lead}**"
    return label + "".join(t for _, t in pieces).strip()


class _Numbering:
    """Word's automatic list numbering, rendered as the text a reader sees ("1." "二、" "案例三：")."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}  # abstractNumId → ilvl → (start, fmt, text, pStyle)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstractNumId, start overrides)
        self.counters: dict[str, dict[int, int]] = {}
        self.title_styles: set[str] = set()  # custom styles whose paragraphs read as titles (see _title_styles)
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    int(_val(lvl, "w:start") or 1), _val(lvl, "w:numFmt") or "decimal",
                    _val(lvl, "w:lvlText") or "", _val(lvl, "w:pStyle") or "",
                )
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            overrides = {}
            for override in num.findall(qn("w:lvlOverride")):
                start = _val(override, "w:startOverride")
                if start is not None:
                    overrides[int(override.get(qn("w:ilvl"), "0"))] = int(start)
            self.nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId") or "", overrides)

    def label(self, paragraph: Paragraph, chain: list[Any]) -> str:
        """The number Word would print before this paragraph, or "" (bullets and unnumbered text)."""
        num_id, ilvl = self._num_pr(paragraph, chain)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        if ilvl is None:
            style_id = chain[0].style_id if chain else ""
            ilvl = next((i for i, lvl in levels.items() if lvl[3] and lvl[3] == style_id), 0)
        if ilvl not in levels:
            return ""
        key = num_id if overrides else abstract_id  # lists sharing a definition continue unless restarted
        counters = self.counters.setdefault(key, {})
        start = overrides.get(ilvl, levels[ilvl][0])
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        fmt, text = levels[ilvl][1], levels[ilvl][2]
        if fmt == "bullet":
            return ""

        def fill(m: re.Match[str]) -> str:
            level = int(m.group(1)) - 1
            value = counters.get(level, levels.get(level, (1,))[0])
            return _format(value, levels.get(level, (1, "decimal"))[1])

        return re.sub(r"%(\d)", fill, text)

    @staticmethod
    def _num_pr(paragraph: Paragraph, chain: list[Any]) -> tuple[str | None, int | None]:
        num_id: str | None = None
        ilvl: int | None = None
        for ppr in [paragraph._p.pPr] + [style.element.pPr for style in chain]:
            num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if num_pr is None:
                continue
            if ilvl is None and _val(num_pr, "w:ilvl") is not None:
                ilvl = int(_val(num_pr, "w:ilvl") or 0)
            if num_id is None and _val(num_pr, "w:numId") is not None:
                num_id = _val(num_pr, "w:numId")
            if num_id is not None:
                break
        return num_id, ilvl


def _val(element: Any, tag: str) -> str | None:
    child = element.find(qn(tag))
    return child.get(qn("w:val")) if child is not None else None


def _format(value: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital"):
        return _chinese(value)
    if fmt == "ideographTraditional":
        return _CN_TRADITIONAL[(value - 1) % 10]
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (value - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "none":
        return ""
    return str(value)


def _chinese(value: int) -> str:
    if value <= 0 or value >= 100:
        return str(value)
    tens, ones = divmod(value, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens - 1] + "十")
    return head + (_CN[ones - 1] if ones else "")


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out += letters
            value -= number
    return out
